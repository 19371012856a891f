// Codes from the API in the reader's language. Unknown codes (a newer server) show as they are.
import type { ErrorDetail, StaffMember } from './api.ts';
import type { Translate } from './i18n/i18n.tsx';
import type { MessageKey } from './i18n/zh-CN.ts';

const CHANNELS: Record<string, MessageKey> = {
  pos: 'channel.pos',
  miniprogram: 'channel.miniprogram',
  ecommerce: 'channel.ecommerce',
  group_buy: 'channel.group_buy',
  other: 'channel.other',
};

/** Where a customer came from (acquisition channel), as the demo world and contact_added use them. */
const SOURCE_CHANNELS: Record<string, MessageKey> = {
  store_qr: 'source.store_qr',
  order_card: 'source.order_card',
  miniprogram: 'source.miniprogram',
  referral: 'source.referral',
  ad: 'source.ad',
};

const IDENTITY_KINDS: Record<string, MessageKey> = {
  unionid: 'identity.unionid',
  openid: 'identity.openid',
  external_userid: 'identity.external_userid',
  phone: 'identity.phone',
  member_no: 'identity.member_no',
};

const ORDER_STATUSES: Record<string, MessageKey> = {
  paid: 'status.paid',
  refunded: 'status.refunded',
  partially_refunded: 'status.partially_refunded',
};

const GENDERS: Record<string, MessageKey> = { male: 'gender.male', female: 'gender.female', unknown: 'gender.unknown' };
const STAFF_TITLES: Record<string, MessageKey> = { guide: 'title.guide', manager: 'title.manager', advisor: 'title.advisor' };
const ROLES: Record<string, MessageKey> = { admin: 'role.admin', operator: 'role.operator', guide: 'role.guide' };

function labelFrom(table: Record<string, MessageKey>) {
  return (t: Translate, code: string): string => {
    const key = table[code];
    return key ? t(key) : code;
  };
}

export const channelLabel = labelFrom(CHANNELS);
export const sourceChannelLabel = labelFrom(SOURCE_CHANNELS);
export const identityKindLabel = labelFrom(IDENTITY_KINDS);
export const orderStatusLabel = labelFrom(ORDER_STATUSES);
export const genderLabel = labelFrom(GENDERS);
export const staffTitleLabel = labelFrom(STAFF_TITLES);
export const roleLabel = labelFrom(ROLES);

const TAG_SOURCES: Record<string, MessageKey> = {
  manual: 'tagSource.manual',
  rule: 'tagSource.rule',
  form: 'tagSource.form',
  pretag: 'tagSource.pretag',
  import: 'tagSource.import',
  api: 'tagSource.api',
  event: 'tagSource.event',
};

const CONSENT_CHANNELS: Record<string, MessageKey> = {
  wecom: 'consent.wecom',
  sms: 'consent.sms',
  email: 'consent.email',
  phone: 'consent.phone',
  miniprogram: 'consent.miniprogram',
};

const IMPORT_STATUSES: Record<string, MessageKey> = {
  queued: 'imports.queued',
  running: 'imports.running',
  done: 'imports.done',
  failed: 'imports.failed',
};

const FORM_STATUSES: Record<string, MessageKey> = { draft: 'forms.draft', published: 'forms.published', closed: 'forms.closed' };

export const tagSourceLabel = labelFrom(TAG_SOURCES);
export const consentChannelLabel = labelFrom(CONSENT_CHANNELS);
export const importStatusLabel = labelFrom(IMPORT_STATUSES);
export const formStatusLabel = labelFrom(FORM_STATUSES);

/** A staff member as a select option: name, and the store when they have one. */
export function staffOption(s: StaffMember): { value: string; label: string } {
  return { value: s.id, label: s.store ? `${s.name} · ${s.store.name}` : s.name };
}

/** The staff members who can take customers or tasks (not resigned), as select options. */
export function activeStaffOptions(staff: readonly StaffMember[]): { value: string; label: string }[] {
  return staff.filter((s) => s.status === 'active').map(staffOption);
}

type Vars = Record<string, string | number>;

const varsOf = (d: ErrorDetail): Vars =>
  Object.fromEntries(Object.entries(d.params ?? {}).map(([name, value]) => [name, String(value ?? '')]));

const FORMATS: Record<string, MessageKey> = {
  email: 'refusal.format.email',
  url: 'refusal.format.url',
  uuid: 'refusal.format.uuid',
  guid: 'refusal.format.uuid',
  datetime: 'refusal.format.datetime',
  date: 'refusal.format.date',
  time: 'refusal.format.time',
};

const TYPES: Record<string, MessageKey> = {
  number: 'refusal.type.number',
  int: 'refusal.type.int',
  string: 'refusal.type.string',
  boolean: 'refusal.type.boolean',
  array: 'refusal.type.array',
};

