// Questionnaires: define them with their codebook, record submissions (which tag the customer
// with the tags of the chosen options), and read the results.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { invalid, notFound } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import type { FormSubmissionInput } from '../ingest/ingest.hooks.ts';
import { inTransaction } from '../../db/transaction.ts';
import { applyTagChanges } from '../tags/tag-changes.ts';
import { exclusiveClash } from '../tags/tags.rules.ts';
import { findTags, loadTags } from '../tags/tags.service.ts';
import { codedOptions, parseAnswers, parseQuestions, type Answer, type FormQuestion, type QuestionType } from './forms.rules.ts';

export type FormStatus = 'draft' | 'published' | 'closed';

export interface FormView {
  id: string;
  name: string;
  description: string;
  status: FormStatus;
  questions: FormQuestion[];
  submissionCount: number;
  createdAt: string;
}

export interface NewForm {
  name: string;
  description?: string | undefined;
  status?: FormStatus | undefined;
  questions: unknown;
}

export type FormPatch = Partial<NewForm>;

function formQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('forms as f')
    .select([
      'f.id', 'f.name', 'f.description', 'f.status', 'f.questions', 'f.created_at',
      sql<number>`(select count(*)::int from form_submissions s where s.tenant_id = f.tenant_id and s.form_id = f.id)`.as('submission_count'),
    ])
    .where('f.tenant_id', '=', tenantId);
}

type FormRow = Awaited<ReturnType<ReturnType<typeof formQuery>['executeTakeFirstOrThrow']>>;

const toView = (r: FormRow): FormView => ({
  id: r.id, name: r.name, description: r.description, status: r.status, questions: parseQuestions(r.questions),
  submissionCount: r.submission_count, createdAt: r.created_at.toISOString(),
});

export async function listForms(db: Db, tenantId: string): Promise<FormView[]> {
  return (await formQuery(db, tenantId).orderBy('f.created_at', 'desc').orderBy('f.id', 'desc').execute()).map(toView);
}

export async function getForm(db: Db, tenantId: string, id: string): Promise<FormView> {
  const row = UUID_PATTERN.test(id) ? await formQuery(db, tenantId).where('f.id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw notFound('questionnaire');
  return toView(row);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw invalid('name', 'must be 1–100 characters', { code: 'name_length', params: { minimum: 1, maximum: 100 } });
  return trimmed;
}

/**
 * The codebook's tags must be this tenant's manual tags, and a multiple-choice question may not
 * code two tags of one exclusive group (a customer could then hold both).
 */
async function checkCodebook(db: Db, tenantId: string, questions: FormQuestion[]): Promise<void> {
  const coded = codedOptions(questions);
  const tags = await loadTags(db, tenantId, coded.map((c) => c.tagId), 'questions');
  coded.forEach((c, i) => {
    const tag = tags[i];
    if (tag?.kind === 'rule') throw invalid(c.path, `${tag.name} is a rule tag: its rule adds and removes it`, { code: 'rule_tag_by_hand', params: { tag: tag.name } });
  });
  questions.forEach((q, i) => {
    if (q.type !== 'multi') return;
    const clash = exclusiveClash(tags.filter((_t, k) => coded[k]?.question === q));
    if (clash) throw invalid(`questions[${i}].options`, `${clash[0].name} and ${clash[1].name} are in the exclusive group ${clash[0].groupName}; a multiple choice cannot code both`,
      { code: 'exclusive_clash', params: { first: clash[0].name, second: clash[1].name, group: clash[0].groupName } });
  });
}

/** Unknown tags are refused by their option's path (questions[0].options[2].tagId). */
async function checkedQuestions(db: Db, tenantId: string, input: unknown): Promise<FormQuestion[]> {
  const questions = parseQuestions(input);
  const coded = codedOptions(questions);
  const found = new Set((await findTags(db, tenantId, coded.map((c) => c.tagId))).map((t) => t.id));
  const missing = coded.find((c) => !found.has(c.tagId));
  if (missing) throw invalid(missing.path, 'no such tag', { code: 'unknown_tag', params: {} });
  await checkCodebook(db, tenantId, questions);
  return questions;
}

export async function createForm(db: Db, tenantId: string, input: NewForm): Promise<FormView> {
  const questions = await checkedQuestions(db, tenantId, input.questions);
  const id = newId();
  await db.insertInto('forms').values({
    tenant_id: tenantId, id, name: checkName(input.name), description: input.description?.trim() ?? '',
    status: input.status ?? 'published', questions: JSON.stringify(questions),
  }).execute();
  return getForm(db, tenantId, id);
}

/** Changing questions keeps past submissions; results count only the options that still exist. */
export async function updateForm(db: Db, tenantId: string, id: string, patch: FormPatch): Promise<FormView> {
  return inTransaction(db, async (trx) => {
    const current = await getForm(trx, tenantId, id);
    const questions = patch.questions === undefined ? undefined : await checkedQuestions(trx, tenantId, patch.questions);
    await trx.updateTable('forms').set({
      name: patch.name === undefined ? current.name : checkName(patch.name),
      description: patch.description?.trim() ?? current.description,
      status: patch.status ?? current.status,
      ...(questions ? { questions: JSON.stringify(questions) } : {}),
    }).where('tenant_id', '=', tenantId).where('id', '=', current.id).execute();
    return getForm(trx, tenantId, current.id);
  });
}

/** See recordFormSubmission in ingest.hooks.ts: stores a submission and applies its codebook's tags. */
export async function storeFormSubmission(db: Db, tenantId: string, input: FormSubmissionInput): Promise<{ submissionId: string; tagsAdded: string[]; duplicate: boolean }> {
  return inTransaction(db, async (trx) => {
    const earlier = await submissionOf(trx, tenantId, input.eventKey);
    if (earlier) return { submissionId: earlier, tagsAdded: [], duplicate: true };
    const checked = await checkSubmission(trx, tenantId, await getForm(trx, tenantId, input.formId), input.answers);
    const customer = UUID_PATTERN.test(input.customerId)
      ? await trx.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.customerId).executeTakeFirst()
      : undefined;
    if (!customer) throw invalid('customerId', 'no such customer', { code: 'unknown_customer', params: {} });
    return saveSubmission(trx, tenantId, checked, { ...input, customerId: customer.id });
  });
}

