// Membership arithmetic, table-tested: points per order, expiry dates, refund reversals, tier
// coverage (gaps and overlaps named), member days and their lift.
import { describe, expect, it } from 'vitest';
import {
  checkMultipliers, checkTiers, expiryOf, isMemberDay, liftOf, pointsForOrder, reversalDue, tierFor, weekStartOf,
  type DaySales, type PointsRules,
} from '../../src/core/membership/membership.rules.ts';
import { isoWeekday } from '../../src/core/time.ts';

const plain: PointsRules = { pointsPerYuan: 1, channelMultipliers: {}, storeMultipliers: {}, skuMultipliers: {}, memberDayMultiplier: 100 };
const order = (paidFen: number, extra: Partial<Parameters<typeof pointsForOrder>[1]> = {}) =>
  ({ paidFen, channel: 'pos', storeId: null, items: [], onMemberDay: false, ...extra });

describe('points for an order', () => {
  it.each([
    ['¥128 at 1 point per ¥', plain, order(12_800), 128],
    ['a fraction of a yuan earns nothing', plain, order(12_899), 128],
    ['nothing paid', plain, order(0), 0],
    ['2 points per ¥', { ...plain, pointsPerYuan: 2 }, order(4_590), 91],
    ['points off', { ...plain, pointsPerYuan: 0 }, order(10_000), 0],
    ['mini-program ×1.5', { ...plain, channelMultipliers: { miniprogram: 150 } }, order(10_000, { channel: 'miniprogram' }), 150],
    ['another channel keeps ×1', { ...plain, channelMultipliers: { miniprogram: 150 } }, order(10_000), 100],
    ['store ×2', { ...plain, storeMultipliers: { s1: 200 } }, order(10_000, { storeId: 's1' }), 200],
    ['member day ×2 with channel ×1.5', { ...plain, channelMultipliers: { pos: 150 }, memberDayMultiplier: 200 }, order(10_000, { onMemberDay: true }), 300],
    ['member day multiplier only on member days', { ...plain, memberDayMultiplier: 200 }, order(10_000), 100],
    // lines 60 + 40 list, 90 paid (a 10% discount on both): cherry ×3 on 54, the rest ×1 on 36 → 162 + 36
    ['SKU ×3 on its line\'s share of the paid amount', { ...plain, skuMultipliers: { CHERRY: 300 } },
      order(9_000, { items: [{ sku: 'CHERRY', amountFen: 6_000 }, { sku: 'KIWI', amountFen: 4_000 }] }), 198],
    ['SKU ×0 earns nothing for that line', { ...plain, skuMultipliers: { GIFT: 0 } },
      order(10_000, { items: [{ sku: 'GIFT', amountFen: 5_000 }, { sku: 'KIWI', amountFen: 5_000 }] }), 50],
    ['items with no list amount: the whole paid amount at ×1', plain, order(3_000, { items: [{ sku: 'FREE', amountFen: 0 }] }), 30],
  ])('%s', (_name, rules, o, expected) => {
    expect(pointsForOrder(rules, o)).toBe(expected);
  });

  it('names a multiplier out of range by its key', () => {
    expect(checkMultipliers('body.skuMultipliers', { A: 150, B: 1001, C: 1.5 })).toEqual([
      { path: 'body.skuMultipliers.B', message: expect.stringContaining('whole percentage'), code: 'multiplier_range', params: { minimum: 0, maximum: 1000 } },
      { path: 'body.skuMultipliers.C', message: expect.stringContaining('whole percentage'), code: 'multiplier_range', params: { minimum: 0, maximum: 1000 } },
    ]);
  });
});

describe('expiry', () => {
  it.each([
    // earned 2026-03-15 10:00 Shanghai → gone when 2027-04-01 begins in Shanghai (16:00 UTC the day before)
    ['2026-03-15T02:00:00Z', 12, 'Asia/Shanghai', '2027-03-31T16:00:00.000Z'],
    // 2026-03-31 20:00 UTC is already April 1 in Shanghai: the April lot
    ['2026-03-31T20:00:00Z', 12, 'Asia/Shanghai', '2027-04-30T16:00:00.000Z'],
    ['2026-12-10T00:00:00Z', 1, 'Asia/Shanghai', '2027-01-31T16:00:00.000Z'],
    ['2026-11-10T00:00:00Z', 2, 'UTC', '2027-02-01T00:00:00.000Z'],
  ])('earned %s, %i months, %s → %s', (earned, months, zone, expected) => {
    expect(expiryOf(new Date(earned), months, zone)?.toISOString()).toBe(expected);
  });

  it('never, without a rule', () => {
    expect(expiryOf(new Date('2026-01-01T00:00:00Z'), null, 'Asia/Shanghai')).toBeNull();
  });
});

describe('refund reversal', () => {
  it.each([
    ['full refund takes all', 128, 12_800, 12_800, 0, 128],
    ['half refunded', 100, 10_000, 5_000, 0, 50],
    ['a second partial refund takes the rest of its share', 100, 10_000, 7_500, 50, 25],
    ['the same refund again takes nothing', 100, 10_000, 5_000, 50, 0],
    ['then the full refund', 100, 10_000, 10_000, 75, 25],
    ['an order that earned nothing', 0, 500, 500, 0, 0],
  ])('%s', (_name, earned, paid, refunded, already, expected) => {
    expect(reversalDue(earned, paid, refunded, already)).toBe(expected);
  });
});

