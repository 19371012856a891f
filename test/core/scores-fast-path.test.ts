// The scoring run reads its buyers from the order aggregates on the customer rows and reads orders
// only where the rows cannot answer. Held here against the plain pass over every order (the
// reference, readBuyersFromOrders) on a world built through the real order path: orders in
// batches (several a day, some near local midnight, some dated before the customer's first),
// full and partial refunds, and merges of two profiles into one.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { recordOrders, type OrderInput } from '../../src/core/orders/record.service.ts';
import { readBuyers, readBuyersFromOrders, type Buyers } from '../../src/core/scores/buyers.ts';
import { runScoring, saveScoringSettings } from '../../src/core/scores/scores.service.ts';
import { DEFAULT_SETTINGS, lifecycleStage, type ScoringSettings } from '../../src/core/scores/scores.rules.ts';
import { newTenant, testDb } from '../helpers.ts';
import { newId } from '../../src/core/ids.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(3).toString('hex');
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.parse('2024-09-01T00:00:00Z');
const LAST_DAY = Date.parse('2026-10-31T00:00:00Z');

let seed = 20261201;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

function order(orderNo: string, phone: string, paidFen: number, orderedAt: string, refundedFen = 0): OrderInput {
  return { orderNo, customer: { phone }, channel: 'pos', totalFen: paidFen, paidFen, refundedFen, orderedAt, items: [{ sku: 'PEAR', name: '梨', quantity: 1, unitPriceFen: paidFen }] };
}

/** A UTC instant on a given day (ms at UTC midnight), at an hour that is sometimes the next local day in Shanghai. */
function instant(dayMs: number): string {
  const hour = pick([1, 6, 15, 16, 23]);
  return new Date(dayMs + hour * 3_600_000 + 30 * 60_000).toISOString();
}

let tenantId: string;

beforeAll(async () => {
  tenantId = (await newTenant()).id;
  const actor = adminOf(tenantId);
  const people = Array.from({ length: 70 }, (_, i) => ({ phone: `136${String(Number.parseInt(run, 16) % 10_000).padStart(4, '0')}${String(i).padStart(4, '0')}`, unionId: `u${run}${i}` }));
  const placed: { orderNo: string; phone: string; paidFen: number; orderedAt: string; refundedFen: number }[] = [];
  let orderSeq = 0;
  let eventSeq = 0;
  // Each person spends around their own level, so the spend model has differences between people to fit.
  const levels = people.map(() => 200 + Math.floor(random() * random() * 20_000));
  const place = async (batch: { phone: string; dayMs: number; level: number }[]) => {
    const orders = batch.map(({ phone, dayMs, level }) => {
      const o = { orderNo: `S-${run}-${++orderSeq}`, phone, paidFen: Math.round(level * (0.6 + 0.8 * random())), orderedAt: instant(Math.min(dayMs, LAST_DAY)), refundedFen: 0 };
      placed.push(o);
      return o;
    });
    const r = await recordOrders(db(), tenantId, orders.map((o) => order(o.orderNo, o.phone, o.paidFen, o.orderedAt)), { source: 'api' });
    expect(r.rejected).toEqual([]);
  };
  // Rhythms that put customers on every side of the boundaries: long ago only, recent only,
  // regulars across the window start, and some who come back after a long gap.
  for (const [i, p] of people.entries()) {
    const kind = i % 5;
    const days: number[] = [];
    const span = (LAST_DAY - FIRST_DAY) / DAY_MS;
    if (kind === 0) for (let k = 0; k < 3; k++) days.push(FIRST_DAY + Math.floor(random() * 200) * DAY_MS);
    else if (kind === 1) for (let k = 0; k < 3; k++) days.push(LAST_DAY - Math.floor(random() * 40) * DAY_MS);
    else if (kind === 2) for (let k = 0; k < 8; k++) days.push(FIRST_DAY + Math.floor(random() * span) * DAY_MS);
    else if (kind === 3) days.push(LAST_DAY - (120 + Math.floor(random() * 300)) * DAY_MS, LAST_DAY - Math.floor(random() * 25) * DAY_MS, LAST_DAY - Math.floor(random() * 25) * DAY_MS);
    else days.push(LAST_DAY - (400 + Math.floor(random() * 200)) * DAY_MS, LAST_DAY - (60 + Math.floor(random() * 200)) * DAY_MS);
    // later orders first now and then: an order dated before the customer's first moves the first day
    if (random() < 0.3) days.reverse();
    const level = levels[i] ?? 1000;
    for (const d of days) await place([{ phone: p.phone, dayMs: d, level }, ...(random() < 0.3 ? [{ phone: p.phone, dayMs: d, level }] : [])]);
  }
  // refunds, full and partial, and merges of two people by a shared unionid
  for (let step = 0; step < 60; step++) {
    if (random() < 0.8) {
      const o = pick(placed);
      o.refundedFen = Math.max(o.refundedFen, random() < 0.5 ? o.paidFen : Math.min(o.paidFen, o.refundedFen + Math.ceil(o.paidFen / 5)));
      const r = await recordOrders(db(), tenantId, [order(o.orderNo, o.phone, o.paidFen, o.orderedAt, o.refundedFen)], { source: 'api' });
      expect(r.rejected).toEqual([]);
    } else {
      const [a, b] = [pick(people), pick(people)];
      const r = await ingestEvents(db(), actor, [
        { id: `sfp-${run}-${++eventSeq}`, type: 'page_viewed', occurredAt: '2026-07-06T00:00:00Z', customer: { phone: a.phone, unionId: a.unionId } },
        { id: `sfp-${run}-${++eventSeq}`, type: 'page_viewed', occurredAt: '2026-07-06T00:00:00Z', customer: { phone: b.phone, unionId: a.unionId } },
      ]);
      expect(r.rejected).toEqual([]);
    }
  }
}, 240_000);

