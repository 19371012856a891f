// Pure date arithmetic for the dashboard: ranges are calendar dates in the tenant's zone.
import { invalid } from '../errors.ts';
import { dayNumber } from '../time.ts';

export interface DateRange {
  from: string; // YYYY-MM-DD, inclusive
  to: string;   // YYYY-MM-DD, inclusive
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MAX_RANGE_DAYS = 3 * 366;

export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y >= 2000 && y <= 2100;
}

/** The twelve calendar months up to and including today's month, ending today. */
export function defaultRange(today: string): DateRange {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(y, m - 1 - 11, 1));
  return { from: start.toISOString().slice(0, 10), to: today };
}

/** Validates a requested range, filling what is missing from the default. */
export function resolveRange(requested: { from?: string | undefined; to?: string | undefined }, today: string): DateRange {
  for (const key of ['from', 'to'] as const) {
    const value = requested[key];
    if (value !== undefined && !isCalendarDate(value)) throw invalid(`query.${key}`, 'must be a calendar date YYYY-MM-DD between 2000 and 2100', { code: 'date_format', params: { minimum: 2000, maximum: 2100 } });
  }
  const fallback = defaultRange(requested.to ?? today);
  const range = { from: requested.from ?? fallback.from, to: requested.to ?? today };
  if (range.from > range.to) throw invalid('query.from', 'must not be after to', { code: 'range_reversed', params: { from: range.from, to: range.to } });
  if (dayNumber(range.to) - dayNumber(range.from) > MAX_RANGE_DAYS) throw invalid('query.from', `the range may span at most ${MAX_RANGE_DAYS} days`, { code: 'range_too_long', params: { maximum: MAX_RANGE_DAYS } });
  return range;
}

/** Every month touched by the range, 'YYYY-MM', in order, so a chart has no gaps. */
export function monthsOf(range: DateRange): string[] {
  const months: string[] = [];
  let [y, m] = range.from.split('-').map(Number) as [number, number];
  const last = range.to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) return months;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
}
