// The console's calls for social selling and fission: 接龙, 拼团, referral codes and rules, the
// downline tree, the settlement and the superuser leaderboard.
import { apiUrl, call, type Query, type Signal } from './api.ts';

export type SolitaireStatus = 'open' | 'closed' | 'cancelled';

export interface Solitaire {
  id: string;
  groupId: string;
  groupName: string;
  title: string;
  sku: string;
  itemName: string;
  priceFen: number;
  stock: number;
  taken: number;
  remaining: number;
  perCustomerLimit: number;
  storeId: string;
  storeName: string;
  deadlineAt: string;
  status: SolitaireStatus;
  closedAt: string | null;
  participants: number;
  createdAt: string;
}

export interface SolitaireDetail extends Solitaire {
  entries: { no: number; customerId: string; nickname: string; quantity: number; amountFen: number; orderNo: string | null; joinedAt: string }[];
  text: string;
}

export interface SolitaireInput {
  groupId: string;
  title: string;
  sku: string;
  itemName: string;
  priceFen: number;
  stock: number;
  perCustomerLimit?: number;
  storeId: string;
  deadlineAt: string;
}

export interface PickupLine {
  storeId: string;
  storeName: string;
  solitaireId: string;
  title: string;
  itemName: string;
  no: number;
  customerId: string;
  nickname: string;
  phone: string | null;
  quantity: number;
  amountFen: number;
  orderNo: string | null;
  closedAt: string | null;
}

export type GroupBuyStatus = 'open' | 'succeeded' | 'cancelled';
export interface GroupBuy {
  id: string;
  shareToken: string;
  leaderCustomerId: string;
  leaderName: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  targetSize: number;
  joined: number;
  storeId: string | null;
  expiresAt: string;
  status: GroupBuyStatus;
  finishedAt: string | null;
  createdAt: string;
  members: { seat: number; customerId: string; name: string; paidFen: number; refundedFen: number; orderNo: string | null; joinedAt: string }[];
}

export type RewardKind = 'percent_first_order' | 'percent_window' | 'points' | 'coupon';
export const REWARD_KINDS: readonly RewardKind[] = ['percent_first_order', 'percent_window', 'points', 'coupon'];
export interface RewardRule {
  level: 1 | 2;
  kind: RewardKind;
  percentBp: number | null;
  windowDays: number | null;
  points: number | null;
  couponTemplateId: string | null;
}

export interface Partner {
  id: string;
  kind: 'customer' | 'external';
  customerId: string | null;
  name: string;
  phone: string | null;
  codes: string[];
  referred: number;
  createdAt: string;
}

export interface DownlineNode {
  customerId: string;
  name: string;
  attributedAt: string;
  spentFen: number;
  children: DownlineNode[];
}

export interface ReferralTree {
  customerId: string;
  name: string;
  partnerId: string | null;
  upline: { customerId: string | null; name: string } | null;
  level1: number;
  level2: number;
  children: DownlineNode[];
}

export interface SettlementRow {
  partnerId: string;
  partnerKind: 'customer' | 'external';
  customerId: string | null;
  name: string;
  referredLevel1: number;
  referredLevel2: number;
  orders: number;
  gmvFen: number;
  rewardLevel1Fen: number;
  rewardLevel2Fen: number;
  points: number;
  clawedBackFen: number;
  payableFen: number;
}

export interface Superuser {
  rank: number;
  customerId: string;
  name: string;
  valueFen: number;
  ownSpentFen: number;
  level1SpentFen: number;
  level2SpentFen: number;
  referredLevel1: number;
  referredLevel2: number;
  groupActions: number;
}

export interface Refusal {
  eventId: string;
  customerId: string | null;
  code: string;
  reason: string;
  message: string;
  at: string;
}

const id = encodeURIComponent;

export const fissionApi = {
  solitaires: (query: { status?: SolitaireStatus } = {}, opts: Signal = {}) => call<{ items: Solitaire[] }>('GET', '/solitaires', { ...opts, query }),
  solitaire: (solitaireId: string, opts: Signal = {}) => call<SolitaireDetail>('GET', `/solitaires/${id(solitaireId)}`, opts),
  solitaireGroups: (opts: Signal = {}) => call<{ items: { id: string; name: string; storeId: string | null; members: number }[] }>('GET', '/solitaires/groups', opts),
  createSolitaire: (input: SolitaireInput) => call<SolitaireDetail>('POST', '/solitaires', { body: input }),
  closeSolitaire: (solitaireId: string) => call<SolitaireDetail>('POST', `/solitaires/${id(solitaireId)}/close`),
  cancelSolitaire: (solitaireId: string) => call<SolitaireDetail>('POST', `/solitaires/${id(solitaireId)}/cancel`),
  pickups: (query: { storeId?: string; solitaireId?: string }, opts: Signal = {}) => call<{ items: PickupLine[] }>('GET', '/solitaires/pickups', { ...opts, query }),
  pickupsCsvUrl: (query: Query) => apiUrl('/solitaires/pickups', { ...query, format: 'csv' }),

  groupBuys: (query: { status?: GroupBuyStatus } = {}, opts: Signal = {}) => call<{ items: GroupBuy[] }>('GET', '/group-buys', { ...opts, query }),
  cancelGroupBuy: (groupBuyId: string) => call<GroupBuy>('POST', `/group-buys/${id(groupBuyId)}/cancel`),

  rules: (opts: Signal = {}) => call<{ rules: RewardRule[] }>('GET', '/referral/rules', opts),
  setRules: (rules: RewardRule[]) => call<{ rules: RewardRule[] }>('PUT', '/referral/rules', { body: { rules } }),
  partners: (query: { customer?: string } = {}, opts: Signal = {}) => call<{ items: Partner[] }>('GET', '/referral/partners', { ...opts, query }),
  createCode: (input: { customer?: string; partnerId?: string; code?: string }) => call<{ code: string; partner: Partner }>('POST', '/referral/codes', { body: input }),
  createPartner: (input: { name: string; phone?: string | null }) => call<Partner>('POST', '/referral/partners', { body: input }),
  tree: (customerId: string, opts: Signal = {}) => call<ReferralTree>('GET', `/referral/tree/${id(customerId)}`, opts),
  settlement: (query: { from: string; to: string }, opts: Signal = {}) => call<{ items: SettlementRow[] }>('GET', '/referral/settlement', { ...opts, query }),
  settlementCsvUrl: (query: { from: string; to: string }) => apiUrl('/referral/settlement', { ...query, format: 'csv' }),
  superusers: (query: { limit?: number; activityDays?: number } = {}, opts: Signal = {}) => call<{ items: Superuser[] }>('GET', '/referral/superusers', { ...opts, query }),
  refusals: (opts: Signal = {}) => call<{ items: Refusal[] }>('GET', '/referral/refusals', opts),
  run: () => call<{ accepted: number; refused: number; credited: number; clawedBack: number }>('POST', '/referral/run'),
};
