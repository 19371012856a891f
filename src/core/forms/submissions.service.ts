// A questionnaire answered through the API: find (or create) the customer from the identity the
// sender knows, store the submission with its codebook tags, and put it on the timeline.
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { invalid } from '../errors.ts';
import { newId } from '../ids.ts';
import { afterCustomersChanged } from '../ingest/ingest.hooks.ts';
import { resolveCustomers } from '../ingest/identity.service.ts';
import type { IdentityRef } from '../ingest/identity.rules.ts';
import { inTransaction } from '../../db/transaction.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { parseAnswers } from './forms.rules.ts';
import { getForm, storeFormSubmission } from './forms.service.ts';

export interface SubmissionRequest {
  /** The sender's id for this submission: a retry with the same id is recognised and changes nothing. */
  id: string;
  customer: IdentityRef;
  answers: Record<string, string | string[]>;
  submittedAt?: string | undefined;
}

export interface SubmissionResult {
  submissionId: string;
  customerId: string | null;
  tagsAdded: string[];
  duplicate: boolean;
}

export async function submitForm(db: Db, actor: Actor, formId: string, request: SubmissionRequest): Promise<SubmissionResult> {
  const tenantId = actor.tenantId;
  const submittedAt = request.submittedAt === undefined ? new Date() : new Date(request.submittedAt);
  if (Number.isNaN(submittedAt.getTime())) throw invalid('submittedAt', 'must be an ISO-8601 instant', { code: 'invalid_format', params: { format: 'datetime' } });
  const eventKey = request.id.trim();
  if (eventKey.length === 0 || eventKey.length > 200) throw invalid('id', 'must be 1–200 characters', { code: 'name_length', params: { minimum: 1, maximum: 200 } });
  return inTransaction(db, async (trx) => {
    const earlier = await trx.selectFrom('form_submissions').select(['id', 'customer_id']).where('tenant_id', '=', tenantId).where('event_key', '=', eventKey).executeTakeFirst();
    if (earlier) return { submissionId: earlier.id, customerId: earlier.customer_id, tagsAdded: [], duplicate: true };
    // Everything that can be refused is checked before a customer may be created.
    const form = await getForm(trx, tenantId, formId);
    if (form.status !== 'published') throw invalid('formId', `questionnaire ${form.name} is ${form.status}, not taking answers`, { code: 'form_not_published', params: { form: form.name, status: form.status } });
    const { answers } = parseAnswers(form.questions, request.answers);
    const { results, newIdentities } = await resolveCustomers(trx, tenantId, [request.customer], { create: true, source: 'form', at: submittedAt });
    const resolved = results[0];
    if (!resolved || 'error' in resolved) {
      // The ingest's reason (missing_customer, invalid_customer, unknown_customer) is the console's code.
      throw invalid('customer', resolved ? resolved.error.message : 'names no customer', { code: resolved ? resolved.error.code : 'missing_customer', params: {} });
    }
    const by = actorLabel(actor);
    const stored = await storeFormSubmission(trx, tenantId, { formId: form.id, customerId: resolved.customerId, answers, submittedAt, eventKey, actor: by });
    if (!stored.duplicate) {
      await trx.insertInto('events').values({
        tenant_id: tenantId, id: newId(), event_key: eventKey, type: 'form_submitted', customer_id: resolved.customerId,
        occurred_at: submittedAt, source: 'api', actor: by,
        properties: JSON.stringify({ formId: form.id, formName: form.name, submissionId: stored.submissionId, answers }),
      }).onConflict((oc) => oc.columns(['tenant_id', 'event_key']).doNothing()).execute();
    }
    await afterCustomersChanged(trx, tenantId, { customerIds: [resolved.customerId], newIdentities });
    return { submissionId: stored.submissionId, customerId: resolved.customerId, tagsAdded: stored.tagsAdded, duplicate: stored.duplicate };
  });
}
