// Reading the analytics rollups of migration 0037, which triggers on orders keep in step:
// - analytics_order_days (alias d): counted orders and GMV per tenant-local day, store, channel;
// - analytics_customer_months (alias m): per customer, local month and store_key (a store, or
//   EVERY_STORE for the customer's orders anywhere, NO_STORE for those without a store) the counted orders, spend and day_mask (bit
//   d − 1: day d of the month holds a counted order). A row exists only while it holds an order,
//   so buyers are rows, and a customer bought in a date range when a row's days in it hold one.
// They answer every filter but the segment filter (today's members of a segment are no key of
// theirs): with a segment, the views keep their orders-based path.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Scope } from './filters.service.ts';

/** store_key of the customer-month rows that hold a customer's orders at every store. */
export const EVERY_STORE = '00000000-0000-0000-0000-000000000000';

/** store_key of the customer-month rows that hold a customer's orders without a store. */
export const NO_STORE = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Whether the rollups can answer a scope: all filters but a segment. */
export function rollupsAnswer(s: Scope): boolean {
  return s.segmentId === null;
}

/** day_mask bits of days first..last of a month. */
export function daysMask(first: number, last: number): number {
  return 2 ** last - 2 ** (first - 1);
}

function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** Order days d of the range at the filtered store. */
export function orderDaysInRange(s: Scope): RawBuilder<unknown> {
  return sql`d.tenant_id = ${s.tenantId} and d.day >= ${s.range.from}::date and d.day <= ${s.range.to}::date
    ${s.storeId ? sql`and d.store_id = ${s.storeId}` : sql``}`;
}

/** Customer-month rows m of the months the range touches, at `storeKey` (default: the filtered store, or every store). */
export function customerMonthsInRange(s: Scope, storeKey: RawBuilder<unknown> = sql`${s.storeId ?? EVERY_STORE}::uuid`): RawBuilder<unknown> {
  return sql`m.tenant_id = ${s.tenantId} and m.store_key = ${storeKey}
    and m.month >= ${monthStart(s.range.from)}::date and m.month <= ${monthStart(s.range.to)}::date`;
}

/** The day_mask bits of row m's days that lie in the range (the edge months are partly in it). */
export function rangeDays(s: Scope): RawBuilder<unknown> {
  const [from, to] = [s.range.from, s.range.to];
  const [fromDay, toDay] = [Number(from.slice(8)), Number(to.slice(8))];
  if (monthStart(from) === monthStart(to)) return sql`(m.day_mask & ${daysMask(fromDay, toDay)}::int)`;
  return sql`(m.day_mask & case when m.month = ${monthStart(from)}::date then ${daysMask(fromDay, 31)}::int
                                when m.month = ${monthStart(to)}::date then ${daysMask(1, toDay)}::int
                                else ${daysMask(1, 31)}::int end)`;
}

/** How many days of row m in the range hold a counted order. */
export function rangeDayCount(s: Scope): RawBuilder<unknown> {
  return sql`bit_count(${rangeDays(s)}::bit(32))`;
}

/** Distinct buyers per month of the range (YYYY-MM), at the filtered store or anywhere. */
export async function buyersByMonth(db: Db, s: Scope): Promise<Map<string, number>> {
  const rows = await sql<{ month: string; n: number }>`
    select to_char(m.month, 'YYYY-MM') as month, count(*)::int as n
      from analytics_customer_months m where ${customerMonthsInRange(s)} and ${rangeDays(s)} <> 0 group by 1`.execute(db);
  return new Map(rows.rows.map((r) => [r.month, r.n]));
}

/** Distinct buyers in the range per store_key, over the store keys `storeKeys` (an `any(…)` or one key). */
export async function buyersByStore(db: Db, s: Scope, storeKeys: RawBuilder<unknown>): Promise<Map<string, number>> {
  const rows = await sql<{ key: string; n: number }>`
    select store_key::text as key, count(*)::int as n
      from (select distinct m.store_key, m.customer_id from analytics_customer_months m
             where ${customerMonthsInRange(s, storeKeys)} and ${rangeDays(s)} <> 0) m
     group by 1`.execute(db);
  return new Map(rows.rows.map((r) => [r.key, r.n]));
}
