// Pure rules of the HTTP channels: the SMS gateway's body template and success rule, and the
// webhook's signature.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SendOutcome } from './channel.ts';
import type { SmsSettings } from './settings.rules.ts';

export interface SmsValues {
  phone: string;
  text: string;
  sign: string;
  messageId: string;
}

/**
 * Fills {phone}, {text}, {sign}, {messageId} into the template, escaped for where they land: inside
 * a JSON string (the template writes the quotes) or a form/query value. Other braces stay as written.
 */
export function renderSmsBody(template: string, format: SmsSettings['bodyFormat'], values: SmsValues): string {
  const escape = (v: string): string => (format === 'json' ? JSON.stringify(v).slice(1, -1) : encodeURIComponent(v));
  return template.replace(/\{(phone|text|sign|messageId)\}/g, (_m, name: keyof SmsValues) => escape(values[name]));
}

function fieldAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** Whether the gateway's answer means sent: HTTP 2xx, and the stated field holding the stated value. */
export function smsOutcome(status: number, body: string, rule: SmsSettings['success']): SendOutcome {
  if (status === 429 || status >= 500) return { ok: false, retryable: true, reason: `gateway answered HTTP ${status}` };
  if (status < 200 || status >= 300) return { ok: false, retryable: false, reason: `gateway answered HTTP ${status}: ${body.slice(0, 200)}` };
  if (!rule.field) return { ok: true };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, retryable: false, reason: `gateway answer is not JSON, so ${rule.field} cannot be read: ${body.slice(0, 200)}` };
  }
  const value = fieldAt(json, rule.field);
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (rule.equals === undefined || rule.equals === null) return text !== '' ? { ok: true } : { ok: false, retryable: false, reason: `gateway answer has no ${rule.field}` };
  if (text === rule.equals) return { ok: true };
  return { ok: false, retryable: false, reason: `gateway answered ${rule.field}=${text || '(none)'}, not ${rule.equals}: ${body.slice(0, 200)}` };
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-yuchi-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-yuchi-timestamp';
export const WEBHOOK_IDEMPOTENCY_HEADER = 'idempotency-key';

/** HMAC-SHA256 over `${timestamp}.${body}`: the timestamp inside the signature stops a replay with a fresh date. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): checks a signature in constant time. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A receiver's answer: 2xx sent; 408, 429 and 5xx try again later; other 4xx are final. */
export function webhookOutcome(status: number, body: string): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const retryable = status === 408 || status === 429 || status >= 500;
  return { ok: false, retryable, reason: `webhook answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}` };
}
