// From a list of orders to the per-customer history the repeat-buying models read: how many repeat
// purchase days (x), when the last one was (t_x), how long the customer has been watched (T), and
// what a repeat purchase is worth on average (spend). Time is in weeks; a purchase is a calendar
// day, so several orders on one day count as one purchase whose value is their sum.
import { invalid } from '../errors.ts';

/** Days since 1970-01-01. */
export type CalendarDay = number;

const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;

export interface TransactionRow {
  customerId: string;
  /** A date (YYYY-MM-DD) or an ISO timestamp; only its calendar date, as written, counts. */
  orderedAt: string;
  /** The order's value in the currency's usual unit; zero or more. */
  amount: number;
}

export interface RecencyFrequency {
  /** Repeat purchases: distinct purchase days after the first. */
  x: number;
  /** Weeks from the first purchase to the last. */
  tx: number;
  /** Weeks from the first purchase to the calibration end. */
  T: number;
}

export interface CustomerSummary extends RecencyFrequency {
  customerId: string;
  /** Mean value of a repeat purchase day; null without repeat purchases. */
  spend: number | null;
}

export interface CustomerSummaries {
  customers: CustomerSummary[];
  repeaters: number;
  /** Rows on or before the calibration end that were summarised. */
  rowsUsed: number;
  firstPurchaseDay: CalendarDay;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date, by arithmetic (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): CalendarDay {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * The calendar day of `YYYY-MM-DD` or of an ISO timestamp (`YYYY-MM-DDTHH:MM...`, the date as
 * written, whatever its offset); null when the text is not one, or names a day that does not exist.
 */
export function calendarDay(text: string): CalendarDay | null {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  if (text.length > 10) {
    const sep = text[10];
    if (sep !== 'T' && sep !== 't' && sep !== ' ') return null;
    if (!/^\d{2}:\d{2}/.test(text.slice(11)) || Number.isNaN(Date.parse(`${text.slice(0, 10)}T${text.slice(11)}`))) return null;
  }
  return daysFromCivil(year, month, day);
}

export function formatCalendarDay(day: CalendarDay): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Growable typed columns: a million customers' orders as objects would cost far more memory. */
class Column<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public data: T, private readonly grow: (size: number) => T) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.grow(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

/**
 * Summarises orders up to and including the calibration end (a YYYY-MM-DD date or a CalendarDay).
 * Customers whose first order comes after it are not counted. Order of customers: first seen.
 */
export function summariseTransactions(rows: Iterable<TransactionRow>, calibrationEnd: string | CalendarDay): CustomerSummaries {
  const endDay = typeof calibrationEnd === 'number' ? calibrationEnd : calendarDay(calibrationEnd);
  if (endDay === null || !Number.isInteger(endDay) || (typeof calibrationEnd === 'string' && calibrationEnd.length !== 10)) {
    throw invalid('calibrationEnd', `expected a date YYYY-MM-DD, got "${String(calibrationEnd)}"`);
  }
  const index = new Map<string, number>();
  const ids: string[] = [];
  const owner = new Column(new Int32Array(1024), (n) => new Int32Array(n));
  const days = new Column(new Int32Array(1024), (n) => new Int32Array(n));
  const amounts = new Column(new Float64Array(1024), (n) => new Float64Array(n));
  let lastId: string | null = null;
  let lastCustomer = 0;
  let seen = 0;
  let earliest = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    const at = seen++;
    if (typeof row.customerId !== 'string' || row.customerId === '') throw invalid(`rows[${at}].customerId`, 'must not be empty');
    const day = calendarDay(row.orderedAt);
    if (day === null) throw invalid(`rows[${at}].orderedAt`, `expected a date YYYY-MM-DD or an ISO timestamp, got "${row.orderedAt}"`);
    if (!Number.isFinite(row.amount) || row.amount < 0) throw invalid(`rows[${at}].amount`, `expected a number of zero or more, got ${row.amount}`);
    if (day < earliest) earliest = day;
    if (day > endDay) continue;
    // Exports usually list a customer's orders together: skip the lookup for a run of them.
    let customer = row.customerId === lastId ? lastCustomer : index.get(row.customerId);
    if (customer === undefined) {
      customer = ids.length;
      index.set(row.customerId, customer);
      ids.push(row.customerId);
    }
    lastId = row.customerId;
    lastCustomer = customer;
    owner.push(customer);
    days.push(day);
    amounts.push(row.amount);
  }
  if (seen === 0) throw invalid('rows', 'there are no orders');
  if (ids.length === 0) {
    throw invalid('calibrationEnd', `${formatCalendarDay(endDay)} is earlier than every order (the first is on ${formatCalendarDay(earliest)})`);
  }

  // Counting sort of the rows by customer, then each customer's few rows by day.
  const customerCount = ids.length;
  const start = new Int32Array(customerCount + 1);
  for (let i = 0; i < owner.length; i++) {
    const next = (owner.data[i] ?? 0) + 1;
    start[next] = (start[next] ?? 0) + 1;
  }
  for (let c = 0; c < customerCount; c++) start[c + 1] = (start[c + 1] ?? 0) + (start[c] ?? 0);
  const fill = start.slice(0, customerCount);
  const byDay = new Int32Array(owner.length);
  const byAmount = new Float64Array(owner.length);
  for (let i = 0; i < owner.length; i++) {
    const c = owner.data[i] ?? 0;
    const at = fill[c] ?? 0;
    fill[c] = at + 1;
    byDay[at] = days.data[i] ?? 0;
    byAmount[at] = amounts.data[i] ?? 0;
  }

  const customers: CustomerSummary[] = new Array<CustomerSummary>(customerCount);
  let repeaters = 0;
  let firstPurchaseDay = Number.POSITIVE_INFINITY;
  for (let c = 0; c < customerCount; c++) {
    const from = start[c] ?? 0;
    const to = start[c + 1] ?? 0;
    sortSegmentByDay(byDay, byAmount, from, to);
    const first = byDay[from] ?? 0;
    let last = first;
    let x = 0;
    let repeatTotal = 0;
    for (let i = from + 1; i < to; i++) {
      const d = byDay[i] ?? 0;
      if (d !== first) repeatTotal += byAmount[i] ?? 0;
      if (d !== last) {
        x++;
        last = d;
      }
    }
    if (x > 0) repeaters++;
    if (first < firstPurchaseDay) firstPurchaseDay = first;
    customers[c] = {
      customerId: ids[c] ?? '',
      x,
      tx: (last - first) / DAYS_PER_WEEK,
      T: (endDay - first) / DAYS_PER_WEEK,
      spend: x > 0 ? repeatTotal / x : null,
    };
  }
  return { customers, repeaters, rowsUsed: owner.length, firstPurchaseDay };
}

function sortSegmentByDay(days: Int32Array, amounts: Float64Array, from: number, to: number): void {
  if (to - from > 32) {
    const order = Array.from({ length: to - from }, (_, i) => from + i).sort((i, j) => (days[i] ?? 0) - (days[j] ?? 0));
    const d = order.map((i) => days[i] ?? 0);
    const a = order.map((i) => amounts[i] ?? 0);
    days.set(d, from);
    amounts.set(a, from);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const d = days[i] ?? 0;
    const a = amounts[i] ?? 0;
    let j = i - 1;
    while (j >= from && (days[j] ?? 0) > d) {
      days[j + 1] = days[j] ?? 0;
      amounts[j + 1] = amounts[j] ?? 0;
      j--;
    }
    days[j + 1] = d;
    amounts[j + 1] = a;
  }
}
