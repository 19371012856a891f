// Turns active SOP plans into work: for every slot occurrence in the window and every active group
// the plan reaches, one sop_runs row (unique per slot, group and local date, so a re-run is a
// no-op) and either a guide task ('task' mode) or a group send through the WeCom channel ('auto'
// mode). An automatic send that cannot go (no channel, no owner, held by restraint — quiet hours,
// WeCom's per-group quota, the daily cap: group-restraint.rules.ts — or refused) becomes a task,
// and the run says why.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupKind, MessageContent, SopContent } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { ChannelAdapter } from '../channels/channel.ts';
import { channelFor } from '../channels/registry.ts';
import { newId } from '../ids.ts';
import { getMessagingSettings } from '../messaging/settings.service.ts';
import { createGuideTasks, type GuideTaskRequest } from '../tasks/guide-tasks.ts';
import { decideGroupSend, holdReasonText } from './group-restraint.rules.ts';
import { generationWindows, runKey, slotOccurrences, type SlotMode } from './sop.rules.ts';

export interface GenerateOptions {
  /** Override the windows of one tick (the benchmark generates a whole day at once). */
  windows?: Record<SlotMode, { from: Date; to: Date }>;
  /** The channel automatic slots go through; WeCom's registered adapter by default. */
  channel?: ChannelAdapter | undefined;
  chunkSize?: number;
}

export interface GenerateResult {
  /** Runs made by this call (occurrences already generated are not counted). */
  runs: number;
  tasks: number;
  sent: number;
  fallbacks: number;
}

interface GroupRow { id: string; chat_id: string; name: string; kind: GroupKind; owner_staff_id: string | null; store_id: string | null }
interface SlotRow { id: string; plan_id: string; weekday: number | null; start_minute: number; duration_minutes: number; title: string; content: SopContent; owner_staff_id: string | null; mode: SlotMode }

interface Occurrence {
  planId: string;
  planName: string;
  slot: SlotRow;
  group: GroupRow;
  date: string;
  dueAt: Date;
  staffId: string | null;
}

export function messageOf(content: SopContent): MessageContent {
  const attachments = [
    ...(content.images ?? []).map((url) => ({ kind: 'image', url })),
    ...(content.links ?? []).map((link) => ({ kind: 'link', title: link.title, url: link.url })),
    ...(content.couponTemplateId ? [{ kind: 'coupon', templateId: content.couponTemplateId }] : []),
  ];
  return attachments.length > 0 ? { text: content.text, attachments } : { text: content.text };
}

function taskOf(o: Occurrence, reason?: string): GuideTaskRequest {
  return {
    staffId: o.staffId, storeId: o.group.store_id, groupId: o.group.id, kind: 'sop_post',
    title: `${o.slot.title} · ${o.group.name || o.group.chat_id}`.slice(0, 200),
    detail: {
      planId: o.planId, planName: o.planName, slotId: o.slot.id, slotTitle: o.slot.title, groupName: o.group.name, chatId: o.group.chat_id,
      localDate: o.date, mode: o.slot.mode, content: o.slot.content, couponTemplateId: o.slot.content.couponTemplateId ?? null,
      ...(reason ? { fallbackReason: reason } : {}),
    },
    dueAt: o.dueAt, source: { kind: 'sop', id: o.planId }, dedupeKey: runKey(o.slot.id, o.group.id, o.date),
  };
}

/** Active groups a plan reaches, from the tenant's active groups. */
function groupsOf(plan: { target_kind: string; group_ids: string[]; group_kind: GroupKind | null }, byId: Map<string, GroupRow>, byKind: Map<GroupKind, GroupRow[]>): GroupRow[] {
  if (plan.target_kind === 'group_kind') return plan.group_kind ? byKind.get(plan.group_kind) ?? [] : [];
  return plan.group_ids.flatMap((id) => byId.get(id) ?? []);
}

