// 接龙 (group solitaire orders): posted in a customer group, joined by its members with quantities,
// turned into orders and pickup lists at the deadline.
//
// Never oversold: a join takes its quantity with one conditional UPDATE of the 接龙's `taken`
// (WHERE taken + q <= stock), which also queues concurrent joins on the row, so the entry's
// number (seq) is taken under that lock. A change locks the row first, then moves `taken` by the
// difference. Closing flips the status once and records every entry's order through the orders
// path in the same transaction (order numbers derived from the 接龙 and the entry: a retry
// records nothing twice).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound, type ErrorDetail } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordOrders, type OrderInput } from '../orders/record.service.ts';
import { GroupSellingRefusal } from './group-selling.errors.ts';
import { cleanNickname, quantityRefusal, renderSolitaire } from './solitaires.rules.ts';

export interface SolitaireInput {
  groupId: string;
  title: string;
  sku: string;
  itemName: string;
  priceFen: number;
  stock: number;
  perCustomerLimit?: number;
  storeId: string;
  deadlineAt: string;
}

export interface SolitaireEntryView {
  no: number;
  customerId: string;
  nickname: string;
  quantity: number;
  amountFen: number;
  orderNo: string | null;
  joinedAt: string;
}

export interface SolitaireView {
  id: string;
  groupId: string;
  groupName: string;
  title: string;
  sku: string;
  itemName: string;
  priceFen: number;
  stock: number;
  taken: number;
  remaining: number;
  perCustomerLimit: number;
  storeId: string;
  storeName: string;
  deadlineAt: string;
  status: 'open' | 'closed' | 'cancelled';
  closedAt: string | null;
  participants: number;
  createdAt: string;
}

export interface SolitaireDetail extends SolitaireView {
  entries: SolitaireEntryView[];
  text: string;
}

interface Row {
  id: string;
  group_id: string;
  group_name: string;
  title: string;
  sku: string;
  item_name: string;
  price_fen: number;
  stock: number;
  taken: number;
  per_customer_limit: number;
  store_id: string;
  store_name: string;
  deadline_at: Date;
  status: 'open' | 'closed' | 'cancelled';
  closed_at: Date | null;
  participants: number;
  created_at: Date;
  owner_staff_id: string | null;
}

async function rows(db: Db, tenantId: string, filter: { id?: string; status?: string; groupId?: string; ownerStaffId?: string }): Promise<Row[]> {
  const result = await sql<Row>`
    select s.id, s.group_id, g.name as group_name, s.title, s.sku, s.item_name, s.price_fen, s.stock, s.taken, s.per_customer_limit, s.store_id,
           st.name as store_name, s.deadline_at, s.status, s.closed_at, s.created_at, g.owner_staff_id,
           (select count(*)::int from solitaire_entries e where e.tenant_id = s.tenant_id and e.solitaire_id = s.id) as participants
      from solitaires s
      join customer_groups g on g.tenant_id = s.tenant_id and g.id = s.group_id
      join stores st on st.tenant_id = s.tenant_id and st.id = s.store_id
     where s.tenant_id = ${tenantId}
       and (${filter.id ?? null}::uuid is null or s.id = ${filter.id ?? null}::uuid)
       and (${filter.status ?? null}::text is null or s.status = ${filter.status ?? null})
       and (${filter.groupId ?? null}::uuid is null or s.group_id = ${filter.groupId ?? null}::uuid)
       and (${filter.ownerStaffId ?? null}::uuid is null or g.owner_staff_id = ${filter.ownerStaffId ?? null}::uuid)
     order by s.created_at desc, s.id desc
     limit 500`.execute(db);
  return result.rows;
}

function view(r: Row): SolitaireView {
  return {
    id: r.id, groupId: r.group_id, groupName: r.group_name, title: r.title, sku: r.sku, itemName: r.item_name, priceFen: r.price_fen, stock: r.stock,
    taken: r.taken, remaining: r.stock - r.taken, perCustomerLimit: r.per_customer_limit, storeId: r.store_id, storeName: r.store_name,
    deadlineAt: r.deadline_at.toISOString(), status: r.status, closedAt: r.closed_at?.toISOString() ?? null, participants: r.participants, createdAt: r.created_at.toISOString(),
  };
}

