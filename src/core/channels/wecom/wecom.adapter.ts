// Sending through WeCom. A welcome goes through send_welcome_msg with the code of the friend-added
// callback; anything else through add_msg_template, which WeCom delivers only after the staff
// member confirms it on their phone (the platform's rule for messages from staff to customers).
import type { MessageContent } from '../../../db/schema.ts';
import type { ChannelAdapter, ChannelContext, OutgoingMessage, SendOutcome } from '../channel.ts';
import { externalUserIdsOf, recipientOf, staffWecomUserId } from '../recipients.service.ts';
import { channelSettings } from '../settings.service.ts';
import { WecomClient, type WecomClientOptions } from './wecom.client.ts';
import { WecomApiError } from './wecom.errors.ts';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Yuchi's attachments in WeCom's shape; kinds WeCom has no form for are left out. */
export function wecomAttachments(content: MessageContent): Json[] {
  return (content.attachments ?? []).flatMap((a): Json[] => {
    if (a.kind === 'image') {
      const mediaId = str(a.mediaId);
      const picUrl = str(a.picUrl) ?? str(a.url);
      return mediaId || picUrl ? [{ msgtype: 'image', image: mediaId ? { media_id: mediaId } : { pic_url: picUrl } }] : [];
    }
    if (a.kind === 'link' && str(a.url)) {
      return [{ msgtype: 'link', link: { title: str(a.title) ?? str(a.url), url: str(a.url), ...(str(a.picUrl) ? { picurl: str(a.picUrl) } : {}), ...(str(a.desc) ? { desc: str(a.desc) } : {}) } }];
    }
    if (a.kind === 'miniprogram' && str(a.appid) && str(a.page) && str(a.picMediaId)) {
      return [{ msgtype: 'miniprogram', miniprogram: { title: str(a.title) ?? '', pic_media_id: str(a.picMediaId), appid: str(a.appid), page: str(a.page) } }];
    }
    return [];
  });
}

function failed(err: unknown): SendOutcome {
  if (err instanceof WecomApiError) return { ok: false, retryable: err.retryable, reason: err.message };
  // Anything else (a dropped connection, a timeout) may well pass next time.
  return { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
}

export function createWecomAdapter(options: WecomClientOptions = {}): ChannelAdapter {
  async function clientFor(ctx: ChannelContext): Promise<WecomClient | null> {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'wecom');
    return settings ? new WecomClient(ctx.tenantId, settings, options) : null;
  }
  const notSetUp: SendOutcome = { ok: false, retryable: false, reason: 'WeCom is not set up for this tenant (PUT /api/v1/channels/wecom)', notSetUp: true };

  async function senderOf(ctx: ChannelContext, staffId: string | null): Promise<string | SendOutcome> {
    if (!staffId) return { ok: false, retryable: false, reason: 'a WeCom message goes out as a staff member; the message names none' };
    const userid = await staffWecomUserId(ctx.db, ctx.tenantId, staffId);
    return userid ?? { ok: false, retryable: false, reason: `staff ${staffId} has no WeCom user id` };
  }

  return {
    kind: 'wecom',

    async send(ctx, message) {
      const client = await clientFor(ctx);
      if (!client) return notSetUp;
      try {
        if (message.content.welcomeCode) {
          await client.sendWelcomeMsg(message.content.welcomeCode, message.content.text, wecomAttachments(message.content));
          return { ok: true };
        }
        const sender = await senderOf(ctx, message.staffId);
        if (typeof sender !== 'string') return sender;
        const recipient = await recipientOf(ctx.db, ctx.tenantId, message.customerId);
        if (!recipient?.externalUserId) return { ok: false, retryable: false, reason: 'the customer has no WeCom external user id' };
        const sent = await client.addMsgTemplate({
          chatType: 'single', sender, externalUserIds: [recipient.externalUserId], text: message.content.text, attachments: wecomAttachments(message.content),
        });
        if (sent.failList.includes(recipient.externalUserId)) return { ok: false, retryable: false, reason: `${recipient.externalUserId} is not a WeCom contact of ${sender}` };
        return { ok: true, providerId: sent.msgid };
      } catch (err) {
        return failed(err);
      }
    },

    async sendForConfirmation(ctx, staffId, messages) {
      const client = await clientFor(ctx);
      if (!client) return notSetUp;
      const first = messages[0];
      if (!first) return { ok: false, retryable: false, reason: 'no messages' };
      const sender = await senderOf(ctx, staffId);
      if (typeof sender !== 'string') return sender;
      const ids = await externalUserIdsOf(ctx.db, ctx.tenantId, messages.map((m) => m.customerId));
      const externalUserIds = [...new Set(ids.values())];
      if (externalUserIds.length === 0) return { ok: false, retryable: false, reason: 'none of these customers has a WeCom external user id' };
      try {
        const sent = await client.addMsgTemplate({ chatType: 'single', sender, externalUserIds, text: first.content.text, attachments: wecomAttachments(first.content) });
        return { ok: true, providerId: sent.msgid };
      } catch (err) {
        return failed(err);
      }
    },

    async sendToGroups(ctx, staffId, chatIds, content) {
      const client = await clientFor(ctx);
      if (!client) return notSetUp;
      const sender = await senderOf(ctx, staffId);
      if (typeof sender !== 'string') return sender;
      try {
        const sent = await client.addMsgTemplate({ chatType: 'group', sender, chatIds, text: content.text, attachments: wecomAttachments(content) });
        return { ok: true, providerId: sent.msgid };
      } catch (err) {
        return failed(err);
      }
    },

    async test(ctx) {
      const client = await clientFor(ctx);
      if (!client) return { ok: false, detail: 'WeCom is not set up' };
      try {
        await client.accessToken();
        const staff = await client.followUsers();
        return { ok: true, detail: `access token issued; ${staff.length} staff members have customer-contact permission` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

export const wecomAdapter = createWecomAdapter();
