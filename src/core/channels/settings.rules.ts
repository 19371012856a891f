// Each channel's settings: their shape (one zod schema per channel: it validates the API body,
// types the adapters and documents the OpenAPI), which fields are secrets, and how a secret is
// shown (masked) once stored.
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import { issueDetail } from '../zod-details.ts';
import type { ChannelKind } from '../../db/schema.ts';
import { encodingAesKeyProblem } from './wecom/wecom.crypto.ts';

export const CHANNEL_KINDS = ['wecom', 'email', 'sms', 'webhook'] as const satisfies readonly ChannelKind[];

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500);

export const WecomSettings = z.object({
  corpId: z.string().trim().min(1, 'is required').max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be the corp id (企业ID), e.g. ww1436e0e65a779aee'),
  agentId: z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().regex(/^\d{1,12}$/, 'must be the app\'s AgentId (digits)')),
  secret: z.string().trim().min(1, 'is required').max(128),
  token: z.string().trim().regex(/^[A-Za-z0-9]{1,32}$/, 'must be the callback Token: 1–32 letters or digits'),
  encodingAesKey: z.string().trim().superRefine((key, ctx) => {
    const problem = encodingAesKeyProblem(key);
    // The code and its values ride in params, so the console words the check (wordedIssue).
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { code: problem.code, ...problem.params } });
  }),
  apiBaseUrl: httpUrl.nullish().describe('WeCom API server; default https://qyapi.weixin.qq.com (a proxy or a test server)'),
});
export type WecomSettings = z.infer<typeof WecomSettings>;

export const EmailSettings = z.object({
  host: z.string().trim().min(1, 'is required').max(255),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when the server offers it'),
  user: z.string().trim().max(255).nullish(),
  password: z.string().max(255).nullish(),
  from: z.string().trim().min(3).max(255).regex(/^(?:[^<>]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/, 'must be an address, or "Name <address>"'),
  replyTo: z.email('must be an email address').nullish(),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

export const SmsSuccessRule = z.object({
  field: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'must be a dotted field path such as code or result.status').nullish()
    .describe('a field of the gateway\'s JSON answer that tells success; empty: any 2xx answer is success'),
  equals: z.string().max(100).nullish().describe('the value that field has on success, compared as text'),
});

export const SmsSettings = z.object({
  url: httpUrl,
  method: z.enum(['POST', 'GET']).default('POST'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name'), z.string().max(1000)).default({}),
  bodyFormat: z.enum(['json', 'form']).default('json').describe('how {phone}, {text}, {sign} are escaped in the body template'),
  bodyTemplate: z.string().max(4000)
    .refine((t) => t.includes('{phone}'), { message: 'must contain {phone}', params: { code: 'template_needs_placeholder', placeholder: '{phone}' } })
    .refine((t) => t.includes('{text}'), { message: 'must contain {text}', params: { code: 'template_needs_placeholder', placeholder: '{text}' } }),
  sign: z.string().max(20).default('').describe('the SMS signature (签名), e.g. 【鱼池】'),
  success: SmsSuccessRule.default({}),
});
export type SmsSettings = z.infer<typeof SmsSettings>;

export const WebhookSettings = z.object({
  url: httpUrl,
  secret: z.string().min(16, 'must be at least 16 characters').max(200),
});
export type WebhookSettings = z.infer<typeof WebhookSettings>;

export const SETTINGS_SCHEMAS = { wecom: WecomSettings, email: EmailSettings, sms: SmsSettings, webhook: WebhookSettings } as const;

export interface SettingsOf {
  wecom: WecomSettings;
  email: EmailSettings;
  sms: SmsSettings;
  webhook: WebhookSettings;
}

/** Fields never returned; a save that leaves one out keeps the stored value. */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  wecom: ['secret', 'token', 'encodingAesKey'],
  email: ['password'],
  sms: ['headers'],
  webhook: ['secret'],
};

export function maskSecret(value: string): string {
  if (value.length === 0) return '';
  return value.length <= 8 ? '••••' : `••••${value.slice(-4)}`;
}

/** Settings as the API shows them: each secret masked (gateway headers: names kept, values masked). */
export function maskSettings(kind: ChannelKind, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const name of SECRET_FIELDS[kind]) {
    const v = out[name];
    if (typeof v === 'string') out[name] = maskSecret(v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      out[name] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? maskSecret(x) : '••••']));
    }
  }
  return out;
}

/**
 * The settings to store: the body, with secrets the body leaves out (or sends back masked) taken
 * from what is stored. Validation happens after, on the whole.
 */
export function withKeptSecrets(kind: ChannelKind, body: Record<string, unknown>, stored: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const name of SECRET_FIELDS[kind]) {
    const given = out[name];
    const masked = typeof given === 'string' && given.startsWith('••••');
    if ((given === undefined || given === null || masked) && stored && stored[name] !== undefined) out[name] = stored[name];
  }
  return out;
}

/** The path inside the API body of a zod issue, for the error's details. */
export function issuePaths(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => issueDetail(['body', ...i.path.map(String)].join('.'), i));
}