describe('tier rules', () => {
  const t = (name: string, minValue: number, maxValue: number | null) => ({ name, minValue, maxValue });
  it.each([
    ['one open tier', [t('普通', 0, null)], []],
    ['three contiguous tiers', [t('普通', 0, 100_000), t('银卡', 100_000, 500_000), t('金卡', 500_000, null)], []],
    ['no tiers', [], ['body.tiers']],
    ['not from 0', [t('普通', 100, null)], ['body.tiers.0.minValue']],
    ['a gap', [t('普通', 0, 100_000), t('银卡', 120_000, null)], ['body.tiers.1.minValue']],
    ['an overlap', [t('普通', 0, 100_000), t('银卡', 90_000, null)], ['body.tiers.1.minValue']],
    ['top tier closed', [t('普通', 0, 100_000), t('银卡', 100_000, 200_000)], ['body.tiers.1.maxValue']],
    ['a lower tier open', [t('普通', 0, null), t('银卡', 0, null)], ['body.tiers.0.maxValue']],
    ['a name twice', [t('普通', 0, 10), t('普通', 10, null)], ['body.tiers.1.name']],
    ['an empty range', [t('普通', 0, 0), t('银卡', 0, null)], ['body.tiers.0.maxValue']],
  ])('%s', (_name, tiers, paths) => {
    const details = checkTiers(tiers);
    expect(details.map((d) => d.path).sort()).toEqual([...paths].sort());
  });

  it('says what the gap is', () => {
    expect(checkTiers([t('普通', 0, 100_000), t('银卡', 120_000, null)])[0]?.message).toMatch(/gap: values from ¥1,000 to ¥1,200/);
    expect(checkTiers([t('普通', 0, 100_050), t('银卡', 90_000, null)])[0]?.message).toMatch(/overlap: tier 0 runs to ¥1,000.50, this one starts at ¥900/);
    expect(checkTiers([t('普通', 0, 5_000), t('银卡', 6_000, null)], 'body.tiers', 'points')[0]?.message).toMatch(/gap: values from 5,000 points to 6,000 points/);
  });

  it('gives each refusal a code and the values the console words it with', () => {
    expect(checkTiers([t('普通', 0, 100_000), t('银卡', 120_000, null)])[0]).toMatchObject({ code: 'tier_gap', params: { previousLevel: 0, previousMax: 100_000, minValue: 120_000 } });
    expect(checkTiers([t('普通', 0, 10), t('普通', 10, null)])[0]).toMatchObject({ code: 'name_twice', params: { name: '普通' } });
    expect(checkTiers([])[0]).toMatchObject({ code: 'tiers_empty' });
  });

  it.each([[0, '普通'], [99_999, '普通'], [100_000, '银卡'], [499_999, '银卡'], [500_000, '金卡'], [10_000_000, '金卡']])('value %i is in %s', (value, name) => {
    expect(tierFor([t('普通', 0, 100_000), t('银卡', 100_000, 500_000), t('金卡', 500_000, null)], value)?.name).toBe(name);
  });
});

describe('member days', () => {
  it.each([['2026-12-01', 2], ['2026-12-06', 7], ['2026-12-07', 1]])('%s is ISO weekday %i', (date, wd) => {
    expect(isoWeekday(date)).toBe(wd);
  });

  it('takes the weekday in the tenant zone', () => {
    // Monday 2026-11-30 17:00 UTC is Tuesday 01:00 in Shanghai
    expect(isMemberDay(new Date('2026-11-30T17:00:00Z'), [2], 'Asia/Shanghai')).toBe(true);
    expect(isMemberDay(new Date('2026-11-30T17:00:00Z'), [2], 'UTC')).toBe(false);
  });

  it('weeks start on Monday', () => {
    expect(weekStartOf('2026-12-01')).toBe('2026-11-30');
    expect(weekStartOf('2026-12-06')).toBe('2026-11-30');
    expect(weekStartOf('2026-11-30')).toBe('2026-11-30');
  });

  it('compares member-day averages with other days, overall and per week', () => {
    const day = (date: string, memberDay: boolean, gmvFen: number, orders: number, customers: number): DaySales => ({ date, memberDay, gmvFen, orders, customers });
    const days = [
      day('2026-11-30', false, 1_000, 10, 8), day('2026-12-01', true, 1_300, 13, 12), day('2026-12-02', false, 1_000, 10, 8),
      day('2026-12-07', false, 2_000, 20, 16), day('2026-12-08', true, 3_000, 26, 24),
    ];
    const lift = liftOf(days);
    expect(lift.memberDays).toEqual({ days: 2, gmvFen: 2_150, orders: 19.5, customers: 18 });
    expect(lift.otherDays).toEqual({ days: 3, gmvFen: 1_333, orders: 40 / 3, customers: 32 / 3 });
    expect(lift.ratio.gmv).toBe(Math.round((2_150 / 1_333) * 1000) / 1000);
    expect(lift.ratio.customers).toBe(Math.round((18 / (32 / 3)) * 1000) / 1000);
    expect(lift.weeks).toEqual([
      { weekStart: '2026-11-30', memberDayGmvFen: 1_300, otherDayAvgGmvFen: 1_000, ratio: 1.3 },
      { weekStart: '2026-12-07', memberDayGmvFen: 3_000, otherDayAvgGmvFen: 2_000, ratio: 1.5 },
    ]);
  });

  it('has no ratio without member days', () => {
    expect(liftOf([{ date: '2026-11-30', memberDay: false, gmvFen: 5, orders: 1, customers: 1 }]).ratio).toEqual({ gmv: null, orders: null, customers: null });
  });
});
