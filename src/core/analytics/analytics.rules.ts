// Pure rules of the analytics area: the filter range, calendar buckets, repurchase windows, the
// funnel's step arithmetic and the CSV form of every view. Dates are tenant-local calendar dates
// (YYYY-MM-DD); months are 'YYYY-MM'.
//
// Definitions (documented in the API and relied on by the reconciliation test):
// - A counted order is one not fully refunded (status <> 'refunded'); GMV is paid − refunded over
//   counted orders — the home dashboard's definition.
// - A customer's first order is their earliest counted order ever (customers.first_order_at).
// - Interactions are the events in INTERACTION_EVENTS; an active customer in a bucket ordered or
//   interacted in it.
import { invalid } from '../errors.ts';
import { addDays, dayNumber } from '../time.ts';
import { defaultRange, isCalendarDate, type DateRange } from '../dashboard/dashboard.rules.ts';

export type { DateRange } from '../dashboard/dashboard.rules.ts';
export { monthsOf } from '../dashboard/dashboard.rules.ts';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const BREAKDOWNS = ['store', 'guide', 'channel', 'source'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** Events that count as a customer interacting with the brand (trends' active customers, funnel's 活跃). */
export const INTERACTION_EVENTS = ['message_received', 'message_sent', 'group_joined', 'form_submitted', 'page_viewed', 'store_visited'] as const;
/** Events whose `referrerCustomerId` property names the customer who brought the new one (funnel's 裂变). */
export const REFERRAL_EVENTS = ['contact_added', 'referral'] as const;
export const REPURCHASE_WINDOWS = [7, 30, 90] as const;
export const RETENTION_WINDOWS = [7, 30] as const;
/** Months after the cohort month shown by the cohort matrix and the LTV curves (0..11). */
export const MONTHS_AFTER = 12;
/** The longest range an analysis may cover: five years. */
export const MAX_ANALYTICS_DAYS = 5 * 365 + 2; // five calendar years, leap days included

/** 'YYYY-MM' moved by whole months. */
export function addMonths(month: string, months: number): string {
  const [y = 2000, m = 1] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Whole months from `from` to `to` ('YYYY-MM' or a date; only year and month count). */
export function monthsBetween(from: string, to: string): number {
  const [fy = 0, fm = 0] = from.split('-').map(Number);
  const [ty = 0, tm = 0] = to.split('-').map(Number);
  return (ty * 12 + tm) - (fy * 12 + fm);
}

/** The Monday of the ISO week holding a date. */
export function weekOf(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return addDays(date, -weekday);
}

/** The bucket a calendar date falls in: the date, its week's Monday, or its month. */
export function bucketOf(date: string, granularity: Granularity): string {
  if (granularity === 'day') return date;
  if (granularity === 'week') return weekOf(date);
  return date.slice(0, 7);
}

/** Every bucket the range touches, in order, so charts have no gaps. A week bucket is named by its
 *  Monday even when the range starts later in that week; only days inside the range count in it. */
export function bucketsOf(range: DateRange, granularity: Granularity): string[] {
  const out: string[] = [];
  let date = range.from;
  let last = '';
  while (date <= range.to) {
    const key = bucketOf(date, granularity);
    if (key !== last) out.push(key);
    last = key;
    date = granularity === 'month' ? `${addMonths(date.slice(0, 7), 1)}-01` : addDays(date, granularity === 'week' ? 7 - ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) : 1);
  }
  return out;
}

/** Validates from/to (inclusive calendar dates in the tenant zone), defaulting to the 12 calendar
 *  months up to today. */
export function resolveAnalyticsRange(requested: { from?: string | undefined; to?: string | undefined }, today: string): DateRange {
  for (const key of ['from', 'to'] as const) {
    const value = requested[key];
    if (value !== undefined && !isCalendarDate(value)) throw invalid(`query.${key}`, 'must be a calendar date YYYY-MM-DD between 2000 and 2100', { code: 'date_format', params: { minimum: 2000, maximum: 2100 } });
  }
  const to = requested.to ?? today;
  const range = { from: requested.from ?? defaultRange(to).from, to };
  if (range.from > range.to) throw invalid('query.from', 'must not be after to', { code: 'range_reversed', params: { from: range.from, to: range.to } });
  if (dayNumber(range.to) - dayNumber(range.from) + 1 > MAX_ANALYTICS_DAYS) throw invalid('query.from', `the range may span at most 5 years (${MAX_ANALYTICS_DAYS} days)`, { code: 'range_too_long', params: { maximum: MAX_ANALYTICS_DAYS } });
  return range;
}

/** A share rounded to 4 decimals; null when nobody is in the base. */
export function rate(count: number, base: number): number | null {
  return base > 0 ? Math.round((count / base) * 10_000) / 10_000 : null;
}

/** Average in whole fen; 0 when there is nothing to average. */
export function averageFen(totalFen: number, count: number): number {
  return count > 0 ? Math.round(totalFen / count) : 0;
}

/**
 * A repurchase window of N days has fully elapsed for a first order on `firstDay` when the whole
 * of day firstDay + N lies before today (today is still incomplete).
 */
export function windowElapsed(firstDay: string, days: number, today: string): boolean {
  return addDays(firstDay, days) < today;
}

/** Whether a cohort month's k-th month has begun by today's month. */
export function monthReached(cohortMonth: string, k: number, today: string): boolean {
  return addMonths(cohortMonth, k) <= today.slice(0, 7);
}

export interface FunnelStep {
  step: 'acquired' | 'retained7' | 'retained30' | 'active' | 'converted' | 'referred';
  count: number;
  /** Who could reach the step: new contacts, or for retention those whose window has elapsed. */
  base: number;
  rate: number | null;
  /** count ÷ the previous step's count. */
  fromPrevious: number | null;
}

export function funnelSteps(counts: { acquired: number; retained7: number; eligible7: number; retained30: number; eligible30: number; active: number; converted: number; referred: number }): FunnelStep[] {
  const raw: [FunnelStep['step'], number, number][] = [
    ['acquired', counts.acquired, counts.acquired],
    ['retained7', counts.retained7, counts.eligible7],
    ['retained30', counts.retained30, counts.eligible30],
    ['active', counts.active, counts.acquired],
    ['converted', counts.converted, counts.acquired],
    ['referred', counts.referred, counts.acquired],
  ];
  return raw.map(([step, count, base], i) => {
    const previous = i > 0 ? raw[i - 1]?.[1] ?? 0 : null;
    return { step, count, base, rate: rate(count, base), fromPrevious: previous === null ? null : rate(count, previous) };
  });
}

// ---- CSV -------------------------------------------------------------------------------------

export type CsvValue = string | number | null;

function csvCell(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV for Excel: UTF-8 with a byte-order mark (so Chinese shows correctly), CRLF lines, English
 * header keys. Columns named `…Fen` are written in yuan with two decimals and renamed `…Yuan`.
 */
export function toCsv(columns: string[], rows: Record<string, CsvValue>[]): string {
  const header = columns.map((c) => (c.endsWith('Fen') ? `${c.slice(0, -3)}Yuan` : c));
  const lines = [header.join(',')];
  for (const row of rows) {
    lines.push(columns.map((c) => {
      const value = row[c] ?? null;
      return csvCell(c.endsWith('Fen') && typeof value === 'number' ? (value / 100).toFixed(2) : value);
    }).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
