// What journey nodes ask for, written set-wise in the engine's transaction: message requests
// (never delivered here: the messaging engine decides when and whether), tag changes, guide tasks,
// coupons. Every write is idempotent by instance, node and step, so a retried batch asks again
// with the same keys and nothing is doubled.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessagePurpose } from '../../db/schema.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { YuchiError } from '../errors.ts';
import { requestMessages, type MessageRequest } from '../messaging/requests.ts';
import { createGuideTasks, type GuideTaskRequest } from '../tasks/guide-tasks.ts';
import { applyTagChanges } from '../tags/tag-changes.ts';
import type { InstanceState, JourneyAction } from './journeys.engine.ts';
import { renderTemplate } from './journeys.rules.ts';

export type AppliedAction =
  | { kind: 'message'; instanceId: string; nodeId: string; customerId: string; channel: MessageChannel; purpose: MessagePurpose; priority: number; text: string; subject?: string; dedupeKey: string }
  | { kind: 'add_tag' | 'remove_tag'; instanceId: string; nodeId: string; customerId: string; tagId: string }
  | { kind: 'coupon'; instanceId: string; nodeId: string; customerId: string; templateId: string; code: string | null; refused?: string }
  | { kind: 'guide_task'; instanceId: string; nodeId: string; customerId: string; taskKind: string; title: string; dedupeKey: string };

interface CustomerVars {
  name: string;
  city: string;
  store: string;
  guide: string;
  store_id: string | null;
  guide_id: string | null;
}

async function customerVars(db: Db, tenantId: string, ids: string[]): Promise<Map<string, CustomerVars>> {
  const rows = await sql<CustomerVars & { id: string }>`
    select c.id, c.name, c.city, coalesce(s.name, '') as store, coalesce(g.name, '') as guide, c.store_id, c.guide_id
      from customers c
      left join stores s on s.tenant_id = c.tenant_id and s.id = c.store_id
      left join staff g on g.tenant_id = c.tenant_id and g.id = c.guide_id
     where c.tenant_id = ${tenantId} and c.id = any(${ids}::uuid[])`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, r]));
}

const keyOf = (instance: InstanceState, nodeId: string, seq: number): string => `journey:${instance.id}:${nodeId}:${seq}`;

