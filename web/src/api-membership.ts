// The console's calls for membership: points rules, tiers, the reward catalogue, a member's
// points and ledger, adjustments, the member day and its lift.
import { call, type Page, type Signal } from './api.ts';

export type EntryKind = 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse';

export interface MembershipSettings {
  pointsEnabled: boolean;
  pointsPerYuan: number;
  channelMultipliers: Partial<Record<'pos' | 'miniprogram' | 'ecommerce' | 'group_buy' | 'other', number>>;
  storeMultipliers: Record<string, number>;
  skuMultipliers: Record<string, number>;
  memberDayMultiplier: number;
  expiryMonths: number | null;
  tierBasis: 'spend' | 'points';
  tierWindowMonths: number;
  memberDayWeekdays: number[];
  memberDayTemplateId: string | null;
}

export interface TierInput {
  name: string;
  minValue: number;
  maxValue: number | null;
  benefits: string;
  memberPricePercent: number | null;
  couponTemplateIds: string[];
}

export interface Tier extends TierInput {
  id: string;
  level: number;
  members: number;
}

export interface RewardInput {
  name: string;
  kind: 'coupon' | 'goods';
  couponTemplateId: string | null;
  sku: string | null;
  pointsPrice: number;
  stock: number | null;
  status: 'active' | 'paused';
}

export interface Reward extends RewardInput {
  id: string;
  redeemed: number;
  left: number | null;
  createdAt: string;
}

export interface MemberPoints {
  customer: { id: string; name: string };
  balance: number;
  nextExpiry: { at: string; points: number } | null;
  tier: { id: string; name: string; level: number; since: string | null; benefits: string; memberPricePercent: number | null } | null;
  nextTier: { name: string; minValue: number } | null;
}

export interface LedgerEntry {
  id: string;
  kind: EntryKind;
  points: number;
  orderId: string | null;
  orderNo: string | null;
  rewardId: string | null;
  rewardName: string | null;
  quantity: number | null;
  reason: string;
  actor: string;
  at: string;
}

export interface DaySales {
  date: string;
  memberDay: boolean;
  gmvFen: number;
  orders: number;
  customers: number;
}

export interface MemberDayLift {
  from: string;
  to: string;
  weekdays: number[];
  days: DaySales[];
  memberDays: { days: number; gmvFen: number; orders: number; customers: number };
  otherDays: { days: number; gmvFen: number; orders: number; customers: number };
  ratio: { gmv: number | null; orders: number | null; customers: number | null };
  weeks: { weekStart: string; memberDayGmvFen: number; otherDayAvgGmvFen: number; ratio: number | null }[];
}

const id = (value: string): string => encodeURIComponent(value);

export const membershipApi = {
  settings: (opts: Signal = {}) => call<MembershipSettings>('GET', '/membership/settings', opts),
  saveSettings: (body: MembershipSettings) => call<MembershipSettings>('PUT', '/membership/settings', { body }),
  tiers: (opts: Signal = {}) => call<{ items: Tier[] }>('GET', '/membership/tiers', opts),
  saveTiers: (tiers: TierInput[]) => call<{ items: Tier[] }>('PUT', '/membership/tiers', { body: { tiers } }),
  recomputeTiers: () => call<{ changed: number; couponsIssued: number }>('POST', '/membership/tiers/recompute'),
  rewards: (opts: Signal = {}) => call<{ items: Reward[] }>('GET', '/membership/rewards', opts),
  createReward: (body: RewardInput) => call<Reward>('POST', '/membership/rewards', { body }),
  updateReward: (rewardId: string, body: RewardInput) => call<Reward>('PUT', `/membership/rewards/${id(rewardId)}`, { body }),
  member: (customerId: string, opts: Signal = {}) => call<MemberPoints>('GET', `/membership/members/${id(customerId)}`, opts),
  ledger: (customerId: string, page: number, pageSize: number, opts: Signal = {}) =>
    call<Page<LedgerEntry>>('GET', `/membership/members/${id(customerId)}/ledger`, { ...opts, query: { page, pageSize } }),
  adjust: (customerId: string, body: { points: number; reason: string; requestKey: string }) =>
    call<{ balance: number; duplicate: boolean }>('POST', `/membership/members/${id(customerId)}/adjust`, { body }),
  lift: (from: string, to: string, opts: Signal = {}) => call<MemberDayLift>('GET', '/membership/member-day/lift', { ...opts, query: { from, to } }),
};
