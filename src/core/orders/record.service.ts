// Recording orders from POS, mini-program, e-commerce and group-buy systems: idempotent by order
// number, refunds by re-sending the order with a larger refundedFen, aggregates kept right in the
// same transaction, and order_paid / order_refunded on the customer's timeline.
//
// Two phases, so that ingestion can reject an order event before writing anything for it:
// prepareOrders (look-ups, classification, rejections; no writes) and writeOrders.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import { newId } from '../ids.ts';
import { afterCustomersChanged } from '../ingest/ingest.hooks.ts';
import { membershipAfterOrders } from '../membership/orders-hook.service.ts';
import { lockCustomers, resolveParsedRefs } from '../ingest/identity.service.ts';
import { inTransaction } from '../../db/transaction.ts';
import { findStaff, findStores } from '../ingest/references.service.ts';
import { addOrdersToAggregates, recomputeAggregates } from './order-aggregates.service.ts';
import { classifyResend, parseOrder, statusFor, type OrderAction, type OrderDraft, type OrderInput, type Rejection } from './record.rules.ts';

export type { OrderInput } from './record.rules.ts';

export interface PreparedOrder {
  draft: OrderDraft;
  /** The id a created order gets; the stored id otherwise. */
  orderId: string;
  storeId: string | null;
  staffId: string | null;
  action: Exclude<OrderAction, { action: 'conflict' }>;
}

export interface OrderWriteResult {
  created: number;
  updated: number;
  duplicates: number;
  customerIds: string[];
}

/** Looks up stores, staff and stored orders; decides what each order is. Writes nothing. */
export async function prepareOrders(db: Db, tenantId: string, drafts: OrderDraft[]): Promise<{ prepared: PreparedOrder[]; rejected: Rejection[] }> {
  if (drafts.length === 0) return { prepared: [], rejected: [] };
  const defined = (xs: (string | undefined)[]): string[] => xs.filter((x): x is string => x !== undefined);
  const [stores, staff, stored] = await Promise.all([
    findStores(db, tenantId, defined(drafts.map((d) => d.storeId)), defined(drafts.map((d) => d.storeCode))),
    findStaff(db, tenantId, defined(drafts.map((d) => d.staffId)), defined(drafts.map((d) => d.staffWecomUserId))),
    sql<{ id: string; order_no: string; customer_id: string | null; paid_fen: number; refunded_fen: number; ordered_at: Date }>`${PREPARED}
      select id, order_no, customer_id, paid_fen, refunded_fen, ordered_at from orders
       where tenant_id = ${tenantId} and order_no = any(${[...new Set(drafts.map((d) => d.orderNo))]}::text[])`.execute(db),
  ]);
  const state = new Map(stored.rows.map((r) => [r.order_no, { id: r.id, customerId: r.customer_id, paidFen: r.paid_fen, refundedFen: r.refunded_fen, orderedAt: r.ordered_at }]));
  const prepared: PreparedOrder[] = [];
  const rejected: Rejection[] = [];
  for (const draft of drafts) {
    const reject = (code: string, message: string): void => {
      rejected.push({ index: draft.index, code, message });
    };
    let storeId: string | null = null;
    if (draft.storeId !== undefined || draft.storeCode !== undefined) {
      storeId = stores.find(draft) ?? null;
      if (storeId === null) {
        reject('unknown_store', `orderNo ${draft.orderNo}: no store ${draft.storeId ?? draft.storeCode ?? ''}`);
        continue;
      }
    }
    let staffId: string | null = null;
    if (draft.staffId !== undefined || draft.staffWecomUserId !== undefined) {
      const member = staff.find(draft);
      if (!member) {
        reject('unknown_staff', `orderNo ${draft.orderNo}: no staff member ${draft.staffId ?? draft.staffWecomUserId ?? ''}`);
        continue;
      }
      staffId = member.id;
      storeId ??= member.storeId;
    }
    const before = state.get(draft.orderNo);
    if (!before) {
      const orderId = newId();
      prepared.push({ draft, orderId, storeId, staffId, action: { action: 'create' } });
      state.set(draft.orderNo, { id: orderId, customerId: null, paidFen: draft.paidFen, refundedFen: draft.refundedFen, orderedAt: draft.orderedAt });
      continue;
    }
    const action = classifyResend(draft, before);
    if (action.action === 'conflict') {
      reject('order_conflict', action.message);
      continue;
    }
    if (action.action === 'refund') before.refundedFen = draft.refundedFen;
    prepared.push({ draft, orderId: before.id, storeId, staffId, action });
  }
  return { prepared, rejected };
}

