// An orders file has one row per order line; the consecutive rows of one order_no make one order.
// The first row carries the order (time, customer, amounts); later rows may repeat those cells
// or leave them empty, but not contradict them. One bad row keeps its whole order out.
import type { OrderChannel, OrderStatus } from '../../db/schema.ts';
import type { ColumnMap, Field, IdentityValues, OrderLineRow, RowError } from './import.rules.ts';
import { because, type Reason } from './reasons.rules.ts';

/** A row as read: the parsed line, or null when it was refused (its errors are reported already). */
export interface OrderLineEntry {
  line: number;
  orderNo: string;
  row: OrderLineRow | null;
}

export interface ImportedOrder {
  orderNo: string;
  /** The file lines the order came from, first line first. */
  lines: number[];
  customer: IdentityValues;
  orderedAt: Date;
  storeId?: string;
  staffId?: string;
  channel: OrderChannel;
  status: OrderStatus;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  refundedFen: number;
  items: { sku: string; name: string; quantity: number; unitPriceFen: number; amountFen: number }[];
}

type OrderCells = OrderLineRow['order'];
const ORDER_CELLS: [keyof OrderCells, Field][] = [
  ['orderedAt', 'ordered_at'], ['storeId', 'store_code'], ['staffId', 'guide_wecom_userid'], ['channel', 'channel'], ['status', 'status'],
  ['totalFen', 'total'], ['discountFen', 'discount'], ['paidFen', 'paid'], ['refundedFen', 'refunded'],
];
const CUSTOMER_CELLS: [keyof IdentityValues, Field][] = [['phone', 'phone'], ['memberNo', 'member_no'], ['externalUserId', 'external_userid'], ['customerId', 'customer_id']];

const same = (a: unknown, b: unknown): boolean => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * Groups consecutive lines of one order_no into orders. The caller cuts batches only between
 * orders, so an order_no seen again after another order is a mistake in the file.
 */
export function assembleOrders(entries: OrderLineEntry[], map: ColumnMap): { orders: ImportedOrder[]; errors: RowError[] } {
  const orders: ImportedOrder[] = [];
  const errors: RowError[] = [];
  const column = (f: Field): string => map.header[f] ?? f;
  const seen = new Map<string, number>();
  let i = 0;
  while (i < entries.length) {
    const first = entries[i];
    if (!first) break;
    let end = i + 1;
    while (first.orderNo !== '' && entries[end]?.orderNo === first.orderNo) end++;
    const group = entries.slice(i, end);
    i = end;
    const earlier = seen.get(first.orderNo);
    if (earlier !== undefined) {
      for (const e of group) errors.push({ line: e.line, column: column('order_no'), ...because('order_lines_apart', { order: first.orderNo, line: earlier }) });
      continue;
    }
    if (first.orderNo !== '') seen.set(first.orderNo, first.line);
    const groupErrors = assembleOne(group, column);
    if ('errors' in groupErrors) {
      errors.push(...groupErrors.errors);
      continue;
    }
    orders.push(groupErrors.order);
  }
  return { orders, errors };
}

