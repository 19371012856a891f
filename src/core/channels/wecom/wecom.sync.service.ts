// Pulls what WeCom already knows into Yuchi: every staff member's external contacts and every
// customer group with its members, as contact_added and group_joined events through the one
// ingestion path. Event ids are stable (staff + contact, group + member), so a second run stores
// nothing twice and only what is new lands.
import type { Db } from '../../../db/connect.ts';
import type { Actor } from '../../access/access.rules.ts';
import { YuchiError } from '../../errors.ts';
import { ingestEvents } from '../../ingest/ingest.service.ts';
import { MAX_EVENTS_PER_BATCH, type Rejection } from '../../ingest/events.rules.ts';
import { getTenant } from '../../tenants/tenants.service.ts';
import { channelSettings } from '../settings.service.ts';
import { isExternalUserId, type YuchiEventDraft } from './wecom.callback.rules.ts';
import { WecomClient, type WecomClientOptions } from './wecom.client.ts';

/** The background job that runs a sync (src/worker/tasks/wecom-sync.ts). */
export const WECOM_SYNC_TASK = 'wecom_sync';

export interface WecomSyncResult {
  staff: number;
  contacts: number;
  groups: number;
  memberships: number;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

const iso = (seconds: number | undefined, fallback: Date): string => (seconds && seconds > 0 ? new Date(seconds * 1000).toISOString() : fallback.toISOString());

export async function syncWecom(db: Db, tenantId: string, options: WecomClientOptions & { now?: Date } = {}): Promise<WecomSyncResult> {
  const settings = await channelSettings(db, tenantId, 'wecom');
  if (!settings) throw new YuchiError('unprocessable', 'WeCom is not set up for this tenant', [], 'wecom_not_set_up');
  const tenant = await getTenant(db, tenantId);
  const actor: Actor = { tenantId, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'WeCom sync' };
  const client = new WecomClient(tenantId, settings, options);
  const now = options.now ?? new Date();
  const result: WecomSyncResult = { staff: 0, contacts: 0, groups: 0, memberships: 0, accepted: 0, duplicates: 0, rejected: [] };
  let batch: YuchiEventDraft[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await ingestEvents(db, actor, batch);
    result.accepted += outcome.accepted;
    result.duplicates += outcome.duplicates;
    result.rejected.push(...outcome.rejected.slice(0, 100 - result.rejected.length));
    batch = [];
  };
  const push = async (e: YuchiEventDraft) => {
    batch.push(e);
    if (batch.length >= MAX_EVENTS_PER_BATCH) await flush();
  };

  const staff = await client.followUsers();
  result.staff = staff.length;
  for (const userid of staff) {
    for (const external of await client.listExternalContacts(userid)) {
      // One detail call per contact: it carries when the friendship began and through which code (state).
      const detail = await client.getExternalContact(external);
      const follow = detail.follow_user?.find((f) => f.userid === userid);
      const name = detail.external_contact.name?.trim();
      result.contacts += 1;
      await push({
        id: `wecom-sync:contact:${userid}:${external}`.slice(0, 200), type: 'contact_added', occurredAt: iso(follow?.createtime, now),
        customer: { externalUserId: external }, source: 'wecom',
        properties: { staffWecomUserId: userid, ...(follow?.state ? { state: follow.state } : {}), ...(name ? { name: name.slice(0, 50) } : {}) },
      });
    }
  }

  let cursor: string | undefined;
  do {
    const page = await client.listGroupChats(cursor ? { cursor } : {});
    for (const { chat_id } of page.chats) {
      const chat = await client.getGroupChat(chat_id);
      result.groups += 1;
      for (const m of chat.member_list ?? []) {
        if (m.type !== 2 && !isExternalUserId(m.userid)) continue;
        result.memberships += 1;
        await push({
          id: `wecom-sync:group:${chat_id}:${m.userid}`.slice(0, 200), type: 'group_joined', occurredAt: iso(m.join_time, now),
          customer: { externalUserId: m.userid }, source: 'wecom',
          properties: { chatId: chat_id, ...(chat.name ? { groupName: chat.name } : {}), ...(chat.owner ? { ownerWecomUserId: chat.owner } : {}) },
        });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await flush();
  return result;
}
