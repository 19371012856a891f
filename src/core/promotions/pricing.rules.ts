// Checkout arithmetic: price rules (member price, bundle price, discount ladders, 满减) and coupons
// applied to a cart, and the best legal combination of them. Pure functions of values.
//
// Money is integer fen. Rounding: a percentage is taken per line and rounded half up to the fen;
// an order-level amount (满减, a bundle's saving, a fixed coupon) is spread over the lines it covers
// in proportion to their amounts, remainders going to the largest fractions, so the lines always
// add up to the order exactly. No line ever goes below zero: every discount is capped at what is
// left of the lines it covers.
//
// Order of application: member price, bundle price, ladder, 满减 (each on what the previous left),
// then coupons: percentage, 满减, fixed amount, free item.
import type { ErrorDetail } from '../errors.ts';

export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  unitPriceFen: number;
}

export type PriceRuleParams =
  | { kind: 'threshold'; thresholdFen: number; amountOffFen: number; repeat: boolean }
  | { kind: 'bundle'; quantity: number; priceFen: number }
  | { kind: 'member_price'; prices: Record<string, number> }
  | { kind: 'ladder'; steps: { minQuantity: number; percent: number }[] };

export interface Scope {
  /** Empty: every SKU / store / channel. */
  skus: readonly string[];
  storeIds: readonly string[];
  channels: readonly string[];
  validFrom: Date | null;
  validTo: Date | null;
}

export interface PriceRule extends Scope {
  id: string;
  name: string;
  params: PriceRuleParams;
  stackable: boolean;
}

export type CouponKind = 'amount' | 'percent' | 'threshold' | 'free_item';

export interface CouponOffer extends Scope {
  code: string;
  templateId: string;
  name: string;
  kind: CouponKind;
  amountOffFen: number | null;
  /** Share paid, 1..99: 90 is 9折. */
  percent: number | null;
  maxDiscountFen: number | null;
  thresholdFen: number;
  freeSku: string | null;
  freeItemName: string | null;
  freeItemValueFen: number | null;
  stackWithPriceRules: boolean;
  stackWithCoupons: boolean;
}

export interface OrderContext {
  member: boolean;
  channel: string;
  storeId: string | null;
  at: Date;
}

export interface Adjustment {
  source: 'price_rule' | 'coupon';
  id: string;
  name: string;
  code?: string;
  discountFen: number;
}

export interface QuotedLine extends CartLine {
  lineNo: number;
  amountFen: number;
  discountFen: number;
  payableFen: number;
  adjustments: Adjustment[];
}

export interface Gift {
  code: string;
  sku: string;
  name: string;
  valueFen: number;
}

export type CouponReason =
  | 'coupon_not_yet_valid'
  | 'coupon_expired'
  | 'coupon_wrong_store'
  | 'coupon_wrong_channel'
  | 'coupon_no_eligible_items'
  | 'coupon_threshold_not_met'
  | 'coupon_not_combinable'
  // Known only to the service: the code is nobody's, used, void or someone else's.
  | 'coupon_unknown'
  | 'coupon_unavailable';

export interface CouponRefusal {
  code: string;
  reason: CouponReason;
  message: string;
}

export interface Quote {
  lines: QuotedLine[];
  applied: Adjustment[];
  gifts: Gift[];
  refusedCoupons: CouponRefusal[];
  totalFen: number;
  discountFen: number;
  payableFen: number;
}

/** n × p / 100 rounded half up, for non-negative integers. */
export function percentOf(amountFen: number, percent: number): number {
  return Math.floor((amountFen * percent * 2 + 100) / 200);
}

