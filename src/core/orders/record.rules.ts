// What a recorded order must look like, checked one order at a time so that a batch can accept
// its good orders and name the bad ones. Shared by POST /api/v1/orders, order events and imports.
import { z } from 'zod';
import type { OrderChannel, OrderStatus } from '../../db/schema.ts';
import { parseRef, type IdentityRef, type ParsedRef } from '../ingest/identity.rules.ts';
import { isLeapYear } from '../time.ts';

export interface OrderInput {
  orderNo: string;
  customer: IdentityRef;
  storeId?: string;
  storeCode?: string;
  staffId?: string;
  staffWecomUserId?: string;
  channel: OrderChannel;
  status?: OrderStatus;
  totalFen: number;
  discountFen?: number;
  paidFen: number;
  /** The total refunded so far (not this refund's amount): re-sending a larger one records a refund. */
  refundedFen?: number;
  orderedAt: string;
  items: { sku: string; name: string; quantity: number; unitPriceFen: number; amountFen?: number }[];
}

export interface Rejection {
  index: number;
  code: string;
  message: string;
}

/** A checked order, ready for the database lookups of record.service.ts. */
export interface OrderDraft {
  index: number;
  orderNo: string;
  customer: ParsedRef;
  storeId?: string;
  storeCode?: string;
  staffId?: string;
  staffWecomUserId?: string;
  channel: OrderChannel;
  status: OrderStatus;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  refundedFen: number;
  orderedAt: Date;
  items: { sku: string; name: string; quantity: number; unitPriceFen: number; amountFen: number }[];
}

export const MAX_ORDERS_PER_BATCH = 1000;
export const MAX_ITEMS_PER_ORDER = 500;
export const ORDER_CHANNELS: readonly OrderChannel[] = ['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other'];

const fen = z.number({ error: 'must be a number of fen' }).int('must be a whole number of fen').min(0).max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const OrderShape = z.object({
  orderNo: text(64),
  customer: z.unknown(),
  storeId: z.uuid('must be a store id (UUID)').optional(),
  storeCode: text(64).optional(),
  staffId: z.uuid('must be a staff id (UUID)').optional(),
  staffWecomUserId: text(64).optional(),
  channel: z.enum(['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other']),
  status: z.enum(['paid', 'refunded', 'partially_refunded']).optional(),
  totalFen: fen.optional(),
  discountFen: fen.optional(),
  paidFen: fen,
  refundedFen: fen.optional(),
  orderedAt: z.unknown(),
  items: z.array(z.object({
    sku: text(64),
    name: text(200),
    quantity: z.number().int().min(1),
    unitPriceFen: fen,
    amountFen: fen.optional(),
  })).max(MAX_ITEMS_PER_ORDER).default([]),
});

/** ISO-8601 with a zone (Z or an offset): a time without one would be read in the server's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const FUTURE_SLACK_MS = 86_400_000;

/** A point in time a sender may report, or why not: ISO-8601 with a zone, from 2000 to a day ahead. */
export function parseInstant(value: unknown, now: Date): Date | string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return 'must be an ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00+08:00';
  const ms = Date.parse(value);
  // Date.parse rolls 02-30 over to 03-02: the calendar date must exist. (Checked by arithmetic: this
  // runs for every event of every batch.)
  if (Number.isNaN(ms) || !isCalendarDay(Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10)))) return 'is not a valid time';
  if (ms < EARLIEST) return 'is before 2000';
  if (ms > now.getTime() + FUTURE_SLACK_MS) return 'is in the future';
  return new Date(ms);
}

/** Whether year-month-day names a day of the proleptic Gregorian calendar (month 1-12). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** The first negative amount (a number under a key ending in "Fen") in a value, as a path. */
export function findNegativeAmount(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 4 || typeof value !== 'object' || value === null) return undefined;
  const isArray = Array.isArray(value);
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v: unknown = (value as Record<string, unknown>)[key];
    // The path is built only on the way out of a find: most values hold no amount at all.
    if (typeof v === 'number') {
      if (v < 0 && key.endsWith('Fen')) return isArray ? `${path}[${key}]` : `${path}.${key}`;
      continue;
    }
    if (typeof v !== 'object' || v === null || depth >= 4) continue;
    const deeper = findNegativeAmount(v, '', depth + 1);
    if (deeper !== undefined) return (isArray ? `${path}[${key}]` : `${path}.${key}`) + deeper;
  }
  return undefined;
}

