// What makes one demo world look like one business: its stores, catalogue, staff names, where its
// customers come from and buy, the shape of their purchases, and its WeCom groups. The generator
// (demo.world.ts) reads only this; the default demo's fruit chain is FRUIT_PROFILE, the four
// operating-model demos are in demo.models.ts. Data only.
import { CATALOG, CITY, CUSTOMER_CITIES, REPEAT_CHANNELS, SOURCES, STAFF_NAMES, STORES, type DemoStore, type SourceChannel } from './demo.catalog.ts';
import {
  FRUIT_SHAPE, GUIDE_SHARE, HOME_STORE_SHARE, MEMBER_DAY_COUPON_SHARE, MEMBER_DAY_PRICE, PARTIALLY_REFUNDED_SHARE, REFUNDED_SHARE,
  type PurchaseShape, type Sku,
} from './demo.rules.ts';

export type OrderChannel = 'pos' | 'miniprogram' | 'group_buy' | 'ecommerce';
export type GroupKind = 'value' | 'interest' | 'group_buy' | 'vip' | 'service' | 'other';

/** One group each store runs; `{store}` in the name becomes the store's name. */
export interface DemoGroup {
  name: string;
  kind: GroupKind;
  purpose: string;
}

export interface DemoProfile {
  city: string;
  stores: readonly DemoStore[];
  catalog: readonly Sku[];
  staffNames: readonly string[];
  customerCities: readonly { city: string; weight: number }[];
  sources: readonly { source: SourceChannel; weight: number; firstOrder: OrderChannel }[];
  repeatChannels: readonly { channel: OrderChannel; weight: number }[];
  shape: PurchaseShape;
  /** Shares of female, male and unknown members. */
  genders: readonly [number, number, number];
  /** Members' age: mean and spread in years (kept within 16–78). */
  age: { mean: number; sd: number };
  /** Tuesday member day (会员日): share of store and mini-program orders at the member price. */
  memberDayCouponShare: number;
  memberDayPrice: number;
  refundedShare: number;
  partiallyRefundedShare: number;
  /** Share of members with an own guide, and of store orders at the home store. */
  guideShare: number;
  homeStoreShare: number;
  /** Share of members who are a staff member's WeCom friend, and of friends who join a group. */
  friendShare: number;
  groupJoinShare: number;
  /** Each store's groups; a friend who joins a group joins one of their home store's. */
  groups: readonly DemoGroup[];
}

const FRUIT_GROUP: DemoGroup = { name: '{store}鲜果福利 {n} 群', kind: 'value', purpose: '门店福利群：每天新品实拍、午后接龙与秒杀，周二会员日' };

/** The first-boot demo's Shenzhen fruit chain, exactly as it has always been drawn. */
export const FRUIT_PROFILE: DemoProfile = {
  city: CITY,
  stores: STORES,
  catalog: CATALOG,
  staffNames: STAFF_NAMES,
  customerCities: CUSTOMER_CITIES,
  sources: SOURCES,
  repeatChannels: REPEAT_CHANNELS,
  shape: FRUIT_SHAPE,
  genders: [58, 34, 8],
  age: { mean: 36, sd: 11 },
  memberDayCouponShare: MEMBER_DAY_COUPON_SHARE,
  memberDayPrice: MEMBER_DAY_PRICE,
  refundedShare: REFUNDED_SHARE,
  partiallyRefundedShare: PARTIALLY_REFUNDED_SHARE,
  guideShare: GUIDE_SHARE,
  homeStoreShare: HOME_STORE_SHARE,
  friendShare: 0.7,
  groupJoinShare: 0.55,
  groups: [FRUIT_GROUP, FRUIT_GROUP],
};
