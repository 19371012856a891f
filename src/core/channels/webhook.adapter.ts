// A webhook: each message is POSTed as JSON to the tenant's URL, signed with HMAC-SHA256 over the
// timestamp and the body, with messages.id as the idempotency key so the receiver can drop a
// resend. Retries with backoff are the delivery engine's, driven by the retryable outcomes.
import type { ChannelAdapter } from './channel.ts';
import { WEBHOOK_IDEMPOTENCY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, webhookOutcome, webhookSignature } from './gateway.rules.ts';
import { recipientOf } from './recipients.service.ts';
import type { WebhookSettings } from './settings.rules.ts';
import { channelSettings } from './settings.service.ts';

async function deliver(settings: WebhookSettings, id: string, payload: Record<string, unknown>, now: Date): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const response = await fetch(settings.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
      [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(settings.secret, timestamp, body),
      [WEBHOOK_IDEMPOTENCY_HEADER]: id,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

export const webhookAdapter: ChannelAdapter = {
  kind: 'webhook',

  async send(ctx, message) {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'webhook');
    if (!settings) return { ok: false, retryable: false, reason: 'the webhook is not set up for this tenant (PUT /api/v1/channels/webhook)' };
    const recipient = await recipientOf(ctx.db, ctx.tenantId, message.customerId);
    if (!recipient) return { ok: false, retryable: false, reason: 'the customer is unknown or erased' };
    try {
      const answer = await deliver(settings, message.messageId, {
        type: 'message',
        messageId: message.messageId,
        customer: { id: recipient.customerId, name: recipient.name, phone: recipient.phone, email: recipient.email, externalUserId: recipient.externalUserId },
        staffId: message.staffId,
        content: message.content,
      }, new Date());
      return webhookOutcome(answer.status, answer.body);
    } catch (err) {
      return { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
    }
  },

  async test(ctx) {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'webhook');
    if (!settings) return { ok: false, detail: 'the webhook is not set up' };
    const at = new Date();
    try {
      const answer = await deliver(settings, `test-${at.getTime()}`, { type: 'test', sentAt: at.toISOString() }, at);
      const outcome = webhookOutcome(answer.status, answer.body);
      return { ok: outcome.ok, detail: outcome.ok ? `the receiver answered HTTP ${answer.status}` : outcome.reason };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  },
};
