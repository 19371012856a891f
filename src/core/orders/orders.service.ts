// Reading orders with their lines. Guides see the orders of their own customers only.
import type { Db } from '../../db/connect.ts';
import type { OrderChannel, OrderStatus } from '../../db/schema.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { notFound } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { offsetOf, type Page, type PageRequest } from '../paging.ts';

export interface OrderLine {
  lineNo: number;
  sku: string;
  name: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

export interface OrderView {
  id: string;
  orderNo: string;
  customer: { id: string; name: string } | null;
  store: { id: string; name: string } | null;
  staff: { id: string; name: string } | null;
  channel: OrderChannel;
  status: OrderStatus;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  refundedFen: number;
  orderedAt: string;
  items: OrderLine[];
}

export interface OrderFilter {
  customerId?: string | undefined;
  storeId?: string | undefined;
  channel?: OrderChannel | undefined;
  status?: OrderStatus | undefined;
  /** The order number exactly as the till or the shop printed it. */
  orderNo?: string | undefined;
  /** [from, to): the API turns inclusive dates in the tenant's zone into these instants. */
  from?: Date | undefined;
  to?: Date | undefined;
}

function scoped(db: Db, actor: Actor, filter: OrderFilter) {
  let q = db
    .selectFrom('orders as o')
    .leftJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'o.tenant_id').onRef('c.id', '=', 'o.customer_id'))
    .where('o.tenant_id', '=', actor.tenantId);
  const guide = ownCustomersOnly(actor);
  if (guide) q = q.where('c.guide_id', '=', guide);
  if (filter.customerId) q = q.where('o.customer_id', '=', filter.customerId);
  if (filter.storeId) q = q.where('o.store_id', '=', filter.storeId);
  if (filter.channel) q = q.where('o.channel', '=', filter.channel);
  if (filter.status) q = q.where('o.status', '=', filter.status);
  if (filter.orderNo) q = q.where('o.order_no', '=', filter.orderNo);
  if (filter.from) q = q.where('o.ordered_at', '>=', filter.from);
  if (filter.to) q = q.where('o.ordered_at', '<', filter.to);
  return q;
}

function withColumns(q: ReturnType<typeof scoped>) {
  return q
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'o.tenant_id').onRef('s.id', '=', 'o.store_id'))
    .leftJoin('staff as st', (j) => j.onRef('st.tenant_id', '=', 'o.tenant_id').onRef('st.id', '=', 'o.staff_id'))
    .select([
      'o.id', 'o.order_no', 'o.customer_id', 'c.name as customer_name', 'o.store_id', 's.name as store_name', 'o.staff_id', 'st.name as staff_name',
      'o.channel', 'o.status', 'o.total_fen', 'o.discount_fen', 'o.paid_fen', 'o.refunded_fen', 'o.ordered_at',
    ]);
}

type OrderRow = Awaited<ReturnType<ReturnType<typeof withColumns>['executeTakeFirstOrThrow']>>;

const ref = (id: string | null, name: string | null): { id: string; name: string } | null => (id && name !== null ? { id, name } : null);

async function withLines(db: Db, tenantId: string, rows: OrderRow[]): Promise<OrderView[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .selectFrom('order_items')
    .select(['order_id', 'line_no', 'sku', 'name', 'quantity', 'unit_price_fen', 'amount_fen'])
    .where('tenant_id', '=', tenantId)
    .where('order_id', 'in', rows.map((r) => r.id))
    .orderBy('order_id')
    .orderBy('line_no')
    .execute();
  const byOrder = new Map<string, OrderLine[]>();
  for (const l of lines) {
    const list = byOrder.get(l.order_id) ?? [];
    list.push({ lineNo: l.line_no, sku: l.sku, name: l.name, quantity: l.quantity, unitPriceFen: l.unit_price_fen, amountFen: l.amount_fen });
    byOrder.set(l.order_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    orderNo: r.order_no,
    customer: ref(r.customer_id, r.customer_name),
    store: ref(r.store_id, r.store_name),
    staff: ref(r.staff_id, r.staff_name),
    channel: r.channel,
    status: r.status,
    totalFen: r.total_fen,
    discountFen: r.discount_fen,
    paidFen: r.paid_fen,
    refundedFen: r.refunded_fen,
    orderedAt: r.ordered_at.toISOString(),
    items: byOrder.get(r.id) ?? [],
  }));
}

export async function listOrders(db: Db, actor: Actor, filter: OrderFilter, paging: PageRequest): Promise<Page<OrderView>> {
  const [rows, count] = await Promise.all([
    withColumns(scoped(db, actor, filter)).orderBy('o.ordered_at', 'desc').orderBy('o.id', 'desc').limit(paging.pageSize).offset(offsetOf(paging)).execute(),
    scoped(db, actor, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await withLines(db, actor.tenantId, rows), page: paging.page, pageSize: paging.pageSize, total: Number(count.n) };
}

export async function getOrder(db: Db, actor: Actor, id: string): Promise<OrderView> {
  if (!UUID_PATTERN.test(id)) throw notFound('order');
  const row = await withColumns(scoped(db, actor, {})).where('o.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('order');
  const [view] = await withLines(db, actor.tenantId, [row]);
  if (!view) throw notFound('order');
  return view;
}
