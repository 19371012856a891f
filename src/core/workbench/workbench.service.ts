// The guide workbench: today's open tasks and the lists a guide works from — birthdays, valuable
// customers drifting away, new friends to welcome, store buyers not yet in a group — all among
// the guide's own customers, with how much of today's work is done.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { localDate } from '../time.ts';
import { invalid, notFound, YuchiError } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { openTasks, type TaskView } from '../tasks/task-work.service.ts';
import { nextDate, startOfLocalDay } from '../time.ts';
import { weekMonthDays } from './workbench.rules.ts';

/** A customer is at risk when the model gives them under this chance of still being a customer. */
export const AT_RISK_P_ALIVE = 0.5;
/** …and they are valuable: an RFM monetary score of at least this (quintiles 1–5). */
export const AT_RISK_MIN_M_SCORE = 4;
const LIST_LIMIT = 50;

export interface WorkbenchCustomer {
  id: string;
  name: string;
  note: string;
}

export interface Workbench {
  staff: { id: string; name: string; storeId: string | null };
  date: string;
  tasks: TaskView[];
  progress: { done: number; skipped: number; open: number };
  birthdaysToday: WorkbenchCustomer[];
  birthdaysThisWeek: WorkbenchCustomer[];
  atRisk: WorkbenchCustomer[];
  /** Friends added in the last 24 hours who are the guide's own customers (a guide sees no one else's). */
  newFriends: WorkbenchCustomer[];
  notInGroup: WorkbenchCustomer[];
}

/** The staff member whose workbench the actor may see: a guide only their own; others name one. */
export async function workbenchStaff(db: Db, actor: Actor, staffId: string | undefined): Promise<{ id: string; name: string; storeId: string | null }> {
  let id: string;
  if (actor.role === 'guide') {
    if (!actor.staffId) throw new YuchiError('forbidden', 'this account is not linked to a staff member');
    if (staffId !== undefined && staffId !== actor.staffId) throw new YuchiError('forbidden', 'a guide sees only their own workbench');
    id = actor.staffId;
  } else {
    const chosen = staffId ?? actor.staffId ?? undefined;
    if (chosen === undefined) throw invalid('query.staffId', 'name the staff member whose workbench to show', { code: 'staff_needed', params: {} });
    id = chosen;
  }
  const row = UUID_PATTERN.test(id)
    ? await db.selectFrom('staff').select(['id', 'name', 'store_id']).where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('staff member');
  return { id: row.id, name: row.name, storeId: row.store_id };
}

export async function workbench(db: Db, actor: Actor, staffId: string | undefined, now = new Date()): Promise<Workbench> {
  const staff = await workbenchStaff(db, actor, staffId);
  const tz = actor.timezone;
  const today = localDate(now, tz);
  const dayStart = startOfLocalDay(today, tz);
  const dayEnd = startOfLocalDay(nextDate(today), tz);
  const days = weekMonthDays(today);
  const t = actor.tenantId;
  const s = staff.id;

  const [tasks, progress, birthdays, atRisk, newFriends, notInGroup] = await Promise.all([
    openTasks(db, t, staff, dayEnd, now),
    sql<{ done: number; skipped: number; open: number }>`
      select count(*) filter (where status = 'done' and done_at >= ${dayStart})::int as done,
             count(*) filter (where status = 'skipped' and done_at >= ${dayStart})::int as skipped,
             count(*) filter (where status = 'open' and due_at < ${dayEnd})::int as open
        from guide_tasks where tenant_id = ${t} and staff_id = ${s} and (status = 'open' or done_at >= ${dayStart})`.execute(db),
    sql<{ id: string; name: string; md: string; birthday: string }>`
      select id, name, to_char(birthday, 'MM-DD') as md, to_char(birthday, 'YYYY-MM-DD') as birthday from customers
       where tenant_id = ${t} and guide_id = ${s} and erased_at is null and birthday is not null and to_char(birthday, 'MM-DD') = any(${days.week}::text[])
       order by array_position(${days.week}::text[], to_char(birthday, 'MM-DD')), name limit 200`.execute(db),
    sql<{ id: string; name: string; p_alive: number; monetary_fen: number }>`
      select c.id, c.name, sc.p_alive, sc.monetary_fen from customers c
        join customer_scores sc on sc.tenant_id = c.tenant_id and sc.customer_id = c.id
       where c.tenant_id = ${t} and c.guide_id = ${s} and c.erased_at is null
         and sc.p_alive < ${AT_RISK_P_ALIVE} and sc.m_score >= ${AT_RISK_MIN_M_SCORE}
       order by sc.monetary_fen desc limit ${LIST_LIMIT}`.execute(db),
    sql<{ id: string; name: string; added_at: Date; state: string | null }>`
      select c.id, c.name, k.added_at, k.state from customer_contacts k
        join customers c on c.tenant_id = k.tenant_id and c.id = k.customer_id
       where k.tenant_id = ${t} and k.staff_id = ${s} and k.deleted_at is null and k.added_at > ${new Date(now.getTime() - 86_400_000)}
         and c.guide_id = ${s}
       order by k.added_at desc limit ${LIST_LIMIT}`.execute(db),
    sql<{ id: string; name: string; last_pos: Date }>`
      select c.id, c.name, o.last_pos from customers c
        join lateral (select max(o.ordered_at) as last_pos from orders o
                       where o.tenant_id = c.tenant_id and o.customer_id = c.id and o.channel = 'pos' and o.status <> 'refunded') o on o.last_pos is not null
       where c.tenant_id = ${t} and c.guide_id = ${s} and c.erased_at is null
         and c.last_order_at > ${new Date(now.getTime() - 30 * 86_400_000)}
         and o.last_pos > ${new Date(now.getTime() - 30 * 86_400_000)}
         and not exists (select 1 from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id and g.status = 'active'
                          where m.tenant_id = c.tenant_id and m.customer_id = c.id and m.left_at is null)
       order by o.last_pos desc limit ${LIST_LIMIT}`.execute(db),
  ]);
  const todays = new Set(days.today);
  const p = progress.rows[0] ?? { done: 0, skipped: 0, open: 0 };
  return {
    staff, date: today, tasks, progress: p,
    birthdaysToday: birthdays.rows.filter((b) => todays.has(b.md)).map((b) => ({ id: b.id, name: b.name, note: b.birthday })),
    birthdaysThisWeek: birthdays.rows.filter((b) => !todays.has(b.md)).map((b) => ({ id: b.id, name: b.name, note: b.birthday })),
    atRisk: atRisk.rows.map((r) => ({ id: r.id, name: r.name, note: `p_alive ${r.p_alive.toFixed(2)} · ¥${Math.round(r.monetary_fen / 100)}` })),
    newFriends: newFriends.rows.map((r) => ({ id: r.id, name: r.name, note: r.added_at.toISOString() })),
    notInGroup: notInGroup.rows.map((r) => ({ id: r.id, name: r.name, note: r.last_pos.toISOString() })),
  };
}