/**
 * Spreads `total` over `weights` in proportion (largest remainder). Each share ≤ its weight when
 * total ≤ sum(weights).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const t = BigInt(total);
  const s = BigInt(sum);
  const shares = weights.map((w) => Number((t * BigInt(w)) / s));
  const rest = weights.map((w, i) => ({ i, frac: (t * BigInt(w)) % s }));
  let left = total - shares.reduce((a, b) => a + b, 0);
  rest.sort((a, b) => (a.frac === b.frac ? a.i - b.i : a.frac > b.frac ? -1 : 1));
  for (const r of rest) {
    if (left <= 0) break;
    shares[r.i] = (shares[r.i] ?? 0) + 1;
    left -= 1;
  }
  return shares;
}

function inScope(scope: Scope, sku: string): boolean {
  return scope.skus.length === 0 || scope.skus.includes(sku);
}

/** Why a scope does not hold for this order (time, store, channel), or null. */
function scopeRefusal(scope: Scope, ctx: OrderContext): CouponReason | null {
  if (scope.validFrom && ctx.at < scope.validFrom) return 'coupon_not_yet_valid';
  if (scope.validTo && ctx.at >= scope.validTo) return 'coupon_expired';
  if (scope.storeIds.length > 0 && (ctx.storeId === null || !scope.storeIds.includes(ctx.storeId))) return 'coupon_wrong_store';
  if (scope.channels.length > 0 && !scope.channels.includes(ctx.channel)) return 'coupon_wrong_channel';
  return null;
}

export function ruleApplies(rule: PriceRule, ctx: OrderContext): boolean {
  return scopeRefusal(rule, ctx) === null;
}

/** The discount of one price rule on each line, given what the lines cost now. */
export function ruleDiscounts(rule: PriceRule, lines: readonly CartLine[], amounts: readonly number[], ctx: OrderContext): number[] {
  const zero = lines.map(() => 0);
  const scoped = lines.map((l, i) => inScope(rule, l.sku) && (amounts[i] ?? 0) > 0);
  const p = rule.params;
  switch (p.kind) {
    case 'member_price': {
      if (!ctx.member) return zero;
      return lines.map((l, i) => {
        const price = p.prices[l.sku];
        if (!scoped[i] || price === undefined || price >= l.unitPriceFen) return 0;
        return Math.min(amounts[i] ?? 0, (l.unitPriceFen - price) * l.quantity);
      });
    }
    case 'ladder': {
      const quantity = lines.reduce((q, l, i) => q + (scoped[i] ? l.quantity : 0), 0);
      const step = [...p.steps].sort((a, b) => b.minQuantity - a.minQuantity).find((s) => quantity >= s.minQuantity);
      if (!step) return zero;
      return lines.map((_, i) => (scoped[i] ? (amounts[i] ?? 0) - percentOf(amounts[i] ?? 0, step.percent) : 0));
    }
    case 'threshold': {
      const subtotal = lines.reduce((s, _, i) => s + (scoped[i] ? (amounts[i] ?? 0) : 0), 0);
      if (subtotal < p.thresholdFen || subtotal === 0) return zero;
      const times = p.repeat ? Math.floor(subtotal / p.thresholdFen) : 1;
      const off = Math.min(subtotal, times * p.amountOffFen);
      return allocate(off, lines.map((_, i) => (scoped[i] ? (amounts[i] ?? 0) : 0)));
    }
    case 'bundle': {
      const quantity = lines.reduce((q, l, i) => q + (scoped[i] ? l.quantity : 0), 0);
      const bundles = Math.floor(quantity / p.quantity);
      if (bundles === 0) return zero;
      // The dearest units go into bundles: the customer's best reading of "any 5 for ¥199".
      const order = lines.map((l, i) => ({ i, unit: (amounts[i] ?? 0) / l.quantity })).filter((x) => scoped[x.i]).sort((a, b) => b.unit - a.unit || a.i - b.i);
      let units = bundles * p.quantity;
      const taken = lines.map(() => 0);
      for (const { i } of order) {
        const line = lines[i];
        if (!line || units === 0) continue;
        const k = Math.min(units, line.quantity);
        units -= k;
        taken[i] = k === line.quantity ? (amounts[i] ?? 0) : Math.floor(((amounts[i] ?? 0) * k * 2 + line.quantity) / (2 * line.quantity));
      }
      const value = taken.reduce((a, b) => a + b, 0);
      return allocate(Math.max(0, value - bundles * p.priceFen), taken);
    }
  }
}

