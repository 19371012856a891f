// Rule tags: each rule compiles to one SQL condition over a customer, evaluated set-wise for a
// list of customers (after ingestion) or the whole tenant (the nightly sweep, an operator's
// "evaluate now"). The tag is added where the rule holds and removed where it no longer does;
// every change is a timeline event whose actor is `rule:<tag id>`.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { notFound } from '../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { applyTagChanges } from './tag-changes.ts';
import { foldRule, evaluationOrder, parseRule, precedingInGroup, windowsOf, type Condition, type RuleTagNode, type TagRule } from './tags.rules.ts';

/**
 * The start of a window of `days` days ending at `now`: the same local wall-clock time `days`
 * calendar days earlier in the tenant's zone (so a daylight-saving change does not shift it).
 */
export function orderWindowStart(days: number, timeZone: string, now: Date | undefined): RawBuilder<Date> {
  const at = now ? sql`${now}::timestamptz` : sql`now()`;
  return sql<Date>`((${at} at time zone ${timeZone}::text) - make_interval(days => ${days}::int)) at time zone ${timeZone}::text`;
}

export async function loadRuleTags(db: Db, tenantId: string): Promise<RuleTagNode[]> {
  const rows = await db
    .selectFrom('tags as t')
    .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
    .select(['t.id', 't.name', 't.group_id', 'g.exclusive', 't.rule'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.kind', '=', 'rule')
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, groupId: r.group_id, exclusive: r.exclusive, rule: parseRule(r.rule) }));
}

const windowAlias = (days: number) => sql.raw(`w${Math.trunc(days)}`);

const COMPARE: Record<string, RawBuilder<unknown>> = { '>=': sql.raw('>='), '>': sql.raw('>'), '<=': sql.raw('<='), '<': sql.raw('<'), '=': sql.raw('=') };

function conditionSql(c: Condition): RawBuilder<boolean> {
  if ('metric' in c) {
    const op = COMPARE[c.op] ?? sql.raw('=');
    if (c.windowDays === undefined) {
      const column = { spent_fen: 'c.total_spent_fen', order_count: 'c.order_count', order_days: 'c.order_days' }[c.metric];
      return sql<boolean>`${sql.raw(column)} ${op} ${c.value}`;
    }
    return sql<boolean>`coalesce(${windowAlias(c.windowDays)}.${sql.raw(c.metric)}, 0) ${op} ${c.value}`;
  }
  if ('lastOrderWithinDays' in c) return sql<boolean>`coalesce(${windowAlias(c.lastOrderWithinDays)}.order_count, 0) > 0`;
  if ('noOrderWithinDays' in c) return sql<boolean>`coalesce(${windowAlias(c.noOrderWithinDays)}.order_count, 0) = 0`;
  if ('hasTag' in c) {
    return sql<boolean>`exists (select 1 from customer_tags ht where ht.tenant_id = c.tenant_id and ht.customer_id = c.id and ht.tag_id = ${c.hasTag}::uuid)`;
  }
  if ('identity' in c) {
    return sql<boolean>`exists (select 1 from customer_identities hi where hi.tenant_id = c.tenant_id and hi.customer_id = c.id and hi.kind = ${c.identity})`;
  }
  if ('sourceChannel' in c) return sql<boolean>`c.source_channel = ${c.sourceChannel}`;
  return sql<boolean>`c.store_id is not distinct from ${c.storeId}::uuid`;
}