function assembleOne(group: OrderLineEntry[], column: (f: Field) => string): { order: ImportedOrder } | { errors: RowError[] } {
  const [head] = group;
  if (!head) return { errors: [] };
  const refused = group.find((e) => e.row === null);
  const rows = group.flatMap((e) => (e.row ? [e.row] : []));
  const errors: RowError[] = [];
  const base = rows[0];
  // Order-level cells: the first line that gives one sets it; any other value contradicts.
  const order: OrderCells = { customer: {} };
  for (const row of rows) {
    for (const [key, field] of ORDER_CELLS) {
      const value = row.order[key];
      if (value === undefined) continue;
      const held = order[key];
      if (held === undefined) Object.assign(order, { [key]: value });
      else if (!same(held, value)) errors.push({ line: row.line, column: column(field), ...because('differs_from_line', { line: head.line, order: head.orderNo }) });
    }
    for (const [key, field] of CUSTOMER_CELLS) {
      const value = row.order.customer[key];
      if (value === undefined) continue;
      const held = order.customer[key];
      if (held === undefined) order.customer[key] = value;
      else if (held !== value) errors.push({ line: row.line, column: column(field), ...because('differs_from_line', { line: head.line, order: head.orderNo }) });
    }
  }
  if (base && errors.length === 0 && !refused) {
    if (order.orderedAt === undefined) errors.push({ line: base.line, column: column('ordered_at'), ...because('empty') });
    if (Object.keys(order.customer).length === 0) errors.push({ line: base.line, column: column('phone'), ...because('no_customer') });
    if (order.totalFen === undefined && order.paidFen === undefined) errors.push({ line: base.line, column: column('paid'), ...because('no_amount') });
  }
  if (refused || errors.length > 0 || !base || order.orderedAt === undefined) {
    const bad = refused?.line ?? errors[0]?.line ?? head.line;
    const others = group.filter((e) => e.row !== null && !errors.some((x) => x.line === e.line));
    return { errors: [...errors, ...others.map((e) => ({ line: e.line, column: column('order_no'), ...because('order_has_errors', { order: head.orderNo, line: bad }) }))] };
  }
  const amounts = settleAmounts(order, base.line, column);
  if ('errors' in amounts) {
    const others = group.filter((e) => e.line !== base.line);
    return { errors: [...amounts.errors, ...others.map((e) => ({ line: e.line, column: column('order_no'), ...because('order_has_errors', { order: head.orderNo, line: base.line }) }))] };
  }
  const imported: ImportedOrder = {
    orderNo: head.orderNo,
    lines: group.map((e) => e.line),
    customer: order.customer,
    orderedAt: order.orderedAt,
    channel: order.channel ?? 'other',
    ...amounts,
    items: rows.flatMap((r) => (r.item ? [{ ...r.item, amountFen: r.item.quantity * r.item.unitPriceFen }] : [])),
  };
  if (order.storeId !== undefined) imported.storeId = order.storeId;
  if (order.staffId !== undefined) imported.staffId = order.staffId;
  return { order: imported };
}

type Amounts = Pick<ImportedOrder, 'status' | 'totalFen' | 'discountFen' | 'paidFen' | 'refundedFen'>;

/**
 * Fills the amounts a file may leave out (total = paid + discount, paid = total − discount,
 * refunded from the status) and refuses amounts that cannot all be true.
 */
export function settleAmounts(cells: OrderCells, line: number, column: (f: Field) => string): Amounts | { errors: RowError[] } {
  const discountFen = cells.discountFen ?? (cells.totalFen !== undefined && cells.paidFen !== undefined ? Math.max(0, cells.totalFen - cells.paidFen) : 0);
  const totalFen = cells.totalFen ?? (cells.paidFen ?? 0) + discountFen;
  const paidFen = cells.paidFen ?? Math.max(0, totalFen - discountFen);
  const errors: RowError[] = [];
  const refuse = (f: Field, reason: Reason): void => void errors.push({ line, column: column(f), ...reason });
  if (paidFen > totalFen) refuse('paid', because('over_total'));
  if (discountFen > totalFen) refuse('discount', because('over_total'));
  let refundedFen = cells.refundedFen;
  let status = cells.status;
  if (status === 'refunded' && refundedFen === undefined) refundedFen = paidFen;
  refundedFen ??= 0;
  if (refundedFen > paidFen) refuse('refunded', because('refund_over_paid'));
  if (status === undefined) status = refundedFen === 0 ? 'paid' : refundedFen === paidFen ? 'refunded' : 'partially_refunded';
  else if (status === 'paid' && refundedFen > 0) refuse('status', because('paid_but_refunded'));
  else if (status === 'partially_refunded' && (refundedFen === 0 || refundedFen === paidFen)) refuse('refunded', because('partial_refund_range'));
  else if (status === 'refunded' && refundedFen !== paidFen) refuse('refunded', because('refund_not_full'));
  return errors.length > 0 ? { errors } : { status, totalFen, discountFen, paidFen, refundedFen };
}
