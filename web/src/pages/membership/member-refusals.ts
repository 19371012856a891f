// The membership pages' refusals in the reader's language. Tier bounds come in fen of spend or in
// points, as the tenant qualifies tiers, and read as the panel shows them.
import type { ErrorDetail } from '../../api.ts';
import { formatCount, formatMoney } from '../../format.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import { detailText } from '../../labels.ts';

const MEMBER_REFUSALS = [
  'tiers_empty', 'name_twice', 'lowest_not_zero', 'tier_gap', 'tier_overlap', 'top_not_open', 'open_not_top', 'max_not_above_min',
  'unknown_coupon_template', 'multiplier_range', 'unknown_store', 'member_day_needs_offer',
] as const;

const TIER_VALUES = ['previousMax', 'minValue'];

export function memberRefusalText(t: Translate, d: ErrorDetail, basis: 'spend' | 'points' = 'spend'): string {
  const params: NonNullable<ErrorDetail['params']> = { ...d.params };
  for (const name of TIER_VALUES) {
    const v = params[name];
    if (typeof v === 'number') params[name] = basis === 'spend' ? formatMoney(v) : t('member.refusal.points', { points: formatCount(v) });
  }
  return detailText(t, { ...d, params }, MEMBER_REFUSALS, (code) => `member.refusal.${code}`);
}