/** `ownerStaffId`: a guide sees only the 接龙 of groups they own. */
export async function listSolitaires(db: Db, tenantId: string, filter: { status?: string; groupId?: string; ownerStaffId?: string }): Promise<SolitaireView[]> {
  return (await rows(db, tenantId, filter)).map(view);
}

async function row(db: Db, tenantId: string, id: string, ownerStaffId?: string): Promise<Row> {
  const [r] = await rows(db, tenantId, { id, ...(ownerStaffId ? { ownerStaffId } : {}) });
  if (!r) throw notFound('接龙');
  return r;
}

export async function getSolitaire(db: Db, tenantId: string, id: string, ownerStaffId?: string): Promise<SolitaireDetail> {
  const r = await row(db, tenantId, id, ownerStaffId);
  const [entries, tenant] = await Promise.all([
    sql<{ customer_id: string; nickname: string; quantity: number; order_no: string | null; joined_at: Date }>`
      select customer_id, nickname, quantity, order_no, joined_at from solitaire_entries
       where tenant_id = ${tenantId} and solitaire_id = ${id} order by seq`.execute(db),
    db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow(),
  ]);
  const list = entries.rows.map((e, i): SolitaireEntryView => ({
    no: i + 1, customerId: e.customer_id, nickname: e.nickname, quantity: e.quantity, amountFen: e.quantity * r.price_fen, orderNo: e.order_no, joinedAt: e.joined_at.toISOString(),
  }));
  const text = renderSolitaire({
    title: r.title, itemName: r.item_name, priceFen: r.price_fen, storeName: r.store_name, deadline: r.deadline_at, timeZone: tenant.timezone,
    stock: r.stock, taken: r.taken, status: r.status, entries: list,
  });
  return { ...view(r), entries: list, text };
}

export async function createSolitaire(db: Db, tenantId: string, input: SolitaireInput, options: { actor: string; staffId?: string; now?: Date }): Promise<SolitaireDetail> {
  const now = options.now ?? new Date();
  const details: ErrorDetail[] = [];
  const [group, store] = await Promise.all([
    sql<{ status: string; owner_staff_id: string | null }>`select status, owner_staff_id from customer_groups where tenant_id = ${tenantId} and id = ${input.groupId}`.execute(db),
    db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst(),
  ]);
  const g = group.rows[0];
  if (!g) details.push({ path: 'body.groupId', message: `no group ${input.groupId}`, code: 'unknown_group' });
  else if (g.status !== 'active') details.push({ path: 'body.groupId', message: 'the group is dissolved', code: 'group_dissolved' });
  else if (options.staffId && g.owner_staff_id !== options.staffId) details.push({ path: 'body.groupId', message: 'a guide posts only in groups they own', code: 'not_group_owner' });
  if (!store) details.push({ path: 'body.storeId', message: `no store ${input.storeId}`, code: 'unknown_store' });
  if (Date.parse(input.deadlineAt) <= now.getTime()) details.push({ path: 'body.deadlineAt', message: 'must be in the future', code: 'deadline_past' });
  if (input.perCustomerLimit !== undefined && input.perCustomerLimit > input.stock) details.push({ path: 'body.perCustomerLimit', message: 'must not exceed the stock', code: 'limit_above_stock', params: { stock: input.stock } });
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
  const id = newId();
  await db.insertInto('solitaires').values({
    tenant_id: tenantId, id, group_id: input.groupId, title: input.title, sku: input.sku, item_name: input.itemName, price_fen: input.priceFen, stock: input.stock,
    per_customer_limit: input.perCustomerLimit ?? Math.min(99, input.stock), store_id: input.storeId, deadline_at: input.deadlineAt,
    posted_by_staff_id: options.staffId ?? null, created_by: options.actor,
  }).execute();
  return getSolitaire(db, tenantId, id);
}

