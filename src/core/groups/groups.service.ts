// The group registry (社群): groups with owner, store, kind, purpose and capacity; their members
// with join/leave history; what was said in them; their weekly health. A guide sees the groups
// they own; operators see all. Groups first seen in WeCom events are created by ingestion; a group
// created here before WeCom has made it carries a pending chat id until it is bound to the real one.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupHealthClass, GroupKind, GroupShape } from '../../db/schema.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { offsetOf, type Page, type PageRequest } from '../paging.ts';

export interface GroupWeek {
  week: string;
  members: number;
  joins: number;
  leaves: number;
  messages: number;
  staffMessages: number;
  ownerMessages: number;
  activeMembers: number;
  replies: number;
  memberReplies: number;
  staffReplies: number;
  memberLinks: number;
  flaggedMessages: number;
}

export interface GroupHealthView {
  class: GroupHealthClass;
  shape: GroupShape;
  week: string;
  reasons: unknown[];
  actions: unknown[];
  computedAt: string;
}

export interface GroupSummary {
  id: string;
  chatId: string;
  name: string;
  kind: GroupKind;
  purpose: string;
  status: 'active' | 'dissolved';
  capacity: number;
  members: number;
  owner: { id: string; name: string } | null;
  store: { id: string; name: string } | null;
  seriesOf: string | null;
  createdAt: string;
  dissolvedAt: string | null;
  health: GroupHealthView | null;
  /** Weekly messages and active members, oldest first (the list's trend line). */
  trend: { week: string; messages: number; activeMembers: number }[];
}

export interface GroupFilter extends PageRequest {
  storeId?: string | undefined;
  ownerId?: string | undefined;
  kind?: GroupKind | undefined;
  status?: 'active' | 'dissolved' | undefined;
  healthClass?: GroupHealthClass | undefined;
  q?: string | undefined;
}

const TREND_WEEKS = 8;

type GroupRow = {
  id: string; chat_id: string; name: string; kind: GroupKind; purpose: string; status: 'active' | 'dissolved'; capacity: number;
  owner_staff_id: string | null; owner_name: string | null; store_id: string | null; store_name: string | null; series_of: string | null;
  created_at: Date; dissolved_at: Date | null; members: string;
  h_class: GroupHealthClass | null; h_shape: GroupShape | null; h_week: string | null; h_reasons: unknown[] | null; h_actions: unknown[] | null; h_at: Date | null;
};

function groupQuery(db: Db, actor: Actor) {
  let q = db.selectFrom('customer_groups as g')
    .leftJoin('staff as o', (j) => j.onRef('o.tenant_id', '=', 'g.tenant_id').onRef('o.id', '=', 'g.owner_staff_id'))
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'g.tenant_id').onRef('s.id', '=', 'g.store_id'))
    .leftJoin('group_health as h', (j) => j.onRef('h.tenant_id', '=', 'g.tenant_id').onRef('h.group_id', '=', 'g.id'))
    .where('g.tenant_id', '=', actor.tenantId);
  const own = ownCustomersOnly(actor);
  if (own) q = q.where('g.owner_staff_id', '=', own);
  return q;
}

async function summaries(db: Db, tenantId: string, rows: GroupRow[]): Promise<GroupSummary[]> {
  const ids = rows.map((r) => r.id);
  const trend = new Map<string, GroupSummary['trend']>();
  if (ids.length > 0) {
    const weeks = await sql<{ group_id: string; week: string; messages: number; active_members: number }>`
      select group_id, week, messages, active_members from (
        select group_id, week::text as week, messages, active_members, row_number() over (partition by group_id order by week desc) as n
          from group_health_weeks where tenant_id = ${tenantId} and group_id = any(${ids}::uuid[])) w
       where n <= ${TREND_WEEKS}
       order by group_id, week`.execute(db);
    for (const w of weeks.rows) {
      const list = trend.get(w.group_id) ?? [];
      list.push({ week: w.week, messages: w.messages, activeMembers: w.active_members });
      trend.set(w.group_id, list);
    }
  }
  return rows.map((r) => ({
    id: r.id, chatId: r.chat_id, name: r.name, kind: r.kind, purpose: r.purpose, status: r.status, capacity: r.capacity, members: Number(r.members),
    owner: r.owner_staff_id ? { id: r.owner_staff_id, name: r.owner_name ?? '' } : null,
    store: r.store_id ? { id: r.store_id, name: r.store_name ?? '' } : null,
    seriesOf: r.series_of, createdAt: r.created_at.toISOString(), dissolvedAt: r.dissolved_at?.toISOString() ?? null,
    health: r.h_class && r.h_shape && r.h_week && r.h_at
      ? { class: r.h_class, shape: r.h_shape, week: r.h_week, reasons: r.h_reasons ?? [], actions: r.h_actions ?? [], computedAt: r.h_at.toISOString() } : null,
    trend: trend.get(r.id) ?? [],
  }));
}

