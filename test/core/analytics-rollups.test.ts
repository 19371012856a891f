// The analytics rollups (analytics_order_days, analytics_customer_months, migration 0037) that
// triggers on orders keep in step. On a seeded demo world plus orders recorded through the real
// order path — on both sides of local midnight, store-less, partly and fully refunded, resent —
// a merge that moves orders to the survivor, an erasure, a direct delete and a zone change, the
// rollups are compared with a recount from orders, and every analytics view and the dashboard
// summary with their previous orders-based computation (kept in analytics-reference.ts).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import type { DateRange } from '../../src/core/analytics/analytics.rules.ts';
import { cohorts, ltv, repurchase } from '../../src/core/analytics/cohorts.service.ts';
import { readAnalytics, scopeOf, type Scope } from '../../src/core/analytics/filters.service.ts';
import { breakdown, trends } from '../../src/core/analytics/trends.service.ts';
import { dashboardSummary } from '../../src/core/dashboard/dashboard.service.ts';
import { localDate } from '../../src/core/time.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { newId } from '../../src/core/ids.ts';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { recordOrders } from '../../src/core/orders/record.service.ts';
import { eraseCustomer } from '../../src/core/privacy/privacy.service.ts';
import type { OrderInput } from '../../src/core/orders/record.rules.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';
import * as reference from './analytics-reference.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
let tenantId: string;
let actor: Actor;
let stores: string[];
let segmentId: string;

/** The rollups' rows that differ from a recount of the tenant's orders in its present zone (both ways). */
async function rollupDrift(): Promise<{ days: unknown[]; months: unknown[] }> {
  const days = await sql`
    with truth as (
      select (o.ordered_at at time zone t.timezone)::date as day, o.store_id, o.channel, count(*)::int as orders, sum(o.paid_fen - o.refunded_fen)::bigint as gmv
        from orders o join tenants t on t.id = o.tenant_id where o.tenant_id = ${tenantId} and o.status <> 'refunded' group by 1, 2, 3),
    held as (select day, store_id, channel, sum(orders)::int as orders, sum(gmv_fen)::bigint as gmv from analytics_order_days
              where tenant_id = ${tenantId} group by 1, 2, 3 having sum(orders) <> 0 or sum(gmv_fen) <> 0)
    (select 'missing' as side, * from truth except select 'missing', * from held)
    union all (select 'extra', * from held except select 'extra', * from truth)`.execute(db());
  const months = await sql`
    with per_day as (
      select o.customer_id, date_trunc('month', o.ordered_at at time zone t.timezone)::date as month, k.store_key,
             extract(day from o.ordered_at at time zone t.timezone)::int as dom, count(*) as n, sum(o.paid_fen - o.refunded_fen) as spent
        from orders o join tenants t on t.id = o.tenant_id
        cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(o.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
       where o.tenant_id = ${tenantId} and o.status <> 'refunded' and o.customer_id is not null
       group by 1, 2, 3, 4),
    truth as (
      select customer_id, month, store_key, sum(n)::int as orders, sum(spent)::bigint as spent,
             array(select coalesce(sum(p.n), 0)::int from generate_series(1, 31) g left join per_day p
                    on p.customer_id = x.customer_id and p.month = x.month and p.store_key = x.store_key and p.dom = g group by g order by g) as day_orders
        from per_day x group by 1, 2, 3),
    held as (select customer_id, month, store_key, orders, spent_fen as spent, day_orders from analytics_customer_months where tenant_id = ${tenantId})
    (select 'missing' as side, * from truth except select 'missing', * from held)
    union all (select 'extra', * from held except select 'extra', * from truth)`.execute(db());
  const masks = await sql`select * from analytics_customer_months where tenant_id = ${tenantId} and day_mask <> (
      select coalesce(sum(1 << (i - 1)), 0) from generate_series(1, 31) i where day_orders[i] > 0)`.execute(db());
  return { days: days.rows, months: [...months.rows, ...masks.rows] };
}

function order(no: string, customerId: string, at: string, paidFen: number, extra: Partial<OrderInput> = {}): OrderInput {
  return {
    orderNo: `${run}-${no}`, customer: { customerId }, channel: 'pos', totalFen: paidFen, paidFen, orderedAt: at,
    items: [{ sku: 'S', name: '拿铁', quantity: 1, unitPriceFen: paidFen }], ...extra,
  };
}

