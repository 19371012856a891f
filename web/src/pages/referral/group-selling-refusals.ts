// How the 接龙, 拼团 and 拼单 pages word the server's refusals (GroupSellingRefusal's reasons): with
// the values the reason carries (what is left, the limit, the group), where the wording every page
// shares for these codes has none.
import type { Wording } from '../../refusal-text.ts';

const GROUP_SELLING_REFUSALS = [
  'deadline_passed', 'closed', 'sold_out', 'limit_reached', 'already_joined', 'not_joined', 'group_full', 'not_group_member',
  'group_dissolved', 'not_initiator', 'cart_empty', 'price_above_original',
] as const;

export const GROUP_SELLING_WORDING: Wording<(typeof GROUP_SELLING_REFUSALS)[number]> = {
  codes: GROUP_SELLING_REFUSALS,
  keyOf: (code) => `fission.refusal.${code}`,
};