async function occurrencesFor(db: Db, tenantId: string, timeZone: string, windows: Record<SlotMode, { from: Date; to: Date }>): Promise<Occurrence[]> {
  const plans = await db.selectFrom('sop_plans').select(['id', 'name', 'target_kind', 'group_ids', 'group_kind'])
    .where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
  if (plans.length === 0) return [];
  const slots: SlotRow[] = await db.selectFrom('sop_slots').select(['id', 'plan_id', 'weekday', 'start_minute', 'duration_minutes', 'title', 'content', 'owner_staff_id', 'mode'])
    .where('tenant_id', '=', tenantId).where('plan_id', 'in', plans.map((p) => p.id)).execute();
  const groups: GroupRow[] = await db.selectFrom('customer_groups').select(['id', 'chat_id', 'name', 'kind', 'owner_staff_id', 'store_id'])
    .where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
  const byId = new Map(groups.map((g) => [g.id, g]));
  const byKind = new Map<GroupKind, GroupRow[]>();
  for (const g of groups) {
    const list = byKind.get(g.kind);
    if (list) list.push(g);
    else byKind.set(g.kind, [g]);
  }
  const found: Occurrence[] = [];
  for (const plan of plans) {
    const reached = groupsOf(plan, byId, byKind);
    for (const slot of slots) {
      if (slot.plan_id !== plan.id) continue;
      const window = windows[slot.mode];
      for (const { date, dueAt } of slotOccurrences({ weekday: slot.weekday, startMinute: slot.start_minute, durationMinutes: slot.duration_minutes }, window.from, window.to, timeZone)) {
        for (const group of reached) {
          found.push({ planId: plan.id, planName: plan.name, slot, group, date, dueAt, staffId: slot.owner_staff_id ?? group.owner_staff_id });
        }
      }
    }
  }
  return found;
}

/** Inserts the runs not made yet and answers which of `batch` are new. */
async function claimRuns(db: Db, tenantId: string, batch: Occurrence[]): Promise<Occurrence[]> {
  const rows = await sql<{ slot_id: string; group_id: string; local_date: string }>`
    insert into sop_runs (tenant_id, id, plan_id, slot_id, group_id, local_date, due_at, mode, outcome, staff_id, task_key)
    select ${tenantId}, r.* from unnest(
      ${batch.map(() => newId())}::uuid[], ${batch.map((o) => o.planId)}::uuid[], ${batch.map((o) => o.slot.id)}::uuid[],
      ${batch.map((o) => o.group.id)}::uuid[], ${batch.map((o) => o.date)}::date[], ${batch.map((o) => o.dueAt.toISOString())}::timestamptz[],
      ${batch.map((o) => o.slot.mode)}::text[], ${batch.map((o) => (o.slot.mode === 'task' ? 'task' : 'pending'))}::text[],
      ${batch.map((o) => o.staffId)}::uuid[], ${batch.map((o) => (o.slot.mode === 'task' ? runKey(o.slot.id, o.group.id, o.date) : null))}::text[]) as r
    on conflict (tenant_id, slot_id, group_id, local_date) do nothing
    returning slot_id, group_id, local_date::text`.execute(db);
  const fresh = new Set(rows.rows.map((r) => `${r.slot_id}|${r.group_id}|${r.local_date}`));
  return batch.filter((o) => fresh.has(`${o.slot.id}|${o.group.id}|${o.date}`));
}

async function settleRuns(db: Db, tenantId: string, runs: Occurrence[], outcome: 'sent' | 'fallback_task', reason: string | null): Promise<void> {
  if (runs.length === 0) return;
  await sql`
    update sop_runs r set outcome = ${outcome}, reason = ${reason}, task_key = case when ${outcome} = 'fallback_task' then k.key else null end
    from unnest(${runs.map((o) => o.slot.id)}::uuid[], ${runs.map((o) => o.group.id)}::uuid[], ${runs.map((o) => o.date)}::date[],
                ${runs.map((o) => runKey(o.slot.id, o.group.id, o.date))}::text[]) as k(slot_id, group_id, local_date, key)
    where r.tenant_id = ${tenantId} and r.slot_id = k.slot_id and r.group_id = k.group_id and r.local_date = k.local_date`.execute(db);
}

/**
 * Splits owned automatic runs into those restraint lets go and those it holds (with the reason),
 * against the automatic posts each group already received this month, earliest run first.
 */
async function restrain(db: Db, tenantId: string, zone: string, runs: Occurrence[]): Promise<{ allowed: Occurrence[]; held: Map<string, Occurrence[]> }> {
  const allowed: Occurrence[] = [];
  const held = new Map<string, Occurrence[]>();
  if (runs.length === 0) return { allowed, held };
  const settings = await getMessagingSettings(db, tenantId);
  const earliest = Math.min(...runs.map((o) => o.dueAt.getTime()));
  // a month and a bit before the earliest run covers the day, week and month windows
  const history = await sql<{ group_id: string; due_at: Date }>`
    select group_id, due_at from sop_runs
     where tenant_id = ${tenantId} and outcome = 'sent' and group_id = any(${[...new Set(runs.map((o) => o.group.id))]}::uuid[])
       and due_at >= ${new Date(earliest - 32 * 86_400_000)}`.execute(db);
  const sentAts = new Map<string, number[]>();
  for (const h of history.rows) sentAts.set(h.group_id, [...(sentAts.get(h.group_id) ?? []), h.due_at.getTime()]);
  for (const o of [...runs].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())) {
    const before = sentAts.get(o.group.id) ?? [];
    const decision = decideGroupSend(o.dueAt.getTime(), zone, before, settings);
    if (decision.verdict === 'send') {
      allowed.push(o);
      sentAts.set(o.group.id, [...before, o.dueAt.getTime()]);
    } else {
      const reason = holdReasonText(decision);
      held.set(reason, [...(held.get(reason) ?? []), o]);
    }
  }
  return { allowed, held };
}

