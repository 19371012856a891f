// What ingestion asks of the tags and questionnaire areas after it has written a batch, inside the
// same transaction. The tags area fills these in.
import type { Db } from '../../db/connect.ts';
import type { IdentityKind } from '../../db/schema.ts';

export interface CustomersChanged {
  customerIds: string[];
  newIdentities: { kind: IdentityKind; value: string; customerId: string }[];
}

/** Applies pre-tags to new identities and re-evaluates rule tags for the changed customers. */
export async function afterCustomersChanged(_db: Db, _tenantId: string, _change: CustomersChanged): Promise<void> {
  // Filled in by the tags area (pre-tags and rule tags).
}

export interface FormSubmissionInput {
  formId: string;
  customerId: string;
  answers: Record<string, string | string[]>;
  submittedAt: Date;
  eventKey: string;
  actor: string;
}

/** Stores a submission and applies the codebook's tags; idempotent by eventKey. */
export async function recordFormSubmission(_db: Db, _tenantId: string, _input: FormSubmissionInput): Promise<{ submissionId: string; tagsAdded: string[]; duplicate: boolean }> {
  throw new Error('questionnaires are not available yet');
}