/** A prepared order and the resolved buyer of a created one. */
export interface OrderToWrite {
  prepared: PreparedOrder;
  customerId: string | null;
}

/** Orders created by writeOrders' first step: inserted (not stored before or meanwhile), with their items. */
export interface InsertedOrders {
  rows: OrderToWrite[];
  /** Created orders another writer had stored first. */
  duplicates: number;
}

/**
 * writeOrders' first step, which needs no lock on the buyers: inserts the created orders and their
 * items. A caller may run it before it locks the buyers and hand its result to writeOrders.
 */
export async function insertCreatedOrders(db: Db, tenantId: string, orders: OrderToWrite[]): Promise<InsertedOrders> {
  const creates = orders.filter((o) => o.prepared.action.action === 'create');
  const inserted = await insertOrders(db, tenantId, creates);
  const rows = creates.filter((o) => inserted.has(o.prepared.orderId));
  if (rows.length > 0) await insertItems(db, tenantId, rows.map((o) => o.prepared));
  return { rows, duplicates: creates.length - rows.length };
}

/**
 * Writes prepared orders. `customerId` is the resolved buyer of a created order (ignored for
 * refunds: the stored order keeps its customer). With `timeline`, order_paid / order_refunded events are
 * recorded (ingestion passes false: the sender's own event is the timeline entry).
 * `buyersLocked` says the caller holds the buyers' profile locks already (lockForWrites took them);
 * `inserted`, that it has run insertCreatedOrders for these orders.
 */
export async function writeOrders(
  db: Db,
  tenantId: string,
  orders: OrderToWrite[],
  options: { source: string; actor?: string; timeline: boolean; at?: Date; buyersLocked?: boolean; inserted?: InsertedOrders },
): Promise<OrderWriteResult> {
  const refunds = orders.filter((o) => o.prepared.action.action === 'refund');
  const { rows: createdRows, duplicates: lost } = options.inserted ?? await insertCreatedOrders(db, tenantId, orders);
  let duplicates = orders.filter((o) => o.prepared.action.action === 'duplicate').length + lost;
  const customerIds = new Set<string>();
  for (const o of createdRows) if (o.customerId) customerIds.add(o.customerId);
  if (createdRows.length > 0) {
    // The delta's "first order that day?" check must see every committed order of these customers:
    // a lock taken in a statement before it (buyersLocked: the caller's) does.
    if (!options.buyersLocked) await lockCustomers(db, tenantId, [...customerIds]);
    await addOrdersToAggregates(db, tenantId, createdRows.map((o) => o.prepared.orderId), [...customerIds]);
  }

  let updated = 0;
  const refundedRows: { id: string; customerId: string | null; refundedFen: number; before: number }[] = [];
  if (refunds.length > 0) {
    // Several refunds of one order in a batch: the largest total wins.
    const latest = new Map<string, number>();
    for (const o of refunds) latest.set(o.prepared.orderId, Math.max(latest.get(o.prepared.orderId) ?? 0, o.prepared.draft.refundedFen));
    const ids = [...latest.keys()];
    const result = await sql<{ id: string; customer_id: string | null; refunded_fen: number; before: number }>`${PREPARED}
      with prev as (
        select o.id, o.refunded_fen from orders o
         where o.tenant_id = ${tenantId} and o.id = any(${ids}::uuid[]) for update
      )
      update orders o
         set refunded_fen = u.refunded, status = case when u.refunded >= o.paid_fen then 'refunded' when u.refunded > 0 then 'partially_refunded' else 'paid' end
        from unnest(${ids}::uuid[], ${ids.map((id) => latest.get(id) ?? 0)}::bigint[]) as u(id, refunded), prev
       where o.tenant_id = ${tenantId} and o.id = u.id and prev.id = u.id and o.refunded_fen < u.refunded
      returning o.id, o.customer_id, o.refunded_fen, prev.refunded_fen as before`.execute(db);
    const changed = new Set(result.rows.map((r) => r.id));
    for (const o of refunds) {
      if (changed.has(o.prepared.orderId)) updated += 1;
      else duplicates += 1;
    }
    for (const r of result.rows) refundedRows.push({ id: r.id, customerId: r.customer_id, refundedFen: r.refunded_fen, before: r.before });
    const affected = [...new Set(result.rows.flatMap((r) => (r.customer_id ? [r.customer_id] : [])))];
    await lockCustomers(db, tenantId, affected);
    await recomputeAggregates(db, tenantId, affected);
    for (const id of affected) customerIds.add(id);
  }

  // Points earned and taken back, tiers re-evaluated (core/membership): one settings read when unused.
  await membershipAfterOrders(db, tenantId, createdRows.map(({ prepared: p, customerId }) => ({
    orderId: p.orderId, customerId, paidFen: p.draft.paidFen, refundedFen: p.draft.refundedFen, channel: p.draft.channel, storeId: p.storeId, orderedAt: p.draft.orderedAt, items: p.draft.items,
  })), refundedRows.map((r) => ({ orderId: r.id, customerId: r.customerId })));

  if (options.timeline) await recordOnTimeline(db, tenantId, orders.map((o) => o.prepared), createdRows, refundedRows, options);
  return { created: createdRows.length, updated, duplicates, customerIds: [...customerIds] };
}