beforeAll(async () => {
  tenantId = (await newTenant()).id;
  actor = adminOf(tenantId);
  await seedDemo(testDb(), { tenantId, customers: 600, months: 15, seed: 23 });
  stores = (await sql<{ id: string }>`select id from stores where tenant_id = ${tenantId} order by id`.execute(db())).rows.map((r) => r.id);
  segmentId = newId();
  await sql`insert into segments (tenant_id, id, name, definition) values (${tenantId}, ${segmentId}, 'rollup test', '{}')`.execute(db());
  await sql`insert into segment_members (tenant_id, segment_id, customer_id)
    select ${tenantId}, ${segmentId}, id from customers where tenant_id = ${tenantId} order by id limit 150`.execute(db());
}, 120_000);

describe('analytics rollups follow every write to orders', () => {
  it('matches the orders after the demo seeding (COPY)', async () => {
    expect(await rollupDrift()).toEqual({ days: [], months: [] });
    const held = await sql<{ n: number }>`select count(*)::int as n from analytics_customer_months where tenant_id = ${tenantId}`.execute(db());
    expect(held.rows[0]?.n).toBeGreaterThan(500);
  });

  it('matches after recorded orders, refunds, a resent batch, a merge, an erasure and a delete', async () => {
    const people = (await sql<{ id: string }>`select id from customers where tenant_id = ${tenantId} and order_count > 1 order by id limit 6`.execute(db())).rows.map((r) => r.id);
    const [a = '', b = '', c = '', d = '', e = '', f = ''] = people;
    // 2026-03-31 16:00Z is local midnight of April 1st in Shanghai: one order each side of it.
    const batch = [
      order('m1', a, '2026-03-31T15:59:59.999Z', 1_000, { storeId: stores[0] }),
      order('m2', a, '2026-03-31T16:00:00.000Z', 2_000, { storeId: stores[1] }),
      order('m3', b, '2026-03-31T16:00:00.000Z', 3_000, { storeId: stores[0], channel: 'miniprogram' }),
      order('nostore', c, '2026-04-15T04:00:00Z', 4_500),
      order('p1', d, '2026-05-01T02:00:00Z', 8_000, { storeId: stores[2] }),
      order('f1', e, '2026-05-02T02:00:00Z', 6_000, { storeId: stores[2] }),
      order('g1', f, '2026-05-31T15:59:00Z', 7_000, { storeId: stores[1] }),
    ];
    expect((await recordOrders(db(), tenantId, batch, { source: 'test' })).created).toBe(batch.length);
    // resent: nothing changes
    expect((await recordOrders(db(), tenantId, batch, { source: 'test' })).duplicates).toBe(batch.length);
    // a partial refund, then more of it, and a full refund
    const p1 = batch[4] as OrderInput;
    const f1 = batch[5] as OrderInput;
    await recordOrders(db(), tenantId, [{ ...p1, refundedFen: 2_000 }, { ...f1, refundedFen: 6_000 }], { source: 'test' });
    await recordOrders(db(), tenantId, [{ ...p1, refundedFen: 5_000 }], { source: 'test' });
    const status = await sql<{ order_no: string; status: string }>`select order_no, status from orders where tenant_id = ${tenantId} and order_no in (${p1.orderNo}, ${f1.orderNo}) order by order_no`.execute(db());
    expect(status.rows.map((r) => r.status)).toEqual(['refunded', 'partially_refunded']);
    expect(await rollupDrift()).toEqual({ days: [], months: [] });

    // b is folded into a: b's orders move to a (same months: rows merge)
    await mergeCustomers(db(), tenantId, [{ survivorId: a, mergedIds: [b], identities: [] }], { source: 'test' });
    expect((await sql<{ n: number }>`select count(*)::int as n from orders where tenant_id = ${tenantId} and customer_id = ${b}`.execute(db())).rows[0]?.n).toBe(0);
    await eraseCustomer(db(), actor, c);
    await sql`delete from order_items where tenant_id = ${tenantId} and order_id = (select id from orders where tenant_id = ${tenantId} and order_no = ${`${run}-g1`})`.execute(db());
    await sql`delete from orders where tenant_id = ${tenantId} and order_no = ${`${run}-g1`}`.execute(db());
    expect(await rollupDrift()).toEqual({ days: [], months: [] });
  });
});

