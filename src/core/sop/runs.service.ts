// What the generator did, for the console: each run with its group, slot and whether the post was
// done (sent, or the guide completed the task), missed (not done once its slot ended) or pending.
import type { Db } from '../../db/connect.ts';
import { runState } from './sop.rules.ts';

export interface RunView {
  id: string;
  planId: string;
  planName: string;
  slotId: string;
  slotTitle: string | null;
  groupId: string;
  groupName: string;
  localDate: string;
  dueAt: string;
  mode: 'task' | 'auto';
  outcome: string;
  reason: string | null;
  staffId: string | null;
  staffName: string | null;
  taskStatus: string | null;
  state: 'done' | 'missed' | 'pending';
}

export interface RunFilter {
  from: string;
  to: string;
  planId?: string | undefined;
  state?: 'done' | 'missed' | 'pending' | undefined;
  limit?: number | undefined;
}

export async function listRuns(db: Db, tenantId: string, filter: RunFilter, now: Date): Promise<{ items: RunView[]; summary: Record<'done' | 'missed' | 'pending', number> }> {
  let q = db.selectFrom('sop_runs as r')
    .innerJoin('sop_plans as p', (j) => j.onRef('p.tenant_id', '=', 'r.tenant_id').onRef('p.id', '=', 'r.plan_id'))
    .innerJoin('customer_groups as g', (j) => j.onRef('g.tenant_id', '=', 'r.tenant_id').onRef('g.id', '=', 'r.group_id'))
    .leftJoin('sop_slots as s', (j) => j.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.id', '=', 'r.slot_id'))
    .leftJoin('staff as st', (j) => j.onRef('st.tenant_id', '=', 'r.tenant_id').onRef('st.id', '=', 'r.staff_id'))
    .leftJoin('guide_tasks as t', (j) => j.onRef('t.tenant_id', '=', 'r.tenant_id').onRef('t.dedupe_key', '=', 'r.task_key'))
    .select(['r.id', 'r.plan_id', 'p.name as plan_name', 'r.slot_id', 's.title as slot_title', 's.duration_minutes', 'r.group_id', 'g.name as group_name', 'g.chat_id',
      'r.local_date', 'r.due_at', 'r.mode', 'r.outcome', 'r.reason', 'r.staff_id', 'st.name as staff_name', 't.status as task_status'])
    .where('r.tenant_id', '=', tenantId).where('r.local_date', '>=', filter.from).where('r.local_date', '<=', filter.to);
  if (filter.planId) q = q.where('r.plan_id', '=', filter.planId);
  const rows = await q.orderBy('r.due_at', 'desc').orderBy('g.name').limit(20_000).execute();
  const all = rows.map((r): RunView => ({
    id: r.id, planId: r.plan_id, planName: r.plan_name, slotId: r.slot_id, slotTitle: r.slot_title, groupId: r.group_id, groupName: r.group_name || r.chat_id,
    localDate: r.local_date, dueAt: r.due_at.toISOString(), mode: r.mode, outcome: r.outcome, reason: r.reason, staffId: r.staff_id, staffName: r.staff_name,
    taskStatus: r.task_status, state: runState(r.outcome, r.task_status, r.due_at, r.duration_minutes ?? 30, now),
  }));
  const summary = { done: 0, missed: 0, pending: 0 };
  for (const r of all) summary[r.state] += 1;
  const items = all.filter((r) => !filter.state || r.state === filter.state).slice(0, filter.limit ?? 500);
  return { items, summary };
}
