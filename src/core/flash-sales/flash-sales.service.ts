// Flash sales (秒杀): a fixed stock of one SKU at a price, first come first served.
//
// Never oversold, nobody over the limit, no lost updates: a buy is one short transaction of
//   1. one conditional UPDATE of the sale: remaining = remaining - q WHERE remaining >= q,
//   2. the buyer's counter row: an upsert that only raises the count while it stays within the
//      limit (a refusal rolls the stock taken in 1 back),
//   3. the order, recorded through the orders path (aggregates and timeline stay right).
// The stock is taken before the order is written, so a buyer who finds it gone fails at once
// instead of writing an order only to roll it back; concurrent buyers queue on the sale row for
// the length of one order write. Any refusal rolls the whole buy back. A read before the
// transaction turns away the crowd that arrives after the stock is gone without taking a lock.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordOrders } from '../orders/record.service.ts';
import { PromotionRefusal } from '../promotions/promotions.errors.ts';

export interface FlashSaleInput {
  name: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  stock: number;
  perCustomerLimit?: number;
  storeId?: string | null;
  startsAt: string;
  endsAt: string;
}

export interface FlashSaleView {
  id: string;
  name: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  stock: number;
  remaining: number;
  perCustomerLimit: number;
  storeId: string | null;
  startsAt: string;
  endsAt: string;
  status: 'active' | 'cancelled';
  orders: number;
  buyers: number;
  createdAt: string;
}

interface SaleRow {
  id: string;
  name: string;
  sku: string;
  item_name: string;
  price_fen: number;
  original_price_fen: number;
  stock: number;
  remaining: number;
  per_customer_limit: number;
  store_id: string | null;
  starts_at: Date;
  ends_at: Date;
  status: 'active' | 'cancelled';
  created_at: Date;
}

async function sales(db: Db, tenantId: string, id: string | null): Promise<FlashSaleView[]> {
  const rows = await sql<SaleRow & { orders: number; buyers: number }>`
    select s.*, (select count(*)::int from flash_sale_orders o where o.tenant_id = s.tenant_id and o.sale_id = s.id) as orders,
                (select count(*)::int from flash_sale_buyers b where b.tenant_id = s.tenant_id and b.sale_id = s.id) as buyers
      from flash_sales s where s.tenant_id = ${tenantId} and (${id}::uuid is null or s.id = ${id}::uuid)
     order by s.starts_at desc, s.id desc`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id, name: r.name, sku: r.sku, itemName: r.item_name, priceFen: r.price_fen, originalPriceFen: r.original_price_fen, stock: r.stock, remaining: r.remaining,
    perCustomerLimit: r.per_customer_limit, storeId: r.store_id, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), status: r.status,
    orders: r.orders, buyers: r.buyers, createdAt: r.created_at.toISOString(),
  }));
}

export const listFlashSales = (db: Db, tenantId: string): Promise<FlashSaleView[]> => sales(db, tenantId, null);

export async function getFlashSale(db: Db, tenantId: string, id: string): Promise<FlashSaleView> {
  const [s] = await sales(db, tenantId, id);
  if (!s) throw notFound('flash sale');
  return s;
}

export async function createFlashSale(db: Db, tenantId: string, input: FlashSaleInput, actor: string): Promise<FlashSaleView> {
  const details = [];
  if (Date.parse(input.startsAt) >= Date.parse(input.endsAt)) details.push({ path: 'body.endsAt', message: 'must be after startsAt', code: 'ends_before_start' });
  if (input.priceFen > input.originalPriceFen) details.push({ path: 'body.priceFen', message: 'must not exceed originalPriceFen', code: 'price_above_original', params: { originalPriceFen: input.originalPriceFen } });
  if (input.storeId) {
    const store = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst();
    if (!store) details.push({ path: 'body.storeId', message: `no store ${input.storeId}`, code: 'unknown_store' });
  }
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
  const id = newId();
  await db.insertInto('flash_sales').values({
    tenant_id: tenantId, id, name: input.name, sku: input.sku, item_name: input.itemName, price_fen: input.priceFen, original_price_fen: input.originalPriceFen,
    stock: input.stock, remaining: input.stock, per_customer_limit: input.perCustomerLimit ?? 1, store_id: input.storeId ?? null,
    starts_at: input.startsAt, ends_at: input.endsAt, created_by: actor,
  }).execute();
  return getFlashSale(db, tenantId, id);
}

export async function cancelFlashSale(db: Db, tenantId: string, id: string): Promise<FlashSaleView> {
  const r = await db.updateTable('flash_sales').set({ status: 'cancelled' }).where('tenant_id', '=', tenantId).where('id', '=', id).returning('id').executeTakeFirst();
  if (!r) throw notFound('flash sale');
  return getFlashSale(db, tenantId, id);
}

