// Email over SMTP (nodemailer). The message id is Yuchi's messages.id, so a resend after a crash
// carries the same Message-ID and a mail system that de-duplicates sees one message.
import nodemailer from 'nodemailer';
import type { ChannelAdapter, SendOutcome } from './channel.ts';
import { recipientOf } from './recipients.service.ts';
import type { EmailSettings } from './settings.rules.ts';
import { channelSettings } from './settings.service.ts';

function transportOf(settings: EmailSettings) {
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

/** The subject when the template gives none: the text's first line, shortened. */
export function subjectOf(text: string, subject?: string): string {
  if (subject && subject.trim() !== '') return subject.trim();
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return [...line].length > 40 ? `${[...line].slice(0, 40).join('')}…` : line;
}

/** SMTP 4xx is "try later"; 5xx is final; no answer at all (refused, timed out) is worth another try. */
export function smtpOutcome(err: unknown): SendOutcome {
  const e = typeof err === 'object' && err !== null ? (err as { responseCode?: unknown; code?: unknown; message?: unknown }) : {};
  const reason = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.responseCode === 'number') return { ok: false, retryable: e.responseCode < 500, reason: `SMTP ${e.responseCode}: ${reason}` };
  return { ok: false, retryable: true, reason };
}

export const emailAdapter: ChannelAdapter = {
  kind: 'email',

  async send(ctx, message) {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'email');
    if (!settings) return { ok: false, retryable: false, reason: 'email is not set up for this tenant (PUT /api/v1/channels/email)' };
    const recipient = await recipientOf(ctx.db, ctx.tenantId, message.customerId);
    if (!recipient?.email) return { ok: false, retryable: false, reason: 'the customer has no email address' };
    const transport = transportOf(settings);
    try {
      const info = await transport.sendMail({
        from: settings.from,
        to: recipient.name ? { name: recipient.name, address: recipient.email } : recipient.email,
        ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
        subject: subjectOf(message.content.text, message.content.subject),
        text: message.content.text,
        messageId: `<${message.messageId}@yuchi>`,
        headers: { 'X-Yuchi-Message-Id': message.messageId },
      });
      if (info.rejected.length > 0) return { ok: false, retryable: false, reason: `the server refused ${recipient.email}` };
      return { ok: true, providerId: info.messageId };
    } catch (err) {
      return smtpOutcome(err);
    } finally {
      transport.close();
    }
  },

  async test(ctx) {
    const settings = await channelSettings(ctx.db, ctx.tenantId, 'email');
    if (!settings) return { ok: false, detail: 'email is not set up' };
    const transport = transportOf(settings);
    try {
      await transport.verify();
      return { ok: true, detail: `connected to ${settings.host}:${settings.port}${settings.user ? ' and signed in' : ''}` };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    } finally {
      transport.close();
    }
  },
};