async function refuse(db: Db, tenantId: string, id: string, held: number, wanted: number, now: Date): Promise<never> {
  const r = await row(db, tenantId, id);
  const why = quantityRefusal({ status: r.status, deadlineAt: r.deadline_at, stock: r.stock, taken: r.taken, perCustomerLimit: r.per_customer_limit }, held, wanted, now);
  throw new GroupSellingRefusal(why?.reason ?? 'sold_out', why?.message ?? 'sold out', 'body.quantity', why?.params ?? { left: 0 });
}

export async function joinSolitaire(
  db: Db,
  tenantId: string,
  id: string,
  input: { customerId: string; quantity: number; nickname?: string },
  options: { now?: Date; ownerStaffId?: string } = {},
): Promise<SolitaireDetail> {
  const now = options.now ?? new Date();
  const r = await row(db, tenantId, id, options.ownerStaffId);
  const early = quantityRefusal({ status: r.status, deadlineAt: r.deadline_at, stock: r.stock, taken: r.taken, perCustomerLimit: r.per_customer_limit }, 0, input.quantity, now);
  if (early) throw new GroupSellingRefusal(early.reason, early.message, 'body.quantity', early.params);
  const member = await sql<{ name: string; left_at: Date | null }>`
    select c.name, m.left_at from customers c
      left join group_members m on m.tenant_id = c.tenant_id and m.group_id = ${r.group_id} and m.customer_id = c.id
     where c.tenant_id = ${tenantId} and c.id = ${input.customerId}`.execute(db);
  const m = member.rows[0];
  if (!m) throw invalid('body.customer', `no customer ${input.customerId}`, { code: 'unknown_customer', params: {} });
  if (m.left_at !== null || !(await isMember(db, tenantId, r.group_id, input.customerId))) {
    throw new GroupSellingRefusal('not_group_member', `the customer is not a member of group ${r.group_name}`, 'body.customer', { group: r.group_name });
  }
  await inTransaction(db, async (trx) => {
    const taken = await sql<{ taken: number }>`
      update solitaires set taken = taken + ${input.quantity}
       where tenant_id = ${tenantId} and id = ${id} and status = 'open' and deadline_at > ${now} and taken + ${input.quantity} <= stock
      returning taken`.execute(trx);
    if (taken.rows.length === 0) await refuse(trx, tenantId, id, 0, input.quantity, now);
    const inserted = await sql<{ seq: number }>`
      insert into solitaire_entries (tenant_id, solitaire_id, customer_id, seq, nickname, quantity, joined_at, updated_at)
      select ${tenantId}, ${id}, ${input.customerId}, coalesce(max(seq), 0) + 1, ${cleanNickname(input.nickname ?? m.name)}, ${input.quantity}, ${now}, ${now}
        from solitaire_entries where tenant_id = ${tenantId} and solitaire_id = ${id}
      on conflict (tenant_id, solitaire_id, customer_id) do nothing
      returning seq`.execute(trx);
    if (inserted.rows.length === 0) throw new GroupSellingRefusal('already_joined', 'the customer is already on this 接龙; change the quantity instead', 'body.customer');
  });
  return getSolitaire(db, tenantId, id);
}

async function isMember(db: Db, tenantId: string, groupId: string, customerId: string): Promise<boolean> {
  const r = await sql<{ one: number }>`select 1 as one from group_members where tenant_id = ${tenantId} and group_id = ${groupId} and customer_id = ${customerId} and left_at is null`.execute(db);
  return r.rows.length > 0;
}