/** paid → refunded as the refunded total grows. */
export function statusFor(paidFen: number, refundedFen: number): OrderStatus {
  if (refundedFen <= 0) return 'paid';
  return refundedFen >= paidFen ? 'refunded' : 'partially_refunded';
}

export function zodMessage(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix}: is invalid`;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${prefix}${path}: ${issue.message}`;
}

/** Checks one order. `prefix` names it in messages (orders[3], properties ...). */
export function parseOrder(raw: unknown, index: number, now: Date, prefix = `orders[${index}]`): OrderDraft | { rejection: Rejection } {
  const reject = (code: string, message: string) => ({ rejection: { index, code, message } });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('invalid_order', `${prefix}: must be an object`);
  const negative = findNegativeAmount(raw, prefix);
  if (negative) return reject('negative_amount', `${negative}: must not be negative`);
  const shape = OrderShape.safeParse(raw);
  if (!shape.success) return reject('invalid_order', zodMessage(shape.error, prefix));
  const o = shape.data;
  const orderedAt = parseInstant(o.orderedAt, now);
  if (typeof orderedAt === 'string') return reject('invalid_timestamp', `${prefix}.orderedAt: ${orderedAt}`);
  const customer = parseRef(o.customer, `${prefix}.customer`);
  if ('error' in customer) return reject(customer.error.code, customer.error.message);

  let refundedFen = o.refundedFen;
  if (refundedFen === undefined) {
    if (o.status === 'partially_refunded') return reject('invalid_order', `${prefix}.refundedFen: is required when the status is partially_refunded`);
    refundedFen = o.status === 'refunded' ? o.paidFen : 0;
  }
  if (refundedFen > o.paidFen) return reject('invalid_order', `${prefix}.refundedFen: must not exceed paidFen (${o.paidFen})`);
  const status = statusFor(o.paidFen, refundedFen);
  if (o.status !== undefined && o.status !== status) {
    return reject('invalid_order', `${prefix}.status: ${o.status} does not match refundedFen ${refundedFen} of paidFen ${o.paidFen} (${status})`);
  }
  const items = o.items.map((it) => ({ ...it, amountFen: it.amountFen ?? it.quantity * it.unitPriceFen }));
  const discountFen = o.discountFen ?? 0;
  const draft: OrderDraft = {
    index,
    orderNo: o.orderNo,
    customer,
    channel: o.channel,
    status,
    totalFen: o.totalFen ?? o.paidFen + discountFen,
    discountFen,
    paidFen: o.paidFen,
    refundedFen,
    orderedAt,
    items,
  };
  if (o.storeId !== undefined) draft.storeId = o.storeId.toLowerCase();
  if (o.storeCode !== undefined) draft.storeCode = o.storeCode;
  if (o.staffId !== undefined) draft.staffId = o.staffId.toLowerCase();
  if (o.staffWecomUserId !== undefined) draft.staffWecomUserId = o.staffWecomUserId;
  return draft;
}

export type OrderAction =
  | { action: 'create' }
  | { action: 'refund'; orderId: string; customerId: string | null; refundedBefore: number }
  | { action: 'duplicate'; orderId: string }
  | { action: 'conflict'; message: string };

/**
 * What a re-sent order means, given the stored one. Refunds only grow: a larger refundedFen is a
 * refund; the same or a smaller one (a late or repeated message) changes nothing. A different
 * paidFen or orderedAt is another order under the same number: a conflict.
 */
export function classifyResend(
  draft: Pick<OrderDraft, 'orderNo' | 'paidFen' | 'refundedFen' | 'orderedAt'>,
  stored: { id: string; customerId: string | null; paidFen: number; refundedFen: number; orderedAt: Date },
): OrderAction {
  if (stored.paidFen !== draft.paidFen) {
    return { action: 'conflict', message: `order ${draft.orderNo} exists with paidFen ${stored.paidFen}, not ${draft.paidFen}` };
  }
  if (stored.orderedAt.getTime() !== draft.orderedAt.getTime()) {
    return { action: 'conflict', message: `order ${draft.orderNo} exists with orderedAt ${stored.orderedAt.toISOString()}` };
  }
  if (draft.refundedFen > stored.refundedFen) {
    return { action: 'refund', orderId: stored.id, customerId: stored.customerId, refundedBefore: stored.refundedFen };
  }
  return { action: 'duplicate', orderId: stored.id };
}