export async function applyActions(db: Db, tenantId: string, actions: { instance: InstanceState; action: JourneyAction }[], now: Date, _timeZone: string): Promise<AppliedAction[]> {
  if (actions.length === 0) return [];
  const applied: AppliedAction[] = [];
  const vars = await customerVars(db, tenantId, [...new Set(actions.map((a) => a.instance.customerId))]);
  const varsOf = (i: InstanceState, journeyName = ''): Record<string, string> => {
    const v = vars.get(i.customerId);
    return { name: v?.name ?? '', city: v?.city ?? '', store: v?.store ?? '', guide: v?.guide ?? '', coupon_code: i.context.couponCode ?? '', journey: journeyName };
  };

  // tags first and coupons next: a message after them in the same walk may name the coupon's code
  const tagRows = actions.flatMap(({ instance, action }) => (action.kind === 'add_tag' || action.kind === 'remove_tag' ? [{ instance, action }] : []));
  const adds = tagRows.filter((t) => t.action.kind === 'add_tag');
  const removes = tagRows.filter((t) => t.action.kind === 'remove_tag');
  const tagOf = (a: JourneyAction): string => (a.kind === 'add_tag' || a.kind === 'remove_tag' ? a.tagId : '');
  if (adds.length > 0 || removes.length > 0) {
    await applyTagChanges(db, tenantId, {
      ...(adds.length > 0 ? { adds: sql`select * from unnest(${adds.map((t) => t.instance.customerId)}::uuid[], ${adds.map((t) => tagOf(t.action))}::uuid[], ${adds.map((t) => `journey:${t.instance.journeyId}`)}::text[]) as x(customer_id, tag_id, added_by)` } : {}),
      ...(removes.length > 0 ? { removes: sql`select * from unnest(${removes.map((t) => t.instance.customerId)}::uuid[], ${removes.map((t) => tagOf(t.action))}::uuid[]) as x(customer_id, tag_id)` } : {}),
      source: 'event', actor: 'journey', at: now,
    });
    for (const t of tagRows) applied.push({ kind: t.action.kind === 'add_tag' ? 'add_tag' : 'remove_tag', instanceId: t.instance.id, nodeId: actionNode(t.action), customerId: t.instance.customerId, tagId: tagOf(t.action) });
  }

  for (const { instance, action } of actions) {
    if (action.kind !== 'coupon') continue;
    const base = { kind: 'coupon' as const, instanceId: instance.id, nodeId: action.nodeId, customerId: instance.customerId, templateId: action.templateId };
    // a template that ended or ran out refuses: the journey goes on, the step records why
    await sql`savepoint journey_coupon`.execute(db);
    try {
      const r = await issueCoupons(db, tenantId, action.templateId, [instance.customerId], {
        requestKey: keyOf(instance, action.nodeId, action.seq), source: 'journey', actor: `journey:${instance.journeyId}`, partial: true, now,
      });
      await sql`release savepoint journey_coupon`.execute(db);
      const code = r.issued[0]?.code ?? r.duplicates[0]?.code ?? null;
      if (code) instance.context.couponCode = code;
      applied.push({ ...base, code, ...(code ? {} : { refused: r.skipped[0]?.reason ?? 'not issued' }) });
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err;
      await sql`rollback to savepoint journey_coupon`.execute(db);
      applied.push({ ...base, code: null, refused: err.reason ?? err.message });
    }
  }

  const messages: MessageRequest[] = [];
  const tasks: GuideTaskRequest[] = [];
  for (const { instance, action } of actions) {
    const values = varsOf(instance);
    const event = instance.context.event ?? {};
    const v = vars.get(instance.customerId);
    const source = { kind: 'journey', id: instance.journeyId };
    if (action.kind === 'message' || action.kind === 'webhook') {
      const node = action.node;
      const dedupeKey = keyOf(instance, node.id, action.seq);
      const channel: MessageChannel = node.type === 'webhook' ? 'webhook' : node.channel;
      const purpose: MessagePurpose = node.type === 'webhook' ? 'service' : node.purpose;
      const priority = node.type === 'webhook' ? 50 : node.priority;
      const text = renderTemplate(node.text, values, event);
      const subject = node.type === 'send_message' && node.subject ? renderTemplate(node.subject, values, event) : undefined;
      messages.push({
        customerId: instance.customerId, channel, purpose, priority, source, dedupeKey, staffId: v?.guide_id ?? null,
        content: { text, ...(subject ? { subject } : {}) }, notBefore: now,
      });
      applied.push({ kind: 'message', instanceId: instance.id, nodeId: node.id, customerId: instance.customerId, channel, purpose, priority, text, ...(subject ? { subject } : {}), dedupeKey });
    } else if (action.kind === 'invite_group' || action.kind === 'guide_task') {
      const node = action.node;
      const dedupeKey = keyOf(instance, node.id, action.seq);
      const taskKind = action.kind === 'invite_group' ? 'invite_to_group' : 'journey';
      const title = action.kind === 'guide_task' ? renderTemplate(action.node.title, values, event) : `邀请 ${values.name ?? ''} 入群`;
      const dueAt = new Date(now.getTime() + (action.kind === 'guide_task' ? action.node.dueInHours : 24) * 3_600_000);
      tasks.push({
        staffId: v?.guide_id ?? null, storeId: v?.store_id ?? null, customerId: instance.customerId,
        groupId: action.kind === 'invite_group' ? action.node.groupId : null, kind: taskKind, title: title.slice(0, 200),
        detail: { text: renderTemplate(node.text, values, event), journeyId: instance.journeyId, nodeId: node.id }, dueAt, source, dedupeKey,
      });
      applied.push({ kind: 'guide_task', instanceId: instance.id, nodeId: node.id, customerId: instance.customerId, taskKind, title, dedupeKey });
    }
  }
  await requestMessages(db, tenantId, messages);
  await createGuideTasks(db, tenantId, tasks);
  return applied;
}

function actionNode(a: JourneyAction): string {
  return 'node' in a ? a.node.id : a.nodeId;
}
