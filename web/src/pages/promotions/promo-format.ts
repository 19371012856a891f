// How promotions read in the console: an offer in words, yuan ↔ fen for inputs.
import type { CouponTemplate, PriceRule } from '../../api-promotions.ts';
import { formatMoney } from '../../format.ts';
import type { Translate } from '../../i18n/i18n.tsx';

/** A yuan amount typed in a form → integer fen (¥12.34 → 1234). */
export const toFen = (yuan: number | null | undefined): number | null => (yuan === null || yuan === undefined ? null : Math.round(yuan * 100));
export const toYuan = (fen: number | null | undefined): number | null => (fen === null || fen === undefined ? null : fen / 100);

/** 90 → "9", 85 → "8.5": how a Chinese shop writes a discount (9折). */
export const zhe = (percent: number): string => String(percent / 10);

export function couponOffer(t: Translate, c: CouponTemplate): string {
  const minimum = c.thresholdFen > 0 && c.kind !== 'threshold' ? t('promo.offer.minimum', { threshold: formatMoney(c.thresholdFen) }) : '';
  switch (c.kind) {
    case 'amount':
      return t('promo.offer.amount', { amount: formatMoney(c.amountOffFen ?? 0) }) + minimum;
    case 'percent':
      return t('promo.offer.percent', { discount: zhe(c.percent ?? 100), percent: c.percent ?? 100 }) + minimum;
    case 'threshold':
      return t('promo.offer.threshold', { threshold: formatMoney(c.thresholdFen), amount: formatMoney(c.amountOffFen ?? 0) });
    case 'free_item':
      return t('promo.offer.free_item', { item: c.freeItemName ?? c.freeSku ?? '' }) + minimum;
  }
}

export function ruleSummary(t: Translate, r: PriceRule): string {
  const p = r.params;
  switch (p.kind) {
    case 'threshold':
      return t(p.repeat ? 'promo.rule.describe.thresholdRepeat' : 'promo.rule.describe.threshold', { threshold: formatMoney(p.thresholdFen), amount: formatMoney(p.amountOffFen) });
    case 'bundle':
      return t('promo.rule.describe.bundle', { quantity: p.quantity, price: formatMoney(p.priceFen) });
    case 'member_price':
      return t('promo.rule.describe.member_price', { count: Object.keys(p.prices).length });
    case 'ladder':
      return [...p.steps].sort((a, b) => a.minQuantity - b.minQuantity).map((s) => t('promo.rule.describe.ladder.step', { quantity: s.minQuantity, discount: zhe(s.percent), percent: s.percent })).join('，');
  }
}
