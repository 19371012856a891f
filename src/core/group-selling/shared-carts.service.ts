// 拼单 (Tim Hortons): friends put their own items into one shared cart; the initiator pays, and
// one order is recorded with each line remembered against the participant who added it.
// Checkout flips the cart to paid under its row lock, so items added concurrently either make it
// into the order or are refused — never left behind in a paid cart.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordOrders } from '../orders/record.service.ts';
import { GroupSellingRefusal } from './group-selling.errors.ts';

export interface SharedCartLine {
  id: string;
  customerId: string;
  name: string;
  sku: string;
  itemName: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  lineNo: number | null;
}

export interface SharedCartView {
  id: string;
  shareToken: string;
  initiatorCustomerId: string;
  storeId: string | null;
  status: 'open' | 'paid' | 'cancelled';
  orderNo: string | null;
  totalFen: number;
  lines: SharedCartLine[];
  createdAt: string;
  paidAt: string | null;
}

export async function getSharedCart(db: Db, tenantId: string, ref: { id: string } | { token: string }): Promise<SharedCartView> {
  const id = 'id' in ref ? ref.id : null;
  const token = 'token' in ref ? ref.token : null;
  const cart = (await sql<{ id: string; share_token: string; initiator_customer_id: string; store_id: string | null; status: 'open' | 'paid' | 'cancelled'; order_no: string | null; created_at: Date; paid_at: Date | null }>`
    select id, share_token, initiator_customer_id, store_id, status, order_no, created_at, paid_at from shared_carts
     where tenant_id = ${tenantId} and (${id}::uuid is null or id = ${id}::uuid) and (${token}::text is null or share_token = ${token})`.execute(db)).rows[0];
  if (!cart) throw notFound('shared cart');
  const lines = await sql<{ id: string; customer_id: string; name: string; sku: string; item_name: string; quantity: number; unit_price_fen: number; line_no: number | null }>`
    select i.id, i.customer_id, c.name, i.sku, i.name as item_name, i.quantity, i.unit_price_fen, i.line_no
      from shared_cart_items i join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id
     where i.tenant_id = ${tenantId} and i.cart_id = ${cart.id} order by i.added_at, i.id`.execute(db);
  const mapped = lines.rows.map((l) => ({
    id: l.id, customerId: l.customer_id, name: l.name, sku: l.sku, itemName: l.item_name, quantity: l.quantity, unitPriceFen: l.unit_price_fen,
    amountFen: l.quantity * l.unit_price_fen, lineNo: l.line_no,
  }));
  return {
    id: cart.id, shareToken: cart.share_token, initiatorCustomerId: cart.initiator_customer_id, storeId: cart.store_id, status: cart.status, orderNo: cart.order_no,
    totalFen: mapped.reduce((s, l) => s + l.amountFen, 0), lines: mapped, createdAt: cart.created_at.toISOString(), paidAt: cart.paid_at?.toISOString() ?? null,
  };
}

export async function openSharedCart(db: Db, tenantId: string, input: { initiatorCustomerId: string; storeId?: string | null }): Promise<SharedCartView> {
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.initiatorCustomerId).executeTakeFirst();
  if (!customer) throw invalid('body.initiator', `no customer ${input.initiatorCustomerId}`, { code: 'unknown_customer', params: {} });
  if (input.storeId) {
    const store = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst();
    if (!store) throw invalid('body.storeId', `no store ${input.storeId}`, { code: 'unknown_store', params: {} });
  }
  const id = newId();
  await db.insertInto('shared_carts').values({ tenant_id: tenantId, id, share_token: randomBytes(9).toString('base64url'), initiator_customer_id: input.initiatorCustomerId, store_id: input.storeId ?? null }).execute();
  return getSharedCart(db, tenantId, { id });
}

export async function addToSharedCart(
  db: Db,
  tenantId: string,
  token: string,
  input: { customerId: string; sku: string; name: string; quantity: number; unitPriceFen: number },
): Promise<SharedCartView> {
  const cart = await getSharedCart(db, tenantId, { token });
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.customerId).executeTakeFirst();
  if (!customer) throw invalid('body.customer', `no customer ${input.customerId}`, { code: 'unknown_customer', params: {} });
  await inTransaction(db, async (trx) => {
    const open = await sql`select 1 from shared_carts where tenant_id = ${tenantId} and id = ${cart.id} and status = 'open' for share`.execute(trx);
    if (open.rows.length === 0) throw new GroupSellingRefusal('closed', 'the shared cart is already paid or cancelled', 'body', { status: 'closed' });
    await trx.insertInto('shared_cart_items').values({
      tenant_id: tenantId, cart_id: cart.id, id: newId(), customer_id: input.customerId, sku: input.sku, name: input.name, quantity: input.quantity, unit_price_fen: input.unitPriceFen,
    }).execute();
  });
  return getSharedCart(db, tenantId, { id: cart.id });
}

