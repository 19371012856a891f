// A guide working through their tasks: today's list, marking one done or skipped, and how many
// each guide finished per day. A guide touches only their own tasks (or their store's unassigned ones).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GuideTaskStatus } from '../../db/schema.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { notFound, YuchiError } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { inTransaction } from '../../db/transaction.ts';
import { settleByHand } from '../messaging/by-hand.service.ts';
import { settleHandOver } from '../messaging/mass-confirm.service.ts';
import { actorLabel } from '../tags/tags.rules.ts';

export interface TaskView {
  id: string;
  kind: string;
  title: string;
  detail: Record<string, unknown>;
  dueAt: string;
  status: GuideTaskStatus;
  overdue: boolean;
  staffId: string | null;
  customer: { id: string; name: string } | null;
  groupId: string | null;
  doneAt: string | null;
  doneBy: string | null;
}

/** Open tasks of a staff member (and their store's unassigned ones) due before `until`, oldest first; overdue ones too. */
export async function openTasks(db: Db, tenantId: string, staff: { id: string; storeId: string | null }, until: Date, now: Date): Promise<TaskView[]> {
  const rows = await sql<{ id: string; kind: string; title: string; detail: Record<string, unknown>; due_at: Date; status: GuideTaskStatus; staff_id: string | null;
    customer_id: string | null; customer_name: string | null; group_id: string | null; done_at: Date | null; done_by: string | null }>`
    select t.id, t.kind, t.title, t.detail, t.due_at, t.status, t.staff_id, t.customer_id, c.name as customer_name, t.group_id, t.done_at, t.done_by
      from guide_tasks t left join customers c on c.tenant_id = t.tenant_id and c.id = t.customer_id
     where t.tenant_id = ${tenantId} and t.status = 'open' and t.due_at < ${until}
       and (t.staff_id = ${staff.id} or (t.staff_id is null and t.store_id = ${staff.storeId}::uuid))
     order by t.due_at, t.id limit 200`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id, kind: r.kind, title: r.title, detail: r.detail, dueAt: r.due_at.toISOString(), status: r.status, overdue: r.due_at < now,
    staffId: r.staff_id, customer: r.customer_id ? { id: r.customer_id, name: r.customer_name ?? '' } : null, groupId: r.group_id,
    doneAt: r.done_at?.toISOString() ?? null, doneBy: r.done_by,
  }));
}

/**
 * Marks a task done or skipped. Doing it again is harmless (the first answer stands); a done
 * task cannot be skipped nor a skipped one done. A guide may only finish their own tasks or
 * their store's unassigned ones.
 */
export async function finishTask(db: Db, actor: Actor, taskId: string, outcome: 'done' | 'skipped', now = new Date()): Promise<TaskView> {
  const task = UUID_PATTERN.test(taskId)
    ? await db.selectFrom('guide_tasks').select(['id', 'staff_id', 'store_id', 'status']).where('tenant_id', '=', actor.tenantId).where('id', '=', taskId).executeTakeFirst()
    : undefined;
  if (!task) throw notFound('task');
  const own = ownCustomersOnly(actor);
  if (own !== undefined && task.staff_id !== own) {
    const mine = task.staff_id === null && task.store_id !== null
      && await db.selectFrom('staff').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', own).where('store_id', '=', task.store_id).executeTakeFirst();
    if (!mine) throw notFound('task');
  }
  const updated = await inTransaction(db, async (trx) => {
    const row = await trx.updateTable('guide_tasks')
      .set({ status: outcome, done_at: now, done_by: actorLabel(actor) })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', taskId).where('status', 'in', ['open', 'expired'])
      .returning(['id', 'kind', 'source_kind', 'source_id', 'staff_id']).executeTakeFirst();
    // a 群发 handed to the guide by hand is sent (or not) when the guide says so
    if (row?.kind === 'mass_send_confirm' && row.source_kind === 'mass_send' && row.staff_id) {
      await settleHandOver(trx, actor.tenantId, row.source_id, row.staff_id, outcome === 'done', { at: now });
    }
    if (row?.kind === 'send_by_hand' && row.source_kind === 'message') await settleByHand(trx, actor.tenantId, row.source_id, outcome === 'done', now);
    return row;
  });
  if (!updated && task.status !== outcome) {
    throw new YuchiError('conflict', `the task is already ${task.status}`, [{ path: 'id', message: `already ${task.status}`, code: 'task_already_finished', params: { status: task.status } }], 'task_already_finished');
  }
  const row = await sql<{ id: string; kind: string; title: string; detail: Record<string, unknown>; due_at: Date; status: GuideTaskStatus; staff_id: string | null;
    customer_id: string | null; customer_name: string | null; group_id: string | null; done_at: Date | null; done_by: string | null }>`
    select t.id, t.kind, t.title, t.detail, t.due_at, t.status, t.staff_id, t.customer_id, c.name as customer_name, t.group_id, t.done_at, t.done_by
      from guide_tasks t left join customers c on c.tenant_id = t.tenant_id and c.id = t.customer_id
     where t.tenant_id = ${actor.tenantId} and t.id = ${taskId}`.execute(db);
  const r = row.rows[0];
  if (!r) throw notFound('task');
  return {
    id: r.id, kind: r.kind, title: r.title, detail: r.detail, dueAt: r.due_at.toISOString(), status: r.status, overdue: r.status === 'open' && r.due_at < now,
    staffId: r.staff_id, customer: r.customer_id ? { id: r.customer_id, name: r.customer_name ?? '' } : null, groupId: r.group_id,
    doneAt: r.done_at?.toISOString() ?? null, doneBy: r.done_by,
  };
}

export interface CompletionRow {
  staffId: string;
  staffName: string;
  day: string;
  done: number;
  skipped: number;
  /** Tasks due that day still open. */
  open: number;
}

/** Per guide and local day in [from, to]: tasks due that day done, skipped and still open. */
export async function taskCompletion(db: Db, tenantId: string, timeZone: string, range: { from: Date; to: Date }, staffId?: string): Promise<CompletionRow[]> {
  const only = staffId === undefined ? sql`` : sql`and t.staff_id = ${staffId}`;
  const rows = await sql<{ staff_id: string; name: string; day: string; done: number; skipped: number; open: number }>`
    select t.staff_id, s.name, to_char((t.due_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
           count(*) filter (where t.status = 'done')::int as done, count(*) filter (where t.status = 'skipped')::int as skipped,
           count(*) filter (where t.status = 'open')::int as open
      from guide_tasks t join staff s on s.tenant_id = t.tenant_id and s.id = t.staff_id
     where t.tenant_id = ${tenantId} and t.due_at >= ${range.from} and t.due_at < ${range.to} ${only}
     group by 1, 2, 3 order by 3, 2`.execute(db);
  return rows.rows.map((r) => ({ staffId: r.staff_id, staffName: r.name, day: r.day, done: r.done, skipped: r.skipped, open: r.open }));
}