/** Answers a published questionnaire accepts, with the tags its codebook gives them: no customer needed yet. */
export interface CheckedSubmission {
  formId: string;
  answers: Record<string, Answer>;
  tagIds: string[];
}

/** Checks answers against a questionnaire: it takes answers, and they code no two tags of one exclusive group. Throws YuchiError('invalid') naming the answer path. */
export async function checkSubmission(db: Db, tenantId: string, form: FormView, input: Record<string, string | string[]>): Promise<CheckedSubmission> {
  if (form.status !== 'published') throw invalid('formId', `questionnaire ${form.name} is ${form.status}, not taking answers`, { code: 'form_not_published', params: { form: form.name, status: form.status } });
  const { answers, chosen } = parseAnswers(form.questions, input);
  const coded = chosen.flatMap((c) => (c.tagId ? [{ ...c, tagId: c.tagId }] : []));
  const tags = await findTags(db, tenantId, coded.map((c) => c.tagId));
  const clash = exclusiveClash(tags);
  if (clash) {
    const second = coded.find((c) => c.tagId === clash[1].id);
    throw invalid(`answers.${second?.questionId ?? ''}`, `codes ${clash[1].name}, but another answer codes ${clash[0].name} of the same exclusive group ${clash[0].groupName}`,
      { code: 'exclusive_clash', params: { first: clash[0].name, second: clash[1].name, group: clash[0].groupName } });
  }
  return { formId: form.id, answers, tagIds: tags.map((t) => t.id) };
}

