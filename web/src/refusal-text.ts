// The one way a page words a failed call for a toast, an alert or a field: each detail by the page's
// own codes (if it has any), else by the reasons any page may meet (points, coupons, 拼团, unknown
// references), else generically (a bound, a format: detailText); a refusal without details by its
// reason code when the console knows it (wecom_not_set_up …), else by its kind or HTTP status. The
// server's English message shows only for a code this console does not know yet (a newer server).
import { ApiError, type ErrorDetail } from './api.ts';
import type { Translate } from './i18n/i18n.tsx';
import type { MessageKey } from './i18n/zh-CN.ts';
import { consentChannelLabel, detailText, pathParts } from './labels.ts';

/**
 * Reasons several pages can meet, worded in their areas' files. Where two areas use one code
 * (limit_reached, sold_out, closed) the wording here needs no values; a page that knows which area
 * refused passes that area's codes in its Wording and gets the finer sentence.
 */
const SHARED: Record<string, MessageKey> = {
  unknown_customer: 'refusal.unknown_customer',
  unknown_store: 'refusal.unknown_store',
  unknown_tag: 'refusal.unknown_tag',
  unknown_segment: 'refusal.unknown_segment',
  request_key_reused: 'refusal.request_key_reused',
  request_in_progress: 'refusal.request_in_progress',
  // coupons and flash sales (PromotionRefusal)
  template_not_active: 'promo.refusal.template_not_active',
  template_ended: 'promo.refusal.template_ended',
  stock_exhausted: 'promo.refusal.stock_exhausted',
  coupon_unknown: 'promo.refusal.coupon_unknown',
  coupon_not_yet_valid: 'promo.refusal.coupon_not_yet_valid',
  coupon_expired: 'promo.refusal.coupon_expired',
  coupon_wrong_store: 'promo.refusal.coupon_wrong_store',
  coupon_wrong_channel: 'promo.refusal.coupon_wrong_channel',
  coupon_no_eligible_items: 'promo.refusal.coupon_no_eligible_items',
  coupon_threshold_not_met: 'promo.refusal.coupon_threshold_not_met',
  coupon_not_combinable: 'promo.refusal.coupon_not_combinable',
  coupon_unavailable: 'promo.refusal.coupon_unavailable',
  coupon_wrong_customer: 'promo.refusal.coupon_wrong_customer',
  coupon_already_redeemed: 'promo.refusal.coupon_already_redeemed',
  coupon_void: 'promo.refusal.coupon_void',
  coupon_not_redeemed: 'promo.refusal.coupon_not_redeemed',
  coupon_order_mismatch: 'promo.refusal.coupon_order_mismatch',
  limit_reached: 'promo.refusal.limit_reached',
  sold_out: 'promo.refusal.sold_out',
  not_started: 'promo.refusal.not_started',
  ended: 'promo.refusal.ended',
  sale_cancelled: 'promo.refusal.sale_cancelled',
  // points and rewards (PointsRefusal and the adjustments)
  insufficient_points: 'member.refusal.insufficient_points',
  reason_needed: 'member.refusal.reason_needed',
  points_not_whole: 'member.refusal.points_not_whole',
  unknown_reward: 'member.refusal.unknown_reward',
  reward_paused: 'member.refusal.reward_paused',
  reward_out_of_stock: 'member.refusal.reward_out_of_stock',
  reward_coupon_limit_reached: 'member.refusal.reward_coupon_limit_reached',
  reward_coupon_stock_exhausted: 'member.refusal.reward_coupon_stock_exhausted',
  coupon_template_needed: 'member.refusal.coupon_template_needed',
  goods_no_coupon: 'member.refusal.goods_no_coupon',
  stock_below_redeemed: 'member.refusal.stock_below_redeemed',
  kind_fixed: 'member.refusal.kind_fixed',
  range_reversed: 'member.refusal.range_reversed',
  range_too_long: 'member.refusal.range_too_long',
  // 接龙, 拼团, 拼单 (GroupSellingRefusal)
  deadline_passed: 'fission.refusal.deadline_passed',
  closed: 'fission.refusal.closed',
  already_joined: 'fission.refusal.already_joined',
  not_joined: 'fission.refusal.not_joined',
  group_full: 'fission.refusal.group_full',
  not_group_member: 'fission.refusal.not_group_member',
  group_dissolved: 'fission.refusal.group_dissolved',
  not_initiator: 'fission.refusal.not_initiator',
  cart_empty: 'fission.refusal.cart_empty',
  self_referral: 'fission.refusal.self_referral',
  code_taken: 'fission.refusal.code_taken',
  unknown_group: 'refusal.unknown_group',
  unknown_staff: 'refusal.unknown_staff',
  unknown_template: 'refusal.unknown_template',
  unknown_partner: 'refusal.unknown_partner',
  phone_format: 'refusal.phone_format',
  // tags, pre-tags and a customer's tags
  name_length: 'tags.refusal.name_length',
  unknown_tag_group: 'tags.refusal.unknown_tag_group',
  rule_cycle: 'tags.refusal.rule_cycle',
  rule_needed: 'tags.refusal.rule_needed',
  manual_has_no_rule: 'tags.refusal.manual_has_no_rule',
  values_range: 'tags.refusal.values_range',
  tags_needed: 'tags.refusal.tags_needed',
  rule_tag_by_hand: 'tags.refusal.rule_tag_by_hand',
  // groups: auto-invites, auto-replies, welcomes, the registry
  tag_or_segment: 'groups.refusal.tag_or_segment',
  reply_needed: 'groups.refusal.reply_needed',
  group_or_kind: 'groups.refusal.group_or_kind',
  capacity_below_members: 'groups.refusal.capacity_below_members',
  // messages and mass sends; a guide's departure
  template_needed: 'messaging.refusal.template_needed',
  template_lacks_channel: 'messaging.refusal.template_lacks_channel',
  no_send_to_confirm: 'messaging.refusal.no_send_to_confirm',
  wecom_mass_send_personal: 'messaging.refusal.wecom_mass_send_personal',
  successor_is_leaver: 'workbench.refusal.successor_is_leaver',
  already_resigned: 'workbench.refusal.already_resigned',
  // channel settings (the WeCom key and the SMS template are checked by refinements with codes)
  aes_key_length: 'channels.refusal.aes_key_length',
  aes_key_charset: 'channels.refusal.aes_key_charset',
  aes_key_bytes: 'channels.refusal.aes_key_bytes',
  template_needs_placeholder: 'channels.refusal.template_needs_placeholder',
  // accounts and keys
  guide_needs_staff: 'refusal.guide_needs_staff',
  password_unchanged: 'refusal.password_unchanged',
  key_name_needed: 'refusal.key_name_needed',
  last_admin: 'access.lastAdmin',
  wrong_password: 'password.wrong',
  email_taken: 'access.emailTaken',
  // the workbench, the till, a customer's timeline
  phone_or_member_no: 'refusal.phone_or_member_no',
  staff_needed: 'refusal.staff_needed',
  staff_resigned: 'refusal.staff_resigned',
  page_cursor: 'refusal.page_cursor',
  // dates and ranges of reports (dashboard, analytics, scores, orders)
  date_format: 'refusal.date_format',
  month_format: 'refusal.month_format',
  range_incomplete: 'refusal.range_incomplete',
  // questionnaires and the customers they name
  form_not_published: 'refusal.form_not_published',
  missing_customer: 'refusal.missing_customer',
  invalid_customer: 'refusal.invalid_customer',
  not_object: 'forms.refusal.not_object',
  // tags, tag groups and names taken anywhere
  exclusive_clash: 'refusal.exclusive_clash',
  name_taken: 'refusal.name_taken',
  several_tags_held: 'refusal.several_tags_held',
  tag_in_rule: 'refusal.tag_in_rule',
  tag_in_form: 'refusal.tag_in_form',
  exclusive_would_clash: 'refusal.exclusive_would_clash',
  added_and_removed: 'refusal.added_and_removed',
  manual_not_evaluated: 'refusal.manual_not_evaluated',
  // messages, group welcomes, groups, stores, staff, 活码
  unknown_time_zone: 'refusal.unknown_time_zone',
  unknown_variable: 'refusal.unknown_variable',
  chat_id_taken: 'refusal.chat_id_taken',
  store_code_taken: 'refusal.store_code_taken',
  wecom_user_taken: 'refusal.wecom_user_taken',
  state_taken: 'refusal.state_taken',
  // segments, journeys, tasks, playbooks, referral
  segment_archived: 'refusal.segment_archived',
  segment_in_use: 'refusal.segment_in_use',
  journey_archived: 'refusal.journey_archived',
  journey_not_published: 'refusal.journey_not_published',
  event_time_format: 'refusal.event_time_format',
  journey_no_entry: 'refusal.journey_no_entry',
  task_already_finished: 'refusal.task_already_finished',
  already_undone: 'refusal.already_undone',
  customer_or_partner: 'refusal.customer_or_partner',
  // channel secrets and WeCom (wecom_not_set_up comes without details: worded by the error code)
  secret_key_missing: 'refusal.secret_key_missing',
  secret_unreadable: 'refusal.secret_unreadable',
  wecom_not_set_up: 'refusal.wecom_not_set_up',
  // scoring settings (lifecycle days, value tiers: refinements with codes)
  days_above_active: 'scores.refusal.days_above_active',
  churn_not_above_active: 'scores.refusal.churn_not_above_active',
  first_tier_from_zero: 'scores.refusal.first_tier_from_zero',
  tier_not_above_previous: 'scores.refusal.tier_not_above_previous',
  tier_name_twice: 'scores.refusal.tier_name_twice',
  // SOP plans and slots, 活码 settings, references to coupons
  weekday_range: 'refusal.weekday_range',
  time_format: 'refusal.time_format',
  duration_range: 'refusal.duration_range',
  ends_after_midnight: 'refusal.ends_after_midnight',
  groups_needed: 'refusal.groups_needed',
  staff_left: 'refusal.staff_left',
  unknown_coupon_template: 'refusal.unknown_coupon_template',
  coupon_template_ended: 'refusal.coupon_template_ended',
  state_format: 'refusal.state_format',
  work_hours_both: 'refusal.work_hours_both',
  store_needed: 'refusal.store_needed',
  rule_tag_on_add: 'refusal.rule_tag_on_add',
  // the diagnosis wizard
  answer_needed: 'refusal.answer_needed',
  not_measurable: 'refusal.not_measurable',
  // rule tags' rules
  day_count: 'refusal.day_count',
  whole_number_min: 'refusal.whole_number_min',
  rules_needed: 'refusal.rules_needed',
  rule_too_deep: 'refusal.rule_too_deep',
  one_condition_each: 'refusal.one_condition_each',
  not_a_rule: 'refusal.not_a_rule',
  too_many_conditions: 'refusal.too_many_conditions',
  // answers to a questionnaire (submitted through the API)
  unknown_option: 'refusal.unknown_option',
  unknown_question: 'refusal.unknown_question',
  options_needed: 'refusal.options_needed',
  option_repeated: 'refusal.option_repeated',
  answers_needed: 'refusal.answers_needed',
  // quiet hours, a mass send's audience, a referral code
  same_start_end: 'refusal.same_start_end',
  audience_needed: 'refusal.audience_needed',
  unknown_referral_code: 'refusal.unknown_referral_code',
  content_needed: 'refusal.content_needed',
  nothing_to_change: 'refusal.nothing_to_change',
  // uploads
  csv_body_needed: 'refusal.csv_body_needed',
  file_empty: 'refusal.file_empty',
  file_too_large: 'refusal.file_too_large',
};

