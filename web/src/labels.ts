// Codes from the API in the reader's language. Unknown codes (a newer server) show as they are.
import type { Translate } from './i18n/i18n.tsx';
import type { MessageKey } from './i18n/zh-CN.ts';

const CHANNELS: Record<string, MessageKey> = {
  pos: 'channel.pos',
  miniprogram: 'channel.miniprogram',
  ecommerce: 'channel.ecommerce',
  group_buy: 'channel.group_buy',
  other: 'channel.other',
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
export const identityKindLabel = labelFrom(IDENTITY_KINDS);
export const orderStatusLabel = labelFrom(ORDER_STATUSES);
export const genderLabel = labelFrom(GENDERS);
export const staffTitleLabel = labelFrom(STAFF_TITLES);
export const roleLabel = labelFrom(ROLES);
