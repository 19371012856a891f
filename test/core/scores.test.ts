// The scoring run on a small generated world, checked against figures recomputed straight from
// the orders here: quintile shares, lifecycle stages, value tiers, and the CLV models refitted
// on independently built histories.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { summariseTransactions, type TransactionRow } from '../../src/core/clv/clv.rules.ts';
import { fitClvModels, predict } from '../../src/core/clv/predict.ts';
import { ClvPredictor } from '../../src/core/scores/clv-predict.ts';
import { probabilityAlive } from '../../src/core/clv/bgnbd.ts';
import { expectedSpend } from '../../src/core/clv/gammagamma.ts';
import { addDays, dayNumber } from '../../src/core/time.ts';
import { demoEndOf, seedDemo } from '../../src/core/demo/demo.service.ts';
import { getScoringRun, runScoring, saveScoringSettings } from '../../src/core/scores/scores.service.ts';
import { DEFAULT_SETTINGS, RFM_CELLS } from '../../src/core/scores/scores.rules.ts';
import { clvOverview, lifecycleOverview, rfmMovement } from '../../src/core/scores/scores-analytics.service.ts';
import { CDNOW_MODELS, newTenant, seedScoringModels, testDb } from '../helpers.ts';
import { addCustomer, addOrder, refund } from './tags-fixtures.ts';

const TODAY = '2026-10-31';

interface ScoreRow {
  customer_id: string; recency_days: number | null; frequency: number; monetary_fen: number; r_score: number | null; f_score: number | null; m_score: number | null;
  rfm_cell: string | null; lifecycle_stage: string; value_tier: string | null; p_alive: number | null; clv_fen: number | null;
}


let tenantId: string;
let scores: Map<string, ScoreRow>;
/** Each customer's purchase days (days since 1970, tenant zone) with the day's net spend, ascending. */
let history: Map<string, { day: number; fen: number }[]>;
let rows: TransactionRow[];
let customerCount: number;

beforeAll(async () => {
  const { db } = testDb();
  tenantId = (await newTenant()).id;
  await seedDemo(testDb(), { tenantId, customers: 3000, months: 18, seed: 11, end: demoEndOf('2026-11-01', 'Asia/Shanghai') });
  await runScoring(testDb(), tenantId, { today: TODAY });
  scores = new Map((await db.selectFrom('customer_scores').selectAll().where('tenant_id', '=', tenantId).execute()).map((r) => [r.customer_id, r as ScoreRow]));
  const orders = await sql<{ customer_id: string; day: string; fen: number }>`
    select customer_id, to_char(ordered_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, paid_fen - refunded_fen as fen
      from orders where tenant_id = ${tenantId} and customer_id is not null and status <> 'refunded'`.execute(db);
  history = new Map();
  rows = [];
  for (const o of orders.rows) {
    rows.push({ customerId: o.customer_id, orderedAt: o.day, amount: Number(o.fen) });
    const days = history.get(o.customer_id) ?? [];
    const day = dayNumber(o.day);
    const same = days.find((d) => d.day === day);
    if (same) same.fen += Number(o.fen);
    else days.push({ day, fen: Number(o.fen) });
    history.set(o.customer_id, days);
  }
  for (const days of history.values()) days.sort((a, b) => a.day - b.day);
  customerCount = Number((await sql<{ n: string }>`select count(*) as n from customers where tenant_id = ${tenantId}`.execute(db)).rows[0]?.n);
}, 120_000);

