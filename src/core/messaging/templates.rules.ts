// Message templates: per-channel content with {variables}, filled per customer. Chinese text is
// counted in characters (code points), and an SMS is split as the networks do: 70 characters in
// one UCS-2 message, 67 per part once split (160/153 when the text is plain GSM 7-bit).
import { z } from 'zod';
import type { MessageContent } from '../../db/schema.ts';
import type { ErrorDetail } from '../errors.ts';

export const TEMPLATE_VARIABLES = ['name', 'store', 'guide', 'couponCode', 'tags', 'city'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

const Attachment = z.object({ kind: z.enum(['image', 'link', 'miniprogram']), url: z.string().max(2000).optional(), title: z.string().max(200).optional(), mediaId: z.string().max(200).optional() });
export const TemplateContent = z.object({
  wecom: z.object({ text: z.string().min(1).max(4000), attachments: z.array(Attachment).max(9).optional() }).optional(),
  sandbox: z.object({ text: z.string().min(1).max(4000) }).optional(),
  email: z.object({ subject: z.string().min(1).max(200), body: z.string().min(1).max(50_000) }).optional(),
  sms: z.object({ text: z.string().min(1).max(500) }).optional(),
}).refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'give the content of at least one channel', params: { code: 'content_needed' } });
export type TemplateContent = z.infer<typeof TemplateContent>;
export type TemplateChannel = keyof TemplateContent;

const VARIABLE = /\{([^{}]*)\}/g;

function isVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Every variable a text uses; unknown ones are returned apart so the refusal can name them. */
export function variablesOf(text: string): { known: TemplateVariable[]; unknown: string[] } {
  const known = new Set<TemplateVariable>();
  const unknown = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) {
    const name = (m[1] ?? '').trim();
    if (isVariable(name)) known.add(name); else unknown.add(name);
  }
  return { known: [...known], unknown: [...unknown] };
}

/** The texts of a template with their field paths, for checks and for filling. */
function textsOf(content: TemplateContent): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  if (content.wecom) out.push({ path: 'content.wecom.text', text: content.wecom.text });
  if (content.sandbox) out.push({ path: 'content.sandbox.text', text: content.sandbox.text });
  if (content.email) out.push({ path: 'content.email.subject', text: content.email.subject }, { path: 'content.email.body', text: content.email.body });
  if (content.sms) out.push({ path: 'content.sms.text', text: content.sms.text });
  return out;
}

/** Fields that use a variable Yuchi does not know, each with the variable named. */
export function unknownVariables(content: TemplateContent): ErrorDetail[] {
  return textsOf(content).flatMap(({ path, text }) =>
    variablesOf(text).unknown.map((name) => ({
      path, message: `unknown variable {${name}}; known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(' ')}`,
      code: 'unknown_variable', params: { variable: `{${name}}`, variables: TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(' ') },
    })));
}

export function usedVariables(content: TemplateContent): TemplateVariable[] {
  return [...new Set(textsOf(content).flatMap(({ text }) => variablesOf(text).known))];
}

export function fill(text: string, values: Partial<TemplateValues>): string {
  return text.replace(VARIABLE, (whole, raw: string) => {
    const name = raw.trim();
    return isVariable(name) ? values[name] ?? '' : whole;
  });
}

/** The message for one channel after the customer's values are filled in; null when the template has no content for it. */
export function render(content: TemplateContent, channel: TemplateChannel, values: Partial<TemplateValues>): MessageContent | null {
  if (channel === 'email') return content.email ? { subject: fill(content.email.subject, values), text: fill(content.email.body, values) } : null;
  if (channel === 'wecom') return content.wecom ? { text: fill(content.wecom.text, values), ...(content.wecom.attachments ? { attachments: content.wecom.attachments } : {}) } : null;
  const part = content[channel];
  return part ? { text: fill(part.text, values) } : null;
}

// GSM 03.38 basic set: a text made only of these goes as 7-bit (160 per message).
const GSM = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');

export interface SmsLength { characters: number; segments: number; perSegment: number; encoding: 'gsm7' | 'ucs2' }

/** Characters are code points (一 is one, an emoji is one); the segment size follows the encoding. */
export function smsLength(text: string): SmsLength {
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM.has(c));
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const n = chars.length;
  const segments = n === 0 ? 0 : n <= single ? 1 : Math.ceil(n / multi);
  return { characters: n, segments, perSegment: segments > 1 ? multi : single, encoding: gsm ? 'gsm7' : 'ucs2' };
}
