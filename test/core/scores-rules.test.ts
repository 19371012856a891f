import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS, lifecycleStage, monthOf, quintileCuts, quintileScore, rfmCell, ScoringSettings, valueTier, type PurchaseDays,
} from '../../src/core/scores/scores.rules.ts';

describe('quintile cut points and scores', () => {
  it.each([
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], cuts: [2, 4, 6, 8], scores: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] },
    { values: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], cuts: [2, 4, 6, 8], scores: [5, 5, 4, 4, 3, 3, 2, 2, 1, 1] },
    // ties share a score; most buyers at the lowest value all score 1, scores 2-3 go unused
    { values: [1, 1, 1, 1, 1, 1, 1, 2, 2, 5], cuts: [1, 1, 1, 2], scores: [1, 1, 1, 1, 1, 1, 1, 4, 4, 5] },
    { values: [7], cuts: [7, 7, 7, 7], scores: [1] },
    { values: [3, 3, 3], cuts: [3, 3, 3, 3], scores: [1, 1, 1] },
    { values: [-30, -1, -200, -5, -90], cuts: [-200, -90, -30, -5], scores: [3, 5, 1, 4, 2] },
  ])('$values → cuts $cuts', ({ values, cuts, scores }) => {
    expect(quintileCuts(values)).toEqual(cuts);
    expect(values.map((v) => quintileScore(v, cuts))).toEqual(scores);
  });

  it('has no cut points without buyers', () => {
    expect(quintileCuts([])).toEqual([]);
    expect(quintileScore(5, [])).toBe(1);
  });

  it('gives each score a fifth of distinct values, whatever their input order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const cuts = quintileCuts(values);
    const counts = [0, 0, 0, 0, 0];
    for (const v of values) counts[quintileScore(v, cuts) - 1]! += 1;
    expect(counts).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('RFM cells', () => {
  it.each([
    [5, 5, 5, 'important_value'], [3, 3, 3, 'important_value'], [4, 2, 4, 'important_develop'], [2, 4, 3, 'important_keep'],
    [1, 1, 5, 'important_retain'], [5, 5, 2, 'general_value'], [3, 1, 1, 'general_develop'], [2, 5, 1, 'general_keep'], [1, 1, 1, 'general_retain'],
  ] as const)('R%i F%i M%i → %s', (r, f, m, cell) => {
    expect(rfmCell(r, f, m, 3)).toBe(cell);
  });

  it('moves the high line with the setting', () => {
    expect(rfmCell(3, 3, 3, 4)).toBe('general_retain');
    expect(rfmCell(4, 4, 4, 4)).toBe('important_value');
  });
});

describe('lifecycle stages', () => {
  const rules = DEFAULT_SETTINGS.lifecycle; // new 30, active 60, churn 180, returned 30
  const days = (sinceFirst: number | null, sinceLast: number | null, sinceFirstRecent: number | null = null, sinceLastBeforeRecent: number | null = null): PurchaseDays =>
    ({ sinceFirst, sinceLast, sinceFirstRecent, sinceLastBeforeRecent });
  it.each([
    ['never ordered', days(null, null), 'prospect'],
    ['first order today', days(0, 0, 0), 'new'],
    ['first order 30 days ago', days(30, 30, 30), 'new'],
    ['first order 31 days ago, again 10 days ago', days(31, 10, 10, 31), 'active'],
    ['last order 60 days ago', days(400, 60, null, 60), 'active'],
    ['last order 61 days ago', days(400, 61, null, 61), 'dormant'],
    ['last order 180 days ago', days(400, 180, null, 180), 'dormant'],
    ['last order 181 days ago', days(400, 181, null, 181), 'churned'],
    ['back 5 days ago after 200 days away', days(400, 5, 5, 205), 'returned'],
    ['back 30 days ago after 61 days away', days(400, 2, 30, 91), 'returned'],
    ['back 10 days ago after exactly 60 days away', days(400, 10, 10, 70), 'active'],
    ['back 31 days ago after 200 days away', days(400, 31, null, 31), 'active'],
  ] as const)('%s → %s', (_, d, stage) => {
    expect(lifecycleStage(d, rules)).toBe(stage);
  });
});

describe('value tiers', () => {
  it.each([[0, '普通'], [49_999, '普通'], [50_000, '银卡'], [199_999, '银卡'], [200_000, '金卡'], [500_000, '钻石'], [9_000_000, '钻石']] as const)('%i fen → %s', (fen, tier) => {
    expect(valueTier(fen, DEFAULT_SETTINGS.tiers)).toBe(tier);
  });
});

describe('settings', () => {
  const issues = (input: unknown) => {
    const parsed = ScoringSettings.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
  };
  it('accepts the defaults', () => {
    expect(issues(DEFAULT_SETTINGS)).toEqual([]);
  });
  it.each([
    ['overlapping active and churn', { lifecycle: { ...DEFAULT_SETTINGS.lifecycle, churnDays: 60 } }, ['lifecycle.churnDays']],
    ['new longer than active', { lifecycle: { ...DEFAULT_SETTINGS.lifecycle, newDays: 90 } }, ['lifecycle.newDays']],
    ['returned window longer than active', { lifecycle: { ...DEFAULT_SETTINGS.lifecycle, returnedDays: 61 } }, ['lifecycle.returnedDays']],
    ['tiers not starting at 0', { tiers: [{ name: '银卡', minSpentFen: 100 }] }, ['tiers.0.minSpentFen']],
    ['tiers not rising', { tiers: [{ name: 'A', minSpentFen: 0 }, { name: 'B', minSpentFen: 500 }, { name: 'C', minSpentFen: 500 }] }, ['tiers.2.minSpentFen']],
    ['tier named twice', { tiers: [{ name: 'A', minSpentFen: 0 }, { name: 'A', minSpentFen: 500 }] }, ['tiers.1.name']],
    ['window of zero days', { rfm: { windowDays: 0, highScore: 3 } }, ['rfm.windowDays']],
    ['negative discount', { clv: { horizonWeeks: 52, annualDiscountRate: -0.1 } }, ['clv.annualDiscountRate']],
    ['unknown field', { extra: 1 }, ['']],
  ])('refuses %s', (_, change, paths) => {
    expect(issues({ ...DEFAULT_SETTINGS, ...change })).toEqual(paths);
  });
  it('keys snapshots by month', () => {
    expect(monthOf('2026-11-30')).toBe('2026-11-01');
  });
});