describe('scoring run on a generated world', () => {
  it('scores every customer, and only buyers of the window get RFM scores', () => {
    expect(scores.size).toBe(customerCount);
    const today = dayNumber(TODAY);
    const windowStart = today - DEFAULT_SETTINGS.rfm.windowDays + 1;
    for (const [id, s] of scores) {
      const days = history.get(id) ?? [];
      const inWindow = days.filter((d) => d.day >= windowStart);
      expect(s.frequency).toBe(inWindow.length);
      expect(s.monetary_fen).toBe(inWindow.reduce((sum, d) => sum + d.fen, 0));
      expect(s.recency_days).toBe(days.length ? today - days[days.length - 1]!.day : null);
      expect(s.r_score === null).toBe(inWindow.length === 0);
      expect(s.rfm_cell === null).toBe(inWindow.length === 0);
    }
  });

  it('splits buyers into quintiles: M (few ties) a fifth each; every score follows the cut points of the sorted values', () => {
    const scored = [...scores.values()].filter((s) => s.m_score !== null);
    expect(scored.length).toBeGreaterThan(500);
    const shares = [1, 2, 3, 4, 5].map((k) => scored.filter((s) => s.m_score === k).length / scored.length);
    for (const share of shares) expect(Math.abs(share - 0.2)).toBeLessThan(0.01);
    // for each of R, F, M: a higher value never scores lower, and the share at or below score k is at least k/5
    const checks: [keyof ScoreRow, (s: ScoreRow) => number][] = [['r_score', (s) => -(s.recency_days ?? 0)], ['f_score', (s) => s.frequency], ['m_score', (s) => s.monetary_fen]];
    for (const [key, value] of checks) {
      const sorted = [...scored].sort((a, b) => value(a) - value(b));
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1]!, cur = sorted[i]!;
        expect(Number(cur[key]) >= Number(prev[key])).toBe(true);
        if (value(cur) === value(prev)) expect(cur[key]).toBe(prev[key]);
      }
      for (let k = 1; k <= 4; k++) {
        const atOrBelow = scored.filter((s) => Number(s[key]) <= k).length;
        if (scored.some((s) => Number(s[key]) === k)) expect(atOrBelow / scored.length).toBeGreaterThanOrEqual(k / 5 - 1e-9);
      }
    }
    expect(new Set(scored.map((s) => s.rfm_cell)).size).toBe(RFM_CELLS.length);
  });

  it('classifies lifecycle stages and tiers as the orders say', () => {
    const today = dayNumber(TODAY);
    const { newDays, activeDays, churnDays, returnedDays } = DEFAULT_SETTINGS.lifecycle;
    const stages = new Map<string, number>();
    for (const [id, s] of scores) {
      const days = (history.get(id) ?? []).map((d) => d.day);
      let expected: string;
      const since = (d: number) => today - d;
      if (days.length === 0) expected = 'prospect';
      else if (since(days[0]!) <= newDays) expected = 'new';
      else if (days.some((d, i) => i > 0 && since(d) <= returnedDays && d - days[i - 1]! > activeDays)) expected = 'returned';
      else if (since(days[days.length - 1]!) <= activeDays) expected = 'active';
      else if (since(days[days.length - 1]!) <= churnDays) expected = 'dormant';
      else expected = 'churned';
      expect(s.lifecycle_stage, id).toBe(expected);
      stages.set(expected, (stages.get(expected) ?? 0) + 1);
      const spent = (history.get(id) ?? []).reduce((sum, d) => sum + d.fen, 0);
      const tier = [...DEFAULT_SETTINGS.tiers].reverse().find((t) => spent >= t.minSpentFen)?.name;
      expect(s.value_tier).toBe(tier);
    }
    // the generated world has every stage
    expect([...stages.keys()].sort()).toEqual(['active', 'churned', 'dormant', 'new', 'prospect', 'returned'].filter((s) => stages.has(s)).sort());
    for (const stage of ['new', 'active', 'dormant', 'churned']) expect(stages.get(stage) ?? 0).toBeGreaterThan(0);
  });

  it('fits the same CLV models as fitClvModels on histories summarised independently, and stores them on the run', async () => {
    const independent = fitClvModels(summariseTransactions(rows, TODAY).customers);
    const run = await testDb().db.selectFrom('scoring_runs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(run.status).toBe('done');
    const stored = run.bgnbd as { r: number; alpha: number; a: number; b: number };
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(stored[key]).toBeCloseTo(independent.bgnbd[key], 6);
    const gg = run.gamma_gamma as { p: number; q: number; gamma: number };
    for (const key of ['p', 'q', 'gamma'] as const) expect(gg[key] / independent.gammaGamma[key]).toBeCloseTo(1, 6);
    expect(run.repeaters).toBe(independent.repeaters);
    expect(run.buyers).toBe(history.size);
    expect(run.clv_reason).toBeNull();
    const buyers = [...scores.values()].filter((s) => s.lifecycle_stage !== 'prospect');
    for (const s of buyers) {
      expect(s.p_alive).toBeGreaterThanOrEqual(0);
      expect(s.p_alive).toBeLessThanOrEqual(1);
      expect(s.clv_fen).toBeGreaterThanOrEqual(0);
    }
    // the run's predictions are core/clv's predict() (within the 1e-6 the two fits agree to)
    const summaries = summariseTransactions(rows, TODAY).customers;
    const expected = predict(summaries, independent, { weeks: 52, annualDiscountRate: 0.1 });
    for (const e of expected) {
      const s = scores.get(e.customerId)!;
      expect(s.p_alive).toBeCloseTo(e.pAlive, 4);
      expect(Math.abs((s.clv_fen ?? 0) - e.clv)).toBeLessThanOrEqual(1 + 1e-4 * e.clv);
    }
    // and the shortcut through P(alive) — g(x, T) as the run stores it, times P(alive) and the
    // expected spend as the view computes them — gives predict()'s numbers on the same models to rounding
    const predictor = new ClvPredictor(independent, { weeks: 52, annualDiscountRate: 0.1 });
    expected.forEach((e, i) => {
      const c = summaries[i]!;
      const g = predictor.forecast(c.x, c.T);
      const alive = probabilityAlive(independent.bgnbd, c);
      expect(alive).toBe(e.pAlive);
      expect(Math.abs(alive * g.purchases - e.expectedPurchases)).toBeLessThanOrEqual(1e-9 * Math.max(1, e.expectedPurchases));
      expect(Math.abs(alive * g.discounted * expectedSpend(independent.gammaGamma, c.x, c.spend) - e.clv)).toBeLessThanOrEqual(1e-9 * Math.max(1, e.clv));
    });
    // churned customers are, on average, less likely alive than active ones
    const mean = (stage: string) => { const xs = buyers.filter((s) => s.lifecycle_stage === stage).map((s) => s.p_alive ?? 0); return xs.reduce((a, b) => a + b, 0) / xs.length; };
    expect(mean('churned')).toBeLessThan(mean('active'));
  });

  it('writes nothing on a second run the same day, and keeps one snapshot row per customer for the month', async () => {
    const again = await runScoring(testDb(), tenantId, { today: TODAY });
    expect(again.rowsWritten).toBe(0);
    const snap = await sql<{ n: string }>`select count(*) as n from customer_score_snapshots where tenant_id = ${tenantId} and month = '2026-10-01'`.execute(testDb().db);
    expect(Number(snap.rows[0]?.n)).toBe(customerCount);
  });
});

