import { describe, expect, it } from 'vitest';
import { allocate, checkPriceRule, percentOf, quote, type CartLine, type CouponOffer, type OrderContext, type PriceRule, type PriceRuleParams } from '../../src/core/promotions/pricing.rules.ts';

const AT = new Date('2026-06-01T04:00:00Z');
const ctx: OrderContext = { member: false, channel: 'miniprogram', storeId: 'store-a', at: AT };
const line = (sku: string, quantity: number, unitPriceFen: number): CartLine => ({ sku, name: sku, quantity, unitPriceFen });
const rule = (id: string, params: PriceRuleParams, extra: Partial<PriceRule> = {}): PriceRule => ({
  id, name: id, params, stackable: true, skus: [], storeIds: [], channels: [], validFrom: null, validTo: null, ...extra,
});
const coupon = (code: string, extra: Partial<CouponOffer>): CouponOffer => ({
  code, templateId: `t-${code}`, name: code, kind: 'amount', amountOffFen: null, percent: null, maxDiscountFen: null, thresholdFen: 0,
  freeSku: null, freeItemName: null, freeItemValueFen: null, stackWithPriceRules: true, stackWithCoupons: false,
  skus: [], storeIds: [], channels: [], validFrom: null, validTo: null, ...extra,
});

describe('percentOf and allocate', () => {
  it.each([
    [1000, 90, 900], [15, 90, 14], [5, 90, 5], [25, 50, 13], [1, 50, 1], [3, 33, 1], [0, 90, 0], [199, 85, 169],
  ])('%i fen at %i%% is %i (half up)', (amount, percent, expected) => {
    expect(percentOf(amount, percent)).toBe(expected);
  });
  it.each([
    [10, [1, 1, 1], [4, 3, 3]],
    [3000, [19900, 5000], [2398, 602]],
    [7, [0, 5, 0], [0, 7, 0]],
    [0, [5, 5], [0, 0]],
    [10, [10, 0], [10, 0]],
  ])('allocate %i over %j', (total, weights, expected) => {
    const shares = allocate(total, weights);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

interface Case {
  name: string;
  lines: CartLine[];
  rules?: PriceRule[];
  coupons?: CouponOffer[];
  ctx?: Partial<OrderContext>;
  payable: number;
  applied?: string[];
  refused?: Record<string, string>;
}

const fullReduction = rule('满199减30', { kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000, repeat: false });
const everyFull = rule('每满100减10', { kind: 'threshold', thresholdFen: 10000, amountOffFen: 1000, repeat: true });
const cherries = rule('车厘子199元5斤', { kind: 'bundle', quantity: 5, priceFen: 19900 }, { skus: ['cherry'] });
const ladder = rule('满2件9折满3件8折', { kind: 'ladder', steps: [{ minQuantity: 2, percent: 90 }, { minQuantity: 3, percent: 80 }] });
const memberPrice = rule('会员价', { kind: 'member_price', prices: { mango: 1500, cherry: 4500 } });

const cases: Case[] = [
  { name: 'no rules: full price', lines: [line('apple', 3, 999)], payable: 2997 },
  { name: '满199减30 met exactly', lines: [line('apple', 1, 19900)], rules: [fullReduction], payable: 16900, applied: ['满199减30'] },
  { name: '满199减30 one fen short', lines: [line('apple', 1, 19899)], rules: [fullReduction], payable: 19899, applied: [] },
  { name: '每满100减10 repeats', lines: [line('apple', 1, 35000)], rules: [everyFull], payable: 32000 },
  { name: 'bundle: 5 jin of cherries for ¥199', lines: [line('cherry', 5, 5000)], rules: [cherries], payable: 19900 },
  { name: 'bundle: 7 jin = one bundle + 2 at full price', lines: [line('cherry', 7, 5000)], rules: [cherries], payable: 29900 },
  { name: 'bundle: 4 jin is no bundle', lines: [line('cherry', 4, 5000)], rules: [cherries], payable: 20000 },
  { name: 'bundle: other SKUs untouched', lines: [line('cherry', 5, 5000), line('apple', 1, 1000)], rules: [cherries], payable: 20900 },
  { name: 'bundle dearer than regular price takes nothing', lines: [line('cherry', 5, 3000)], rules: [cherries], payable: 15000 },
  { name: 'ladder: 1 item no discount', lines: [line('tea', 1, 1500)], rules: [ladder], payable: 1500 },
  { name: 'ladder: 2 items 9折', lines: [line('tea', 2, 1500)], rules: [ladder], payable: 2700 },
  { name: 'ladder: 3 items 8折 across lines, per-line rounding', lines: [line('tea', 1, 1555), line('latte', 2, 1999)], rules: [ladder], payable: 1244 + 3198 },
  { name: 'member price for a member', lines: [line('mango', 2, 2000)], rules: [memberPrice], ctx: { member: true }, payable: 3000 },
  { name: 'member price not for a non-member', lines: [line('mango', 2, 2000)], rules: [memberPrice], payable: 4000 },
  { name: 'member price above list price is ignored', lines: [line('mango', 1, 1200)], rules: [memberPrice], ctx: { member: true }, payable: 1200 },
  { name: 'member price then 满减 on what is left', lines: [line('cherry', 5, 5000)], rules: [memberPrice, fullReduction], ctx: { member: true }, payable: 22500 - 3000 },
  { name: 'rule of another channel does not apply', lines: [line('apple', 1, 20000)], rules: [rule('pos only', fullReduction.params, { channels: ['pos'] })], payable: 20000 },
  { name: 'rule of another store does not apply', lines: [line('apple', 1, 20000)], rules: [rule('store b', fullReduction.params, { storeIds: ['store-b'] })], payable: 20000 },
  { name: 'rule not started yet', lines: [line('apple', 1, 20000)], rules: [rule('later', fullReduction.params, { validFrom: new Date('2026-07-01T00:00:00Z') })], payable: 20000 },
  { name: 'rule ended (end is exclusive)', lines: [line('apple', 1, 20000)], rules: [rule('over', fullReduction.params, { validTo: AT })], payable: 20000 },
  { name: 'exclusive rule alone beats the stack when better', lines: [line('tea', 3, 10000)],
    rules: [fullReduction, rule('exclusive 5折', { kind: 'ladder', steps: [{ minQuantity: 1, percent: 50 }] }, { stackable: false })], payable: 15000, applied: ['exclusive 5折'] },
  { name: 'stack beats an exclusive rule when better', lines: [line('tea', 3, 10000)],
    rules: [fullReduction, ladder, rule('exclusive 立减1元', { kind: 'threshold', thresholdFen: 100, amountOffFen: 100, repeat: false }, { stackable: false })], payable: 24000 - 3000, applied: ['满2件9折满3件8折', '满199减30'] },
  { name: 'amount coupon', lines: [line('apple', 1, 5000)], coupons: [coupon('A5', { amountOffFen: 500 })], payable: 4500, applied: ['A5'] },
  { name: 'amount coupon larger than the order: never negative', lines: [line('apple', 1, 300)], coupons: [coupon('A5', { amountOffFen: 500 })], payable: 0 },
  { name: 'percent coupon 9折 per line half up', lines: [line('apple', 1, 15), line('pear', 1, 25)], coupons: [coupon('P9', { kind: 'percent', percent: 90 })], payable: 14 + 23 },
  { name: 'percent coupon capped', lines: [line('apple', 1, 100000)], coupons: [coupon('P8', { kind: 'percent', percent: 80, maxDiscountFen: 5000 })], payable: 95000 },
  { name: '满减 coupon threshold not met', lines: [line('apple', 1, 9900)], coupons: [coupon('T10', { kind: 'threshold', thresholdFen: 10000, amountOffFen: 1000 })], payable: 9900, refused: { T10: 'coupon_threshold_not_met' } },
  { name: '满减 coupon threshold counts only its SKUs', lines: [line('apple', 1, 9000), line('cherry', 1, 2000)],
    coupons: [coupon('T10', { kind: 'threshold', thresholdFen: 10000, amountOffFen: 1000, skus: ['apple'] })], payable: 11000, refused: { T10: 'coupon_threshold_not_met' } },
  { name: 'SKU coupon only discounts its SKUs', lines: [line('apple', 1, 1000), line('cherry', 1, 1000)], coupons: [coupon('C', { kind: 'percent', percent: 50, skus: ['cherry'] })], payable: 1500 },
  { name: 'SKU coupon on an order without its SKU', lines: [line('apple', 1, 1000)], coupons: [coupon('C', { amountOffFen: 100, skus: ['cherry'] })], payable: 1000, refused: { C: 'coupon_no_eligible_items' } },
  { name: 'coupon threshold checked after price rules', lines: [line('apple', 1, 20000)], rules: [fullReduction],
    coupons: [coupon('T', { kind: 'threshold', thresholdFen: 19000, amountOffFen: 1500 })], payable: 17000, applied: ['满199减30'], refused: { T: 'coupon_threshold_not_met' } },
  { name: 'coupon threshold met after price rules: both', lines: [line('apple', 1, 20000)], rules: [fullReduction],
    coupons: [coupon('T', { kind: 'threshold', thresholdFen: 15000, amountOffFen: 1500 })], payable: 15500, applied: ['满199减30', 'T'] },
  { name: 'exclusive coupon vs price rule: the better one wins (coupon)', lines: [line('apple', 1, 20000)], rules: [fullReduction],
    coupons: [coupon('BIG', { amountOffFen: 5000, stackWithPriceRules: false })], payable: 15000, applied: ['BIG'] },
  { name: 'exclusive coupon vs price rule: the better one wins (rule)', lines: [line('apple', 1, 20000)], rules: [fullReduction],
    coupons: [coupon('SMALL', { amountOffFen: 1000, stackWithPriceRules: false })], payable: 17000, applied: ['满199减30'], refused: { SMALL: 'coupon_not_combinable' } },
  { name: 'two coupons that do not stack: the better one', lines: [line('apple', 1, 10000)],
    coupons: [coupon('A', { amountOffFen: 500 }), coupon('B', { amountOffFen: 800 })], payable: 9200, applied: ['B'], refused: { A: 'coupon_not_combinable' } },
  { name: 'two coupons that stack: both', lines: [line('apple', 1, 10000)],
    coupons: [coupon('A', { amountOffFen: 500, stackWithCoupons: true }), coupon('B', { kind: 'percent', percent: 90, stackWithCoupons: true })], payable: 8500, applied: ['B', 'A'] },
  { name: 'free item coupon adds a gift, price unchanged', lines: [line('latte', 1, 3000)],
    coupons: [coupon('G', { kind: 'free_item', freeSku: 'donut', freeItemName: 'Donut', freeItemValueFen: 800, thresholdFen: 2500 })], payable: 3000, applied: ['G'] },
  { name: 'coupon of another store refused', lines: [line('apple', 1, 1000)], coupons: [coupon('S', { amountOffFen: 100, storeIds: ['store-b'] })], payable: 1000, refused: { S: 'coupon_wrong_store' } },
  { name: 'coupon of another channel refused', lines: [line('apple', 1, 1000)], coupons: [coupon('C', { amountOffFen: 100, channels: ['pos'] })], payable: 1000, refused: { C: 'coupon_wrong_channel' } },
  { name: 'expired coupon refused', lines: [line('apple', 1, 1000)], coupons: [coupon('E', { amountOffFen: 100, validTo: new Date('2026-05-01T00:00:00Z') })], payable: 1000, refused: { E: 'coupon_expired' } },
  { name: 'coupon not yet valid refused', lines: [line('apple', 1, 1000)], coupons: [coupon('N', { amountOffFen: 100, validFrom: new Date('2026-07-01T00:00:00Z') })], payable: 1000, refused: { N: 'coupon_not_yet_valid' } },
  { name: 'empty cart', lines: [], rules: [fullReduction], coupons: [coupon('A', { amountOffFen: 100 })], payable: 0 },
];

describe('quote', () => {
  it.each(cases)('$name', (c) => {
    const q = quote(c.lines, c.rules ?? [], c.coupons ?? [], { ...ctx, ...c.ctx });
    expect(q.payableFen).toBe(c.payable);
    // The lines always add up, and no line is ever negative.
    expect(q.lines.reduce((s, l) => s + l.payableFen, 0)).toBe(q.payableFen);
    expect(q.totalFen - q.discountFen).toBe(q.payableFen);
    for (const l of q.lines) {
      expect(l.payableFen).toBeGreaterThanOrEqual(0);
      expect(l.adjustments.reduce((s, a) => s + a.discountFen, 0)).toBe(l.discountFen);
    }
    if (c.applied) expect(q.applied.map((a) => a.code ?? a.name)).toEqual(c.applied);
    if (c.refused) expect(Object.fromEntries(q.refusedCoupons.map((r) => [r.code, r.reason]))).toEqual(c.refused);
  });

  it('explains each line with the rule and what it took', () => {
    const q = quote([line('cherry', 5, 5000), line('apple', 1, 2000)], [cherries, fullReduction], [], ctx);
    expect(q.lines[0]?.adjustments).toEqual([
      { source: 'price_rule', id: '车厘子199元5斤', name: '车厘子199元5斤', discountFen: 5100 },
      { source: 'price_rule', id: '满199减30', name: '满199减30', discountFen: 2726 },
    ]);
    expect(q.lines[1]?.adjustments).toEqual([{ source: 'price_rule', id: '满199减30', name: '满199减30', discountFen: 274 }]);
    expect(q.payableFen).toBe(21900 - 3000);
  });

  it('free item shows as a gift', () => {
    const q = quote([line('latte', 1, 3000)], [], [coupon('G', { kind: 'free_item', freeSku: 'donut', freeItemName: 'Donut', freeItemValueFen: 800 })], ctx);
    expect(q.gifts).toEqual([{ code: 'G', sku: 'donut', name: 'Donut', valueFen: 800 }]);
  });
});

describe('checkPriceRule', () => {
  it.each<[string, PriceRuleParams, string[], string[]]>([
    ['sound 满减', { kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000, repeat: false }, [], []],
    ['满100减120 makes a price negative', { kind: 'threshold', thresholdFen: 10000, amountOffFen: 12000, repeat: false }, [], ['body.params.amountOffFen']],
    ['zero threshold', { kind: 'threshold', thresholdFen: 0, amountOffFen: 0, repeat: false }, [], ['body.params.thresholdFen', 'body.params.amountOffFen']],
    ['bundle without SKUs', { kind: 'bundle', quantity: 5, priceFen: 19900 }, [], ['body.skus']],
    ['bundle of one', { kind: 'bundle', quantity: 1, priceFen: 100 }, ['x'], ['body.params.quantity']],
    ['negative member price', { kind: 'member_price', prices: { a: -1 } }, [], ['body.params.prices.a']],
    ['ladder not deepening', { kind: 'ladder', steps: [{ minQuantity: 2, percent: 80 }, { minQuantity: 3, percent: 90 }] }, [], ['body.params.steps.1.percent']],
    ['ladder percent 100', { kind: 'ladder', steps: [{ minQuantity: 2, percent: 100 }] }, [], ['body.params.steps.0.percent']],
    ['sound ladder', { kind: 'ladder', steps: [{ minQuantity: 3, percent: 80 }, { minQuantity: 2, percent: 90 }] }, [], []],
  ])('%s', (_name, params, skus, paths) => {
    expect(checkPriceRule(params, skus).map((d) => d.path)).toEqual(paths);
  });
});