/** A member changes their quantity until the deadline; 0 takes their name off the list. */
export async function changeSolitaireEntry(
  db: Db,
  tenantId: string,
  id: string,
  customerId: string,
  quantity: number,
  options: { now?: Date; ownerStaffId?: string } = {},
): Promise<SolitaireDetail> {
  const now = options.now ?? new Date();
  await row(db, tenantId, id, options.ownerStaffId);
  await inTransaction(db, async (trx) => {
    const s = (await sql<{ status: string; deadline_at: Date; stock: number; taken: number; per_customer_limit: number }>`
      select status, deadline_at, stock, taken, per_customer_limit from solitaires where tenant_id = ${tenantId} and id = ${id} for update`.execute(trx)).rows[0];
    if (!s) throw notFound('接龙');
    const entry = (await sql<{ quantity: number }>`
      select quantity from solitaire_entries where tenant_id = ${tenantId} and solitaire_id = ${id} and customer_id = ${customerId} for update`.execute(trx)).rows[0];
    if (!entry) throw new GroupSellingRefusal('not_joined', 'the customer is not on this 接龙', 'params.customerId');
    const why = quantityRefusal({ status: s.status, deadlineAt: s.deadline_at, stock: s.stock, taken: s.taken, perCustomerLimit: s.per_customer_limit }, entry.quantity, quantity, now);
    if (why) throw new GroupSellingRefusal(why.reason, why.message, 'body.quantity', why.params);
    await sql`update solitaires set taken = taken - ${entry.quantity} + ${quantity} where tenant_id = ${tenantId} and id = ${id}`.execute(trx);
    if (quantity === 0) await sql`delete from solitaire_entries where tenant_id = ${tenantId} and solitaire_id = ${id} and customer_id = ${customerId}`.execute(trx);
    else await sql`update solitaire_entries set quantity = ${quantity}, updated_at = ${now} where tenant_id = ${tenantId} and solitaire_id = ${id} and customer_id = ${customerId}`.execute(trx);
  });
  return getSolitaire(db, tenantId, id);
}

export const solitaireOrderNo = (solitaireId: string, seq: number): string => `JL-${solitaireId}-${seq}`;

/**
 * Closes a 接龙 and records one order per entry (channel group_buy, at the pickup store). Closing a
 * closed one does nothing again; a cancelled one records no orders.
 */
export async function closeSolitaire(db: Db, tenantId: string, id: string, options: { actor: string; now?: Date; ownerStaffId?: string }): Promise<SolitaireDetail> {
  const now = options.now ?? new Date();
  await row(db, tenantId, id, options.ownerStaffId);
  await inTransaction(db, async (trx) => {
    const s = (await sql<{ sku: string; item_name: string; price_fen: number; store_id: string }>`
      update solitaires set status = 'closed', closed_at = ${now} where tenant_id = ${tenantId} and id = ${id} and status = 'open'
      returning sku, item_name, price_fen, store_id`.execute(trx)).rows[0];
    if (!s) return;
    const entries = await sql<{ customer_id: string; seq: number; quantity: number }>`
      select customer_id, seq, quantity from solitaire_entries where tenant_id = ${tenantId} and solitaire_id = ${id} order by seq`.execute(trx);
    if (entries.rows.length === 0) return;
    const orders: OrderInput[] = entries.rows.map((e) => ({
      orderNo: solitaireOrderNo(id, e.seq), customer: { customerId: e.customer_id }, channel: 'group_buy', storeId: s.store_id,
      totalFen: s.price_fen * e.quantity, discountFen: 0, paidFen: s.price_fen * e.quantity, orderedAt: now.toISOString(),
      items: [{ sku: s.sku, name: s.item_name, quantity: e.quantity, unitPriceFen: s.price_fen, amountFen: s.price_fen * e.quantity }],
    }));
    const recorded = await recordOrders(trx, tenantId, orders, { source: 'solitaire', actor: options.actor });
    const rejected = recorded.rejected[0];
    if (rejected) throw new YuchiError('invalid', `order not recorded: ${rejected.message}`);
    await sql`
      update solitaire_entries e set order_no = 'JL-' || e.solitaire_id::text || '-' || e.seq::text
       where e.tenant_id = ${tenantId} and e.solitaire_id = ${id}`.execute(trx);
  });
  return getSolitaire(db, tenantId, id);
}

export async function cancelSolitaire(db: Db, tenantId: string, id: string, options: { ownerStaffId?: string } = {}): Promise<SolitaireDetail> {
  const r = await row(db, tenantId, id, options.ownerStaffId);
  if (r.status === 'closed') throw new GroupSellingRefusal('closed', 'a closed 接龙 has its orders; refund them instead', 'body', { status: 'closed' });
  await sql`update solitaires set status = 'cancelled', closed_at = now() where tenant_id = ${tenantId} and id = ${id} and status = 'open'`.execute(db);
  return getSolitaire(db, tenantId, id);
}

