// 拼团 (group buys): a leader opens a group-buy of one SKU for a target size and a time limit; others
// join through its share token. Full: every participant's order is recorded (channel group_buy).
// Not full by the deadline: cancelled, and those who paid get a refund event on their timeline.
//
// The last seat goes to one request: a join is one conditional UPDATE (joined < target_size) that
// queues concurrent joiners on the row; the seat number is the count it returns, and the member
// row's primary key refuses a second join of the same customer (rolling the seat back). The join
// that fills the group records everyone's orders in its own transaction, so "full" and "orders
// recorded" are never seen apart.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound, type ErrorDetail } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordOrders, type OrderInput } from '../orders/record.service.ts';
import { GroupSellingRefusal } from './group-selling.errors.ts';

export interface GroupBuyInput {
  leaderCustomerId: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  targetSize: number;
  timeLimitMinutes: number;
  storeId?: string | null;
  /** Whether the leader paid on opening (a paid seat is refunded if the group fails). */
  paid?: boolean;
}

export interface GroupBuyMemberView {
  seat: number;
  customerId: string;
  name: string;
  paidFen: number;
  refundedFen: number;
  orderNo: string | null;
  joinedAt: string;
}

export interface GroupBuyView {
  id: string;
  shareToken: string;
  leaderCustomerId: string;
  leaderName: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  targetSize: number;
  joined: number;
  storeId: string | null;
  expiresAt: string;
  status: 'open' | 'succeeded' | 'cancelled';
  finishedAt: string | null;
  createdAt: string;
  members: GroupBuyMemberView[];
}

interface Row {
  id: string;
  share_token: string;
  leader_customer_id: string;
  leader_name: string;
  sku: string;
  item_name: string;
  price_fen: number;
  original_price_fen: number;
  target_size: number;
  joined: number;
  store_id: string | null;
  expires_at: Date;
  status: 'open' | 'succeeded' | 'cancelled';
  finished_at: Date | null;
  created_at: Date;
}

async function groupBuys(db: Db, tenantId: string, filter: { id?: string; token?: string; status?: string }): Promise<GroupBuyView[]> {
  const found = await sql<Row>`
    select b.*, c.name as leader_name from group_buys b
      join customers c on c.tenant_id = b.tenant_id and c.id = b.leader_customer_id
     where b.tenant_id = ${tenantId}
       and (${filter.id ?? null}::uuid is null or b.id = ${filter.id ?? null}::uuid)
       and (${filter.token ?? null}::text is null or b.share_token = ${filter.token ?? null})
       and (${filter.status ?? null}::text is null or b.status = ${filter.status ?? null})
     order by b.created_at desc, b.id desc limit 500`.execute(db);
  if (found.rows.length === 0) return [];
  const members = await sql<{ group_buy_id: string; seat: number; customer_id: string; name: string; paid_fen: number; refunded_fen: number; order_no: string | null; joined_at: Date }>`
    select m.group_buy_id, m.seat, m.customer_id, c.name, m.paid_fen, m.refunded_fen, m.order_no, m.joined_at
      from group_buy_members m join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id
     where m.tenant_id = ${tenantId} and m.group_buy_id = any(${found.rows.map((r) => r.id)}::uuid[]) order by m.seat`.execute(db);
  return found.rows.map((r) => ({
    id: r.id, shareToken: r.share_token, leaderCustomerId: r.leader_customer_id, leaderName: r.leader_name, sku: r.sku, itemName: r.item_name, priceFen: r.price_fen,
    originalPriceFen: r.original_price_fen, targetSize: r.target_size, joined: r.joined, storeId: r.store_id, expiresAt: r.expires_at.toISOString(), status: r.status,
    finishedAt: r.finished_at?.toISOString() ?? null, createdAt: r.created_at.toISOString(),
    members: members.rows.filter((m) => m.group_buy_id === r.id).map((m) => ({
      seat: m.seat, customerId: m.customer_id, name: m.name, paidFen: m.paid_fen, refundedFen: m.refunded_fen, orderNo: m.order_no, joinedAt: m.joined_at.toISOString(),
    })),
  }));
}

export const listGroupBuys = (db: Db, tenantId: string, filter: { status?: string }): Promise<GroupBuyView[]> => groupBuys(db, tenantId, filter);

export async function getGroupBuy(db: Db, tenantId: string, ref: { id: string } | { token: string }): Promise<GroupBuyView> {
  const [b] = await groupBuys(db, tenantId, ref);
  if (!b) throw notFound('group buy');
  return b;
}