/** Idempotent by orderNo; keeps customer aggregates right incrementally; writes order_paid / order_refunded
 *  events on the timeline. */
export async function recordOrders(db: Db, tenantId: string, orders: OrderInput[], options: { source: string; actor?: string }): Promise<{ created: number; updated: number; duplicates: number; rejected: Rejection[]; customerIds: string[] }> {
  return recordOrderBatch(db, tenantId, orders, options);
}

/** recordOrders for input not yet known to be orders (an API body, a CSV row). */
export async function recordOrderBatch(db: Db, tenantId: string, orders: unknown[], options: { source: string; actor?: string }): Promise<{ created: number; updated: number; duplicates: number; rejected: Rejection[]; customerIds: string[] }> {
  const now = new Date();
  const drafts: OrderDraft[] = [];
  const invalid: Rejection[] = [];
  orders.forEach((raw, index) => {
    const parsed = parseOrder(raw, index, now);
    if ('rejection' in parsed) invalid.push(parsed.rejection);
    else drafts.push(parsed);
  });
  return inTransaction(db, async (trx) => {
    const { prepared, rejected } = await prepareOrders(trx, tenantId, drafts);
    const creates = prepared.filter((p) => p.action.action === 'create');
    const resolved = await resolveParsedRefs(trx, tenantId, creates.map((p) => p.draft.customer), { create: true, source: options.source });
    const buyerOf = new Map<string, string>();
    creates.forEach((p, i) => {
      const r = resolved.results[i];
      if (r && 'error' in r) rejected.push({ index: p.draft.index, code: r.error.code, message: `orders[${p.draft.index}].${r.error.message}` });
      else if (r) buyerOf.set(p.orderId, r.customerId);
    });
    const writable = prepared.filter((p) => p.action.action !== 'create' || buyerOf.has(p.orderId));
    const result = await writeOrders(trx, tenantId, writable.map((p) => ({ prepared: p, customerId: buyerOf.get(p.orderId) ?? null })), { ...options, timeline: true });
    if (result.customerIds.length > 0 || resolved.newIdentities.length > 0) {
      await afterCustomersChanged(trx, tenantId, { customerIds: result.customerIds, newIdentities: resolved.newIdentities });
    }
    return { ...result, rejected: [...invalid, ...rejected].sort((a, b) => a.index - b.index) };
  });
}