/** A refusal without details: the error code the API gives for its kind, or the HTTP status. */
const GENERAL: Record<string, MessageKey> = {
  unauthenticated: 'refusal.unauthenticated',
  forbidden: 'refusal.forbidden',
  not_found: 'refusal.notFound',
  conflict: 'refusal.conflict',
  unprocessable: 'refusal.unprocessable',
  too_large: 'refusal.tooLarge',
  rate_limited: 'refusal.rateLimited',
  internal: 'refusal.internal',
  invalid: 'refusal.fallback',
};

function generalKey(err: ApiError): MessageKey | undefined {
  const own = GENERAL[err.code];
  if (own) return own;
  if (err.status >= 500) return 'refusal.internal';
  if (err.status === 401) return 'refusal.unauthenticated';
  if (err.status === 403) return 'refusal.forbidden';
  if (err.status === 404) return 'refusal.notFound';
  if (err.status === 409) return 'refusal.conflict';
  if (err.status === 422) return 'refusal.unprocessable';
  return undefined;
}

/** What a page knows of its own refusals: its codes and their keys, and its fields' labels by path. */
export interface Wording<C extends string = string> {
  codes?: readonly C[];
  keyOf?: (code: C) => MessageKey;
  /** The label of the field a detail names (its path without the request part), if the page shows it. */
  fieldOf?: (parts: string[]) => string | undefined;
}

