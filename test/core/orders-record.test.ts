// Recording orders: idempotency, refunds, and aggregates kept incrementally that must always equal
// what the nightly recomputation (refreshOrderAggregates) derives from the orders themselves.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { recordOrders, type OrderInput } from '../../src/core/orders/record.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(3).toString('hex');
let n = 0;
const phone = (): string => `135${String(Number.parseInt(run, 16) % 10_000).padStart(4, '0')}${String(++n).padStart(4, '0')}`;

function order(orderNo: string, customer: OrderInput['customer'], paidFen: number, orderedAt: string, extra: Partial<OrderInput> = {}): OrderInput {
  return { orderNo, customer, channel: 'pos', totalFen: paidFen, paidFen, orderedAt, items: [{ sku: 'APPLE', name: '苹果', quantity: 1, unitPriceFen: paidFen }], ...extra };
}

async function aggregates(tenantId: string, customerId: string) {
  return db().selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at'])
    .where('tenant_id', '=', tenantId).where('id', '=', customerId).executeTakeFirstOrThrow();
}

describe('recordOrders', () => {
  it('records, ignores identical re-sends, and takes refunds from a larger refundedFen', async () => {
    const tenant = await newTenant();
    const p = phone();
    // 2026-06-01 15:30Z and 2026-06-01 17:00Z are 23:30 on 06-01 and 01:00 on 06-02 in Shanghai: two days
    const first = await recordOrders(db(), tenant.id, [
      order('N-1', { phone: p }, 10_000, '2026-06-01T15:30:00Z'),
      order('N-2', { phone: p }, 3_000, '2026-06-01T17:00:00Z'),
      order('N-3', { phone: p }, 2_000, '2026-06-01T16:30:00Z'), // 00:30 on 06-02: same day as N-2
    ], { source: 'api' });
    expect(first).toMatchObject({ created: 3, updated: 0, duplicates: 0, rejected: [] });
    const [customerId] = first.customerIds;
    expect(await aggregates(tenant.id, customerId ?? '')).toEqual({
      order_count: 3, order_days: 2, total_spent_fen: 15_000,
      first_order_at: new Date('2026-06-01T15:30:00Z'), last_order_at: new Date('2026-06-01T17:00:00Z'),
    });

    const again = await recordOrders(db(), tenant.id, [order('N-1', { phone: p }, 10_000, '2026-06-01T15:30:00Z')], { source: 'api' });
    expect(again).toMatchObject({ created: 0, updated: 0, duplicates: 1 });

    // N-2 fully refunded: 06-02 still has N-3; last order moves back to N-3
    const refund = await recordOrders(db(), tenant.id, [order('N-2', { phone: p }, 3_000, '2026-06-01T17:00:00Z', { refundedFen: 3_000 })], { source: 'api' });
    expect(refund).toMatchObject({ created: 0, updated: 1, duplicates: 0 });
    expect(await aggregates(tenant.id, customerId ?? '')).toMatchObject({ order_count: 2, order_days: 2, total_spent_fen: 12_000, last_order_at: new Date('2026-06-01T16:30:00Z') });

    // partial refund of N-1, then a stale re-send of it as paid changes nothing
    await recordOrders(db(), tenant.id, [order('N-1', { phone: p }, 10_000, '2026-06-01T15:30:00Z', { refundedFen: 2_500 })], { source: 'api' });
    const stale = await recordOrders(db(), tenant.id, [order('N-1', { phone: p }, 10_000, '2026-06-01T15:30:00Z')], { source: 'api' });
    expect(stale).toMatchObject({ updated: 0, duplicates: 1 });
    expect(await aggregates(tenant.id, customerId ?? '')).toMatchObject({ order_count: 2, order_days: 2, total_spent_fen: 7_500 + 2_000 });
    expect((await refreshOrderAggregates(db(), tenant.id)).customersUpdated).toBe(0);

    const timeline = await db().selectFrom('events').select(['type', 'event_key', 'properties']).where('tenant_id', '=', tenant.id).orderBy('event_key').execute();
    expect(timeline.filter((e) => e.type === 'order_paid')).toHaveLength(3);
    expect(timeline.filter((e) => e.type === 'order_refunded').map((e) => e.properties)).toEqual(expect.arrayContaining([
      expect.objectContaining({ orderNo: 'N-2', refundedFen: 3_000, refundFen: 3_000 }),
      expect.objectContaining({ orderNo: 'N-1', refundedFen: 2_500, refundFen: 2_500 }),
    ]));
  });

  it('rejects bad orders by index and records the rest', async () => {
    const tenant = await newTenant();
    const p = phone();
    await recordOrders(db(), tenant.id, [order('C-1', { phone: p }, 1_000, '2026-06-01T02:00:00Z')], { source: 'api' });
    const result = await recordOrders(db(), tenant.id, [
      order('C-1', { phone: p }, 1_200, '2026-06-01T02:00:00Z'), // same number, different amount
      order('C-2', { phone: p }, 500, '2026-06-02T02:00:00Z', { storeCode: 'NOPE' }),
      order('C-3', {}, 500, '2026-06-02T02:00:00Z'),
      order('C-4', { phone: p }, 500, 'soon'),
      order('C-5', { phone: p }, 800, '2026-06-02T02:00:00Z'),
    ], { source: 'api' });
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[0, 'order_conflict'], [1, 'unknown_store'], [2, 'missing_customer'], [3, 'invalid_timestamp']]);
    expect(result).toMatchObject({ created: 1, updated: 0, duplicates: 0 });
    const stored = await db().selectFrom('orders').select('order_no').where('tenant_id', '=', tenant.id).orderBy('order_no').execute();
    expect(stored.map((o) => o.order_no)).toEqual(['C-1', 'C-5']);
  });

  it('counts an order once whether it arrives as an order or as an order_paid event', async () => {
    const tenant = await newTenant();
    const p = phone();
    const viaApi = await recordOrders(db(), tenant.id, [order('E-1', { phone: p }, 4_000, '2026-06-03T02:00:00Z')], { source: 'api' });
    const viaEvent = await ingestEvents(db(), adminOf(tenant.id), [
      { id: `ev-${run}-e1`, type: 'order_paid', occurredAt: '2026-06-03T02:00:00Z', customer: { phone: p }, properties: { orderNo: 'E-1', paidFen: 4_000, totalFen: 4_000, channel: 'pos' } },
      { id: `ev-${run}-e2`, type: 'order_paid', occurredAt: '2026-06-04T02:00:00Z', customer: { phone: p }, properties: { orderNo: 'E-2', paidFen: 1_000, channel: 'miniprogram' } },
      { id: `ev-${run}-e3`, type: 'order_refunded', occurredAt: '2026-06-05T02:00:00Z', customer: { phone: p }, properties: { orderNo: 'E-2', paidFen: 1_000, orderedAt: '2026-06-04T02:00:00Z', refundedFen: 400 } },
    ]);
    expect(viaEvent).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await aggregates(tenant.id, viaApi.customerIds[0] ?? '')).toMatchObject({ order_count: 2, order_days: 2, total_spent_fen: 4_000 + 600 });
    const orders = await db().selectFrom('orders').select(['order_no', 'status', 'refunded_fen']).where('tenant_id', '=', tenant.id).orderBy('order_no').execute();
    expect(orders).toEqual([{ order_no: 'E-1', status: 'paid', refunded_fen: 0 }, { order_no: 'E-2', status: 'partially_refunded', refunded_fen: 400 }]);
    expect((await refreshOrderAggregates(db(), tenant.id)).customersUpdated).toBe(0);
  });

  it('keeps aggregates equal to a full recomputation through random orders, refunds and merges', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    let seed = 20260601;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const people = Array.from({ length: 12 }, () => ({ phone: phone(), unionId: `o${run}${randomBytes(4).toString('hex')}` }));
    const placed: { orderNo: string; phone: string; paidFen: number; orderedAt: string; refundedFen: number }[] = [];
    let orderSeq = 0;
    let eventSeq = 0;
    for (let step = 0; step < 40; step++) {
      const roll = random();
      if (roll < 0.55 || placed.length === 0) {
        // a few orders, some near local midnight so that days in Shanghai differ from UTC days
        const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
          const who = pick(people);
          const day = 1 + Math.floor(random() * 5);
          const hour = pick([1, 15, 16, 23]);
          const o = { orderNo: `X-${run}-${++orderSeq}`, phone: who.phone, paidFen: 100 * (1 + Math.floor(random() * 50)), orderedAt: `2026-07-0${day}T${String(hour).padStart(2, '0')}:30:00Z`, refundedFen: 0 };
          placed.push(o);
          return o;
        });
        const viaEvents = random() < 0.5;
        if (viaEvents) {
          const r = await ingestEvents(db(), actor, batch.map((o) => ({ id: `rnd-${run}-${++eventSeq}`, type: 'order_paid', occurredAt: o.orderedAt, customer: { phone: o.phone }, properties: { orderNo: o.orderNo, paidFen: o.paidFen } })));
          expect(r.rejected).toEqual([]);
        } else {
          const r = await recordOrders(db(), tenant.id, batch.map((o) => order(o.orderNo, { phone: o.phone }, o.paidFen, o.orderedAt)), { source: 'api' });
          expect(r.rejected).toEqual([]);
        }
      } else if (roll < 0.85) {
        const o = pick(placed);
        const refundedFen = random() < 0.5 ? o.paidFen : Math.min(o.paidFen, o.refundedFen + 100);
        o.refundedFen = Math.max(o.refundedFen, refundedFen);
        const r = await recordOrders(db(), tenant.id, [order(o.orderNo, { phone: o.phone }, o.paidFen, o.orderedAt, { refundedFen: o.refundedFen })], { source: 'api' });
        expect(r.rejected).toEqual([]);
      } else {
        // an event proves two people one: their profiles merge
        const [a, b] = [pick(people), pick(people)];
        const r = await ingestEvents(db(), actor, [
          { id: `rnd-${run}-${++eventSeq}`, type: 'page_viewed', occurredAt: '2026-07-06T00:00:00Z', customer: { phone: a.phone } },
          { id: `rnd-${run}-${++eventSeq}`, type: 'page_viewed', occurredAt: '2026-07-06T00:00:00Z', customer: { phone: b.phone, unionId: a.unionId } },
        ]);
        expect(r.rejected).toEqual([]);
      }
    }
    const merges = await sql<{ n: number }>`select count(*)::int as n from customer_merges where tenant_id = ${tenant.id}`.execute(db());
    expect(merges.rows[0]?.n).toBeGreaterThan(0);
    const totals = await sql<{ spent: number; orders: number }>`select sum(total_spent_fen)::int as spent, sum(order_count)::int as orders from customers where tenant_id = ${tenant.id}`.execute(db());
    const counted = placed.filter((o) => o.refundedFen < o.paidFen);
    expect(totals.rows[0]).toEqual({ spent: counted.reduce((s, o) => s + o.paidFen - o.refundedFen, 0), orders: counted.length });
    expect((await refreshOrderAggregates(db(), tenant.id)).customersUpdated).toBe(0);
  });
});
