// Membership arithmetic, pure: points an order earns, when a lot expires, what a refund takes
// back, whether tier rules cover every value exactly once, member days and their lift.
import type { ErrorDetail } from '../errors.ts';
import { isoWeekday, localDate, startOfLocalDay } from '../time.ts';
import { yuan } from '../money.ts';

/** How orders earn points. Multipliers are percentages (150 = ×1.5). */
export interface PointsRules {
  pointsPerYuan: number;
  channelMultipliers: Record<string, number>;
  storeMultipliers: Record<string, number>;
  skuMultipliers: Record<string, number>;
  memberDayMultiplier: number;
}

export interface EarningOrder {
  paidFen: number;
  channel: string;
  storeId: string | null;
  items: { sku: string; amountFen: number }[];
  onMemberDay: boolean;
}

export const MIN_MULTIPLIER = 0;
export const MAX_MULTIPLIER = 1000;

/**
 * Points for a paid order: ¥ paid × points per ¥ × channel × store × member day, and per line its
 * SKU's multiplier on the line's share of the paid amount (paid spread over lines by list
 * amount, so a discount lowers every line alike). Rounded down once, at the end: a customer
 * never earns a point for a fraction of a yuan.
 */
export function pointsForOrder(rules: PointsRules, order: EarningOrder): number {
  if (order.paidFen <= 0 || rules.pointsPerYuan <= 0) return 0;
  const listTotal = order.items.reduce((sum, it) => sum + it.amountFen, 0);
  // fen × sku pct, summed: the SKU-weighted paid amount in fen·percent
  let weighted = 0;
  if (listTotal > 0) {
    for (const it of order.items) weighted += (order.paidFen * it.amountFen / listTotal) * (rules.skuMultipliers[it.sku] ?? 100);
  } else {
    weighted = order.paidFen * 100;
  }
  const channel = rules.channelMultipliers[order.channel] ?? 100;
  const store = order.storeId ? rules.storeMultipliers[order.storeId] ?? 100 : 100;
  const memberDay = order.onMemberDay ? rules.memberDayMultiplier : 100;
  // weighted is fen·% ; /100 → fen, /100 → yuan; then three more percentages
  const points = (weighted / 10_000) * rules.pointsPerYuan * (channel / 100) * (store / 100) * (memberDay / 100);
  // A tiny epsilon keeps 0.1 + 0.2 style float noise from losing a whole point.
  return Math.max(0, Math.floor(points + 1e-9));
}

/** Problems with a multiplier map (values are whole percentages in range), paths under `path`. */
export function checkMultipliers(path: string, map: Record<string, number>): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const [key, pct] of Object.entries(map)) {
    if (!Number.isInteger(pct) || pct < MIN_MULTIPLIER || pct > MAX_MULTIPLIER) {
      details.push({ path: `${path}.${key}`, message: `must be a whole percentage from ${MIN_MULTIPLIER} to ${MAX_MULTIPLIER} (150 is ×1.5)`, code: 'multiplier_range', params: { minimum: MIN_MULTIPLIER, maximum: MAX_MULTIPLIER } });
    }
  }
  return details;
}

export function isMemberDay(at: Date, weekdays: readonly number[], timeZone: string): boolean {
  return weekdays.includes(isoWeekday(localDate(at, timeZone)));
}

/**
 * When points earned at `earnedAt` expire: the end of the `months`-th calendar month after the
 * month they were earned in (earned any day of March 2026, 12 months → gone when April 2027
 * begins in the tenant's zone). Null: they never expire.
 */
export function expiryOf(earnedAt: Date, months: number | null, timeZone: string): Date | null {
  if (months === null) return null;
  const [y, m] = localDate(earnedAt, timeZone).split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months + 1;
  const date = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  return startOfLocalDay(date, timeZone);
}

/**
 * Points a refund takes back: the refunded share of what the order earned, less what earlier
 * refunds of it already took. A full refund takes back everything.
 */
export function reversalDue(earned: number, paidFen: number, refundedFen: number, alreadyReversed: number): number {
  if (earned <= 0 || paidFen <= 0) return 0;
  const target = refundedFen >= paidFen ? earned : Math.round((earned * refundedFen) / paidFen);
  return Math.max(0, target - alreadyReversed);
}

export interface TierRule {
  name: string;
  minValue: number;
  maxValue: number | null;
}

/**
 * Tiers must cover every qualifying value exactly once: the first starts at 0, each next starts
 * where the one before ends (a gap or an overlap is refused, naming the field), and only the top
 * tier is open-ended. Tiers are given lowest first; their position is their level.
 */