const isShared = (code: string | undefined): code is string => code !== undefined && Object.hasOwn(SHARED, code);

/** One refused field's reason: the page's own code, else a shared reason, else detailText's wording. */
export function reasonText<C extends string>(t: Translate, d: ErrorDetail, wording: Wording<C> = {}): string {
  const { codes = [], keyOf } = wording;
  if (keyOf && codes.some((c) => c === d.code)) return detailText(t, d, codes, keyOf);
  if (isShared(d.code)) {
    // A channel named in the values reads as the console names it (企业微信, 短信 …).
    const channel = d.params?.channel;
    const worded = typeof channel === 'string' ? { ...d, params: { ...d.params, channel: consentChannelLabel(t, channel) } } : d;
    return detailText(t, worded, [d.code], (c) => SHARED[c] ?? 'refusal.fallback');
  }
  return detailText(t, d);
}

/** A failed call in the reader's words, for a toast or an alert: every detail (named by its field), or the refusal's kind. */
export function errorText<C extends string>(t: Translate, err: unknown, wording: Wording<C> = {}): string {
  if (err instanceof ApiError) {
    if (err.details.length > 0) {
      return err.details.map((d) => {
        const reason = reasonText(t, d, wording);
        const field = wording.fieldOf?.(pathParts(d.path));
        return field ? t('refusal.named', { field, reason }) : reason;
      }).join(t('refusal.separator'));
    }
    // A refusal without details may still name its reason in its code (wecom_not_set_up, last_admin …).
    const { codes = [], keyOf } = wording;
    if (keyOf && codes.some((c) => c === err.code)) return t(keyOf(err.code as C));
    if (isShared(err.code)) return t(SHARED[err.code] ?? 'refusal.fallback');
    const general = generalKey(err);
    if (general) return t(general);
    return err.message;
  }
  // fetch's own failure (no answer at all) is a TypeError.
  if (err instanceof TypeError) return t('refusal.network');
  return err instanceof Error ? err.message : String(err);
}