/** Sends the claimed automatic runs, one request per slot and owner; what cannot go becomes a task. */
async function sendAutomatic(db: Db, tenantId: string, zone: string, runs: Occurrence[], channel: ChannelAdapter | undefined, chunk: number): Promise<{ sent: number; fallbacks: number }> {
  let sent = 0;
  let fallbacks = 0;
  // Tasks in place of sends, in chunks: with no channel at all this is every automatic run of the tick.
  const fallBack = async (batch: Occurrence[], reason: string): Promise<void> => {
    for (let i = 0; i < batch.length; i += chunk) {
      const part = batch.slice(i, i + chunk);
      await inTransaction(db, async (trx) => {
        await createGuideTasks(trx, tenantId, part.map((o) => taskOf(o, reason)));
        await settleRuns(trx, tenantId, part, 'fallback_task', reason);
      });
    }
    fallbacks += batch.length;
  };
  const send = channel?.sendToGroups?.bind(channel);
  if (!send) {
    await fallBack(runs, 'channel_unavailable: no WeCom group sending configured');
    return { sent, fallbacks };
  }
  await fallBack(runs.filter((o) => !o.staffId), 'no_owner: the group has no owner to send as');
  const { allowed, held } = await restrain(db, tenantId, zone, runs.filter((o) => o.staffId));
  for (const [reason, batch] of held) await fallBack(batch, reason);
  const batches = new Map<string, Occurrence[]>();
  for (const o of allowed) {
    if (!o.staffId) continue;
    const key = `${o.slot.id}|${o.date}|${o.staffId}`;
    const batch = batches.get(key);
    if (batch) batch.push(o);
    else batches.set(key, [o]);
  }
  for (const batch of batches.values()) {
    const first = batch[0];
    if (!first?.staffId) continue;
    let outcome: Awaited<ReturnType<typeof send>>;
    try {
      outcome = await send({ db, tenantId }, first.staffId, batch.map((o) => o.group.chat_id), messageOf(first.slot.content));
    } catch (err) {
      outcome = { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
    }
    if (outcome.ok) {
      await settleRuns(db, tenantId, batch, 'sent', null);
      sent += batch.length;
    } else {
      await fallBack(batch, `send_failed: ${outcome.reason}`.slice(0, 300));
    }
  }
  return { sent, fallbacks };
}

export async function generateSopWork(db: Db, tenantId: string, now: Date, options: GenerateOptions = {}): Promise<GenerateResult> {
  const tenant = await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const windows = options.windows ?? generationWindows(now);
  const occurrences = await occurrencesFor(db, tenantId, tenant.timezone, windows);
  const chunk = options.chunkSize ?? 5000;
  let runs = 0;
  let tasks = 0;
  const automatic: Occurrence[] = [];
  for (let i = 0; i < occurrences.length; i += chunk) {
    await inTransaction(db, async (trx) => {
      const fresh = await claimRuns(trx, tenantId, occurrences.slice(i, i + chunk));
      runs += fresh.length;
      tasks += await createGuideTasks(trx, tenantId, fresh.filter((o) => o.slot.mode === 'task').map((o) => taskOf(o)));
      automatic.push(...fresh.filter((o) => o.slot.mode === 'auto'));
    });
  }
  const channel = 'channel' in options ? options.channel : channelFor('wecom');
  const { sent, fallbacks } = await sendAutomatic(db, tenantId, tenant.timezone, automatic, channel, chunk);
  return { runs, tasks: tasks + fallbacks, sent, fallbacks };
}

/** Tenants with an active plan: the only ones a tick needs to visit. */
export async function tenantsWithPlans(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('sop_plans').select('tenant_id').where('status', '=', 'active').distinct().execute();
  return rows.map((r) => r.tenant_id);
}
