// What became of a WeCom mass send (add_msg_template): per customer or group, whether the staff
// member has sent it yet, and why WeCom did not deliver. The delivery engine polls this for the
// msgid an adapter returned as providerId, since WeCom delivers only after the staff member confirms.
import { sql } from 'kysely';
import type { ChannelContext } from '../channel.ts';
import { staffWecomUserId } from '../recipients.service.ts';
import { channelSettings } from '../settings.service.ts';
import { WecomClient, type WecomClientOptions } from './wecom.client.ts';

/** WeCom's send_list status: 0 not sent yet, 1 sent, 2 not a friend (any more), 3 the customer already had a mass message that day. */
export type MassSendStatus = 'awaiting_confirmation' | 'sent' | 'not_a_friend' | 'over_quota' | 'unknown';

export function massSendStatus(code: number): MassSendStatus {
  return code === 0 ? 'awaiting_confirmation' : code === 1 ? 'sent' : code === 2 ? 'not_a_friend' : code === 3 ? 'over_quota' : 'unknown';
}

export interface MassSendResult {
  externalUserId: string | null;
  chatId: string | null;
  /** The Yuchi customer of the external user id, when Yuchi knows them. */
  customerId: string | null;
  status: MassSendStatus;
  sentAt: Date | null;
}

export async function massSendResults(ctx: ChannelContext, msgid: string, staffId: string, options: WecomClientOptions = {}): Promise<MassSendResult[] | null> {
  const settings = await channelSettings(ctx.db, ctx.tenantId, 'wecom');
  const userid = await staffWecomUserId(ctx.db, ctx.tenantId, staffId);
  if (!settings || !userid) return null;
  const client = new WecomClient(ctx.tenantId, settings, options);
  const sends: Awaited<ReturnType<WecomClient['getGroupMsgSendResult']>>['sends'] = [];
  let cursor: string | undefined;
  do {
    const page = await client.getGroupMsgSendResult(msgid, userid, cursor);
    sends.push(...page.sends);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const externals = sends.flatMap((s) => (s.external_userid ? [s.external_userid] : []));
  const owners = externals.length === 0 ? [] : (await sql<{ value: string; customer_id: string }>`
    select value, customer_id from customer_identities where tenant_id = ${ctx.tenantId} and kind = 'external_userid' and value = any(${externals}::text[])`.execute(ctx.db)).rows;
  const customerOf = new Map(owners.map((o) => [o.value, o.customer_id]));
  return sends.map((s) => ({
    externalUserId: s.external_userid ?? null,
    chatId: s.chat_id ?? null,
    customerId: s.external_userid ? customerOf.get(s.external_userid) ?? null : null,
    status: massSendStatus(s.status),
    sentAt: s.send_time ? new Date(s.send_time * 1000) : null,
  }));
}

/**
 * Whether the staff member has sent the mass send (get_groupmsg_task: 0 not yet, 2 sent), with
 * WeCom's send time; null when WeCom is not set up or the staff member has no WeCom user id.
 */
export async function staffMassSendTask(ctx: ChannelContext, msgid: string, staffId: string, options: WecomClientOptions = {}): Promise<{ sent: boolean; sentAt: Date | null } | null> {
  const settings = await channelSettings(ctx.db, ctx.tenantId, 'wecom');
  const userid = await staffWecomUserId(ctx.db, ctx.tenantId, staffId);
  if (!settings || !userid) return null;
  const client = new WecomClient(ctx.tenantId, settings, options);
  let cursor: string | undefined;
  do {
    const page = await client.getGroupMsgTask(msgid, cursor);
    const mine = page.tasks.find((t) => t.userid === userid);
    // 2 is 已发送 in WeCom's list; 1 is accepted too, as send_list uses it for sent
    if (mine) return { sent: mine.status === 2 || mine.status === 1, sentAt: mine.send_time ? new Date(mine.send_time * 1000) : null };
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { sent: false, sentAt: null };
}
