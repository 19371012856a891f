import { describe, expect, it } from 'vitest';
import {
  AcquisitionSchedule, Assortment, MONTHLY_GROWTH, MobileNumbers, PURCHASE_RATE_ALPHA, PURCHASE_SHAPE_R, Random, SPEND_SCALE_GAMMA, SPEND_SHAPE_P, SPEND_SHAPE_Q, TUESDAY_LIFT,
  WeeklyRhythm, WeightedChoice, ZoneClock, beta, exponential, externalUserId, gamma, normal, poisson, purchaseTimes, unionId, openId,
} from '../../src/core/demo/demo.rules.ts';
import { CATALOG } from '../../src/core/demo/demo.catalog.ts';
import { monthsBefore, seedDemo } from '../../src/core/demo/demo.service.ts';
import { copyText } from '../../src/core/demo/demo.world.ts';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { YuchiError } from '../../src/core/errors.ts';
import { newTenant, testDb } from '../helpers.ts';
import { DEMO_TABLES, demoDigest } from './demo-digest.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

/** |observed − expected| within `k` standard errors of a mean of n draws with this variance. */
function expectMean(observed: number, expected: number, variance: number, n: number, k = 4): void {
  expect(Math.abs(observed - expected)).toBeLessThanOrEqual(k * Math.sqrt(variance / n));
}