describe('scoring run without enough repeat buyers', () => {
  it('scores RFM, stages and tiers, leaves CLV null and records why', async () => {
    const { db } = testDb();
    const tenant = await newTenant();
    const buyers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await addCustomer(db, tenant.id);
      buyers.push(id);
      await addOrder(db, tenant.id, id, 1000 * (i + 1), `2026-0${i + 1}-10T04:00:00Z`);
    }
    await addOrder(db, tenant.id, buyers[0]!, 500, '2026-08-10T04:00:00Z');
    const prospect = await addCustomer(db, tenant.id);
    await saveScoringSettings(db, tenant.id, { ...DEFAULT_SETTINGS, tiers: [{ name: '普通', minSpentFen: 0 }, { name: '金卡', minSpentFen: 5000 }] }, 'test');
    const result = await runScoring(testDb(), tenant.id, { today: '2026-09-01' });
    expect(result.models).toBeNull();
    expect(result.clvReason).toMatch(/only 1 of 6 customers have a repeat purchase/);
    const run = await getScoringRun(db, tenant.id, result.runId);
    expect(run).toMatchObject({ status: 'done', buyers: 6, repeaters: 1, customers: 7, clvReason: result.clvReason });
    // the reason's code and values are kept with the run, and the CLV overview words it by them
    // (even were the words to change: here they are made unreadable)
    const kept = await db.selectFrom('scoring_runs').select(['clv_reason_code', 'clv_reason_params']).where('tenant_id', '=', tenant.id).where('id', '=', result.runId).executeTakeFirstOrThrow();
    expect(kept).toEqual({ clv_reason_code: 'too_few_repeaters', clv_reason_params: { repeaters: 1, customers: 6, minimum: 10 } });
    await db.updateTable('scoring_runs').set({ clv_reason: 'words of another version' }).where('tenant_id', '=', tenant.id).where('id', '=', result.runId).execute();
    expect((await clvOverview(db, tenant.id, {})).model?.reasonWorded).toEqual({ code: 'too_few_repeaters', params: { repeaters: 1, customers: 6, minimum: 10 } });
    const rows = await db.selectFrom('customer_scores').selectAll().where('tenant_id', '=', tenant.id).execute();
    expect(rows).toHaveLength(7);
    for (const r of rows) {
      expect(r.p_alive).toBeNull();
      expect(r.clv_fen).toBeNull();
    }
    const byId = new Map(rows.map((r) => [r.customer_id, r]));
    expect(byId.get(prospect)).toMatchObject({ lifecycle_stage: 'prospect', value_tier: '普通', rfm_cell: null, frequency: 0 });
    // 10 Jan, then 10 Aug (22 days before 1 Sep) after 212 days away: returned, and the most recent buyer
    expect(byId.get(buyers[0]!)).toMatchObject({ lifecycle_stage: 'returned', frequency: 2, monetary_fen: 1500, r_score: 5 });
    // recencies 22, 83, 113, 142, 172, 203 days: cut points at the 2nd..5th (−172, −142, −113, −83); 83 days is not above −83
    expect(byId.get(buyers[5]!)).toMatchObject({ lifecycle_stage: 'dormant', value_tier: '金卡', r_score: 4 });
    expect(byId.get(buyers[1]!)).toMatchObject({ lifecycle_stage: 'churned', r_score: 1 });

    // a buyer whose only order is refunded in full is a prospect again at the next run
    const only = await db.selectFrom('orders').select('id').where('tenant_id', '=', tenant.id).where('customer_id', '=', buyers[3]!).executeTakeFirstOrThrow();
    await refund(db, tenant.id, only.id, 4000);
    const again = await runScoring(testDb(), tenant.id, { today: '2026-09-01' });
    expect(again.buyers).toBe(5);
    const lapsed = await db.selectFrom('customer_scores').selectAll().where('tenant_id', '=', tenant.id).where('customer_id', '=', buyers[3]!).executeTakeFirstOrThrow();
    expect(lapsed).toMatchObject({ lifecycle_stage: 'prospect', value_tier: '普通', rfm_cell: null, recency_days: null, frequency: 0, monetary_fen: 0 });
  });
});

