// Fission (裂变 / 二级分销) rules without IO: reward rules and their checks, what an order earns and
// what a refund takes back, whether an attribution is abuse, and the superuser value.
import type { ErrorDetail } from '../errors.ts';

export type RewardKind = 'percent_first_order' | 'percent_window' | 'points' | 'coupon';

export interface RewardRule {
  level: 1 | 2;
  kind: RewardKind;
  /** Basis points of the order's paid amount (500 = 5%). */
  percentBp?: number | null;
  windowDays?: number | null;
  points?: number | null;
  couponTemplateId?: string | null;
}

/**
 * The checks a tenant's rules must pass: each level at most once, the fields its kind needs, and
 * never more paid out than the order brought in — the percents of both levels together stay
 * under 100% (a window rule pays on every order, so it counts the same as a first-order one).
 */
export function checkRewardRules(rules: RewardRule[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<number>();
  rules.forEach((r, i) => {
    const at = (field: string): string => `body.rules[${i}].${field}`;
    if (seen.has(r.level)) details.push({ path: at('level'), message: `level ${r.level} appears twice`, code: 'level_twice', params: { level: r.level } });
    seen.add(r.level);
    const percent = r.kind === 'percent_first_order' || r.kind === 'percent_window';
    if (percent && !(Number.isInteger(r.percentBp) && (r.percentBp ?? 0) >= 1 && (r.percentBp ?? 0) <= 10_000)) {
      details.push({ path: at('percentBp'), message: 'a percent rule needs percentBp between 1 and 10000 (100 = 1%)', code: 'percent_range' });
    }
    if (r.kind === 'percent_window' && !(Number.isInteger(r.windowDays) && (r.windowDays ?? 0) >= 1 && (r.windowDays ?? 0) <= 3650)) {
      details.push({ path: at('windowDays'), message: 'a window rule needs windowDays between 1 and 3650', code: 'window_range', params: { minimum: 1, maximum: 3650 } });
    }
    if (r.kind === 'points' && !(Number.isInteger(r.points) && (r.points ?? 0) > 0)) details.push({ path: at('points'), message: 'a points rule needs points above 0', code: 'points_needed' });
    if (r.kind === 'coupon' && !r.couponTemplateId) details.push({ path: at('couponTemplateId'), message: 'a coupon rule needs couponTemplateId', code: 'coupon_needed' });
  });
  const percentTotal = rules.reduce((s, r) => s + (r.kind === 'percent_first_order' || r.kind === 'percent_window' ? (r.percentBp ?? 0) : 0), 0);
  if (percentTotal > 10_000) {
    details.push({ path: 'body.rules', message: `the levels together pay ${percentTotal / 100}% of an order: more than the order brings in`, code: 'percent_total', params: { percent: percentTotal / 100 } });
  }
  return details;
}

/** Commission on an order: rounded down to the fen, so it never exceeds its share. */
export function commissionFen(paidFen: number, percentBp: number): number {
  return Math.floor((paidFen * percentBp) / 10_000);
}

/** What a refund takes back: the refunded share of the reward, rounded up (never keep a fen of refunded money). */
export function clawbackOf(reward: number, paidFen: number, refundedFen: number): number {
  if (paidFen <= 0 || refundedFen <= 0) return 0;
  if (refundedFen >= paidFen) return reward;
  return Math.min(reward, Math.ceil((reward * refundedFen) / paidFen));
}

export type RefusalReason = 'code_disabled' | 'self_referral' | 'cycle' | 'same_phone' | 'same_device' | 'already_referred' | 'existing_customer';

export interface AttributionFacts {
  refereeId: string;
  /** The customer behind the code, when the partner is a customer. */
  referrerCustomerId: string | null;
  codeDisabled: boolean;
  /** The referee's current referrer, if any (the first attribution wins). */
  alreadyReferredBy: string | null;
  /** Customers up the referrer's chain (their referrer, that one's referrer ...). */
  referrerAncestors: string[];
  refereePhones: string[];
  referrerPhones: string[];
  deviceId: string | null;
  /** Devices the referrer has used, and devices of people the same partner already brought. */
  knownDevices: string[];
  /** The referee had ordered before the contact was added: not a new customer. */
  orderedBefore: boolean;
}

/** Why an attribution is refused, or null to accept it. Order matters: the most telling reason first. */
export function attributionRefusal(f: AttributionFacts): { reason: RefusalReason; message: string } | null {
  if (f.codeDisabled) return { reason: 'code_disabled', message: 'the referral code is disabled' };
  if (f.referrerCustomerId !== null && f.referrerCustomerId === f.refereeId) return { reason: 'self_referral', message: 'a customer cannot refer themselves' };
  if (f.alreadyReferredBy !== null) return { reason: 'already_referred', message: 'the customer was already referred; the first referral stands' };
  if (f.referrerAncestors.includes(f.refereeId)) return { reason: 'cycle', message: 'the customer is up the referrer\'s own chain: the referral would make a cycle' };
  const phones = new Set(f.referrerPhones);
  const shared = f.refereePhones.find((p) => phones.has(p));
  if (shared !== undefined) return { reason: 'same_phone', message: `the referee and the referrer share the phone ${maskPhone(shared)}` };
  if (f.deviceId !== null && f.knownDevices.includes(f.deviceId)) return { reason: 'same_device', message: `device ${f.deviceId} was already used by the referrer or someone they brought` };
  if (f.orderedBefore) return { reason: 'existing_customer', message: 'the customer had ordered before the contact: not a new customer' };
  return null;
}

export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** A code a person can read out: no 0/O or 1/I/L. */
export function referralCode(random: Uint8Array, length = 8): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(random[i] ?? 0) % alphabet.length] ?? 'A';
  return out;
}

export interface SuperuserWeights {
  /** A level-2 referral's spend counts at this share of a direct one. */
  level2Share: number;
  /** Fen of value per group action (a message in a group, a 接龙 entry, a group-buy seat). */
  activityFen: number;
}

export const DEFAULT_WEIGHTS: SuperuserWeights = { level2Share: 0.5, activityFen: 100 };

/** The value a customer brings: their own spend, what the people they brought spent, and their group life. */
export function superuserValue(x: { ownSpentFen: number; level1SpentFen: number; level2SpentFen: number; groupActions: number }, w: SuperuserWeights = DEFAULT_WEIGHTS): number {
  return x.ownSpentFen + x.level1SpentFen + Math.round(x.level2SpentFen * w.level2Share) + x.groupActions * w.activityFen;
}