describe('demo.rules: generator and samplers', () => {
  it('repeats a sequence for a seed, differs between seeds, and stays inside (0, 1)', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 1000 }, () => a.float());
    const seqB = Array.from({ length: 1000 }, () => b.float());
    const seqC = Array.from({ length: 1000 }, () => c.float());
    expect(seqA).toEqual(seqB);
    expect(seqA.filter((x, i) => x === seqC[i]).length).toBe(0);
    expect(seqA.every((x) => x > 0 && x < 1)).toBe(true);
    expect(new Random(2 ** 40).uint32()).not.toBe(new Random(0).uint32()); // high bits of the seed count
  });

  it('draws gamma with mean k/θ and variance k/θ² (Marsaglia–Tsang, and the boost below shape 1)', () => {
    const n = 100_000;
    for (const [shape, rate, seed] of [[0.35, 1.1, 1], [1, 2, 2], [4, 25, 3], [6, 0.1, 4]] as const) {
      const rng = new Random(seed);
      const m = moments(() => gamma(rng, shape, rate), n);
      const variance = shape / rate ** 2;
      expectMean(m.mean, shape / rate, variance, n);
      expect(m.variance / variance).toBeGreaterThan(0.9);
      expect(m.variance / variance).toBeLessThan(1.1);
    }
  });

  it('draws beta with mean a/(a+b) and the right variance', () => {
    const n = 100_000;
    for (const [a, b, seed] of [[0.8, 7.2, 5], [2, 2, 6], [0.5, 0.5, 7]] as const) {
      const rng = new Random(seed);
      const m = moments(() => beta(rng, a, b), n);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expectMean(m.mean, a / (a + b), variance, n);
      expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.05);
    }
  });

  it('draws poisson (both methods), exponential and normal with their textbook moments', () => {
    const n = 100_000;
    for (const mean of [0.55, 7, 30, 250]) {
      const rng = new Random(Math.round(mean * 10));
      const m = moments(() => poisson(rng, mean), n);
      expectMean(m.mean, mean, mean, n);
      expect(Math.abs(m.variance / mean - 1)).toBeLessThan(0.04);
    }
    const rng = new Random(9);
    const e = moments(() => exponential(rng, 4), n);
    expectMean(e.mean, 0.25, 1 / 16, n);
    const g = moments(() => normal(rng, 36, 11), n);
    expectMean(g.mean, 36, 121, n);
    expect(Math.abs(Math.sqrt(g.variance) / 11 - 1)).toBeLessThan(0.02);
  });

  it('picks by weight', () => {
    const rng = new Random(11);
    const choice = new WeightedChoice(['pos', 'miniprogram', 'group_buy'], [6, 3, 1]);
    const n = 60_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const c = choice.pick(rng);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const [item, p] of [['pos', 0.6], ['miniprogram', 0.3], ['group_buy', 0.1]] as const) {
      expectMean((counts.get(item) ?? 0) / n, p, p * (1 - p), n);
    }
  });

  it('thins a Poisson process to λ purchases a week on average, Tuesday heavier by TUESDAY_LIFT', () => {
    const start = Date.parse('2026-01-04T16:00:00Z'); // Monday 00:00 in Shanghai
    const weeks = 52;
    const end = start + weeks * WEEK_MS;
    const clock = new ZoneClock('Asia/Shanghai', start, end);
    const rhythm = new WeeklyRhythm(clock);
    const rng = new Random(12);
    const lambda = 2;
    let repeats = 0;
    let tuesday = 0;
    const customers = 400;
    for (let i = 0; i < customers; i++) {
      const times = purchaseTimes(rng, { purchasesPerWeek: lambda, dropout: 0, spendRate: 1 }, start, end, rhythm);
      repeats += times.length - 1;
      tuesday += times.slice(1).filter((t) => new Date(t + 8 * 3_600_000).getUTCDay() === 2).length;
    }
    const expected = lambda * weeks * customers;
    expectMean(repeats, expected, expected, 1); // a Poisson count: variance = mean
    const tuesdayShare = TUESDAY_LIFT / (6 + TUESDAY_LIFT);
    expectMean(tuesday / repeats, tuesdayShare, tuesdayShare * (1 - tuesdayShare), repeats);
    const hours = new Set<number>();
    for (let i = 0; i < 200; i++) for (const t of purchaseTimes(rng, { purchasesPerWeek: 3, dropout: 0, spendRate: 1 }, start, end, rhythm).slice(1)) hours.add(new Date(t + 8 * 3_600_000).getUTCHours());
    expect([...hours].every((h) => h >= 7 && h <= 22)).toBe(true); // store hours only
  });

  it('schedules joining in time order, growing month over month, heavier on Tuesdays', () => {
    const clock = new ZoneClock('Asia/Shanghai', Date.parse('2025-05-31T16:00:00Z'), Date.parse('2026-05-31T16:00:00Z'));
    const start = clock.midnight('2025-06-01');
    const end = clock.midnight('2026-06-01');
    const n = 200_000;
    const schedule = new AcquisitionSchedule(clock, start, end, n);
    const rng = new Random(18);
    const perMonth = new Map<string, number>();
    let tuesdays = 0;
    let lastDay = '';
    let outOfOrder = 0;
    for (let i = 0; i < n; i++) {
      const t = schedule.next(rng);
      const day = clock.dateOf(t);
      if (!(t >= start && t < end && day >= lastDay)) outOfOrder++;
      lastDay = day;
      perMonth.set(day.slice(0, 7), (perMonth.get(day.slice(0, 7)) ?? 0) + 1);
      if (new Date(`${day}T00:00:00Z`).getUTCDay() === 2) tuesdays++;
    }
    expect(outOfOrder).toBe(0);
    // June 2025 against May 2026 (30 and 31 days): 11 months of MONTHLY_GROWTH apart
    const june = (perMonth.get('2025-06') ?? 0) / 30;
    const may = (perMonth.get('2026-05') ?? 0) / 31;
    expect(Math.abs(may / june / MONTHLY_GROWTH ** (11 + 1 / 30) - 1)).toBeLessThan(0.05);
    // 52 Tuesdays and 313 other days in the window, Tuesdays weighing TUESDAY_LIFT
    const tuesdayShare = (52 * TUESDAY_LIFT) / (52 * TUESDAY_LIFT + 313);
    expectMean(tuesdays / n, tuesdayShare, tuesdayShare * (1 - tuesdayShare), n, 5);
  });

  it('stops buying after a dropout: with p = 1 there is exactly one repeat purchase at most', () => {
    const start = Date.parse('2026-01-04T16:00:00Z');
    const clock = new ZoneClock('Asia/Shanghai', start, start + 52 * WEEK_MS);
    const rng = new Random(13);
    for (let i = 0; i < 200; i++) {
      const times = purchaseTimes(rng, { purchasesPerWeek: 5, dropout: 1, spendRate: 1 }, start, start + 52 * WEEK_MS, new WeeklyRhythm(clock));
      expect(times.length).toBeLessThanOrEqual(2);
    }
  });

  it('fills baskets whose lines sum exactly to the total, each line quantity × unit price', () => {
    const rng = new Random(14);
    const assortment = new Assortment(CATALOG);
    for (let i = 0; i < 5000; i++) {
      const total = 100 + Math.floor(rng.float() * 60_000);
      const lines = assortment.basket(rng, total, 1 + (i % 12));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.reduce((s, l) => s + l.amountFen, 0)).toBe(total);
      for (const l of lines) {
        expect(l.quantity * l.unitPriceFen).toBe(l.amountFen);
        expect(l.amountFen).toBeGreaterThan(0);
      }
    }
  });

  it('makes mobile numbers unique and well-formed, and WeChat/WeCom ids of the right shape', () => {
    const mobiles = new MobileNumbers(new Random(15));
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(mobiles.at(i));
    expect(seen.size).toBe(200_000);
    expect([...seen].every((p) => /^1[3-9]\d{9}$/.test(p))).toBe(true);
    const rng = new Random(16);
    expect(externalUserId(rng)).toMatch(/^wm[A-Za-z0-9_-]{30}$/);
    expect(unionId(rng)).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(openId(rng, 'oAb3_x')).toMatch(/^oAb3_x[A-Za-z0-9_-]{22}$/);
  });

  it('maps instants to local days like the IANA zone does, across daylight-saving changes', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2026-12-31T00:00:00Z');
    const rng = new Random(17);
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe']) {
      const clock = new ZoneClock(zone, from, to);
      const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
      for (let i = 0; i < 3000; i++) {
        const t = from + Math.floor(rng.float() * (to - from));
        const parts = Object.fromEntries(format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
        expect(clock.dateOf(t)).toBe(`${parts.year}-${parts.month}-${parts.day}`);
      }
      // local midnight of a date is the first instant of that date
      const midnight = clock.midnight('2026-03-29');
      expect(clock.dateOf(midnight)).toBe('2026-03-29');
      expect(clock.dateOf(midnight - 1)).toBe('2026-03-28');
    }
  });

  it('counts calendar months back, clamping to the month end', () => {
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBefore('2026-01-15', 12)).toBe('2025-01-15');
    expect(monthsBefore('2026-01-15', 13)).toBe('2024-12-15');
    expect(copyText('a\tb\\c\nd')).toBe('a\\tb\\\\c\\nd');
  });
});