/** Stores a checked submission for a customer (locked by the caller) and applies its tags; idempotent by eventKey. */
export async function saveSubmission(db: Db, tenantId: string, checked: CheckedSubmission,
  input: { customerId: string; submittedAt: Date; eventKey: string; actor: string }): Promise<{ submissionId: string; tagsAdded: string[]; duplicate: boolean }> {
  const submissionId = newId();
  const inserted = await db.insertInto('form_submissions').values({
    tenant_id: tenantId, id: submissionId, form_id: checked.formId, customer_id: input.customerId, answers: JSON.stringify(checked.answers),
    submitted_at: input.submittedAt, event_key: input.eventKey,
  }).onConflict((oc) => oc.columns(['tenant_id', 'event_key']).doNothing()).returning('id').executeTakeFirst();
  if (!inserted) return { submissionId: await submissionOf(db, tenantId, input.eventKey) ?? submissionId, tagsAdded: [], duplicate: true };
  const result = await applyTagChanges(db, tenantId, {
    adds: sql`select ${input.customerId}::uuid as customer_id, tag_id, ${`form:${checked.formId}`}::text as added_by
                from unnest(${checked.tagIds}::uuid[]) as x(tag_id)`,
    source: 'form', actor: input.actor, at: input.submittedAt,
  });
  return { submissionId, tagsAdded: result.addedTagIds, duplicate: false };
}

async function submissionOf(db: Db, tenantId: string, eventKey: string): Promise<string | undefined> {
  const row = await db.selectFrom('form_submissions').select('id').where('tenant_id', '=', tenantId).where('event_key', '=', eventKey).executeTakeFirst();
  return row?.id;
}

export interface FormResults {
  formId: string;
  submissions: number;
  questions: {
    id: string;
    text: string;
    type: QuestionType;
    /** Submissions that answered this question. */
    answered: number;
    /** For choice questions: how often each option was chosen, and its share of those who answered. */
    options: { code: string; label: string; tagId: string | null; count: number; share: number }[];
  }[];
  recent: { id: string; customerId: string | null; customerName: string | null; submittedAt: string; answers: Record<string, Answer> }[];
}

function isAnswers(v: unknown): v is Record<string, Answer> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function formResults(db: Db, tenantId: string, formId: string, options: { recent?: number } = {}): Promise<FormResults> {
  const form = await getForm(db, tenantId, formId);
  const choiceIds = form.questions.filter((q) => q.type !== 'text').map((q) => q.id);
  const [answered, chosen, recent] = await Promise.all([
    sql<{ question_id: string; n: number }>`
      select a.key as question_id, count(*)::int as n
        from form_submissions s, jsonb_each(s.answers) a
       where s.tenant_id = ${tenantId} and s.form_id = ${form.id}
       group by a.key`.execute(db),
    sql<{ question_id: string; code: string; n: number }>`
      select a.key as question_id, c.code, count(*)::int as n
        from form_submissions s
        cross join jsonb_each(s.answers) a
        cross join lateral (
          select jsonb_array_elements_text(a.value) as code where jsonb_typeof(a.value) = 'array'
          union all select a.value #>> '{}' where jsonb_typeof(a.value) = 'string') c
       where s.tenant_id = ${tenantId} and s.form_id = ${form.id} and a.key = any(${choiceIds}::text[])
       group by a.key, c.code`.execute(db),
    db.selectFrom('form_submissions as s')
      .leftJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 's.tenant_id').onRef('c.id', '=', 's.customer_id'))
      .select(['s.id', 's.customer_id', 'c.name', 's.submitted_at', 's.answers'])
      .where('s.tenant_id', '=', tenantId).where('s.form_id', '=', form.id)
      .orderBy('s.submitted_at', 'desc').orderBy('s.id', 'desc')
      .limit(options.recent ?? 20)
      .execute(),
  ]);
  const answeredBy = new Map(answered.rows.map((r) => [r.question_id, r.n]));
  const counts = new Map(chosen.rows.map((r) => [`${r.question_id}\u0000${r.code}`, r.n]));
  return {
    formId: form.id,
    submissions: form.submissionCount,
    questions: form.questions.map((q) => {
      const n = answeredBy.get(q.id) ?? 0;
      return {
        id: q.id, text: q.text, type: q.type, answered: n,
        options: q.options.map((o) => {
          const count = counts.get(`${q.id}\u0000${o.code}`) ?? 0;
          return { code: o.code, label: o.label, tagId: o.tagId ?? null, count, share: n > 0 ? Math.round((count / n) * 10_000) / 10_000 : 0 };
        }),
      };
    }),
    recent: recent.map((r) => ({
      id: r.id, customerId: r.customer_id, customerName: r.name, submittedAt: r.submitted_at.toISOString(),
      answers: isAnswers(r.answers) ? r.answers : {},
    })),
  };
}