async function readBoth(today: string, settings: ScoringSettings): Promise<[Buyers, Buyers]> {
  const client = await testDb().pool.connect();
  try {
    const zone = async () => (await client.query<{ TimeZone: string }>('show timezone')).rows[0]?.TimeZone;
    const before = await zone();
    const fast = await readBuyers(client, tenantId, today, settings);
    // the fast path reads in the tenant's zone and gives the connection back in its own
    expect(await zone()).toBe(before);
    return [fast, await readBuyersFromOrders(client, tenantId, today, settings)];
  } finally {
    client.release();
  }
}

/** Orders after a tenant-local date: with any, the fast path reads every order instead. */
async function ordersAfter(today: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from orders o join tenants t on t.id = o.tenant_id
    where o.tenant_id = ${tenantId} and (o.ordered_at at time zone t.timezone)::date > ${today}::date`.execute(db());
  return r.rows[0]?.n ?? 0;
}

/** Per customer id, the figures the scores are made of (the stage instead of the two days it is decided by). */
function figures(b: Buyers, settings: ScoringSettings): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const orNull = (v: number | undefined) => (v === undefined || v === -1 ? null : v);
  for (let i = 0; i < b.count; i++) {
    const stage = lifecycleStage({
      sinceFirst: b.sinceFirst[i] ?? 0, sinceLast: b.sinceLast[i] ?? 0,
      sinceFirstRecent: orNull(b.sinceFirstRecent[i]), sinceLastBeforeRecent: orNull(b.sinceLastBeforeRecent[i]),
    }, settings.lifecycle);
    out.set(b.ids.subarray(i * 16, i * 16 + 16).toString('hex'), [
      b.sinceFirst[i] ?? NaN, b.sinceLast[i] ?? NaN, b.days[i] ?? NaN, b.total[i] ?? NaN, b.firstAmount[i] ?? NaN,
      b.windowDays[i] ?? NaN, b.windowSpend[i] ?? NaN, ['prospect', 'new', 'returned', 'active', 'dormant', 'churned'].indexOf(stage),
    ]);
  }
  return out;
}

function prospectIds(b: Buyers): string[] {
  return Array.from({ length: b.prospects.count }, (_, i) => b.prospects.ids.toString('hex', i * 16, i * 16 + 16)).sort();
}

const SHORT: ScoringSettings = { ...DEFAULT_SETTINGS, rfm: { windowDays: 90, highScore: 3 }, lifecycle: { newDays: 10, activeDays: 20, churnDays: 60, returnedDays: 7 } };
const LONG: ScoringSettings = { ...DEFAULT_SETTINGS, rfm: { windowDays: 3650, highScore: 4 }, lifecycle: { newDays: 90, activeDays: 200, churnDays: 400, returnedDays: 150 } };

describe('buyers from the order aggregates', () => {
  it('keeps the first purchase day\'s spend, with the other aggregates, equal to a recomputation after orders, refunds and merges', async () => {
    const merges = await sql<{ n: number }>`select count(*)::int as n from customer_merges where tenant_id = ${tenantId}`.execute(db());
    expect(merges.rows[0]?.n).toBeGreaterThan(0);
    const refunded = await sql<{ full: number; partial: number }>`
      select count(*) filter (where status = 'refunded')::int as full, count(*) filter (where status = 'partially_refunded')::int as partial
        from orders where tenant_id = ${tenantId}`.execute(db());
    expect(refunded.rows[0]?.full).toBeGreaterThan(0);
    expect(refunded.rows[0]?.partial).toBeGreaterThan(0);
    const firstDays = await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${tenantId} and first_day_spent_fen > 0`.execute(db());
    expect(firstDays.rows[0]?.n).toBeGreaterThan(30);
    expect((await refreshOrderAggregates(db(), tenantId)).customersUpdated).toBe(0);
  });

  for (const [name, settings] of [['default', DEFAULT_SETTINGS], ['short windows', SHORT], ['long windows', LONG]] as const) {
    // 2026-10-31 and 2026-06-30 have orders after them (read from every order); the others are
    // read from the customer rows and the customer-month rollup.
    for (const today of ['2026-10-31', '2027-01-15', '2026-06-30', '2026-11-02', '2026-12-01']) {
      it(`gives the reference pass's figures and stages (${name} settings, today ${today})`, async () => {
        if (today > '2026-11-01') expect(await ordersAfter(today)).toBe(0);
        const [fast, reference] = await readBoth(today, settings);
        const got = figures(fast, settings);
        const expected = figures(reference, settings);
        expect(got.size).toBe(expected.size);
        expect(expected.size).toBeGreaterThan(20);
        for (const [id, values] of expected) expect(got.get(id), id).toEqual(values);
        // The customers who are not buyers: the same in both, and with the buyers every customer once.
        expect(prospectIds(fast)).toEqual(prospectIds(reference));
        const everyone = await sql<{ id: string }>`select replace(id::text, '-', '') as id from customers where tenant_id = ${tenantId}`.execute(db());
        expect([...figures(reference, settings).keys(), ...prospectIds(reference)].sort()).toEqual(everyone.rows.map((r) => r.id).sort());
        // Half a year before the data ends, many customers have only later orders: prospects as of that day.
        if (today === '2026-06-30') expect(prospectIds(reference).length).toBeGreaterThan(10);
        // Where the fast path gives the two days the stage is decided by (not a stand-in), they are the reference's.
        const scanDays = Math.max(settings.rfm.windowDays - 1, settings.lifecycle.returnedDays + settings.lifecycle.activeDays);
        let given = 0;
        for (let i = 0; i < fast.count; i++) {
          const [first, last] = [fast.sinceFirstRecent[i] ?? -1, fast.sinceLastBeforeRecent[i] ?? -1];
          if (first >= 0) expect(first).toBe(reference.sinceFirstRecent[i]);
          if (last >= 0 && last <= scanDays) expect(last).toBe(reference.sinceLastBeforeRecent[i]);
          if (last >= 0 && last <= scanDays) given++;
        }
        if (today === '2026-11-02' && name === 'default') expect(given).toBeGreaterThan(0);
      });
    }
  }

  it('covers every stage and both sides of the window in the reference at the end of the data', async () => {
    const [, reference] = await readBoth('2026-10-31', DEFAULT_SETTINGS);
    const stages = new Set([...figures(reference, DEFAULT_SETTINGS).values()].map((v) => v[7]));
    expect([...stages].sort()).toEqual([1, 2, 3, 4, 5]);
    let straddling = 0;
    for (let i = 0; i < reference.count; i++) if ((reference.windowDays[i] ?? 0) > 0 && (reference.windowDays[i] ?? 0) < (reference.days[i] ?? 0)) straddling++;
    expect(straddling).toBeGreaterThan(5);
  });

  it('writes nothing when a run from every order follows a run from the aggregates: the same scores', async () => {
    await saveScoringSettings(db(), tenantId, SHORT, 'test');
    const fast = await runScoring(testDb(), tenantId, { today: '2026-10-31' });
    expect(fast.rowsWritten).toBeGreaterThan(20);
    expect(fast.clvReason).toBeNull();
    const reference = await runScoring(testDb(), tenantId, { today: '2026-10-31', source: 'orders' });
    expect(reference.buyers).toBe(fast.buyers);
    expect(reference.rowsWritten).toBe(0);
    // and back: a different day rewrites, then the other source again finds nothing to change
    await runScoring(testDb(), tenantId, { today: '2026-11-20', source: 'orders' });
    expect((await runScoring(testDb(), tenantId, { today: '2026-11-20' })).rowsWritten).toBe(0);
  });

  it('writes only the rows whose scores or history changed, and reads the same scores as a run that wrote every row', async () => {
    const scores = async () => (await sql<Record<string, unknown>>`
      select customer_id, recency_days, frequency, monetary_fen, r_score, f_score, m_score, rfm_cell, lifecycle_stage, value_tier,
             first_order_day, last_order_day, purchase_days, repeat_spend_fen, p_alive, expected_purchases, expected_spend_fen, clv_fen
        from customer_scores where tenant_id = ${tenantId} order by customer_id`.execute(db())).rows;
    const stored = async () => new Map((await sql<Record<string, unknown> & { customer_id: string }>`
      select customer_id, frequency, monetary_fen, r_score, f_score, m_score, rfm_cell, lifecycle_stage, value_tier,
             first_order_day, last_order_day, purchase_days, repeat_spend_fen
        from customer_score_rows where tenant_id = ${tenantId}`.execute(db())).rows.map((r) => [r.customer_id, JSON.stringify(r)]));
    // As of the month, the snapshots give every customer's cell, stage and tier as the last run
    // left them (each customer's latest row at or before the month), and hold no row that repeats
    // the customer's previous one.
    const snapshotIsState = async (month: string) => {
      const state = await sql<{ customer_id: string }>`
        select customer_id, rfm_cell, lifecycle_stage, value_tier from customer_score_rows where tenant_id = ${tenantId} order by customer_id`.execute(db());
      const snapshot = await sql<{ customer_id: string }>`
        select distinct on (customer_id) customer_id, rfm_cell, lifecycle_stage, value_tier from customer_score_snapshots
         where tenant_id = ${tenantId} and month <= ${month}::date order by customer_id, month desc`.execute(db());
      expect(snapshot.rows).toEqual(state.rows);
      const repeats = await sql<{ n: number }>`
        select count(*)::int as n from (
          select (rfm_cell, lifecycle_stage, value_tier) is not distinct from (lag(rfm_cell) over w, lag(lifecycle_stage) over w, lag(value_tier) over w)
                 and lag(month) over w is not null as repeats
            from customer_score_snapshots where tenant_id = ${tenantId} window w as (partition by customer_id order by month)) r where r.repeats`.execute(db());
      expect(repeats.rows[0]?.n).toBe(0);
    };
    // Every row written from scratch on 2026-12-01.
    await sql`delete from customer_score_rows where tenant_id = ${tenantId}`.execute(db());
    const whole = await runScoring(testDb(), tenantId, { today: '2026-12-01' });
    expect(whole.clvReason).toBeNull();
    expect(whole.rowsWritten).toBe(whole.customers);
    const expected = await scores();
    const onFirst = await stored();
    // A day later nothing was bought (the data ends before): the predictions move for every
    // repeat buyer, as today moves, but few rows are written.
    const nextDay = await runScoring(testDb(), tenantId, { today: '2026-12-02' });
    const afterNext = await stored();
    const differing = [...afterNext].filter(([id, row]) => onFirst.get(id) !== row).length;
    expect(nextDay.rowsWritten).toBe(differing);
    expect(nextDay.rowsWritten).toBeLessThan(nextDay.buyers);
    const moved = (await scores()).filter((row, i) => row.p_alive !== expected[i]?.p_alive).length;
    expect(moved).toBeGreaterThan(nextDay.rowsWritten);
    // The night's snapshot went by the changed cells alone (the last run was this month).
    await snapshotIsState('2026-12-01');
    // Far later, then back: the run writes exactly the rows that differ, and reads as the first.
    await runScoring(testDb(), tenantId, { today: '2027-01-15' });
    const later = await stored();
    const back = await runScoring(testDb(), tenantId, { today: '2026-12-01' });
    expect(back.rowsWritten).toBe([...onFirst].filter(([id, row]) => later.get(id) !== row).length);
    expect(back.rowsWritten).toBeGreaterThan(0);
    expect(await stored()).toEqual(onFirst);
    expect(await scores()).toEqual(expected);
    // From January back to December: every cell went to December's snapshot again.
    await snapshotIsState('2026-12-01');
    // A refund makes a buyer a prospect, and a new customer arrives, within the month.
    const [buyer] = (await sql<{ customer_id: string }>`
      select o.customer_id from orders o where o.tenant_id = ${tenantId} and o.status <> 'refunded' and o.customer_id is not null
       group by 1 having count(*) = 1 limit 1`.execute(db())).rows;
    await sql`update orders set status = 'refunded', refunded_fen = paid_fen where tenant_id = ${tenantId} and customer_id = ${buyer!.customer_id}`.execute(db());
    await refreshOrderAggregates(db(), tenantId);
    await sql`insert into customers (tenant_id, id, name) values (${tenantId}, ${newId()}, '新客')`.execute(db());
    const within = await runScoring(testDb(), tenantId, { today: '2026-12-03' });
    expect(within.rowsWritten).toBeGreaterThanOrEqual(2);
    await snapshotIsState('2026-12-01');
    expect(back.models?.bgnbd).toEqual(whole.models?.bgnbd);
  });

  // Purchase days move with the tenant's zone: the customer-month rollup is rebuilt by its
  // trigger, the customer rows by the aggregate refresh; the fast path must then agree again.
  it('gives the reference pass\'s figures after the tenant moves to another time zone', async () => {
    await sql`update tenants set timezone = 'America/Los_Angeles' where id = ${tenantId}`.execute(db());
    try {
      expect((await refreshOrderAggregates(db(), tenantId)).customersUpdated).toBeGreaterThan(0);
      for (const settings of [DEFAULT_SETTINGS, SHORT]) {
        for (const today of ['2026-11-03', '2027-02-10']) {
          expect(await ordersAfter(today)).toBe(0);
          const [fast, reference] = await readBoth(today, settings);
          const expected = figures(reference, settings);
          expect(expected.size).toBeGreaterThan(20);
          expect(figures(fast, settings)).toEqual(expected);
        }
      }
    } finally {
      await sql`update tenants set timezone = 'Asia/Shanghai' where id = ${tenantId}`.execute(db());
      await refreshOrderAggregates(db(), tenantId);
    }
  });
});
