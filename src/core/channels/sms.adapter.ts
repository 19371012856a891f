// SMS through any HTTP gateway: the tenant states the URL, method, headers, a body template with
// {phone}, {text}, {sign} (and {messageId}, for gateways that de-duplicate) and how success reads.
import type { ChannelAdapter } from './channel.ts';
import { renderSmsBody, smsOutcome } from './gateway.rules.ts';
import { recipientOf } from './recipients.service.ts';
import type { SmsSettings } from './settings.rules.ts';
import { channelSettings } from './settings.service.ts';

async function post(settings: SmsSettings, values: { phone: string; text: string; messageId: string }): Promise<{ status: number; body: string }> {
  const rendered = renderSmsBody(settings.bodyTemplate, settings.bodyFormat, { ...values, sign: settings.sign });
  const contentType = settings.bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const headers: Record<string, string> = { ...settings.headers };
  let url = settings.url;
  let body: string | undefined;
  if (settings.method === 'GET') {
    url += (url.includes('?') ? '&' : '?') + rendered;
  } else {
    body = rendered;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = contentType;
  }
  const response = await fetch(url, { method: settings.method, headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

export const smsAdapter: ChannelAdapter = {
  kind: 'sms',

  async send(ctx, message) {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'sms');
    if (!settings) return { ok: false, retryable: false, reason: 'SMS is not set up for this tenant (PUT /api/v1/channels/sms)' };
    const recipient = await recipientOf(ctx.db, ctx.tenantId, message.customerId);
    if (!recipient?.phone) return { ok: false, retryable: false, reason: 'the customer has no phone number' };
    try {
      const answer = await post(settings, { phone: recipient.phone, text: message.content.text, messageId: message.messageId });
      return smsOutcome(answer.status, answer.body, settings.success);
    } catch (err) {
      return { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
    }
  },

  async test(ctx) {
    // Sending a real SMS costs money and reaches a person: the test only checks the gateway answers.
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'sms');
    if (!settings) return { ok: false, detail: 'SMS is not set up' };
    try {
      const response = await fetch(settings.url, { method: 'HEAD', headers: settings.headers, signal: AbortSignal.timeout(10_000) });
      return { ok: response.status < 500, detail: `gateway answered HTTP ${response.status} (no message sent)` };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  },
};