/** The rule as one boolean SQL expression over customers `c` and the window tables `w<days>`. */
export function ruleSql(rule: TagRule): RawBuilder<boolean> {
  return foldRule<RawBuilder<boolean>>(rule, conditionSql, ({ all, any, not }) => {
    const parts: RawBuilder<boolean>[] = [...all];
    if (any.length > 0) parts.push(sql<boolean>`(${sql.join(any, sql` or `)})`);
    if (not) parts.push(sql<boolean>`not (${not})`);
    return parts.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(parts, sql` and `)})`;
  });
}

interface EvaluationScope {
  tenantId: string;
  timeZone: string;
  now: Date;
  /** Only these customers; all of the tenant when undefined. */
  customerIds: string[] | undefined;
}

export interface RuleTagResult {
  tagId: string;
  added: number;
  removed: number;
}

/** Recomputes one rule tag over the scope: add where the rule holds, remove where it does not. */
async function evaluateOne(db: Db, scope: EvaluationScope, tag: RuleTagNode, preceding: string[]): Promise<RuleTagResult> {
  const { tenantId, timeZone, now, customerIds } = scope;
  const onlyCustomers = (column: string) => (customerIds ? sql`and ${sql.ref(column)} = any(${customerIds}::uuid[])` : sql``);
  const windows = windowsOf(tag.rule).map((days) => sql`${windowAlias(days)} as (
      select o.customer_id,
             sum(o.paid_fen - o.refunded_fen)::bigint as spent_fen,
             count(*)::int as order_count,
             count(distinct (o.ordered_at at time zone ${timeZone}::text)::date)::int as order_days
        from orders o
       where o.tenant_id = ${tenantId} and o.status <> 'refunded' and o.customer_id is not null
         and o.ordered_at >= ${orderWindowStart(days, timeZone, now)} and o.ordered_at <= ${now}::timestamptz
         ${onlyCustomers('o.customer_id')}
       group by o.customer_id)`);
  const joins = windowsOf(tag.rule).map((days) => sql`left join ${windowAlias(days)} on ${windowAlias(days)}.customer_id = c.id`);
  const yielding = preceding.length > 0
    ? sql`and not exists (select 1 from customer_tags p where p.tenant_id = c.tenant_id and p.customer_id = c.id and p.tag_id = any(${preceding}::uuid[]))`
    : sql``;
  const actor = `rule:${tag.id}`;
  // One pass over the customers in scope gives, for each, whether the rule holds and whether the
  // tag is held; adds and removes are the two differences. (No anti-join against a list of the
  // customers the rule holds for: its size is hard to estimate, and a bad guess made it quadratic.)
  const evaluated = sql`evaluated as (
      select c.id,
             coalesce(c.erased_at is null and ${ruleSql(tag.rule)} ${yielding}, false) as holds,
             held.customer_id is not null as held
        from customers c ${sql.join(joins, sql` `)}
        left join customer_tags held on held.tenant_id = c.tenant_id and held.customer_id = c.id and held.tag_id = ${tag.id}::uuid
       where c.tenant_id = ${tenantId} ${onlyCustomers('c.id')})`;
  const result = await applyTagChanges(db, tenantId, {
    prelude: sql.join([...windows, evaluated], sql`, `),
    adds: sql`select e.id as customer_id, ${tag.id}::uuid as tag_id, ${actor}::text as added_by from evaluated e where e.holds and not e.held`,
    removes: sql`select e.id as customer_id, ${tag.id}::uuid as tag_id from evaluated e where e.held and not e.holds`,
    source: 'rule',
    actor,
    at: now,
  });
  return { tagId: tag.id, added: result.added, removed: result.removed };
}

async function tenantZone(db: Db, tenantId: string): Promise<string> {
  const tenant = await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw notFound('tenant');
  return tenant.timezone;
}

export interface EvaluationOptions {
  /** Only these customers (after ingestion); the whole tenant when left out. */
  customerIds?: string[];
  /** Only these rule tags (each still after the tags it depends on); all when left out. */
  tagIds?: string[];
  /** Evaluate as of this instant: windows end here. Defaults to now. */
  now?: Date;
  /** One transaction per tag instead of one for all (the nightly sweep of a large tenant). */
  transactionPerTag?: boolean;
}

/** Evaluates the tenant's rule tags in dependency order. */
export async function evaluateRuleTags(db: Db, tenantId: string, options: EvaluationOptions = {}): Promise<RuleTagResult[]> {
  if (options.customerIds?.length === 0) return [];
  const tags = await loadRuleTags(db, tenantId);
  if (tags.length === 0) return [];
  const wanted = options.tagIds ? new Set(options.tagIds) : undefined;
  const byId = new Map(tags.map((t) => [t.id, t]));
  const scope: EvaluationScope = {
    tenantId,
    timeZone: await tenantZone(db, tenantId),
    now: options.now ?? new Date(),
    customerIds: options.customerIds ? [...new Set(options.customerIds)] : undefined,
  };
  const order = evaluationOrder(tags).order.flatMap((id) => {
    const tag = byId.get(id);
    return tag && (!wanted || wanted.has(id)) ? [tag] : [];
  });
  const evaluate = (trx: Db, tag: RuleTagNode) => evaluateOne(trx, scope, tag, precedingInGroup(tags, tag.id));
  if (options.transactionPerTag && !db.isTransaction) {
    const results: RuleTagResult[] = [];
    for (const tag of order) results.push(await db.transaction().execute((trx) => evaluate(trx, tag)));
    return results;
  }
  return inTransaction(db, async (trx) => {
    const results: RuleTagResult[] = [];
    for (const tag of order) results.push(await evaluate(trx, tag));
    return results;
  });
}

/** Full recompute of one rule tag for the whole tenant. */
export async function evaluateRuleTag(db: Db, tenantId: string, tagId: string, now?: Date): Promise<RuleTagResult> {
  const results = await evaluateRuleTags(db, tenantId, { tagIds: [tagId], ...(now ? { now } : {}) });
  const result = results[0];
  if (!result) throw notFound('rule tag');
  return result;
}

/** The nightly sweep: relative windows ("in 90 days") move as time passes, so every rule tag is recomputed. */
export async function sweepRuleTags(db: Db, tenantId: string, now?: Date): Promise<{ tags: number; added: number; removed: number }> {
  const results = await evaluateRuleTags(db, tenantId, { transactionPerTag: true, ...(now ? { now } : {}) });
  return {
    tags: results.length,
    added: results.reduce((n, r) => n + r.added, 0),
    removed: results.reduce((n, r) => n + r.removed, 0),
  };
}