describe('the customer_scores view', () => {
  it('computes the predictions of core/clv\'s predict() from the stored history, to rounding, at the extremes too', async () => {
    const { db } = testDb();
    const tenant = await newTenant();
    const calibrationEnd = '2026-10-31';
    const models = CDNOW_MODELS;
    const options = { weeks: 52, annualDiscountRate: 0.1 };
    // (purchase days, days since the first, days since the last, repeat spend in fen): one-time
    // buyers, regulars, a heavy buyer long silent (P(alive) far below e^-700 in the formula's
    // odds), and one who bought on the first and the last day only.
    const histories: [number, number, number, number][] = [
      [1, 10, 10, 0], [1, 700, 700, 0], [2, 30, 0, 5_000], [4, 400, 200, 40_000], [12, 365, 3, 250_000],
      [600, 1_200, 1_150, 9_000_000], [3, 1_000, 999, 1], [2, 2, 0, 0],
    ];
    const ids: string[] = [];
    for (const [days, sinceFirst, sinceLast, repeat] of histories) {
      const id = await addCustomer(db, tenant.id, { name: `h${ids.length}` });
      ids.push(id);
      await db.insertInto('customer_score_rows').values({
        tenant_id: tenant.id, customer_id: id, lifecycle_stage: 'active', purchase_days: days, repeat_spend_fen: repeat,
        first_order_day: addDays(calibrationEnd, -sinceFirst), last_order_day: addDays(calibrationEnd, -sinceLast),
      }).execute();
    }
    const predictor = new ClvPredictor(models, options);
    await seedScoringModels(tenant.id, calibrationEnd);
    await db.insertInto('scoring_forecasts').values(histories.map(([days, sinceFirst]) => {
      const g = predictor.forecast(days - 1, sinceFirst / 7);
      return { tenant_id: tenant.id, x: days - 1, t_days: sinceFirst, purchases: g.purchases, discounted: g.discounted };
    })).execute();
    const summaries = histories.map(([days, sinceFirst, sinceLast, repeat]) => ({
      customerId: '', x: days - 1, tx: (sinceFirst - sinceLast) / 7, T: sinceFirst / 7, spend: days > 1 ? repeat / (days - 1) : null,
    }));
    const expected = predict(summaries, models, options);
    const rows = await db.selectFrom('customer_scores').select(['customer_id', 'p_alive', 'expected_purchases', 'expected_spend_fen', 'clv_fen', 'recency_days'])
      .where('tenant_id', '=', tenant.id).execute();
    const byId = new Map(rows.map((r) => [r.customer_id, r]));
    histories.forEach(([, , sinceLast], i) => {
      const row = byId.get(ids[i]!)!;
      const close = (got: number | null, want: number) => expect(Math.abs((got ?? Number.NaN) - want), `${i}: ${got} against ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      const e = expected[i]!;
      close(row.p_alive, e.pAlive);
      close(row.expected_purchases, e.expectedPurchases);
      expect(Math.abs((row.expected_spend_fen ?? -1) - Math.round(e.expectedSpend))).toBeLessThanOrEqual(1);
      expect(Math.abs((row.clv_fen ?? -1) - Math.round(e.clv))).toBeLessThanOrEqual(1);
      expect(row.recency_days).toBe(sinceLast);
    });
    // The extremes: one-time buyers are alive by the model; the silent heavy buyer almost surely not.
    expect(byId.get(ids[0]!)?.p_alive).toBe(1);
    expect(byId.get(ids[5]!)?.p_alive).toBeLessThan(1e-100);
    // A deleted tenant takes its forecasts (they have no key to tenants; a trigger deletes them).
    const gone = await newTenant();
    await db.insertInto('scoring_forecasts').values({ tenant_id: gone.id, x: 1, t_days: 7, purchases: 1, discounted: 1 }).execute();
    await sql`delete from tenants where id = ${gone.id}`.execute(db);
    expect(await db.selectFrom('scoring_forecasts').select('x').where('tenant_id', '=', gone.id).execute()).toEqual([]);
    expect((await db.selectFrom('scoring_forecasts').select('x').where('tenant_id', '=', tenant.id).execute()).length).toBe(histories.length);
    // Without models (a run that left CLV empty) the predictions are null, the scores stay.
    await db.updateTable('scoring_models').set({ r: null, alpha: null, a: null, b: null, p: null, q: null, gamma: null }).where('tenant_id', '=', tenant.id).execute();
    const empty = await db.selectFrom('customer_scores').select(['p_alive', 'clv_fen', 'expected_spend_fen', 'lifecycle_stage']).where('tenant_id', '=', tenant.id).execute();
    expect(empty.every((r) => r.p_alive === null && r.clv_fen === null && r.expected_spend_fen === null && r.lifecycle_stage === 'active')).toBe(true);
  });
});

describe('movement between months from sparse snapshots', () => {
  it('counts each customer by their state as of each month, with rows kept only where the state changed', async () => {
    const { db } = testDb();
    const tenant = await newTenant();
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 600, months: 14, seed: 5, end: demoEndOf('2026-11-01', 'Asia/Shanghai') });
    const state = async () => new Map((await db.selectFrom('customer_score_rows').select(['customer_id', 'rfm_cell', 'lifecycle_stage'])
      .where('tenant_id', '=', tenant.id).execute()).map((r) => [r.customer_id, r]));
    const expected = (a: Awaited<ReturnType<typeof state>>, b: Awaited<ReturnType<typeof state>>, column: 'rfm_cell' | 'lifecycle_stage') => {
      const counts = new Map<string, number>();
      for (const id of new Set([...a.keys(), ...b.keys()])) {
        const key = `${a.get(id)?.[column] ?? 'none'} → ${b.get(id)?.[column] ?? 'none'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    };
    const got = (items: { from: string; to: string; customers: number }[]) => new Map(items.map((i) => [`${i.from} → ${i.to}`, i.customers]));

    await runScoring(testDb(), tenant.id, { today: '2026-08-31' });
    const august = await state();
    await runScoring(testDb(), tenant.id, { today: '2026-09-15' });
    await runScoring(testDb(), tenant.id, { today: '2026-09-30' });
    const september = await state();
    // October's runs: the last one decides October
    await runScoring(testDb(), tenant.id, { today: '2026-10-10' });
    await runScoring(testDb(), tenant.id, { today: '2026-10-31' });
    const october = await state();

    const rows = await sql<{ month: string; n: number }>`
      select month::text as month, count(*)::int as n from customer_score_snapshots where tenant_id = ${tenant.id} group by 1 order by 1`.execute(db);
    expect(rows.rows[0]).toEqual({ month: '2026-08-01', n: 600 });
    // later months hold only the customers who changed
    for (const r of rows.rows.slice(1)) expect(r.n).toBeLessThan(600);

    const sept = await rfmMovement(db, tenant.id, { from: '2026-08', to: '2026-09' }, {});
    expect(got(sept!.items)).toEqual(expected(august, september, 'rfm_cell'));
    const oct = await lifecycleOverview(db, tenant.id, { from: '2026-09', to: '2026-10' }, {});
    expect(got(oct.flow!.items)).toEqual(expected(september, october, 'lifecycle_stage'));
    // the latest two months scored, by default
    const latest = await rfmMovement(db, tenant.id, {}, {});
    expect([latest?.from, latest?.to]).toEqual(['2026-09', '2026-10']);
    expect(got(latest!.items)).toEqual(expected(september, october, 'rfm_cell'));
    // a month after the last run reads as the last run left it
    const after = await rfmMovement(db, tenant.id, { from: '2026-10', to: '2027-03' }, {});
    expect(got(after!.items)).toEqual(expected(october, october, 'rfm_cell'));
  });
});