const RULE_ORDER: Record<PriceRuleParams['kind'], number> = { member_price: 0, bundle: 1, ladder: 2, threshold: 3 };
const COUPON_ORDER: Record<CouponKind, number> = { percent: 0, threshold: 1, amount: 2, free_item: 3 };

/** Why a coupon cannot be used on this order (its scope, or its threshold on what the lines cost now). */
export function couponRefusal(offer: CouponOffer, lines: readonly CartLine[], amounts: readonly number[], ctx: OrderContext): CouponRefusal | null {
  const refuse = (reason: CouponReason, message: string): CouponRefusal => ({ code: offer.code, reason, message });
  const scope = scopeRefusal(offer, ctx);
  if (scope === 'coupon_not_yet_valid') return refuse(scope, `coupon ${offer.code} is valid from ${offer.validFrom?.toISOString() ?? ''}`);
  if (scope === 'coupon_expired') return refuse(scope, `coupon ${offer.code} expired at ${offer.validTo?.toISOString() ?? ''}`);
  if (scope === 'coupon_wrong_store') return refuse(scope, `coupon ${offer.code} is not valid in this store`);
  if (scope === 'coupon_wrong_channel') return refuse(scope, `coupon ${offer.code} is not valid on channel ${ctx.channel}`);
  const eligible = lines.reduce((s, l, i) => s + (inScope(offer, l.sku) ? (amounts[i] ?? 0) : 0), 0);
  if (offer.skus.length > 0 && !lines.some((l) => inScope(offer, l.sku))) return refuse('coupon_no_eligible_items', `coupon ${offer.code} covers none of the order's items`);
  if (eligible < offer.thresholdFen) return refuse('coupon_threshold_not_met', `coupon ${offer.code} needs ${offer.thresholdFen} fen of eligible items; the order has ${eligible}`);
  return null;
}

/** The discount of one coupon on each line. */
export function couponDiscounts(offer: CouponOffer, lines: readonly CartLine[], amounts: readonly number[]): number[] {
  const weights = lines.map((l, i) => (inScope(offer, l.sku) ? (amounts[i] ?? 0) : 0));
  const eligible = weights.reduce((a, b) => a + b, 0);
  switch (offer.kind) {
    case 'percent': {
      const per = weights.map((w) => w - percentOf(w, offer.percent ?? 100));
      const total = per.reduce((a, b) => a + b, 0);
      if (offer.maxDiscountFen === null || total <= offer.maxDiscountFen) return per;
      return allocate(offer.maxDiscountFen, per);
    }
    case 'amount':
    case 'threshold':
      return allocate(Math.min(eligible, offer.amountOffFen ?? 0), weights);
    case 'free_item':
      return lines.map(() => 0);
  }
}

interface Priced {
  amounts: number[];
  adjustments: Adjustment[][];
  applied: Adjustment[];
  gifts: Gift[];
  refused: CouponRefusal | null;
}

