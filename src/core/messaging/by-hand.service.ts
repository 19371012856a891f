// WeCom messages for one customer (a journey's step, a keyword auto-reply, a guide's follow-up)
// while the tenant has not connected WeCom: the guide has WeCom on their phone, so the message is
// handed to them as a task (due within two hours) with the text to copy, and waits (awaiting_confirmation) until they
// mark the task done (sent) or skip it (failed: guide_skipped). Welcome messages are not handed
// over: WeCom's welcome code lasts 20 seconds, and the workbench lists new friends to greet.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessageContent } from '../../db/schema.ts';
import type { SendOutcome } from '../channels/channel.ts';
import { createGuideTasks } from '../tasks/guide-tasks.ts';

/** Why a message (messages.status_reason) or a 群发 hand-over (mass_send_staff.reason) waits for its guide: WeCom is not connected. */
export const BY_HAND = 'wecom_not_set_up';

/** Why a message handed to a guide was not sent: the guide skipped their task. */
export const GUIDE_SKIPPED = 'guide_skipped';

/** When a guide's task for a message or a 群发 handed over by hand is due. */
export function byHandDueAt(): Date {
  return new Date(Date.now() + 2 * 3_600_000);
}

/** The messages a guide had waiting, as the guide says: sent at `at`, or failed as skipped. */
export function guideSettled(sent: boolean, at: Date): RawBuilder<unknown> {
  return sql`status = ${sent ? 'sent' : 'failed'}, sent_at = ${sent ? at : null}::timestamptz,
             status_reason = ${sent ? null : GUIDE_SKIPPED}, updated_at = now()`;
}

/** A WeCom message the channel refused only for not being set up, that a guide can send instead. */
export function canGoByHand(message: { channel: MessageChannel; staffId: string | null; content: MessageContent }, outcome: SendOutcome): boolean {
  return !outcome.ok && outcome.notSetUp === true && message.channel === 'wecom' && message.staffId !== null && !message.content.welcomeCode;
}

/** The guide's task for each message now waiting for them (in the caller's transaction). */
export async function handMessagesToGuides(db: Db, tenantId: string, messageIds: readonly string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const rows = await sql<{ id: string; customer_id: string; staff_id: string; content: MessageContent; source_kind: string; source_id: string | null }>`
    select id, customer_id, staff_id, content, source_kind, source_id from messages
     where tenant_id = ${tenantId} and id = any(${[...messageIds]}::uuid[]) and status = 'awaiting_confirmation' and staff_id is not null`.execute(db);
  return createGuideTasks(db, tenantId, rows.rows.map((m) => ({
    staffId: m.staff_id, customerId: m.customer_id, kind: 'send_by_hand', title: `${SOURCE_TITLES[m.source_kind] ?? '发送消息'}（企业微信手动发送）`,
    detail: { messageId: m.id, text: m.content.text, attachments: m.content.attachments ?? [], via: m.source_kind, sourceId: m.source_id },
    dueAt: byHandDueAt(), source: { kind: 'message', id: m.id }, dedupeKey: `send_by_hand:${m.id}`,
  })));
}

const SOURCE_TITLES: Record<string, string> = { journey: '旅程消息', auto_reply: '自动回复', sop: 'SOP 消息', campaign: '活动消息' };

/** The guide's word on a message handed to them: sent, or skipped. Runs in the caller's transaction. */
export async function settleByHand(db: Db, tenantId: string, messageId: string, sent: boolean, at = new Date()): Promise<void> {
  await sql`update messages set ${guideSettled(sent, at)}
             where tenant_id = ${tenantId} and id = ${messageId} and status = 'awaiting_confirmation' and status_reason = ${BY_HAND}`.execute(db);
}