const SELECT = [
  'g.id', 'g.chat_id', 'g.name', 'g.kind', 'g.purpose', 'g.status', 'g.capacity', 'g.owner_staff_id', 'o.name as owner_name', 'g.store_id',
  's.name as store_name', 'g.series_of', 'g.created_at', 'g.dissolved_at', 'h.class as h_class', 'h.shape as h_shape', 'h.reasons as h_reasons',
  'h.actions as h_actions', 'h.computed_at as h_at',
] as const;

export async function listGroups(db: Db, actor: Actor, filter: GroupFilter): Promise<Page<GroupSummary>> {
  let q = groupQuery(db, actor);
  if (filter.storeId) q = q.where('g.store_id', '=', filter.storeId);
  if (filter.ownerId) q = q.where('g.owner_staff_id', '=', filter.ownerId);
  if (filter.kind) q = q.where('g.kind', '=', filter.kind);
  if (filter.status) q = q.where('g.status', '=', filter.status);
  if (filter.healthClass) q = q.where('h.class', '=', filter.healthClass);
  if (filter.q) q = q.where('g.name', 'ilike', `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const total = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await q.select([...SELECT, sql<string>`h.week::text`.as('h_week'),
    sql<string>`(select count(*) from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null)`.as('members')])
    .orderBy('g.status').orderBy('g.created_at', 'desc').orderBy('g.id')
    .limit(filter.pageSize).offset(offsetOf(filter)).execute();
  return { items: await summaries(db, actor.tenantId, rows), page: filter.page, pageSize: filter.pageSize, total: Number(total.n) };
}

export interface GroupDetail extends GroupSummary {
  weeks: GroupWeek[];
}

export async function getGroup(db: Db, actor: Actor, id: string, weeks = 13): Promise<GroupDetail> {
  const row = await groupQuery(db, actor).where('g.id', '=', id).select([...SELECT, sql<string>`h.week::text`.as('h_week'),
    sql<string>`(select count(*) from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null)`.as('members')])
    .executeTakeFirst();
  if (!row) throw notFound('group');
  const [summary] = await summaries(db, actor.tenantId, [row]);
  if (!summary) throw notFound('group');
  const rows = await sql<{ week: string; members: number; joins: number; leaves: number; messages: number; staff_messages: number; owner_messages: number;
    active_members: number; replies: number; member_replies: number; staff_replies: number; member_links: number; flagged_messages: number }>`
    select week::text as week, members, joins, leaves, messages, staff_messages, owner_messages, active_members, replies, member_replies,
           staff_replies, member_links, flagged_messages
      from group_health_weeks where tenant_id = ${actor.tenantId} and group_id = ${id}
     order by week desc limit ${weeks}`.execute(db);
  return {
    ...summary,
    weeks: rows.rows.reverse().map((w) => ({
      week: w.week, members: w.members, joins: w.joins, leaves: w.leaves, messages: w.messages, staffMessages: w.staff_messages,
      ownerMessages: w.owner_messages, activeMembers: w.active_members, replies: w.replies, memberReplies: w.member_replies,
      staffReplies: w.staff_replies, memberLinks: w.member_links, flaggedMessages: w.flagged_messages,
    })),
  };
}

export interface GroupInput {
  name: string;
  kind: GroupKind;
  purpose?: string | undefined;
  capacity?: number | undefined;
  ownerStaffId?: string | null | undefined;
  storeId?: string | null | undefined;
  chatId?: string | undefined;
  seriesOf?: string | null | undefined;
}

async function checkRefs(db: Db, tenantId: string, input: { ownerStaffId?: string | null | undefined; storeId?: string | null | undefined }): Promise<string | null> {
  let storeOfOwner: string | null = null;
  if (input.ownerStaffId) {
    const staff = await db.selectFrom('staff').select(['id', 'store_id']).where('tenant_id', '=', tenantId).where('id', '=', input.ownerStaffId).executeTakeFirst();
    if (!staff) throw invalid('ownerStaffId', 'no such staff member', { code: 'unknown_staff', params: {} });
    storeOfOwner = staff.store_id;
  }
  if (input.storeId) {
    const store = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst();
    if (!store) throw invalid('storeId', 'no such store', { code: 'unknown_store', params: {} });
  }
  return storeOfOwner;
}

export async function createGroup(db: Db, actor: Actor, input: GroupInput): Promise<GroupDetail> {
  const storeOfOwner = await checkRefs(db, actor.tenantId, input);
  const id = newId();
  try {
    await db.insertInto('customer_groups').values({
      tenant_id: actor.tenantId, id, chat_id: input.chatId ?? `pending:${id}`, name: input.name, kind: input.kind, purpose: input.purpose ?? '',
      capacity: input.capacity ?? 500, owner_staff_id: input.ownerStaffId ?? null, store_id: input.storeId ?? storeOfOwner, series_of: input.seriesOf ?? null,
    }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('chatId', 'another group has this chat id', { code: 'chat_id_taken', params: {} });
    throw err;
  }
  return getGroup(db, actor, id);
}

export interface GroupPatch extends Partial<GroupInput> {
  status?: 'active' | 'dissolved' | undefined;
}

export async function updateGroup(db: Db, actor: Actor, id: string, patch: GroupPatch): Promise<GroupDetail> {
  const old = await getGroup(db, actor, id, 1);
  await checkRefs(db, actor.tenantId, patch);
  if (patch.capacity !== undefined && patch.capacity < old.members) {
    throw invalid('capacity', `the group already has ${old.members} members`, { code: 'capacity_below_members', params: { members: old.members } });
  }
  const dissolving = patch.status === 'dissolved' && old.status !== 'dissolved';
  try {
    await db.updateTable('customer_groups').set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
      ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
      ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
      ...(patch.ownerStaffId !== undefined ? { owner_staff_id: patch.ownerStaffId } : {}),
      ...(patch.storeId !== undefined ? { store_id: patch.storeId } : {}),
      ...(patch.chatId !== undefined ? { chat_id: patch.chatId } : {}),
      ...(patch.status !== undefined ? { status: patch.status, dissolved_at: patch.status === 'dissolved' ? (dissolving ? new Date() : old.dissolvedAt) : null } : {}),
      updated_at: new Date(),
    }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('chatId', 'another group has this chat id', { code: 'chat_id_taken', params: {} });
    throw err;
  }
  return getGroup(db, actor, id);
}

export interface GroupMemberView {
  customerId: string;
  name: string;
  joinedAt: string;
  leftAt: string | null;
  messages90d: number;
}

export async function groupMembers(db: Db, actor: Actor, id: string, filter: PageRequest & { status?: 'current' | 'left' | 'all' | undefined }): Promise<Page<GroupMemberView>> {
  await getGroup(db, actor, id, 0);
  const status = filter.status ?? 'current';
  const where = status === 'current' ? sql`and m.left_at is null` : status === 'left' ? sql`and m.left_at is not null` : sql``;
  const total = await sql<{ n: string }>`select count(*) as n from group_members m where m.tenant_id = ${actor.tenantId} and m.group_id = ${id} ${where}`.execute(db);
  const rows = await sql<{ customer_id: string; name: string; joined_at: Date; left_at: Date | null; messages: string }>`
    select m.customer_id, c.name, m.joined_at, m.left_at,
           (select count(*) from group_messages x where x.tenant_id = m.tenant_id and x.group_id = m.group_id and x.sender_customer_id = m.customer_id
               and x.sent_at > now() - interval '90 days') as messages
      from group_members m join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id
     where m.tenant_id = ${actor.tenantId} and m.group_id = ${id} ${where}
     order by m.joined_at desc, m.customer_id limit ${filter.pageSize} offset ${offsetOf(filter)}`.execute(db);
  return {
    items: rows.rows.map((r) => ({ customerId: r.customer_id, name: r.name, joinedAt: r.joined_at.toISOString(), leftAt: r.left_at?.toISOString() ?? null, messages90d: Number(r.messages) })),
    page: filter.page, pageSize: filter.pageSize, total: Number(total.rows[0]?.n ?? 0),
  };
}

export interface MemberChangeView {
  customerId: string;
  name: string;
  action: 'joined' | 'left';
  at: string;
}

export async function memberHistory(db: Db, actor: Actor, id: string, limit: number): Promise<MemberChangeView[]> {
  await getGroup(db, actor, id, 0);
  const rows = await db.selectFrom('group_member_changes as h')
    .leftJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'h.tenant_id').onRef('c.id', '=', 'h.customer_id'))
    .select(['h.customer_id', 'c.name', 'h.action', 'h.at'])
    .where('h.tenant_id', '=', actor.tenantId).where('h.group_id', '=', id)
    .orderBy('h.at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ customerId: r.customer_id, name: r.name ?? '', action: r.action, at: r.at.toISOString() }));
}

export interface GroupMessageView {
  eventId: string;
  at: string;
  sender: { kind: 'customer' | 'staff'; id: string; name: string; isOwner: boolean };
  replyTo: { kind: 'customer' | 'staff'; id: string; name: string } | null;
  text: string;
  hasLink: boolean;
  flagged: boolean;
}

export async function groupMessages(db: Db, actor: Actor, id: string, filter: PageRequest): Promise<Page<GroupMessageView>> {
  const group = await getGroup(db, actor, id, 0);
  const total = await sql<{ n: string }>`select count(*) as n from group_messages where tenant_id = ${actor.tenantId} and group_id = ${id}`.execute(db);
  const rows = await sql<{
    event_id: string; sent_at: Date; sender_customer_id: string | null; sender_staff_id: string | null; reply_to_customer_id: string | null;
    reply_to_staff_id: string | null; has_link: boolean; flagged: boolean; text: string | null; customer_name: string | null; staff_name: string | null;
    reply_customer_name: string | null; reply_staff_name: string | null;
  }>`
    select m.event_id, m.sent_at, m.sender_customer_id, m.sender_staff_id, m.reply_to_customer_id, m.reply_to_staff_id, m.has_link, m.flagged,
           coalesce(e.properties->>'text', e.properties->>'content') as text, c.name as customer_name, s.name as staff_name,
           rc.name as reply_customer_name, rs.name as reply_staff_name
      from group_messages m
      left join events e on e.tenant_id = m.tenant_id and e.id = m.event_id
      left join customers c on c.tenant_id = m.tenant_id and c.id = m.sender_customer_id
      left join staff s on s.tenant_id = m.tenant_id and s.id = m.sender_staff_id
      left join customers rc on rc.tenant_id = m.tenant_id and rc.id = m.reply_to_customer_id
      left join staff rs on rs.tenant_id = m.tenant_id and rs.id = m.reply_to_staff_id
     where m.tenant_id = ${actor.tenantId} and m.group_id = ${id}
     order by m.sent_at desc, m.event_id desc limit ${filter.pageSize} offset ${offsetOf(filter)}`.execute(db);
  return {
    items: rows.rows.map((r) => ({
      eventId: r.event_id, at: r.sent_at.toISOString(),
      sender: r.sender_staff_id
        ? { kind: 'staff' as const, id: r.sender_staff_id, name: r.staff_name ?? '', isOwner: r.sender_staff_id === group.owner?.id }
        : { kind: 'customer' as const, id: r.sender_customer_id ?? '', name: r.customer_name ?? '', isOwner: false },
      replyTo: r.reply_to_staff_id ? { kind: 'staff' as const, id: r.reply_to_staff_id, name: r.reply_staff_name ?? '' }
        : r.reply_to_customer_id ? { kind: 'customer' as const, id: r.reply_to_customer_id, name: r.reply_customer_name ?? '' } : null,
      text: r.text ?? '', hasLink: r.has_link, flagged: r.flagged,
    })),
    page: filter.page, pageSize: filter.pageSize, total: Number(total.rows[0]?.n ?? 0),
  };
}