function price(lines: readonly CartLine[], rules: readonly PriceRule[], coupons: readonly CouponOffer[], ctx: OrderContext): Priced {
  const amounts = lines.map((l) => l.quantity * l.unitPriceFen);
  const adjustments: Adjustment[][] = lines.map(() => []);
  const applied: Adjustment[] = [];
  const gifts: Gift[] = [];
  const take = (adj: Omit<Adjustment, 'discountFen'>, discounts: number[]): void => {
    let total = 0;
    discounts.forEach((d, i) => {
      if (d <= 0) return;
      amounts[i] = (amounts[i] ?? 0) - d;
      adjustments[i]?.push({ ...adj, discountFen: d });
      total += d;
    });
    if (total > 0) applied.push({ ...adj, discountFen: total });
  };
  for (const rule of [...rules].sort((a, b) => RULE_ORDER[a.params.kind] - RULE_ORDER[b.params.kind])) {
    take({ source: 'price_rule', id: rule.id, name: rule.name }, ruleDiscounts(rule, lines, amounts, ctx));
  }
  for (const offer of [...coupons].sort((a, b) => COUPON_ORDER[a.kind] - COUPON_ORDER[b.kind])) {
    const refused = couponRefusal(offer, lines, amounts, ctx);
    if (refused) return { amounts, adjustments, applied, gifts, refused };
    const discounts = couponDiscounts(offer, lines, amounts);
    take({ source: 'coupon', id: offer.templateId, name: offer.name, code: offer.code }, discounts);
    if (offer.kind === 'free_item' && offer.freeSku !== null) {
      gifts.push({ code: offer.code, sku: offer.freeSku, name: offer.freeItemName ?? offer.freeSku, valueFen: offer.freeItemValueFen ?? 0 });
      applied.push({ source: 'coupon', id: offer.templateId, name: offer.name, code: offer.code, discountFen: 0 });
    }
  }
  return { amounts, adjustments, applied, gifts, refused: null };
}

function subsets<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [[]];
  for (const x of xs) for (const s of [...out]) out.push([...s, x]);
  return out;
}

/** At most this many coupon codes in one quote: the search tries every subset of them. */
export const MAX_QUOTE_COUPONS = 5;

/**
 * The best legal combination of the applicable price rules and the offered coupons: stackable
 * rules together or one exclusive rule alone (or none); any subset of coupons that may stack with
 * each other and, when a rule took something off, with price rules. Best = most taken off (gift
 * value counted), then fewer coupons used (the rest stay in the customer's wallet).
 */
export function quote(lines: readonly CartLine[], rules: readonly PriceRule[], coupons: readonly CouponOffer[], ctx: OrderContext): Quote {
  const applicable = rules.filter((r) => ruleApplies(r, ctx));
  const stackable = applicable.filter((r) => r.stackable);
  const ruleSets: PriceRule[][] = [[], ...(stackable.length > 0 ? [stackable] : []), ...applicable.filter((r) => !r.stackable).map((r) => [r])];
  const couponSets = subsets(coupons).filter((s) => s.length <= 1 || s.every((c) => c.stackWithCoupons));
  const totalFen = lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
  let best: { priced: Priced; benefit: number; coupons: number } | null = null;
  for (const ruleSet of ruleSets) {
    for (const couponSet of couponSets) {
      const priced = price(lines, ruleSet, couponSet, ctx);
      if (priced.refused) continue;
      const ruleTook = priced.applied.some((a) => a.source === 'price_rule');
      if (ruleTook && couponSet.some((c) => !c.stackWithPriceRules)) continue;
      const benefit = totalFen - priced.amounts.reduce((a, b) => a + b, 0) + priced.gifts.reduce((s, g) => s + g.valueFen, 0);
      if (!best || benefit > best.benefit || (benefit === best.benefit && couponSet.length < best.coupons)) best = { priced, benefit, coupons: couponSet.length };
    }
  }
  const priced = best?.priced ?? price(lines, [], [], ctx);
  const used = new Set(priced.applied.flatMap((a) => (a.code === undefined ? [] : [a.code])));
  const refusedCoupons = coupons.filter((c) => !used.has(c.code)).map((c) => {
    const alone = couponRefusal(c, lines, priced.amounts, ctx) ?? couponRefusal(c, lines, lines.map((l) => l.quantity * l.unitPriceFen), ctx);
    return alone ?? { code: c.code, reason: 'coupon_not_combinable' as const, message: `coupon ${c.code} does not combine with the better offers on this order` };
  });
  const payableFen = priced.amounts.reduce((a, b) => a + b, 0);
  return {
    lines: lines.map((l, i) => {
      const amountFen = l.quantity * l.unitPriceFen;
      const payable = priced.amounts[i] ?? amountFen;
      return { ...l, lineNo: i + 1, amountFen, discountFen: amountFen - payable, payableFen: payable, adjustments: priced.adjustments[i] ?? [] };
    }),
    applied: priced.applied,
    gifts: priced.gifts,
    refusedCoupons,
    totalFen,
    discountFen: totalFen - payableFen,
    payableFen,
  };
}

