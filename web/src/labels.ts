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

/**
 * A refused field's reason in the reader's language when the server names its kind (`code`, one of
 * `codes`, worded by `keyOf` with the detail's params), else the server's own message.
 */
export function detailText<C extends string>(t: Translate, d: ErrorDetail, codes: readonly C[], keyOf: (code: C) => MessageKey): string {
  const code = codes.find((c) => c === d.code);
  if (code === undefined) return d.message;
  return t(keyOf(code), Object.fromEntries(Object.entries(d.params ?? {}).map(([name, value]) => [name, String(value ?? '')])));
}