export interface FlashSaleOrder {
  orderId: string;
  orderNo: string;
  saleId: string;
  customerId: string;
  sku: string;
  quantity: number;
  unitPriceFen: number;
  paidFen: number;
  remaining: number;
  orderedAt: string;
}

function refusalFor(sale: SaleRow, quantity: number, now: Date): PromotionRefusal | null {
  if (sale.status === 'cancelled') return new PromotionRefusal('sale_cancelled', `flash sale ${sale.name} was cancelled`);
  if (now < sale.starts_at) return new PromotionRefusal('not_started', `flash sale ${sale.name} starts at ${sale.starts_at.toISOString()}`);
  if (now >= sale.ends_at) return new PromotionRefusal('ended', `flash sale ${sale.name} ended at ${sale.ends_at.toISOString()}`);
  if (quantity > sale.per_customer_limit) return new PromotionRefusal('limit_reached', `at most ${sale.per_customer_limit} per customer`, 'body.quantity');
  if (sale.remaining < quantity) return new PromotionRefusal('sold_out', sale.remaining === 0 ? `flash sale ${sale.name} is sold out` : `only ${sale.remaining} left`);
  return null;
}

export async function buyFlashSale(db: Db, tenantId: string, saleId: string, input: { customerId: string; quantity: number }, options: { actor: string; now?: Date }): Promise<FlashSaleOrder> {
  const now = options.now ?? new Date();
  const { customerId, quantity } = input;
  const sale = (await sql<SaleRow>`select * from flash_sales where tenant_id = ${tenantId} and id = ${saleId}`.execute(db)).rows[0];
  if (!sale) throw notFound('flash sale');
  const early = refusalFor(sale, quantity, now);
  if (early) throw early;
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', customerId).executeTakeFirst();
  if (!customer) throw invalid('body.customer', `no customer ${customerId}`, { code: 'unknown_customer', params: {} });

  return inTransaction(db, async (trx) => {
    const taken = (await sql<{ remaining: number }>`
      update flash_sales set remaining = remaining - ${quantity}
       where tenant_id = ${tenantId} and id = ${saleId} and status = 'active' and remaining >= ${quantity} and starts_at <= ${now} and ends_at > ${now}
      returning remaining`.execute(trx)).rows[0];
    if (!taken) throw new PromotionRefusal('sold_out', `flash sale ${sale.name} is sold out`);

    const counted = await sql<{ quantity: number }>`
      insert into flash_sale_buyers as b (tenant_id, sale_id, customer_id, quantity) values (${tenantId}, ${saleId}, ${customerId}, ${quantity})
      on conflict (tenant_id, sale_id, customer_id) do update set quantity = b.quantity + excluded.quantity
       where b.quantity + excluded.quantity <= ${sale.per_customer_limit}
      returning quantity`.execute(trx);
    if (counted.rows.length === 0) throw new PromotionRefusal('limit_reached', `at most ${sale.per_customer_limit} per customer; already bought`, 'body.quantity');

    const orderNo = `FS${newId().replace(/-/g, '').toUpperCase()}`;
    const recorded = await recordOrders(trx, tenantId, [{
      orderNo, customer: { customerId }, channel: 'miniprogram', ...(sale.store_id ? { storeId: sale.store_id } : {}),
      totalFen: sale.original_price_fen * quantity, discountFen: (sale.original_price_fen - sale.price_fen) * quantity, paidFen: sale.price_fen * quantity,
      orderedAt: now.toISOString(),
      items: [{ sku: sale.sku, name: sale.item_name, quantity, unitPriceFen: sale.price_fen, amountFen: sale.price_fen * quantity }],
    }], { source: 'flash_sale', actor: options.actor });
    const rejected = recorded.rejected[0];
    if (rejected || recorded.created !== 1) throw new YuchiError('invalid', `order not recorded: ${rejected?.message ?? 'duplicate order number'}`);
    const order = (await sql<{ id: string }>`select id from orders where tenant_id = ${tenantId} and order_no = ${orderNo}`.execute(trx)).rows[0];
    if (!order) throw new Error('recorded order not found');

    await sql`insert into flash_sale_orders (tenant_id, sale_id, order_id, customer_id, quantity) values (${tenantId}, ${saleId}, ${order.id}, ${customerId}, ${quantity})`.execute(trx);
    return {
      orderId: order.id, orderNo, saleId, customerId, sku: sale.sku, quantity, unitPriceFen: sale.price_fen, paidFen: sale.price_fen * quantity,
      remaining: taken.remaining, orderedAt: now.toISOString(),
    };
  });
}
