// Coupon rules without IO: codes, a coupon's validity window, a template's soundness, and the
// offer a held coupon makes at checkout.
import { randomInt } from 'node:crypto';
import type { ErrorDetail } from '../errors.ts';
import { startOfLocalDay, zoneOffsetMinutes } from '../time.ts';
import type { CouponKind, CouponOffer } from '../promotions/pricing.rules.ts';

/** No 0/O, 1/I/L or U/V: a code read aloud or typed at a till is never ambiguous. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const CODE_LENGTH = 8;

export function newCouponCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)] ?? '';
  return code;
}

/** Codes are typed by people: case and separators do not matter. */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

export interface TemplateTerms {
  kind: CouponKind;
  amountOffFen: number | null;
  percent: number | null;
  maxDiscountFen: number | null;
  thresholdFen: number;
  freeSku: string | null;
  freeItemName: string | null;
  freeItemValueFen: number | null;
  validFrom: Date | null;
  validTo: Date | null;
  validDays: number | null;
}

/** Problems with a template's terms as error details (paths under body). */
export function checkTemplate(t: TemplateTerms): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const bad = (path: string, message: string, code: string, params: ErrorDetail['params'] = {}): void => {
    out.push({ path: `body.${path}`, message, code, params });
  };
  const needed = { kind: t.kind };
  if ((t.validDays === null) === (t.validTo === null)) bad('validTo', 'give either validTo (absolute) or validDays (relative to issue), not both', 'validity_either');
  if (t.validFrom && t.validTo && t.validFrom >= t.validTo) bad('validTo', 'must be after validFrom', 'ends_before_start');
  switch (t.kind) {
    case 'amount':
      if (t.amountOffFen === null) bad('amountOffFen', 'a fixed-amount coupon needs amountOffFen', 'needed_for_kind', needed);
      break;
    case 'percent':
      if (t.percent === null) bad('percent', 'a percentage coupon needs percent (90 is 9折)', 'needed_for_kind', needed);
      break;
    case 'threshold':
      if (t.amountOffFen === null) bad('amountOffFen', 'a 满减 coupon needs amountOffFen', 'needed_for_kind', needed);
      else if (t.amountOffFen > t.thresholdFen) bad('amountOffFen', 'must not exceed thresholdFen: the price would go negative', 'off_above_threshold', { thresholdFen: t.thresholdFen });
      if (t.thresholdFen <= 0) bad('thresholdFen', 'a 满减 coupon needs a threshold', 'needed_for_kind', needed);
      break;
    case 'free_item':
      if (t.freeSku === null) bad('freeSku', 'a free-item coupon needs the SKU given', 'needed_for_kind', needed);
      break;
  }
  return out;
}

/** The window a coupon issued now holds: the template's absolute one, or N local days counting today. */
export function couponWindow(t: Pick<TemplateTerms, 'validFrom' | 'validTo' | 'validDays'>, issuedAt: Date, timeZone: string): { from: Date; to: Date } {
  const from = t.validFrom && t.validFrom > issuedAt ? t.validFrom : issuedAt;
  if (t.validTo) return { from: t.validFrom ?? issuedAt, to: t.validTo };
  const local = new Date(issuedAt.getTime() + zoneOffsetMinutes(issuedAt, timeZone) * 60_000).toISOString().slice(0, 10);
  const end = new Date(Date.parse(`${local}T00:00:00Z`) + (t.validDays ?? 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to: startOfLocalDay(end, timeZone) };
}

export interface TemplateRow {
  id: string;
  name: string;
  kind: CouponKind;
  amount_off_fen: number | null;
  percent: number | null;
  max_discount_fen: number | null;
  threshold_fen: number;
  free_sku: string | null;
  free_item_name: string | null;
  free_item_value_fen: number | null;
  store_ids: string[];
  skus: string[];
  channels: string[];
  stack_with_price_rules: boolean;
  stack_with_coupons: boolean;
}

/** What a held coupon offers at checkout: the template's terms within the coupon's own window. */
export function offerOf(t: TemplateRow, coupon: { code: string; valid_from: Date; valid_to: Date }): CouponOffer {
  return {
    code: coupon.code,
    templateId: t.id,
    name: t.name,
    kind: t.kind,
    amountOffFen: t.amount_off_fen,
    percent: t.percent,
    maxDiscountFen: t.max_discount_fen,
    thresholdFen: t.threshold_fen,
    freeSku: t.free_sku,
    freeItemName: t.free_item_name,
    freeItemValueFen: t.free_item_value_fen,
    skus: t.skus,
    storeIds: t.store_ids,
    channels: t.channels,
    stackWithPriceRules: t.stack_with_price_rules,
    stackWithCoupons: t.stack_with_coupons,
    validFrom: coupon.valid_from,
    validTo: coupon.valid_to,
  };
}