async function insertOrders(db: Db, tenantId: string, creates: OrderToWrite[]): Promise<Set<string>> {
  if (creates.length === 0) return new Set();
  const col = <T>(f: (p: PreparedOrder, customerId: string | null) => T): T[] => creates.map((o) => f(o.prepared, o.customerId));
  const result = await sql<{ id: string }>`${PREPARED}
    insert into orders (tenant_id, id, order_no, customer_id, store_id, staff_id, channel, status, total_fen, discount_fen, paid_fen, refunded_fen, ordered_at)
    select ${tenantId}, x.* from unnest(
      ${col((p) => p.orderId)}::uuid[], ${col((p) => p.draft.orderNo)}::text[], ${col((_, c) => c)}::uuid[],
      ${col((p) => p.storeId)}::uuid[], ${col((p) => p.staffId)}::uuid[], ${col((p) => p.draft.channel)}::text[],
      ${col((p) => statusFor(p.draft.paidFen, p.draft.refundedFen))}::text[], ${col((p) => p.draft.totalFen)}::bigint[],
      ${col((p) => p.draft.discountFen)}::bigint[], ${col((p) => p.draft.paidFen)}::bigint[], ${col((p) => p.draft.refundedFen)}::bigint[],
      ${col((p) => p.draft.orderedAt)}::timestamptz[]) as x
    on conflict (tenant_id, order_no) do nothing
    returning id`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

async function insertItems(db: Db, tenantId: string, orders: PreparedOrder[]): Promise<void> {
  const lines = orders.flatMap((p) => p.draft.items.map((it, i) => ({ orderId: p.orderId, lineNo: i + 1, ...it })));
  if (lines.length === 0) return;
  const col = <K extends keyof (typeof lines)[number]>(k: K) => lines.map((l) => l[k]);
  await sql`${PREPARED}
    insert into order_items (tenant_id, order_id, line_no, sku, name, quantity, unit_price_fen, amount_fen)
    select ${tenantId}, x.* from unnest(${col('orderId')}::uuid[], ${col('lineNo')}::int2[], ${col('sku')}::text[], ${col('name')}::text[],
                                       ${col('quantity')}::int[], ${col('unitPriceFen')}::bigint[], ${col('amountFen')}::bigint[]) as x`.execute(db);
}

async function recordOnTimeline(
  db: Db,
  tenantId: string,
  all: PreparedOrder[],
  created: OrderToWrite[],
  refunded: { id: string; customerId: string | null; refundedFen: number; before: number }[],
  options: { source: string; actor?: string; at?: Date },
): Promise<void> {
  const rows: { key: string; type: string; customerId: string | null; at: Date; properties: string }[] = [];
  for (const { prepared: p, customerId } of created) {
    const d = p.draft;
    const base = { orderId: p.orderId, orderNo: d.orderNo, channel: d.channel, storeId: p.storeId, totalFen: d.totalFen, paidFen: d.paidFen };
    rows.push({ key: `yuchi:order_paid:${p.orderId}`, type: 'order_paid', customerId, at: d.orderedAt, properties: JSON.stringify({ ...base, itemCount: d.items.length }) });
    if (d.refundedFen > 0) {
      rows.push({ key: `yuchi:order_refunded:${p.orderId}:${d.refundedFen}`, type: 'order_refunded', customerId, at: d.orderedAt, properties: JSON.stringify({ ...base, refundedFen: d.refundedFen, refundFen: d.refundedFen }) });
    }
  }
  const info = new Map(all.map((p) => [p.orderId, p.draft]));
  const at = options.at ?? new Date();
  for (const r of refunded) {
    const d = info.get(r.id);
    rows.push({ key: `yuchi:order_refunded:${r.id}:${r.refundedFen}`, type: 'order_refunded', customerId: r.customerId, at, properties: JSON.stringify({ orderId: r.id, orderNo: d?.orderNo, refundedFen: r.refundedFen, refundFen: r.refundedFen - r.before }) });
  }
  if (rows.length === 0) return;
  await sql`${PREPARED}
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
    select ${tenantId}, x.id, x.key, x.type, x.customer_id, x.at, ${options.source}, ${options.actor ?? null}, x.properties
      from unnest(${rows.map(() => newId())}::uuid[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.type)}::text[],
                  ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.at)}::timestamptz[], ${rows.map((r) => r.properties)}::jsonb[])
           as x(id, key, type, customer_id, at, properties)
    on conflict (tenant_id, event_key) do nothing`.execute(db);
}