/** Problems with a price rule's numbers, as error details; empty when it is sound. */
export function checkPriceRule(params: PriceRuleParams, skus: readonly string[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const bad = (path: string, message: string, code: string, params: ErrorDetail['params'] = {}): void => {
    out.push({ path: `body.params.${path}`, message, code, params });
  };
  // A bound a rule checks reads like the same bound checked by the schema (zod's too_small/too_big).
  const atLeast = (minimum: number, inclusive = true) => ({ origin: 'number', minimum, inclusive: String(inclusive) });
  const atMost = (maximum: number) => ({ origin: 'number', maximum, inclusive: 'true' });
  switch (params.kind) {
    case 'threshold':
      if (params.thresholdFen <= 0) bad('thresholdFen', 'must be more than 0', 'too_small', atLeast(0, false));
      if (params.amountOffFen <= 0) bad('amountOffFen', 'must be more than 0', 'too_small', atLeast(0, false));
      // 满100减120 would make the price negative.
      if (params.amountOffFen > params.thresholdFen) bad('amountOffFen', 'must not exceed thresholdFen: the price would go negative', 'off_above_threshold', { thresholdFen: params.thresholdFen });
      break;
    case 'bundle':
      if (skus.length === 0) out.push({ path: 'body.skus', message: 'a bundle price needs the SKUs it covers', code: 'bundle_needs_skus' });
      if (params.quantity < 2) bad('quantity', 'must be at least 2', 'too_small', atLeast(2));
      if (params.priceFen < 0) bad('priceFen', 'must not be negative', 'too_small', atLeast(0));
      break;
    case 'member_price':
      if (Object.keys(params.prices).length === 0) bad('prices', 'needs at least one SKU price', 'too_small', { origin: 'array', minimum: 1, inclusive: 'true' });
      for (const [sku, fen] of Object.entries(params.prices)) if (fen < 0) bad(`prices.${sku}`, 'must not be negative', 'too_small', atLeast(0));
      break;
    case 'ladder': {
      if (params.steps.length === 0) bad('steps', 'needs at least one step', 'too_small', { origin: 'array', minimum: 1, inclusive: 'true' });
      // Compared in quantity order, refused at the step's place in the input (where the form shows it).
      const sorted = params.steps.map((step, at) => ({ ...step, at })).sort((a, b) => a.minQuantity - b.minQuantity);
      sorted.forEach((s, n) => {
        const i = s.at;
        if (s.minQuantity < 1) bad(`steps.${i}.minQuantity`, 'must be at least 1', 'too_small', atLeast(1));
        if (s.percent < 1) bad(`steps.${i}.percent`, 'must be between 1 and 99 (90 is 9折)', 'too_small', atLeast(1));
        else if (s.percent > 99) bad(`steps.${i}.percent`, 'must be between 1 and 99 (90 is 9折)', 'too_big', atMost(99));
        const prev = sorted[n - 1];
        if (prev && prev.minQuantity === s.minQuantity) bad(`steps.${i}.minQuantity`, 'two steps have the same quantity', 'ladder_same_quantity', { minQuantity: s.minQuantity });
        if (prev && s.percent >= prev.percent) bad(`steps.${i}.percent`, 'a larger quantity must get a deeper discount', 'ladder_not_deeper', { minQuantity: s.minQuantity, previous: prev.percent });
      });
      break;
    }
  }
  return out;
}