/** The worker's sweep: every open 接龙 past its deadline, in every tenant, closed into orders. */
export async function closeDueSolitaires(db: Db, now = new Date()): Promise<number> {
  const due = await sql<{ tenant_id: string; id: string }>`
    select tenant_id, id from solitaires where status = 'open' and deadline_at <= ${now} order by deadline_at limit 200`.execute(db);
  for (const d of due.rows) await closeSolitaire(db, d.tenant_id, d.id, { actor: 'system', now });
  return due.rows.length;
}

export interface PickupLine {
  storeId: string;
  storeName: string;
  solitaireId: string;
  title: string;
  itemName: string;
  no: number;
  customerId: string;
  nickname: string;
  phone: string | null;
  quantity: number;
  amountFen: number;
  orderNo: string | null;
  closedAt: string | null;
}

/** What each store hands out: the entries of closed 接龙, by store, then 接龙, then number. */
export async function pickupList(db: Db, tenantId: string, filter: { storeId?: string; solitaireId?: string; from?: string; to?: string }): Promise<PickupLine[]> {
  const result = await sql<{ store_id: string; store_name: string; solitaire_id: string; title: string; item_name: string; no: number; customer_id: string; nickname: string; phone: string | null; quantity: number; price_fen: number; order_no: string | null; closed_at: Date | null }>`
    select s.store_id, st.name as store_name, s.id as solitaire_id, s.title, s.item_name,
           row_number() over (partition by s.id order by e.seq)::int as no, e.customer_id, e.nickname,
           (select min(i.value) from customer_identities i where i.tenant_id = e.tenant_id and i.customer_id = e.customer_id and i.kind = 'phone') as phone,
           e.quantity, s.price_fen, e.order_no, s.closed_at
      from solitaires s
      join solitaire_entries e on e.tenant_id = s.tenant_id and e.solitaire_id = s.id
      join stores st on st.tenant_id = s.tenant_id and st.id = s.store_id
     where s.tenant_id = ${tenantId} and s.status = 'closed'
       and (${filter.storeId ?? null}::uuid is null or s.store_id = ${filter.storeId ?? null}::uuid)
       and (${filter.solitaireId ?? null}::uuid is null or s.id = ${filter.solitaireId ?? null}::uuid)
       and (${filter.from ?? null}::timestamptz is null or s.closed_at >= ${filter.from ?? null}::timestamptz)
       and (${filter.to ?? null}::timestamptz is null or s.closed_at < ${filter.to ?? null}::timestamptz)
     order by st.name, s.closed_at, s.id, e.seq
     limit 20000`.execute(db);
  return result.rows.map((r) => ({
    storeId: r.store_id, storeName: r.store_name, solitaireId: r.solitaire_id, title: r.title, itemName: r.item_name, no: r.no, customerId: r.customer_id,
    nickname: r.nickname, phone: r.phone, quantity: r.quantity, amountFen: r.quantity * r.price_fen, orderNo: r.order_no, closedAt: r.closed_at?.toISOString() ?? null,
  }));
}

/** The groups a 接龙 can be posted in: active ones (a guide: their own), with their member counts. */
export async function solitaireGroups(db: Db, tenantId: string, ownerStaffId?: string): Promise<{ id: string; name: string; storeId: string | null; members: number }[]> {
  const rows = await sql<{ id: string; name: string; store_id: string | null; members: number }>`
    select g.id, g.name, g.store_id,
           (select count(*)::int from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null) as members
      from customer_groups g
     where g.tenant_id = ${tenantId} and g.status = 'active'
       and (${ownerStaffId ?? null}::uuid is null or g.owner_staff_id = ${ownerStaffId ?? null}::uuid)
     order by g.name, g.id limit 1000`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, name: r.name, storeId: r.store_id, members: r.members }));
}