// ---- the seeded world, in the database ---------------------------------------------------------

const END = new Date('2026-06-01T04:00:00Z'); // 2026-06-01 noon in Shanghai

async function rowCounts(tenantId: string): Promise<number[]> {
  const counts: number[] = [];
  for (const table of DEMO_TABLES) {
    const r = await testDb().pool.query<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]);
    counts.push(r.rows[0]?.n ?? -1);
  }
  return counts;
}

describe('seedDemo', () => {
  it('gives identical rows for the same seed and end, whether keys are checked row by row or at the end, and different rows for another seed', async () => {
    const [a, b, c] = [await newTenant(), await newTenant(), await newTenant()];
    const options = { customers: 400, months: 6, seed: 7, end: END };
    const ra = await seedDemo(testDb(), { tenantId: a.id, ...options });
    const rb = await seedDemo(testDb(), { tenantId: b.id, ...options, perRowKeyChecks: true });
    await seedDemo(testDb(), { tenantId: c.id, ...options, seed: 8 });
    expect(rb.keysCheckedAtEnd).toBe(false);
    expect(ra.customers).toBe(400);
    expect(ra.orders).toBeGreaterThan(400);
    const [da, db, dc] = [await demoDigest(a.id), await demoDigest(b.id), await demoDigest(c.id)];
    expect(db).toEqual(da);
    for (const table of ['customers', 'customer_identities', 'orders', 'order_items']) expect(dc[table]).not.toBe(da[table]);
    // the aggregates written by the generator are what the nightly refresh computes
    expect(await refreshOrderAggregates(testDb().db, a.id)).toEqual({ customersUpdated: 0 });
    expect(await refreshOrderAggregates(testDb().db, c.id)).toEqual({ customersUpdated: 0 });
  });

  it('shows the model in the data: Tuesday lift, repeat-buyer share, ticket, channel and identity mix', async () => {
    const tenant = await newTenant();
    const n = 3000;
    const result = await seedDemo(testDb(), { tenantId: tenant.id, customers: n, months: 12, seed: 21, end: END });
    const pool = testDb().pool;

    // Tuesday's average daily GMV against other days' (days in the tenant's zone)
    const days = await pool.query<{ tuesday: boolean; gmv: number }>(
      `select extract(isodow from ordered_at at time zone 'Asia/Shanghai') = 2 as tuesday, sum(paid_fen)::bigint as gmv
         from orders where tenant_id = $1 group by (ordered_at at time zone 'Asia/Shanghai')::date, 1`,
      [tenant.id],
    );
    const avg = (rows: { gmv: number }[]): number => rows.reduce((s, r) => s + r.gmv, 0) / rows.length;
    const lift = avg(days.rows.filter((d) => d.tuesday)) / avg(days.rows.filter((d) => !d.tuesday));
    expect(lift).toBeGreaterThanOrEqual(1.15);
    expect(lift).toBeLessThanOrEqual(1.45);

    // Share with ≥ 2 orders. BG/NBD: no repeat within T weeks of joining has probability
    // (α/(α+T))^r, so the expected share is the mean of 1 − (α/(α+T_i))^r over the customers.
    const windowEnd = Date.parse(`${result.to}T00:00:00+08:00`);
    const people = await pool.query<{ created_at: Date; orders: number }>(
      `select c.created_at, (select count(*)::int from orders o where o.tenant_id = c.tenant_id and o.customer_id = c.id) as orders
         from customers c where c.tenant_id = $1`,
      [tenant.id],
    );
    const expectedShare = people.rows.reduce((s, p) => {
      const weeks = (windowEnd - p.created_at.getTime()) / WEEK_MS;
      return s + 1 - (PURCHASE_RATE_ALPHA / (PURCHASE_RATE_ALPHA + weeks)) ** PURCHASE_SHAPE_R;
    }, 0) / n;
    const observedShare = people.rows.filter((p) => p.orders >= 2).length / n;
    expect(Math.abs(observedShare - expectedShare)).toBeLessThanOrEqual(4 * Math.sqrt((expectedShare * (1 - expectedShare)) / n) + 0.01);
    expect(people.rows.every((p) => p.orders >= 1)).toBe(true); // the first purchase is at joining

    // Mean paid ticket: Gamma-Gamma's p·γ/(q−1)
    const ticket = await pool.query<{ mean: number }>(`select avg(paid_fen)::float8 / 100 as mean from orders where tenant_id = $1`, [tenant.id]);
    const theory = (SPEND_SHAPE_P * SPEND_SCALE_GAMMA) / (SPEND_SHAPE_Q - 1);
    expect(Math.abs((ticket.rows[0]?.mean ?? 0) / theory - 1)).toBeLessThan(0.1);

    // Channel mix near pos 55%, miniprogram 30%, group_buy 10%, ecommerce 5%
    const channels = await pool.query<{ channel: string; share: number }>(
      `select channel, count(*)::float8 / sum(count(*)) over () as share from orders where tenant_id = $1 group by channel`,
      [tenant.id],
    );
    const share = new Map(channels.rows.map((r) => [r.channel, r.share]));
    expect(Math.abs((share.get('pos') ?? 0) - 0.55)).toBeLessThan(0.04);
    expect(Math.abs((share.get('miniprogram') ?? 0) - 0.3)).toBeLessThan(0.04);
    expect(Math.abs((share.get('group_buy') ?? 0) - 0.1)).toBeLessThan(0.03);
    expect(Math.abs((share.get('ecommerce') ?? 0) - 0.05)).toBeLessThan(0.03);

    // Identities: phone and member number for all, unique per kind; the others in their shares
    const kinds = await pool.query<{ kind: string; n: number; distinct_values: number; well_formed: number }>(
      `select kind, count(*)::int as n, count(distinct value)::int as distinct_values,
              count(*) filter (where case kind when 'phone' then value ~ '^1[3-9][0-9]{9}$'
                                               when 'external_userid' then value ~ '^wm[A-Za-z0-9_-]{30}$'
                                               when 'unionid' then value ~ '^o[A-Za-z0-9_-]{27}$'
                                               when 'openid' then value ~ '^o[A-Za-z0-9_-]{27}$'
                                               else value ~ '^M[0-9]+$' end)::int as well_formed
         from customer_identities where tenant_id = $1 group by kind`,
      [tenant.id],
    );
    const byKind = new Map(kinds.rows.map((r) => [r.kind, r]));
    for (const r of kinds.rows) {
      expect(r.distinct_values).toBe(r.n);
      expect(r.well_formed).toBe(r.n);
    }
    expect(byKind.get('phone')?.n).toBe(n);
    expect(byKind.get('member_no')?.n).toBe(n);
    for (const [kind, p] of [['external_userid', 0.7], ['unionid', 0.6], ['openid', 0.6]] as const) {
      expectMean((byKind.get(kind)?.n ?? 0) / n, p, p * (1 - p), n);
    }

    // Lines sum to order totals; refunds are partial or whole
    const bad = await pool.query<{ lines: number; refunds: number }>(
      `select (select count(*)::int from orders o
                 where o.tenant_id = $1 and o.total_fen <> (select sum(amount_fen) from order_items i where i.tenant_id = $1 and i.order_id = o.id)) as lines,
              (select count(*)::int from orders o where o.tenant_id = $1 and not (
                 (status = 'paid' and refunded_fen = 0) or (status = 'refunded' and refunded_fen = paid_fen)
                 or (status = 'partially_refunded' and refunded_fen > 0 and refunded_fen < paid_fen))) as refunds`,
      [tenant.id],
    );
    expect(bad.rows[0]).toEqual({ lines: 0, refunds: 0 });
    expect(await refreshOrderAggregates(testDb().db, tenant.id)).toEqual({ customersUpdated: 0 });

    // WeCom: every customer with an external_userid is one staff member's friend from the day it
    // arrived; about half of the friends kept are in one of their home store's two groups
    const social = await pool.query<{ friends: number; matched: number; groups: number; members: number; home: number; kept: number }>(
      `select (select count(*)::int from customer_contacts where tenant_id = $1) as friends,
              (select count(*)::int from customer_contacts k join customer_identities x
                  on x.tenant_id = k.tenant_id and x.customer_id = k.customer_id and x.kind = 'external_userid' and x.created_at = k.added_at
                where k.tenant_id = $1) as matched,
              (select count(*)::int from customer_groups where tenant_id = $1) as groups,
              (select count(*)::int from group_members where tenant_id = $1) as members,
              (select count(*)::int from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
                 join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id where m.tenant_id = $1 and g.store_id = c.store_id) as home,
              (select count(*)::int from customer_contacts where tenant_id = $1 and deleted_at is null) as kept`,
      [tenant.id],
    );
    const w = social.rows[0];
    if (!w) throw new Error('no counts');
    expect(w.friends).toBe(byKind.get('external_userid')?.n);
    expect(w.matched).toBe(w.friends);
    expect(w.groups).toBe(2 * result.stores);
    expect(result).toMatchObject({ contacts: w.friends, groups: w.groups, groupMembers: w.members });
    expect(w.home).toBe(w.members);
    expect(w.members / w.kept).toBeGreaterThan(0.45);
    expect(w.members / w.kept).toBeLessThan(0.6);
  });

  it('refuses a tenant that already has customers, writing nothing', async () => {
    const tenant = await newTenant();
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 50, months: 2, seed: 1, end: END });
    const before = await rowCounts(tenant.id);
    await expect(seedDemo(testDb(), { tenantId: tenant.id, customers: 50, months: 2, seed: 2, end: END })).rejects.toMatchObject({ code: 'conflict' });
    expect(await rowCounts(tenant.id)).toEqual(before);

    const other = await newTenant();
    await testDb().db.insertInto('customers').values({ tenant_id: other.id, id: '019aa951-6bba-7b21-a8ac-dce007e557c9', name: '已有会员' }).execute();
    await expect(seedDemo(testDb(), { tenantId: other.id, customers: 50, months: 2, seed: 1, end: END })).rejects.toThrow(/already has customers/);
    expect(await rowCounts(other.id)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('rolls everything back when the load fails part-way', async () => {
    const tenant = await newTenant();
    const failing = seedDemo(testDb(), {
      tenantId: tenant.id, customers: 6000, months: 3, seed: 3, end: END,
      onProgress: ({ phase, done }) => {
        if (phase === 'customers' && done > 0) throw new Error('disk full (simulated)');
      },
    });
    await expect(failing).rejects.toThrow('disk full (simulated)');
    expect(await rowCounts(tenant.id)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('names the field of bad options and an unknown tenant', async () => {
    const tenant = await newTenant();
    const base = { tenantId: tenant.id, customers: 10, months: 1, seed: 1 };
    await expect(seedDemo(testDb(), { ...base, customers: 0 })).rejects.toMatchObject({ code: 'invalid', details: [{ path: 'customers' }] });
    await expect(seedDemo(testDb(), { ...base, customers: 2.5 })).rejects.toMatchObject({ details: [{ path: 'customers' }] });
    await expect(seedDemo(testDb(), { ...base, months: 0 })).rejects.toMatchObject({ details: [{ path: 'months' }] });
    await expect(seedDemo(testDb(), { ...base, seed: -1 })).rejects.toMatchObject({ details: [{ path: 'seed' }] });
    await expect(seedDemo(testDb(), { ...base, end: new Date('nope') })).rejects.toMatchObject({ details: [{ path: 'end' }] });
    await expect(seedDemo(testDb(), { ...base, tenantId: '019aa951-6bba-7b21-a8ac-dce007e557c9' })).rejects.toBeInstanceOf(YuchiError);
  });
});
