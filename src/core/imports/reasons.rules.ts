// Why an import refused a row: a stable code with its parameters, and the same reason in English
// words. The code and parameters let the console say it in the operator's language
// (web/src/i18n/imports.ts); the English words go to the CLI and errors.csv, where a person
// reads them as they are.

type Params = Record<string, string | number>;

/** Every reason an import gives, in English, by code. */
const ENGLISH = {
  not_amount: () => 'not an amount in yuan (e.g. 128.50)',
  negative: () => 'must not be negative',
  too_many_decimals: () => 'has more than 2 decimal places',
  too_large: () => 'is too large',
  invalid_time: () => 'not a valid time',
  not_a_time: () => 'not a time (use YYYY-MM-DD HH:mm:ss in local time, or ISO-8601 with a zone)',
  invalid_date_time: () => 'not a valid date and time',
  before_2000: () => 'is before 2000',
  in_future: () => 'is in the future',
  not_a_date: () => 'not a date (use YYYY-MM-DD)',
  invalid_date: () => 'not a valid date',
  implausible_birthday: () => 'is not a plausible birthday',
  not_gender: () => 'must be 男, 女, male or female',
  not_channel: () => 'must be pos/门店, miniprogram/小程序, ecommerce/电商, group_buy/接龙/拼团 or other/其他',
  not_status: () => 'must be paid/已支付, refunded/已退款 or partially_refunded/部分退款',
  not_quantity: () => 'must be a whole number from 1 to 999999',
  too_long: (p: { max: number }) => `is longer than ${p.max} characters`,
  wrong_width: (p: { fields: number; width: number }) => `has ${p.fields} fields; the header has ${p.width}`,
  not_mobile: () => 'not a mobile number',
  unknown_store: (p: { code: string }) => `unknown store code ${p.code}`,
  unknown_staff: (p: { userid: string }) => `no staff member has WeCom account ${p.userid}`,
  unknown_tag: (p: { tag: string }) => `unknown tag ${p.tag} (create it first; write group:name)`,
  ambiguous_tag: (p: { tag: string }) => `tag ${p.tag} is in more than one group; write group:name`,
  rule_tag: (p: { tag: string }) => `tag ${p.tag} is a rule tag; it applies itself`,
  no_identity: () => 'no identity: give a phone, member number, external_userid, unionid or openid',
  empty: () => 'is empty',
  not_customer_id: () => 'not a customer id (UUID)',
  item_without_price: () => 'is empty; a line with an item needs its unit price',
  item_without_sku: () => 'is empty; a line with an item needs its sku',
  order_lines_apart: (p: { order: string; line: number }) => `order ${p.order} began at line ${p.line}; the lines of one order must be consecutive`,
  differs_from_line: (p: { order: string; line: number }) => `differs from line ${p.line} of order ${p.order}`,
  no_customer: () => 'no customer: give a phone, member number, external_userid or customer id',
  no_amount: () => 'is empty; give the paid or total amount',
  order_has_errors: (p: { order: string; line: number }) => `order ${p.order} not imported: line ${p.line} has errors`,
  over_total: () => 'is more than the order total',
  refund_over_paid: () => 'is more than the amount paid',
  paid_but_refunded: () => 'is paid, but a refund is given',
  partial_refund_range: () => 'must be more than 0 and less than the amount paid for a partial refund',
  refund_not_full: () => 'must equal the amount paid for a refunded order',
  // Refused when written (identity resolution, recording the order): `code` is that step's own
  // code (unknown_customer, order_conflict, ...), `message` its English words.
  rejected: (p: { code: string; message: string }) => p.message,
} satisfies Record<string, (p: never) => string>;

export type ReasonCode = keyof typeof ENGLISH;
export const REASON_CODES = Object.keys(ENGLISH) as ReasonCode[];

type ParamsOf<C extends ReasonCode> = Parameters<(typeof ENGLISH)[C]>[0];

/** One reason: the code, its parameters, and the English words. */
export interface Reason {
  code: ReasonCode;
  params?: Params;
  reason: string;
}

/** The reason `code` with its parameters (required exactly when the English words need them). */
export function because<C extends ReasonCode>(code: C, ...params: ParamsOf<C> extends undefined ? [] : [ParamsOf<C>]): Reason {
  const p = params[0] as Params | undefined;
  const english = (ENGLISH[code] as (p: Params | undefined) => string)(p);
  return p === undefined ? { code, reason: english } : { code, params: p, reason: english };
}