/** A bound's sentence by what was bounded: characters, a number, items, a date. */
function boundKey(side: 'tooSmall' | 'tooBig', p: Vars): MessageKey | undefined {
  const origin = String(p.origin ?? '');
  const exclusive = p.inclusive === 'false';
  const limit = side === 'tooSmall' ? p.minimum : p.maximum;
  if (p.exact === 'true') {
    if (origin === 'string') return 'refusal.exact.string';
    if (origin === 'array' || origin === 'set') return 'refusal.exact.array';
  }
  if (origin === 'string') return side === 'tooSmall' && String(limit) === '1' ? 'refusal.tooSmall.stringEmpty' : `refusal.${side}.string`;
  if (origin === 'number' || origin === 'bigint' || origin === 'int') return exclusive ? `refusal.${side}.numberExclusive` : `refusal.${side}.number`;
  if (origin === 'array' || origin === 'set') return `refusal.${side}.array`;
  if (origin === 'date') return `refusal.${side}.date`;
  return undefined;
}

/**
 * The option codes an enum refusal lists, with the console's own labels where it has them (a channel,
 * a role, a gender …): «须为以下之一：门店、小程序» rather than «pos, miniprogram». The first table
 * that knows a code labels it; a code no table knows stays as it is.
 */
const OPTION_TABLES = [CHANNELS, SOURCE_CHANNELS, IDENTITY_KINDS, ORDER_STATUSES, GENDERS, STAFF_TITLES, ROLES, TAG_SOURCES, CONSENT_CHANNELS, IMPORT_STATUSES, FORM_STATUSES];

export function optionsText(t: Translate, options: string): string {
  return options.split(', ').filter((o) => o !== '').map((o) => {
    const key = OPTION_TABLES.find((table) => Object.hasOwn(table, o))?.[o];
    return key ? t(key) : o;
  }).join(t('refusal.optionSeparator'));
}

/** zod's issue codes (the API's schema refusals) as a key and its values, or undefined for others. */
function schemaWording(t: Translate, d: ErrorDetail): { key: MessageKey; vars: Vars } | undefined {
  const p = varsOf(d);
  switch (d.code) {
    case 'too_small':
    case 'too_big': {
      const key = boundKey(d.code === 'too_small' ? 'tooSmall' : 'tooBig', p);
      const length = d.code === 'too_small' ? p.minimum : p.maximum;
      return key ? { key, vars: { ...p, length: length ?? '' } } : undefined;
    }
    case 'invalid_type':
      if (p.received === 'undefined' || p.received === 'null') return { key: 'refusal.required', vars: p };
      return { key: TYPES[String(p.expected)] ?? 'refusal.type.other', vars: p };
    case 'invalid_value':
    case 'invalid_enum_value': {
      const many = String(p.options ?? '').includes(',');
      return { key: many ? 'refusal.value.many' : 'refusal.value.one', vars: { ...p, options: optionsText(t, String(p.options ?? '')) } };
    }
    case 'invalid_format':
      return { key: FORMATS[String(p.format)] ?? 'refusal.format.other', vars: p };
    case 'invalid_union':
      return { key: 'refusal.format.other', vars: p };
    case 'not_multiple_of':
      return { key: 'refusal.multipleOf', vars: p };
    case 'unrecognized_keys':
      return { key: 'refusal.unknownKeys', vars: p };
    default:
      return undefined;
  }
}

/**
 * A refused field's reason in the reader's language: the area's own wording when the server names a
 * kind the area knows (`code`, one of `codes`, worded by `keyOf` with the detail's params), else the
 * generic wording of a schema refusal (a bound, a type, a format), else the server's own message.
 */
export function detailText<C extends string>(t: Translate, d: ErrorDetail, codes: readonly C[] = [], keyOf?: (code: C) => MessageKey): string {
  const code = codes.find((c) => c === d.code);
  if (code !== undefined && keyOf) return t(keyOf(code), varsOf(d));
  const schema = schemaWording(t, d);
  if (schema) return t(schema.key, schema.vars);
  return d.message.trim() !== '' ? d.message : t('refusal.fallback');
}

/** The refused field's name and reason, for a toast or a list away from the form (`折扣：不能大于 100`). */
export function namedDetailText<C extends string>(t: Translate, d: ErrorDetail, field: string | undefined, codes: readonly C[] = [], keyOf?: (code: C) => MessageKey): string {
  const reason = detailText(t, d, codes, keyOf);
  return field ? t('refusal.named', { field, reason }) : reason;
}

/** A detail's path without its part of the request, as segments: `body.rules[2].threshold` → rules, 2, threshold. */
export function pathParts(path: string): string[] {
  return path.replace(/\[(\w+)\]/g, '.$1').split('.').filter((part, i) => part !== '' && !(i === 0 && (part === 'body' || part === 'query' || part === 'params')));
}