export function checkTiers(tiers: readonly TierRule[], path = 'body.tiers', basis: 'spend' | 'points' = 'spend'): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  // Values are fen of rolling spend or points, as the tenant qualifies tiers; said as the operator reads them.
  const v = (n: number): string => (basis === 'spend' ? yuan(n, { grouping: true }) : `${n.toLocaleString('en')} points`);
  if (tiers.length === 0) return [{ path, message: 'at least one tier is needed', code: 'tiers_empty' }];
  const names = new Set<string>();
  tiers.forEach((tier, i) => {
    const at = `${path}.${i}`;
    if (names.has(tier.name)) details.push({ path: `${at}.name`, message: `tier name ${tier.name} is used twice`, code: 'name_twice', params: { name: tier.name } });
    names.add(tier.name);
    if (i === 0 && tier.minValue !== 0) details.push({ path: `${at}.minValue`, message: 'the lowest tier must start at 0', code: 'lowest_not_zero' });
    const prev = tiers[i - 1];
    if (prev && prev.maxValue !== null) {
      if (tier.minValue > prev.maxValue) details.push({ path: `${at}.minValue`, message: `gap: values from ${v(prev.maxValue)} to ${v(tier.minValue)} are in no tier (tier ${i - 1} ends at ${v(prev.maxValue)})`, code: 'tier_gap', params: { previousLevel: i - 1, previousMax: prev.maxValue, minValue: tier.minValue } });
      if (tier.minValue < prev.maxValue) details.push({ path: `${at}.minValue`, message: `overlap: tier ${i - 1} runs to ${v(prev.maxValue)}, this one starts at ${v(tier.minValue)}`, code: 'tier_overlap', params: { previousLevel: i - 1, previousMax: prev.maxValue, minValue: tier.minValue } });
    }
    const last = i === tiers.length - 1;
    if (last && tier.maxValue !== null) details.push({ path: `${at}.maxValue`, message: 'the top tier must be open-ended (no maxValue)', code: 'top_not_open' });
    if (!last && tier.maxValue === null) details.push({ path: `${at}.maxValue`, message: 'only the top tier may be open-ended', code: 'open_not_top' });
    if (tier.maxValue !== null && tier.maxValue <= tier.minValue) details.push({ path: `${at}.maxValue`, message: `must be above minValue ${v(tier.minValue)}`, code: 'max_not_above_min', params: { minValue: tier.minValue } });
  });
  return details;
}

/** The tier a qualifying value falls in (tiers checked by checkTiers, lowest first). */
export function tierFor<T extends TierRule>(tiers: readonly T[], value: number): T | undefined {
  return tiers.find((t) => value >= t.minValue && (t.maxValue === null || value < t.maxValue));
}

export interface DaySales {
  date: string;
  memberDay: boolean;
  gmvFen: number;
  orders: number;
  customers: number;
}

export interface SalesAverage {
  days: number;
  gmvFen: number;
  orders: number;
  customers: number;
}

export interface LiftSummary {
  memberDays: SalesAverage;
  otherDays: SalesAverage;
  /** Member-day average over other-day average; null when either side has no days. */
  ratio: { gmv: number | null; orders: number | null; customers: number | null };
  weeks: { weekStart: string; memberDayGmvFen: number; otherDayAvgGmvFen: number; ratio: number | null }[];
}

function average(days: DaySales[]): SalesAverage {
  const n = days.length;
  const sum = (f: (d: DaySales) => number): number => days.reduce((s, d) => s + f(d), 0);
  return n === 0
    ? { days: 0, gmvFen: 0, orders: 0, customers: 0 }
    : { days: n, gmvFen: Math.round(sum((d) => d.gmvFen) / n), orders: sum((d) => d.orders) / n, customers: sum((d) => d.customers) / n };
}

const ratioOf = (a: number, b: number, days: number, otherDays: number): number | null =>
  days === 0 || otherDays === 0 || b === 0 ? null : Math.round((a / b) * 1000) / 1000;

/** The Monday (ISO week start) of a calendar date. */
export function weekStartOf(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`) - (isoWeekday(date) - 1) * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Member days against other days: averages per day, their ratio, and the same per ISO week. */
export function liftOf(days: DaySales[]): LiftSummary {
  const member = average(days.filter((d) => d.memberDay));
  const other = average(days.filter((d) => !d.memberDay));
  const byWeek = new Map<string, DaySales[]>();
  for (const d of days) {
    const w = weekStartOf(d.date);
    byWeek.set(w, [...(byWeek.get(w) ?? []), d]);
  }
  const weeks = [...byWeek.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([weekStart, ds]) => {
    const m = average(ds.filter((d) => d.memberDay));
    const o = average(ds.filter((d) => !d.memberDay));
    return { weekStart, memberDayGmvFen: m.gmvFen, otherDayAvgGmvFen: o.gmvFen, ratio: ratioOf(m.gmvFen, o.gmvFen, m.days, o.days) };
  });
  return {
    memberDays: member,
    otherDays: other,
    ratio: {
      gmv: ratioOf(member.gmvFen, other.gmvFen, member.days, other.days),
      orders: ratioOf(member.orders, other.orders, member.days, other.days),
      customers: ratioOf(member.customers, other.customers, member.days, other.days),
    },
    weeks,
  };
}
