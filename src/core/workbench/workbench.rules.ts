// The guide's day, pure: what the till should prompt, whether a customer may be transferred
// again (WeCom: at most twice in 90 days), and which calendar days count as "this week".
import { isLeapYear } from '../time.ts';

export type PosAction =
  | { kind: 'add_friend'; code: { id: string; name: string; landingPath: string } | null }
  | { kind: 'invite_to_group'; group: { id: string; name: string; members: number } }
  | { kind: 'offer_coupon'; coupon: { code: string; name: string; validTo: string } | null; template: { id: string; name: string } | null };

export interface PosFacts {
  known: boolean;
  isFriend: boolean;
  inGroup: boolean;
  storeCode: { id: string; name: string; landingPath: string } | null;
  groupWithRoom: { id: string; name: string; members: number } | null;
  heldCoupon: { code: string; name: string; validTo: string } | null;
  welcomeTemplate: { id: string; name: string } | null;
}

/**
 * What the guide at the till should do, most important first. A stranger or a customer who is
 * not a friend is added first (everything else reaches them through the friendship); a friend in
 * no group is invited to the store's group with room; a coupon they hold is offered, or else the
 * welcome coupon they have not had yet.
 */
export function posActions(f: PosFacts): PosAction[] {
  const actions: PosAction[] = [];
  if (!f.known || !f.isFriend) actions.push({ kind: 'add_friend', code: f.storeCode });
  if (f.known && f.isFriend && !f.inGroup && f.groupWithRoom) actions.push({ kind: 'invite_to_group', group: f.groupWithRoom });
  if (f.known && f.heldCoupon) actions.push({ kind: 'offer_coupon', coupon: f.heldCoupon, template: null });
  else if (f.known && f.welcomeTemplate) actions.push({ kind: 'offer_coupon', coupon: null, template: f.welcomeTemplate });
  return actions;
}

export const TRANSFERS_PER_WINDOW = 2;
export const TRANSFER_WINDOW_DAYS = 90;

export type TransferRefusal =
  | { reason: 'transfer_limit'; message: string; /** The first day (YYYY-MM-DD, UTC) another transfer is allowed. */ possibleFrom: string }
  | { reason: 'already_owner'; message: string };

/** Whether one more transfer is allowed, given the customer's earlier transfers (not inheritances) and current guide. */
export function transferRefusal(earlier: readonly Date[], currentGuide: string | null, toStaff: string, now: Date): TransferRefusal | null {
  if (currentGuide === toStaff) return { reason: 'already_owner', message: 'the customer is already served by this staff member' };
  const since = now.getTime() - TRANSFER_WINDOW_DAYS * 86_400_000;
  const recent = earlier.filter((d) => d.getTime() > since).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length >= TRANSFERS_PER_WINDOW) {
    const first = recent[recent.length - TRANSFERS_PER_WINDOW];
    const again = first ? new Date(first.getTime() + TRANSFER_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10) : '';
    return { reason: 'transfer_limit', message: `transferred ${recent.length} times in the last ${TRANSFER_WINDOW_DAYS} days (WeCom allows ${TRANSFERS_PER_WINDOW}); possible again from ${again}`, possibleFrom: again };
  }
  return null;
}

/** The month-days (MM-DD) of today and of the seven local days from `today` (YYYY-MM-DD); 29 Feb birthdays fall on 28 Feb in other years. */
export function weekMonthDays(today: string): { today: string[]; week: string[] } {
  const start = Date.parse(`${today}T00:00:00Z`);
  const days: string[][] = [];
  for (let i = 0; i < 7; i++) {
    const d = new Date(start + i * 86_400_000);
    const md = d.toISOString().slice(5, 10);
    days.push(md === '02-28' && !isLeapYear(d.getUTCFullYear()) ? [md, '02-29'] : [md]);
  }
  return { today: days[0] ?? [], week: days.flat() };
}
