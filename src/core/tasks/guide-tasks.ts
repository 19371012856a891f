// The one place that asks a guide to do something. SOP posts, mass sends WeCom wants confirmed,
// journeys' "create guide task" step, follow-ups and welcomes all land in guide_tasks, and the
// guide workbench shows them together.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { newId } from '../ids.ts';

/** Kinds the workbench knows how to show; other areas may add their own. */
export type GuideTaskKind =
  | 'sop_post' | 'mass_send_confirm' | 'welcome_friend' | 'invite_to_group' | 'follow_up'
  | 'birthday' | 'at_risk' | 'journey' | 'send_by_hand' | (string & {});

export interface GuideTaskRequest {
  /** The guide who should do it; null leaves it to anyone at the store. */
  staffId: string | null;
  storeId?: string | null;
  customerId?: string | null;
  groupId?: string | null;
  kind: GuideTaskKind;
  title: string;
  detail?: Record<string, unknown>;
  dueAt: Date;
  source: { kind: string; id: string };
  /** A re-run generator passes the same key and makes no second task. */
  dedupeKey: string;
}

/** Creates the tasks in the caller's transaction and returns how many were new. */
export async function createGuideTasks(db: Db, tenantId: string, tasks: readonly GuideTaskRequest[]): Promise<number> {
  if (tasks.length === 0) return 0;
  const result = await sql`
    insert into guide_tasks (tenant_id, id, staff_id, store_id, customer_id, group_id, kind, title, detail,
                             due_at, source_kind, source_id, dedupe_key)
    select ${tenantId}, t.* from unnest(
      ${tasks.map(() => newId())}::uuid[], ${tasks.map((t) => t.staffId)}::uuid[], ${tasks.map((t) => t.storeId ?? null)}::uuid[],
      ${tasks.map((t) => t.customerId ?? null)}::uuid[], ${tasks.map((t) => t.groupId ?? null)}::uuid[],
      ${tasks.map((t) => t.kind)}::text[], ${tasks.map((t) => t.title)}::text[],
      ${tasks.map((t) => JSON.stringify(t.detail ?? {}))}::jsonb[], ${tasks.map((t) => t.dueAt.toISOString())}::timestamptz[],
      ${tasks.map((t) => t.source.kind)}::text[], ${tasks.map((t) => t.source.id)}::text[], ${tasks.map((t) => t.dedupeKey)}::text[]) as t
    on conflict (tenant_id, dedupe_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
