// Each channel's form: its fields, and the conversion between the API's settings and the form.
// Secrets come back masked: the form shows the mask as a hint and sends a secret only when typed.
import type { ChannelKind } from '../../api-channels.ts';
import type { MessageKey } from '../../i18n/zh-CN.ts';

export type FieldType = 'text' | 'secret' | 'number' | 'switch' | 'select' | 'textarea';

export interface FieldSpec {
  name: string;
  label: MessageKey;
  type: FieldType;
  required?: boolean;
  options?: string[];
  placeholder?: string;
}

export const FIELDS: Record<ChannelKind, FieldSpec[]> = {
  wecom: [
    { name: 'corpId', label: 'channels.field.corpId', type: 'text', required: true, placeholder: 'ww1436e0e65a779aee' },
    { name: 'agentId', label: 'channels.field.agentId', type: 'text', required: true, placeholder: '1000002' },
    { name: 'secret', label: 'channels.field.secret', type: 'secret', required: true },
    { name: 'token', label: 'channels.field.token', type: 'secret', required: true },
    { name: 'encodingAesKey', label: 'channels.field.encodingAesKey', type: 'secret', required: true },
    { name: 'apiBaseUrl', label: 'channels.field.apiBaseUrl', type: 'text' },
  ],
  email: [
    { name: 'host', label: 'channels.field.host', type: 'text', required: true, placeholder: 'smtp.exmail.qq.com' },
    { name: 'port', label: 'channels.field.port', type: 'number', required: true },
    { name: 'secure', label: 'channels.field.secure', type: 'switch' },
    { name: 'user', label: 'channels.field.user', type: 'text' },
    { name: 'password', label: 'channels.field.password', type: 'secret' },
    { name: 'from', label: 'channels.field.from', type: 'text', required: true, placeholder: '鱼池果园 <hello@example.com>' },
    { name: 'replyTo', label: 'channels.field.replyTo', type: 'text' },
  ],
  sms: [
    { name: 'url', label: 'channels.field.url', type: 'text', required: true, placeholder: 'https://sms.example.com/send' },
    { name: 'method', label: 'channels.field.method', type: 'select', options: ['POST', 'GET'] },
    { name: 'bodyFormat', label: 'channels.field.bodyFormat', type: 'select', options: ['json', 'form'] },
    { name: 'bodyTemplate', label: 'channels.field.bodyTemplate', type: 'textarea', required: true, placeholder: '{"mobile":"{phone}","content":"{sign}{text}"}' },
    { name: 'sign', label: 'channels.field.sign', type: 'text', placeholder: '【鱼池】' },
    { name: 'headers', label: 'channels.field.headers', type: 'secret' },
    { name: 'successField', label: 'channels.field.successField', type: 'text' },
    { name: 'successEquals', label: 'channels.field.successEquals', type: 'text' },
  ],
  webhook: [
    { name: 'url', label: 'channels.field.url', type: 'text', required: true, placeholder: 'https://example.com/hooks/yuchi' },
    { name: 'secret', label: 'channels.field.webhookSecret', type: 'secret', required: true },
  ],
};

const DEFAULTS: Record<ChannelKind, Record<string, unknown>> = {
  wecom: {},
  email: { port: 465, secure: true },
  sms: { method: 'POST', bodyFormat: 'json' },
  webhook: {},
};

/** What the form starts with; secrets empty (their masks are shown as hints). */
export function toForm(kind: ChannelKind, settings: Record<string, unknown> | null): Record<string, unknown> {
  const values: Record<string, unknown> = { ...DEFAULTS[kind] };
  if (!settings) return values;
  for (const f of FIELDS[kind]) {
    if (f.type === 'secret') values[f.name] = '';
    else if (settings[f.name] !== undefined && settings[f.name] !== null) values[f.name] = settings[f.name];
  }
  if (kind === 'sms') {
    const success = settings.success as { field?: string | null; equals?: string | null } | undefined;
    values.successField = success?.field ?? '';
    values.successEquals = success?.equals ?? '';
  }
  return values;
}

/** The masked value to show beside an empty secret input. */
export function maskedHint(kind: ChannelKind, settings: Record<string, unknown> | null, name: string): string | null {
  const v = settings?.[name];
  if (typeof v === 'string' && v !== '') return v;
  if (kind === 'sms' && name === 'headers' && v && typeof v === 'object') {
    return Object.entries(v).map(([k, x]) => `${k}: ${String(x)}`).join('; ') || null;
  }
  return null;
}

/** The body to PUT: empty optional fields left out, empty secrets left out (kept by the server). */
export function fromForm(kind: ChannelKind, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of FIELDS[kind]) {
    const v = values[f.name];
    if (kind === 'sms' && (f.name === 'successField' || f.name === 'successEquals' || f.name === 'headers')) continue;
    if (v === undefined || v === null || v === '') continue;
    body[f.name] = v;
  }
  if (kind === 'sms') {
    const headers = typeof values.headers === 'string' ? values.headers.trim() : '';
    if (headers !== '') {
      body.headers = Object.fromEntries(headers.split('\n').map((line) => line.split(':')).filter((p) => p.length >= 2)
        .map(([name, ...rest]) => [String(name).trim(), rest.join(':').trim()]));
    }
    const field = typeof values.successField === 'string' ? values.successField.trim() : '';
    const equals = typeof values.successEquals === 'string' ? values.successEquals : '';
    body.success = field ? { field, ...(equals !== '' ? { equals } : {}) } : {};
  }
  return body;
}

/** The form field a refused setting belongs to (the API's success rule is two fields of the form). */
export function formFieldOf(path: string): string {
  const [first = '', second] = path.replace(/^body\./, '').split('.');
  if (first === 'success') return second === 'equals' ? 'successEquals' : 'successField';
  return first;
}

/** Settings checked by a pattern: their own sentence in place of the generic «格式不正确». */
export const FORMAT_REFUSALS: Record<string, MessageKey> = {
  corpId: 'channels.refusal.format.corpId',
  agentId: 'channels.refusal.format.agentId',
  token: 'channels.refusal.format.token',
  from: 'channels.refusal.format.from',
  url: 'channels.refusal.format.url',
  apiBaseUrl: 'channels.refusal.format.apiBaseUrl',
  headers: 'channels.refusal.format.headers',
  successField: 'channels.refusal.format.success',
};