export async function openGroupBuy(db: Db, tenantId: string, input: GroupBuyInput, options: { actor: string; now?: Date }): Promise<GroupBuyView> {
  const now = options.now ?? new Date();
  const details: ErrorDetail[] = [];
  if (input.priceFen > input.originalPriceFen) details.push({ path: 'body.priceFen', message: 'must not exceed originalPriceFen', code: 'price_above_original', params: { originalPriceFen: input.originalPriceFen } });
  const [leader, store] = await Promise.all([
    db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.leaderCustomerId).executeTakeFirst(),
    input.storeId ? db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst() : Promise.resolve({ id: null }),
  ]);
  if (!leader) details.push({ path: 'body.leader', message: `no customer ${input.leaderCustomerId}`, code: 'unknown_customer', params: {} });
  if (!store) details.push({ path: 'body.storeId', message: `no store ${input.storeId ?? ''}`, code: 'unknown_store', params: {} });
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
  const id = newId();
  await inTransaction(db, async (trx) => {
    await trx.insertInto('group_buys').values({
      tenant_id: tenantId, id, share_token: randomBytes(9).toString('base64url'), leader_customer_id: input.leaderCustomerId, sku: input.sku, item_name: input.itemName,
      price_fen: input.priceFen, original_price_fen: input.originalPriceFen, target_size: input.targetSize, store_id: input.storeId ?? null,
      expires_at: new Date(now.getTime() + input.timeLimitMinutes * 60_000), created_by: options.actor, created_at: now,
    }).execute();
    await takeSeat(trx, tenantId, id, input.leaderCustomerId, input.paid ?? true, now, options.actor);
  });
  return getGroupBuy(db, tenantId, { id });
}

/** Joining through the share token (the link people pass on). */
export async function joinGroupBuy(db: Db, tenantId: string, token: string, input: { customerId: string; paid?: boolean }, options: { actor: string; now?: Date }): Promise<GroupBuyView> {
  const now = options.now ?? new Date();
  const b = await getGroupBuy(db, tenantId, { token });
  if (b.members.some((m) => m.customerId === input.customerId)) throw new GroupSellingRefusal('already_joined', 'the customer is already in this group buy', 'body.customer');
  const early = seatRefusal(b.status, new Date(b.expiresAt), b.joined, b.targetSize, now);
  if (early) throw early;
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.customerId).executeTakeFirst();
  if (!customer) throw invalid('body.customer', `no customer ${input.customerId}`, { code: 'unknown_customer', params: {} });
  await inTransaction(db, (trx) => takeSeat(trx, tenantId, b.id, input.customerId, input.paid ?? true, now, options.actor));
  return getGroupBuy(db, tenantId, { id: b.id });
}

function seatRefusal(status: string, expiresAt: Date, joined: number, targetSize: number, now: Date): GroupSellingRefusal | null {
  if (status === 'succeeded' || joined >= targetSize) return new GroupSellingRefusal('group_full', 'the group is already full', 'body', { size: targetSize });
  if (status !== 'open') return new GroupSellingRefusal('closed', `the group buy is ${status}`, 'body', { status });
  if (now >= expiresAt) return new GroupSellingRefusal('deadline_passed', `the group buy expired at ${expiresAt.toISOString()}`, 'body', { deadline: expiresAt.toISOString() });
  return null;
}

async function takeSeat(trx: Db, tenantId: string, id: string, customerId: string, paid: boolean, now: Date, actor: string): Promise<void> {
  const seat = (await sql<{ joined: number; target_size: number; price_fen: number; sku: string }>`
    update group_buys set joined = joined + 1
     where tenant_id = ${tenantId} and id = ${id} and status = 'open' and expires_at > ${now} and joined < target_size
    returning joined, target_size, price_fen, sku`.execute(trx)).rows[0];
  if (!seat) {
    const b = (await sql<{ status: string; expires_at: Date; joined: number; target_size: number }>`select status, expires_at, joined, target_size from group_buys where tenant_id = ${tenantId} and id = ${id}`.execute(trx)).rows[0];
    throw (b && seatRefusal(b.status, b.expires_at, b.joined, b.target_size, now)) ?? new GroupSellingRefusal('group_full', 'the group is already full', 'body', { size: b?.target_size ?? 0 });
  }
  const paidFen = paid ? seat.price_fen : 0;
  const inserted = await sql`
    insert into group_buy_members (tenant_id, group_buy_id, customer_id, seat, paid_fen, joined_at) values (${tenantId}, ${id}, ${customerId}, ${seat.joined}, ${paidFen}, ${now})
    on conflict (tenant_id, group_buy_id, customer_id) do nothing returning seat`.execute(trx);
  if (inserted.rows.length === 0) throw new GroupSellingRefusal('already_joined', 'the customer is already in this group buy', 'body.customer');
  await timeline(trx, tenantId, [{ key: `yuchi:group_buy_joined:${id}:${customerId}`, type: 'group_buy_joined', customerId, at: now, properties: { groupBuyId: id, sku: seat.sku, seat: seat.joined, paidFen } }], actor);
  if (seat.joined === seat.target_size) await completeGroupBuy(trx, tenantId, id, now, actor);
}