type View = [string, (trx: Parameters<typeof trends>[0], s: Scope) => Promise<unknown>, (trx: Parameters<typeof trends>[0], s: Scope) => Promise<unknown>];
const VIEWS: View[] = [
  ['trends by day', (t, s) => trends(t, s, 'day'), (t, s) => reference.trends(t, s, 'day')],
  ['trends by week', (t, s) => trends(t, s, 'week'), (t, s) => reference.trends(t, s, 'week')],
  ['trends by month', (t, s) => trends(t, s, 'month'), (t, s) => reference.trends(t, s, 'month')],
  ['breakdown by store', (t, s) => breakdown(t, s, 'store'), (t, s) => reference.breakdown(t, s, 'store')],
  ['breakdown by channel', (t, s) => breakdown(t, s, 'channel'), (t, s) => reference.breakdown(t, s, 'channel')],
  ['breakdown by guide', (t, s) => breakdown(t, s, 'guide'), (t, s) => reference.breakdown(t, s, 'guide')],
  ['breakdown by source', (t, s) => breakdown(t, s, 'source'), (t, s) => reference.breakdown(t, s, 'source')],
  ['repurchase', repurchase, reference.repurchase],
  ['cohorts', cohorts, reference.cohorts],
  ['ltv', ltv, reference.ltv],
];

/** Every view and the dashboard, rollup-based and orders-based, over several ranges and filters. */
async function expectSameAsOrders(): Promise<void> {
  const today = localDate(new Date(), actor.timezone);
  const ranges: DateRange[] = [
    { from: `${String(Number(today.slice(0, 4)) - 1)}-${today.slice(5, 7)}-01`, to: today },
    { from: '2025-11-17', to: '2026-04-10' }, // both edges inside a month
    { from: '2026-03-31', to: '2026-04-01' }, // the local-midnight orders
    { from: '2026-04-03', to: '2026-04-27' }, // within one month
  ];
  let compared = 0;
  for (const range of ranges) {
    for (const filter of [{}, { storeId: stores[0] }, { storeId: stores[2] }, { segmentId }]) {
      const scope = await scopeOf(db(), actor, { range, ...filter }, today);
      for (const [name, fresh, old] of VIEWS) {
        const [got, want] = await Promise.all([readAnalytics(db(), (t) => fresh(t, scope)), readAnalytics(db(), (t) => old(t, scope))]);
        expect(got, `${name} ${JSON.stringify(range)} ${JSON.stringify(filter)}`).toEqual(want);
        compared += 1;
      }
      if ('segmentId' in filter) continue;
      const got = await dashboardSummary(db(), actor, range, filter);
      expect(got, `dashboard ${JSON.stringify(range)} ${JSON.stringify(filter)}`).toEqual(await reference.dashboardSummary(db(), actor, range, filter));
      compared += 1;
    }
  }
  expect(compared).toBe(ranges.length * (4 * VIEWS.length + 3));
}

describe('every view answers as from orders', () => {
  it('after the writes above', async () => {
    await expectSameAsOrders();
    // the figures are not all empty: the seeded world has orders in the default range
    const scope = await scopeOf(db(), actor, { range: { from: '2026-01-01', to: '2026-06-30' } }, '2026-12-01');
    const points = await readAnalytics(db(), (t) => trends(t, scope, 'month'));
    expect(points.some((p) => p.buyers > 0 && p.orders > p.buyers)).toBe(true);
  });

  it('after the tenant changes zone: rollups rebuilt in the new zone', async () => {
    await sql`update tenants set timezone = 'America/New_York' where id = ${tenantId}`.execute(db());
    actor = { ...actor, timezone: 'America/New_York' };
    expect(await rollupDrift()).toEqual({ days: [], months: [] });
    await expectSameAsOrders();
    // a deleted tenant leaves no rollup rows behind
    const other = await newTenant('Gone');
    await seedDemo(testDb(), { tenantId: other.id, customers: 20, months: 2, seed: 5 });
    expect((await sql<{ n: number }>`select count(*)::int as n from analytics_order_days where tenant_id = ${other.id}`.execute(db())).rows[0]?.n).toBeGreaterThan(0);
    await sql`delete from tenants where id = ${other.id}`.execute(db());
    const left = await sql<{ n: number }>`select (select count(*) from analytics_order_days where tenant_id = ${other.id})
      + (select count(*) from analytics_customer_months where tenant_id = ${other.id}) as n`.execute(db());
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});
