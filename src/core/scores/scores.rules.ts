// Customer layering rules: a tenant's scoring settings, RFM quintile scores and the eight named
// cells, lifecycle stages and value tiers. Pure functions of values; the scoring run
// (scores.service.ts) feeds them the per-customer figures it reads from orders.
import { z } from 'zod';
import type { LifecycleStage } from '../../db/schema.ts';

// ---------------------------------------------------------------------------------------------
// Settings

const Days = (max: number) => z.number().int().min(1).max(max);

export const TierSetting = z.object({
  name: z.string().trim().min(1).max(20),
  minSpentFen: z.number().int().min(0).describe('lifetime spend (paid − refunded, fen) from which a customer is in this tier'),
});

/**
 * One tenant's scoring settings. Cross-field rules (refused with the field named):
 * lifecycle.newDays ≤ lifecycle.activeDays < lifecycle.churnDays, lifecycle.returnedDays ≤
 * lifecycle.activeDays; tiers start at 0 fen and rise strictly, with distinct names.
 */
export const ScoringSettings = z.object({
  rfm: z.object({
    windowDays: Days(3650).describe('buyers with an order in the last N days (tenant calendar) are scored'),
    highScore: z.number().int().min(2).max(5).describe('an R, F or M score at or above this counts as high (↑) when naming cells'),
  }).strict(),
  lifecycle: z.object({
    newDays: Days(3650).describe('new (新客): first order at most N days ago'),
    activeDays: Days(3650).describe('active (活跃): last order at most N days ago; also the gap that makes a later order a return'),
    churnDays: Days(3650).describe('dormant (沉睡) up to N days since the last order; churned (流失) beyond'),
    returnedDays: Days(3650).describe('returned (回流): ordered in the last N days after a gap longer than activeDays'),
  }).strict(),
  tiers: z.array(TierSetting).min(1).max(10),
  clv: z.object({
    horizonWeeks: z.number().int().min(1).max(520).describe('prediction horizon after today, in weeks'),
    annualDiscountRate: z.number().min(0).max(1).describe('0.1 = 10 % a year; 0 = undiscounted'),
  }).strict(),
}).strict().superRefine((s, ctx) => {
  const { newDays, activeDays, churnDays, returnedDays } = s.lifecycle;
  if (newDays > activeDays) ctx.addIssue({ code: 'custom', path: ['lifecycle', 'newDays'], message: `must not exceed activeDays (${activeDays}): a new customer is also a recent one`, params: { code: 'days_above_active', activeDays } });
  if (churnDays <= activeDays) ctx.addIssue({ code: 'custom', path: ['lifecycle', 'churnDays'], message: `must be above activeDays (${activeDays}): dormant lies between them`, params: { code: 'churn_not_above_active', activeDays } });
  if (returnedDays > activeDays) ctx.addIssue({ code: 'custom', path: ['lifecycle', 'returnedDays'], message: `must not exceed activeDays (${activeDays})`, params: { code: 'days_above_active', activeDays } });
  const first = s.tiers[0];
  if (first && first.minSpentFen !== 0) ctx.addIssue({ code: 'custom', path: ['tiers', 0, 'minSpentFen'], message: 'the first tier must start at 0 so every customer has a tier', params: { code: 'first_tier_from_zero' } });
  const names = new Set<string>();
  s.tiers.forEach((tier, i) => {
    const before = s.tiers[i - 1];
    if (before && tier.minSpentFen <= before.minSpentFen) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'minSpentFen'], message: `must be above the previous tier's ${before.minSpentFen}`, params: { code: 'tier_not_above_previous', previousFen: before.minSpentFen } });
    if (names.has(tier.name)) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'name'], message: `"${tier.name}" is used twice`, params: { code: 'tier_name_twice', name: tier.name } });
    names.add(tier.name);
  });
});
export type ScoringSettings = z.infer<typeof ScoringSettings>;

/** Fits a fruit chain: weekly shoppers, a season a year, member cards at ¥500 / ¥2,000 / ¥5,000. */
export const DEFAULT_SETTINGS: ScoringSettings = {
  rfm: { windowDays: 365, highScore: 3 },
  lifecycle: { newDays: 30, activeDays: 60, churnDays: 180, returnedDays: 30 },
  tiers: [
    { name: '普通', minSpentFen: 0 },
    { name: '银卡', minSpentFen: 50_000 },
    { name: '金卡', minSpentFen: 200_000 },
    { name: '钻石', minSpentFen: 500_000 },
  ],
  clv: { horizonWeeks: 52, annualDiscountRate: 0.1 },
};

