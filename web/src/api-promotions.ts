// The console's calls for promotions: coupon templates and issuance, price rules with the
// checkout quote, flash sales.
import { call, type Signal } from './api.ts';

export type CouponKind = 'amount' | 'percent' | 'threshold' | 'free_item';
export type TemplateStatus = 'draft' | 'active' | 'paused' | 'ended';
export type PromotionChannel = 'pos' | 'miniprogram' | 'ecommerce' | 'group_buy';
export const PROMOTION_CHANNELS: readonly PromotionChannel[] = ['pos', 'miniprogram', 'ecommerce', 'group_buy'];

export interface CouponTemplateInput {
  name: string;
  description?: string;
  kind: CouponKind;
  amountOffFen?: number | null;
  percent?: number | null;
  maxDiscountFen?: number | null;
  thresholdFen?: number;
  freeSku?: string | null;
  freeItemName?: string | null;
  freeItemValueFen?: number | null;
  validFrom?: string | null;
  validTo?: string | null;
  validDays?: number | null;
  storeIds?: string[];
  skus?: string[];
  channels?: PromotionChannel[];
  stackWithPriceRules?: boolean;
  stackWithCoupons?: boolean;
  perCustomerLimit?: number;
  totalStock?: number | null;
  status?: TemplateStatus;
}

export interface CouponTemplate extends Required<Omit<CouponTemplateInput, 'channels'>> {
  id: string;
  channels: PromotionChannel[];
  createdAt: string;
  stats: { issued: number; redeemed: number; redemptionRate: number; gmvFen: number };
}

export interface IssueJob {
  id: string;
  templateId: string;
  targetKind: 'tag' | 'segment';
  targetId: string;
  requestKey: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  issued: number;
  skipped: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export type PriceRuleParams =
  | { kind: 'threshold'; thresholdFen: number; amountOffFen: number; repeat?: boolean }
  | { kind: 'bundle'; quantity: number; priceFen: number }
  | { kind: 'member_price'; prices: Record<string, number> }
  | { kind: 'ladder'; steps: { minQuantity: number; percent: number }[] };

export interface PriceRuleInput {
  name: string;
  params: PriceRuleParams;
  skus?: string[];
  storeIds?: string[];
  channels?: PromotionChannel[];
  stackable?: boolean;
  validFrom?: string | null;
  validTo?: string | null;
  status?: 'active' | 'paused';
}

export interface PriceRule {
  id: string;
  name: string;
  kind: PriceRuleParams['kind'];
  params: PriceRuleParams;
  skus: string[];
  storeIds: string[];
  channels: PromotionChannel[];
  stackable: boolean;
  validFrom: string | null;
  validTo: string | null;
  status: 'active' | 'paused';
  createdAt: string;
}

export interface QuoteAdjustment {
  source: 'price_rule' | 'coupon';
  id: string;
  name: string;
  code?: string;
  discountFen: number;
}

export interface CheckoutQuote {
  lines: { lineNo: number; sku: string; name: string; quantity: number; unitPriceFen: number; amountFen: number; discountFen: number; payableFen: number; adjustments: QuoteAdjustment[] }[];
  applied: QuoteAdjustment[];
  gifts: { code: string; sku: string; name: string; valueFen: number }[];
  refusedCoupons: { code: string; reason: string; message: string }[];
  totalFen: number;
  discountFen: number;
  payableFen: number;
}

export interface QuoteRequest {
  member?: boolean;
  storeId?: string | null;
  channel: PromotionChannel;
  items: { sku: string; name: string; quantity: number; unitPriceFen: number }[];
  couponCodes?: string[];
}

export interface FlashSaleInput {
  name: string;
  sku: string;
  itemName: string;
  priceFen: number;
  originalPriceFen: number;
  stock: number;
  perCustomerLimit?: number;
  storeId?: string | null;
  startsAt: string;
  endsAt: string;
}

export interface FlashSale extends Required<Omit<FlashSaleInput, 'storeId'>> {
  id: string;
  storeId: string | null;
  remaining: number;
  status: 'active' | 'cancelled';
  orders: number;
  buyers: number;
  createdAt: string;
}

const id = (value: string): string => encodeURIComponent(value);

export const promotionsApi = {
  couponTemplates: (opts: Signal = {}) => call<{ items: CouponTemplate[] }>('GET', '/coupon-templates', opts),
  createCouponTemplate: (body: CouponTemplateInput) => call<CouponTemplate>('POST', '/coupon-templates', { body }),
  updateCouponTemplate: (templateId: string, body: CouponTemplateInput) => call<CouponTemplate>('PUT', `/coupon-templates/${id(templateId)}`, { body }),
  setCouponTemplateStatus: (templateId: string, status: TemplateStatus) => call<CouponTemplate>('POST', `/coupon-templates/${id(templateId)}/status`, { body: { status } }),
  createIssueJob: (templateId: string, body: { targetKind: 'tag' | 'segment'; targetId: string; requestKey: string }) =>
    call<IssueJob>('POST', `/coupon-templates/${id(templateId)}/issue-jobs`, { body }),
  issueJobs: (templateId: string, opts: Signal = {}) => call<{ items: IssueJob[] }>('GET', `/coupon-templates/${id(templateId)}/issue-jobs`, opts),

  priceRules: (opts: Signal = {}) => call<{ items: PriceRule[] }>('GET', '/price-rules', opts),
  createPriceRule: (body: PriceRuleInput) => call<PriceRule>('POST', '/price-rules', { body }),
  updatePriceRule: (ruleId: string, body: PriceRuleInput) => call<PriceRule>('PUT', `/price-rules/${id(ruleId)}`, { body }),
  deletePriceRule: (ruleId: string) => call<null>('DELETE', `/price-rules/${id(ruleId)}`),
  quote: (body: QuoteRequest) => call<CheckoutQuote>('POST', '/checkout/quote', { body }),

  flashSales: (opts: Signal = {}) => call<{ items: FlashSale[] }>('GET', '/flash-sales', opts),
  createFlashSale: (body: FlashSaleInput) => call<FlashSale>('POST', '/flash-sales', { body }),
  cancelFlashSale: (saleId: string) => call<FlashSale>('POST', `/flash-sales/${id(saleId)}/cancel`),
};
