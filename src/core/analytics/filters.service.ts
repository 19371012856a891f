// The filters every analysis takes, checked against the tenant and turned into SQL fragments.
//
// How the store filter applies (each view states it):
// - order figures (trends' GMV/orders/buyers, breakdowns): orders placed at the store;
// - first-order figures (repurchase, cohorts, trends' new buyers): customers whose first order was
//   placed at the store;
// - acquisition figures (funnel, LTV, trends' interactions): customers whose home store
//   (customers.store_id, 归属门店) is the store.
// The segment filter keeps customers in the segment now (segment_members).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { notFound } from '../errors.ts';
import type { DateRange } from './analytics.rules.ts';

export interface AnalyticsFilter {
  range: DateRange;
  storeId?: string | undefined;
  segmentId?: string | undefined;
}

/** Everything a query needs: tenant, zone, today, the range as instants and the filter fragments. */
export interface Scope {
  tenantId: string;
  tz: string;
  today: string;
  range: DateRange;
  storeId: string | null;
  segmentId: string | null;
  /** The first instant of the range and the first instant after it. */
  start: RawBuilder<unknown>;
  end: RawBuilder<unknown>;
}

/** Checks that the filter's store and segment exist in the actor's tenant (404 otherwise). */
export async function scopeOf(db: Db, actor: Actor, filter: AnalyticsFilter, today: string): Promise<Scope> {
  const [store, segment] = await Promise.all([
    filter.storeId ? sql`select 1 from stores where tenant_id = ${actor.tenantId} and id = ${filter.storeId}`.execute(db) : null,
    filter.segmentId ? sql`select 1 from segments where tenant_id = ${actor.tenantId} and id = ${filter.segmentId}`.execute(db) : null,
  ]);
  if (store && store.rows.length === 0) throw notFound('store');
  if (segment && segment.rows.length === 0) throw notFound('segment');
  const tz = actor.timezone;
  return {
    tenantId: actor.tenantId, tz, today, range: filter.range,
    storeId: filter.storeId ?? null, segmentId: filter.segmentId ?? null,
    start: localStart(filter.range.from, tz),
    end: sql`((${filter.range.to}::date + 1)::timestamp at time zone ${tz})`,
  };
}

/** The instant a tenant-local date begins. */
export function localStart(date: string, tz: string): RawBuilder<unknown> {
  return sql`((${date}::date)::timestamp at time zone ${tz})`;
}

/** `and <customer column> in the segment`, or nothing. */
export function inSegment(s: Scope, customerColumn: RawBuilder<unknown>): RawBuilder<unknown> {
  return s.segmentId
    ? sql`and ${customerColumn} in (select m.customer_id from segment_members m where m.tenant_id = ${s.tenantId} and m.segment_id = ${s.segmentId})`
    : sql``;
}

/** Orders (alias o) counted in the range at the filtered store, of customers in the segment. */
export function countedOrdersInRange(s: Scope): RawBuilder<unknown> {
  return sql`o.tenant_id = ${s.tenantId} and o.ordered_at >= ${s.start} and o.ordered_at < ${s.end} and o.status <> 'refunded'
    ${s.storeId ? sql`and o.store_id = ${s.storeId}` : sql``} ${inSegment(s, sql`o.customer_id`)}`;
}

/** The first (counted) order row of customer c: the earliest, ties broken by id. */
export function firstOrderOf(s: Scope, column: 'store_id' | 'channel'): RawBuilder<unknown> {
  return sql`(select x.${sql.raw(column)} from orders x
     where x.tenant_id = ${s.tenantId} and x.customer_id = c.id and x.status <> 'refunded' and x.ordered_at = c.first_order_at
     order by x.id limit 1)`;
}

/** Customers c whose first order falls in the range, at the filtered store, in the segment. */
export function firstOrderInRange(s: Scope): RawBuilder<unknown> {
  return sql`c.tenant_id = ${s.tenantId} and c.first_order_at >= ${s.start} and c.first_order_at < ${s.end}
    ${s.storeId ? sql`and ${firstOrderOf(s, 'store_id')} = ${s.storeId}` : sql``} ${inSegment(s, sql`c.id`)}`;
}

/** Customers c at the filtered home store, in the segment (the customer's id in `id`, default c.id). */
export function customerFilter(s: Scope, id: RawBuilder<unknown> = sql`c.id`): RawBuilder<unknown> {
  return sql`${s.storeId ? sql`and c.store_id = ${s.storeId}` : sql``} ${inSegment(s, id)}`;
}

/** A tenant-local calendar date of a timestamptz expression. */
export function localDay(s: Scope, column: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(${column} at time zone ${s.tz})::date`;
}

/**
 * Runs an analysis in one read-only transaction with room to aggregate in memory: a year of a large
 * tenant's orders grouped with distinct buyers spills PostgreSQL's default 4 MB to disk sorts.
 */
export async function readAnalytics<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set transaction read only`.execute(trx);
    await sql`set local work_mem = '128MB'`.execute(trx);
    return work(trx);
  });
}