export async function removeFromSharedCart(db: Db, tenantId: string, token: string, lineId: string, customerId: string): Promise<SharedCartView> {
  const cart = await getSharedCart(db, tenantId, { token });
  await inTransaction(db, async (trx) => {
    const open = await sql`select 1 from shared_carts where tenant_id = ${tenantId} and id = ${cart.id} and status = 'open' for share`.execute(trx);
    if (open.rows.length === 0) throw new GroupSellingRefusal('closed', 'the shared cart is already paid or cancelled', 'body', { status: 'closed' });
    // Only the one who added a line (or the initiator) takes it out.
    const gone = await sql`
      delete from shared_cart_items where tenant_id = ${tenantId} and cart_id = ${cart.id} and id = ${lineId}
         and (customer_id = ${customerId} or ${customerId} = ${cart.initiatorCustomerId}) returning id`.execute(trx);
    if (gone.rows.length === 0) throw notFound('cart line of this customer');
  });
  return getSharedCart(db, tenantId, { id: cart.id });
}

/** The initiator pays: one order for everyone's lines, each line remembering who added it. */
export async function checkoutSharedCart(db: Db, tenantId: string, token: string, input: { customerId: string }, options: { actor: string; now?: Date }): Promise<SharedCartView> {
  const now = options.now ?? new Date();
  const cart = await getSharedCart(db, tenantId, { token });
  if (cart.initiatorCustomerId !== input.customerId) throw new GroupSellingRefusal('not_initiator', 'only the one who started the 拼单 pays for it', 'body.customer');
  await inTransaction(db, async (trx) => {
    const locked = (await sql<{ status: string; store_id: string | null }>`select status, store_id from shared_carts where tenant_id = ${tenantId} and id = ${cart.id} for update`.execute(trx)).rows[0];
    if (!locked || locked.status !== 'open') throw new GroupSellingRefusal('closed', 'the shared cart is already paid or cancelled', 'body', { status: 'closed' });
    const lines = await sql<{ id: string; sku: string; name: string; quantity: number; unit_price_fen: number }>`
      select id, sku, name, quantity, unit_price_fen from shared_cart_items where tenant_id = ${tenantId} and cart_id = ${cart.id} order by added_at, id`.execute(trx);
    if (lines.rows.length === 0) throw new GroupSellingRefusal('cart_empty', 'the shared cart has no items');
    const orderNo = `PD-${cart.id}`;
    const total = lines.rows.reduce((s, l) => s + l.quantity * l.unit_price_fen, 0);
    const recorded = await recordOrders(trx, tenantId, [{
      orderNo, customer: { customerId: input.customerId }, channel: 'group_buy', ...(locked.store_id ? { storeId: locked.store_id } : {}),
      totalFen: total, discountFen: 0, paidFen: total, orderedAt: now.toISOString(),
      items: lines.rows.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPriceFen: l.unit_price_fen, amountFen: l.quantity * l.unit_price_fen })),
    }], { source: 'shared_cart', actor: options.actor });
    const rejected = recorded.rejected[0];
    if (rejected) throw new YuchiError('invalid', `order not recorded: ${rejected.message}`);
    // The order's line numbers follow the same order as the cart's lines (1-based).
    await sql`
      update shared_cart_items i set line_no = n.line_no
        from (select id, row_number() over (order by added_at, id)::int as line_no from shared_cart_items where tenant_id = ${tenantId} and cart_id = ${cart.id}) n
       where i.tenant_id = ${tenantId} and i.cart_id = ${cart.id} and i.id = n.id`.execute(trx);
    await sql`update shared_carts set status = 'paid', order_no = ${orderNo}, paid_at = ${now} where tenant_id = ${tenantId} and id = ${cart.id}`.execute(trx);
  });
  return getSharedCart(db, tenantId, { id: cart.id });
}