// ---------------------------------------------------------------------------------------------
// RFM

/**
 * Quintile cut points of values: the 20th, 40th, 60th and 80th percentiles taken as values that
 * occur (percentile_disc: the smallest value whose cumulative share reaches k/5).
 */
export function quintileCuts(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [];
  return [1, 2, 3, 4].map((k) => sorted[Math.max(0, Math.ceil((k * n) / 5) - 1)] ?? 0);
}

/**
 * Score 1..5: one plus the number of cut points the value is above. Ties always get the same
 * score (so with many equal values a score may be skipped), and the lowest value always scores 1.
 */
export function quintileScore(value: number, cuts: readonly number[]): number {
  let score = 1;
  for (const cut of cuts) if (value > cut) score++;
  return score;
}

export const RFM_CELLS = [
  'important_value', 'important_develop', 'important_keep', 'important_retain',
  'general_value', 'general_develop', 'general_keep', 'general_retain',
] as const;
export type RfmCell = (typeof RFM_CELLS)[number];

export const RFM_CELL_NAMES: Record<RfmCell, string> = {
  important_value: '重要价值', important_develop: '重要发展', important_keep: '重要保持', important_retain: '重要挽留',
  general_value: '一般价值', general_develop: '一般发展', general_keep: '一般保持', general_retain: '一般挽留',
};

/** The classic cell of R/F/M high (score ≥ highScore) or low: M splits important/general, R and F the four kinds. */
export function rfmCell(r: number, f: number, m: number, highScore: number): RfmCell {
  const R = r >= highScore;
  const F = f >= highScore;
  const important = m >= highScore;
  const kind = R ? (F ? 'value' : 'develop') : (F ? 'keep' : 'retain');
  return `${important ? 'important' : 'general'}_${kind}`;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

/** A customer's purchase days as days before today (0 = today) in the tenant's calendar. */
export interface PurchaseDays {
  /** Days since the first purchase day; null: never ordered. */
  sinceFirst: number | null;
  sinceLast: number | null;
  /** Days since the first purchase day within the last `returnedDays`; null if none. */
  sinceFirstRecent: number | null;
  /** Days since the last purchase day before the last `returnedDays`; null if none. */
  sinceLastBeforeRecent: number | null;
}

export const LIFECYCLE_STAGES: readonly LifecycleStage[] = ['prospect', 'new', 'returned', 'active', 'dormant', 'churned'];

/**
 * In this order, the first that holds: prospect (潜客) never ordered; new (新客) first order ≤
 * newDays ago; returned (回流) an order ≤ returnedDays ago whose previous purchase day was more than
 * activeDays earlier; active (活跃) last order ≤ activeDays ago; dormant (沉睡) ≤ churnDays ago;
 * churned (流失) otherwise.
 */
export function lifecycleStage(days: PurchaseDays, rules: ScoringSettings['lifecycle']): LifecycleStage {
  if (days.sinceFirst === null || days.sinceLast === null) return 'prospect';
  if (days.sinceFirst <= rules.newDays) return 'new';
  if (days.sinceFirstRecent !== null && days.sinceLastBeforeRecent !== null && days.sinceLastBeforeRecent - days.sinceFirstRecent > rules.activeDays) return 'returned';
  if (days.sinceLast <= rules.activeDays) return 'active';
  if (days.sinceLast <= rules.churnDays) return 'dormant';
  return 'churned';
}

// ---------------------------------------------------------------------------------------------
// Value tiers

/** The highest tier whose minimum the lifetime spend reaches (tiers ascend, the first starts at 0). */
export function valueTier(spentFen: number, tiers: readonly { name: string; minSpentFen: number }[]): string | null {
  let tier: string | null = null;
  for (const t of tiers) if (spentFen >= t.minSpentFen) tier = t.name;
  return tier;
}

/** First day (YYYY-MM-01) of the month of a YYYY-MM-DD date: the key of a monthly snapshot. */
export function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}
