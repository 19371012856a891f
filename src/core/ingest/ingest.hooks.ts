// What ingestion asks of the tags and questionnaire areas after it has written a batch, inside the
// same transaction.
import type { Db } from '../../db/connect.ts';
import type { IdentityKind } from '../../db/schema.ts';
import { storeFormSubmission } from '../forms/forms.service.ts';
import { queueSegmentEvaluation } from '../segments/membership.service.ts';
import { applyPreTags } from '../tags/pretags.service.ts';
import { evaluateRuleTags } from '../tags/rules.service.ts';

export interface CustomersChanged {
  customerIds: string[];
  newIdentities: { kind: IdentityKind; value: string; customerId: string }[];
}

/**
 * Applies pre-tags to new identities, re-evaluates rule tags for the changed customers, and queues
 * them for segment evaluation (one statement; the worker evaluates after commit).
 */
export async function afterCustomersChanged(db: Db, tenantId: string, change: CustomersChanged): Promise<void> {
  // Pre-tags first: a rule may ask whether the customer holds a pre-tagged tag (hasTag).
  await applyPreTags(db, tenantId, change.newIdentities);
  const customerIds = [...new Set([...change.customerIds, ...change.newIdentities.map((i) => i.customerId)])];
  await evaluateRuleTags(db, tenantId, { customerIds });
  await queueSegmentEvaluation(db, tenantId, customerIds);
}

export interface FormSubmissionInput {
  formId: string;
  customerId: string;
  answers: Record<string, string | string[]>;
  submittedAt: Date;
  eventKey: string;
  actor: string;
}

/** Stores a submission and applies the codebook's tags; idempotent by eventKey. Throws YuchiError('invalid') naming the answer path. */
export async function recordFormSubmission(db: Db, tenantId: string, input: FormSubmissionInput): Promise<{ submissionId: string; tagsAdded: string[]; duplicate: boolean }> {
  return storeFormSubmission(db, tenantId, input);
}