export const groupBuyOrderNo = (id: string, seat: number): string => `PT-${id}-${seat}`;

async function completeGroupBuy(trx: Db, tenantId: string, id: string, now: Date, actor: string): Promise<void> {
  const b = (await sql<{ sku: string; item_name: string; price_fen: number; original_price_fen: number; store_id: string | null }>`
    update group_buys set status = 'succeeded', finished_at = ${now} where tenant_id = ${tenantId} and id = ${id} and status = 'open'
    returning sku, item_name, price_fen, original_price_fen, store_id`.execute(trx)).rows[0];
  if (!b) return;
  const members = await sql<{ customer_id: string; seat: number }>`select customer_id, seat from group_buy_members where tenant_id = ${tenantId} and group_buy_id = ${id} order by seat`.execute(trx);
  const orders: OrderInput[] = members.rows.map((m) => ({
    orderNo: groupBuyOrderNo(id, m.seat), customer: { customerId: m.customer_id }, channel: 'group_buy', ...(b.store_id ? { storeId: b.store_id } : {}),
    totalFen: b.original_price_fen, discountFen: b.original_price_fen - b.price_fen, paidFen: b.price_fen, orderedAt: now.toISOString(),
    items: [{ sku: b.sku, name: b.item_name, quantity: 1, unitPriceFen: b.price_fen, amountFen: b.price_fen }],
  }));
  const recorded = await recordOrders(trx, tenantId, orders, { source: 'group_buy', actor });
  const rejected = recorded.rejected[0];
  if (rejected) throw new YuchiError('invalid', `order not recorded: ${rejected.message}`);
  await sql`update group_buy_members set order_no = 'PT-' || group_buy_id::text || '-' || seat::text, paid_fen = ${b.price_fen}
             where tenant_id = ${tenantId} and group_buy_id = ${id}`.execute(trx);
}

/** Cancels an open group buy; everyone who paid gets their money back as a group_buy_refunded event. */
export async function cancelGroupBuy(db: Db, tenantId: string, id: string, options: { actor: string; reason: 'expired' | 'cancelled'; now?: Date }): Promise<GroupBuyView> {
  const now = options.now ?? new Date();
  await getGroupBuy(db, tenantId, { id });
  await inTransaction(db, async (trx) => {
    const b = (await sql<{ sku: string }>`
      update group_buys set status = 'cancelled', finished_at = ${now} where tenant_id = ${tenantId} and id = ${id} and status = 'open' returning sku`.execute(trx)).rows[0];
    if (!b) return;
    const refunded = await sql<{ customer_id: string; refunded_fen: number }>`
      update group_buy_members set refunded_fen = paid_fen where tenant_id = ${tenantId} and group_buy_id = ${id} and paid_fen > 0 and refunded_fen < paid_fen
      returning customer_id, refunded_fen`.execute(trx);
    await timeline(trx, tenantId, refunded.rows.map((r) => ({
      key: `yuchi:group_buy_refunded:${id}:${r.customer_id}`, type: 'group_buy_refunded', customerId: r.customer_id, at: now,
      properties: { groupBuyId: id, sku: b.sku, refundFen: r.refunded_fen, refundedFen: r.refunded_fen, reason: options.reason },
    })), options.actor);
  });
  return getGroupBuy(db, tenantId, { id });
}

/** The worker's sweep: open group buys past their time limit, in every tenant. */
export async function cancelExpiredGroupBuys(db: Db, now = new Date()): Promise<number> {
  const due = await sql<{ tenant_id: string; id: string }>`
    select tenant_id, id from group_buys where status = 'open' and expires_at <= ${now} order by expires_at limit 500`.execute(db);
  for (const d of due.rows) await cancelGroupBuy(db, d.tenant_id, d.id, { actor: 'system', reason: 'expired', now });
  return due.rows.length;
}

export async function timeline(
  db: Db,
  tenantId: string,
  rows: { key: string; type: string; customerId: string; at: Date; properties: Record<string, unknown> }[],
  actor: string,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
    select ${tenantId}, x.id, x.key, x.type, x.customer_id, x.at, 'group_buy', ${actor}, x.properties
      from unnest(${rows.map(() => newId())}::uuid[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.customerId)}::uuid[],
                  ${rows.map((r) => r.at)}::timestamptz[], ${rows.map((r) => JSON.stringify(r.properties))}::jsonb[]) as x(id, key, type, customer_id, at, properties)
    on conflict (tenant_id, event_key) do nothing`.execute(db);
}
