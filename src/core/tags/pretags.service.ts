// Pre-tags: tags waiting for a person by phone, unionid or another identity, before Yuchi has
// seen them (a list from an offline event, a partner's VIP list). Applied when a customer with
// that identity appears, or at once when one already exists. Each pre-tag applies once.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { IdentityKind } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { invalid, type ErrorDetail } from '../errors.ts';
import { normalizeIdentity } from '../ingest/identity.rules.ts';
import { offsetOf, type Page, type PageRequest } from '../paging.ts';
import { checkManualTags } from './customer-tags.service.ts';
import { inTransaction } from '../../db/transaction.ts';
import { applyTagChanges } from './tag-changes.ts';
import { actorLabel, IDENTITY_KINDS } from './tags.rules.ts';
import { loadTags } from './tags.service.ts';

export const MAX_PRETAG_VALUES = 10_000;

export interface PreTagInput {
  kind: IdentityKind;
  values: string[];
  tagIds: string[];
}

export interface PreTagView {
  kind: IdentityKind;
  value: string;
  tagId: string;
  tagName: string;
  createdBy: string | null;
  createdAt: string;
  appliedAt: string | null;
  appliedCustomerId: string | null;
}

/**
 * Applies the pending pre-tags of the given identities (rows kind, value, customer_id) and marks
 * them applied. Returns how many pre-tags were applied.
 */
async function applyPending(db: Db, tenantId: string, identities: RawBuilder<unknown>, at: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    await applyTagChanges(trx, tenantId, {
      prelude: sql`found as (
        select x.customer_id, p.tag_id, coalesce(p.created_by, 'pretag') as added_by
          from pre_tags p join (${identities}) x on p.kind = x.kind and p.value = x.value
         where p.tenant_id = ${tenantId} and p.applied_at is null)`,
      adds: sql`select customer_id, tag_id, added_by from found`,
      source: 'pretag', actor: 'pretag', at,
    });
    const marked = await sql`
      update pre_tags p set applied_at = ${at}::timestamptz, applied_customer_id = x.customer_id
        from (${identities}) x
       where p.tenant_id = ${tenantId} and p.kind = x.kind and p.value = x.value and p.applied_at is null`.execute(trx);
    return Number(marked.numAffectedRows ?? 0);
  });
}

/** Why a value is not an identity of its kind, for the console (normalizeIdentity says it in English). */
function identityRefusal(kind: IdentityKind, raw: unknown): Pick<ErrorDetail, 'code' | 'params'> {
  if (typeof raw !== 'string') return { code: 'invalid_type', params: { expected: 'string' } };
  if (raw.trim() === '') return { code: 'too_small', params: { origin: 'string', minimum: 1 } };
  if (kind === 'phone') return { code: 'phone_format', params: {} };
  return { code: 'too_big', params: { origin: 'string', maximum: 128 } };
}

/** Pre-tags each value with each tag; values that already belong to a customer are tagged now. */
export async function createPreTags(db: Db, actor: Actor, input: PreTagInput): Promise<{ created: number; applied: number }> {
  if (!IDENTITY_KINDS.includes(input.kind)) throw invalid('kind', `must be one of ${IDENTITY_KINDS.join(', ')}`, { code: 'invalid_value', params: { options: IDENTITY_KINDS.join(', ') } });
  if (input.values.length === 0 || input.values.length > MAX_PRETAG_VALUES) throw invalid('values', `give 1–${MAX_PRETAG_VALUES} values`, { code: 'values_range', params: { minimum: 1, maximum: MAX_PRETAG_VALUES } });
  if (input.tagIds.length === 0) throw invalid('tagIds', 'give at least one tag', { code: 'tags_needed', params: {} });
  // Stored as ingestion stores identities (a phone as 11 digits ...), so the pre-tag meets its customer.
  const values = input.values.map((v, i) => {
    const normal = normalizeIdentity(input.kind, v);
    if ('error' in normal) throw invalid(`values[${i}]`, normal.error, identityRefusal(input.kind, v));
    return normal.value;
  });
  const distinct = [...new Set(values)];
  return inTransaction(db, async (trx) => {
    const tags = await loadTags(trx, actor.tenantId, input.tagIds, 'tagIds');
    checkManualTags(tags, 'tagIds');
    const created = await sql`
      insert into pre_tags (tenant_id, kind, value, tag_id, created_by)
      select ${actor.tenantId}::uuid, ${input.kind}::text, v, t, ${actorLabel(actor)}::text
        from unnest(${distinct}::text[]) as v cross join unnest(${tags.map((t) => t.id)}::uuid[]) as t
      on conflict do nothing`.execute(trx);
    const applied = await applyPending(trx, actor.tenantId, sql`
      select i.kind, i.value, i.customer_id from customer_identities i
       where i.tenant_id = ${actor.tenantId} and i.kind = ${input.kind} and i.value = any(${distinct}::text[])`, new Date());
    return { created: Number(created.numAffectedRows ?? 0), applied };
  });
}

/** Called after ingestion writes new identities: their pending pre-tags apply now. */
export async function applyPreTags(db: Db, tenantId: string, identities: { kind: IdentityKind; value: string; customerId: string }[], at = new Date()): Promise<number> {
  if (identities.length === 0) return 0;
  return applyPending(db, tenantId, sql`
    select * from unnest(${identities.map((i) => i.kind)}::text[], ${identities.map((i) => i.value)}::text[], ${identities.map((i) => i.customerId)}::uuid[])
      as x(kind, value, customer_id)`, at);
}

export interface PreTagFilter {
  tagId?: string | undefined;
  kind?: IdentityKind | undefined;
  /** true: only those still waiting; false: only those applied. */
  pending?: boolean | undefined;
}

export async function listPreTags(db: Db, tenantId: string, filter: PreTagFilter, paging: PageRequest): Promise<Page<PreTagView>> {
  let q = db
    .selectFrom('pre_tags as p')
    .innerJoin('tags as t', (j) => j.onRef('t.tenant_id', '=', 'p.tenant_id').onRef('t.id', '=', 'p.tag_id'))
    .where('p.tenant_id', '=', tenantId);
  if (filter.tagId) q = q.where('p.tag_id', '=', filter.tagId);
  if (filter.kind) q = q.where('p.kind', '=', filter.kind);
  if (filter.pending !== undefined) q = q.where('p.applied_at', filter.pending ? 'is' : 'is not', null);
  const [rows, count] = await Promise.all([
    q.select(['p.kind', 'p.value', 'p.tag_id', 't.name as tag_name', 'p.created_by', 'p.created_at', 'p.applied_at', 'p.applied_customer_id'])
      .orderBy('p.created_at', 'desc').orderBy('p.kind').orderBy('p.value').orderBy('p.tag_id')
      .limit(paging.pageSize).offset(offsetOf(paging)).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      kind: r.kind, value: r.value, tagId: r.tag_id, tagName: r.tag_name, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
      appliedAt: r.applied_at ? r.applied_at.toISOString() : null, appliedCustomerId: r.applied_customer_id,
    })),
    page: paging.page, pageSize: paging.pageSize, total: Number(count.n),
  };
}
