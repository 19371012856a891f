// Coupon templates: create, change, list with their issuance figures.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { CouponKind } from '../promotions/pricing.rules.ts';
import { checkTemplate, type TemplateRow } from './coupons.rules.ts';

export type TemplateStatus = 'draft' | 'active' | 'paused' | 'ended';

export interface TemplateInput {
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
  channels?: string[];
  stackWithPriceRules?: boolean;
  stackWithCoupons?: boolean;
  perCustomerLimit?: number;
  totalStock?: number | null;
  status?: TemplateStatus;
}

export interface TemplateView {
  id: string;
  name: string;
  description: string;
  kind: CouponKind;
  amountOffFen: number | null;
  percent: number | null;
  maxDiscountFen: number | null;
  thresholdFen: number;
  freeSku: string | null;
  freeItemName: string | null;
  freeItemValueFen: number | null;
  validFrom: string | null;
  validTo: string | null;
  validDays: number | null;
  storeIds: string[];
  skus: string[];
  channels: string[];
  stackWithPriceRules: boolean;
  stackWithCoupons: boolean;
  perCustomerLimit: number;
  totalStock: number | null;
  status: TemplateStatus;
  createdAt: string;
  stats: { issued: number; redeemed: number; redemptionRate: number; gmvFen: number };
}

export interface StoredTemplate extends TemplateRow {
  tenant_id: string;
  description: string;
  valid_from: Date | null;
  valid_to: Date | null;
  valid_days: number | null;
  per_customer_limit: number;
  total_stock: number | null;
  issued_count: number;
  status: TemplateStatus;
  created_at: Date;
}

interface Stats {
  issued: number;
  redeemed: number;
  gmv_fen: number;
}

function view(t: StoredTemplate, s: Stats): TemplateView {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    kind: t.kind,
    amountOffFen: t.amount_off_fen,
    percent: t.percent,
    maxDiscountFen: t.max_discount_fen,
    thresholdFen: t.threshold_fen,
    freeSku: t.free_sku,
    freeItemName: t.free_item_name,
    freeItemValueFen: t.free_item_value_fen,
    validFrom: t.valid_from?.toISOString() ?? null,
    validTo: t.valid_to?.toISOString() ?? null,
    validDays: t.valid_days,
    storeIds: t.store_ids,
    skus: t.skus,
    channels: t.channels,
    stackWithPriceRules: t.stack_with_price_rules,
    stackWithCoupons: t.stack_with_coupons,
    perCustomerLimit: t.per_customer_limit,
    totalStock: t.total_stock,
    status: t.status,
    createdAt: t.created_at.toISOString(),
    stats: { issued: s.issued, redeemed: s.redeemed, redemptionRate: s.issued === 0 ? 0 : s.redeemed / s.issued, gmvFen: s.gmv_fen },
  };
}

const date = (s: string | null | undefined): Date | null => (s === null || s === undefined ? null : new Date(s));

async function checkInput(db: Db, tenantId: string, input: TemplateInput): Promise<void> {
  const details = checkTemplate({
    kind: input.kind,
    amountOffFen: input.amountOffFen ?? null,
    percent: input.percent ?? null,
    maxDiscountFen: input.maxDiscountFen ?? null,
    thresholdFen: input.thresholdFen ?? 0,
    freeSku: input.freeSku ?? null,
    freeItemName: input.freeItemName ?? null,
    freeItemValueFen: input.freeItemValueFen ?? null,
    validFrom: date(input.validFrom),
    validTo: date(input.validTo),
    validDays: input.validDays ?? null,
  });
  const storeIds = input.storeIds ?? [];
  if (storeIds.length > 0) {
    const found = await sql<{ id: string }>`select id from stores where tenant_id = ${tenantId} and id = any(${storeIds}::uuid[])`.execute(db);
    const known = new Set(found.rows.map((r) => r.id));
    storeIds.forEach((id, i) => {
      if (!known.has(id)) details.push({ path: `body.storeIds.${i}`, message: `no store ${id}`, code: 'unknown_store' });
    });
  }
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
}

function columns(input: TemplateInput) {
  return {
    name: input.name,
    description: input.description ?? '',
    kind: input.kind,
    amount_off_fen: input.amountOffFen ?? null,
    percent: input.percent ?? null,
    max_discount_fen: input.maxDiscountFen ?? null,
    threshold_fen: input.thresholdFen ?? 0,
    free_sku: input.freeSku ?? null,
    free_item_name: input.freeItemName ?? null,
    free_item_value_fen: input.freeItemValueFen ?? null,
    valid_from: date(input.validFrom),
    valid_to: date(input.validTo),
    valid_days: input.validDays ?? null,
    store_ids: input.storeIds ?? [],
    skus: input.skus ?? [],
    channels: input.channels ?? [],
    stack_with_price_rules: input.stackWithPriceRules ?? true,
    stack_with_coupons: input.stackWithCoupons ?? false,
    per_customer_limit: input.perCustomerLimit ?? 1,
    total_stock: input.totalStock ?? null,
    status: input.status ?? 'active',
  };
}

export async function createTemplate(db: Db, tenantId: string, input: TemplateInput, actor: string): Promise<TemplateView> {
  await checkInput(db, tenantId, input);
  const id = newId();
  await db.insertInto('coupon_templates').values({ tenant_id: tenantId, id, ...columns(input), created_by: actor }).execute();
  return getTemplate(db, tenantId, id);
}

/** Replaces a template's terms. Coupons already issued keep their own window. */
export async function updateTemplate(db: Db, tenantId: string, id: string, input: TemplateInput): Promise<TemplateView> {
  await checkInput(db, tenantId, input);
  const stock = input.totalStock ?? null;
  const updated = await db.updateTable('coupon_templates').set({ ...columns(input), updated_at: new Date() })
    .where('tenant_id', '=', tenantId).where('id', '=', id)
    .where((eb) => (stock === null ? eb.lit(true) : eb('issued_count', '<=', stock)))
    .returning('id').executeTakeFirst();
  if (!updated) {
    const exists = await db.selectFrom('coupon_templates').select('issued_count').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!exists) throw notFound('coupon template');
    throw conflict('body.totalStock', `${exists.issued_count} coupons are already issued; totalStock cannot be lower`, { code: 'stock_below_issued', params: { issued: exists.issued_count } });
  }
  return getTemplate(db, tenantId, id);
}

export async function setTemplateStatus(db: Db, tenantId: string, id: string, status: TemplateStatus): Promise<TemplateView> {
  const r = await db.updateTable('coupon_templates').set({ status, updated_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', id).returning('id').executeTakeFirst();
  if (!r) throw notFound('coupon template');
  return getTemplate(db, tenantId, id);
}

async function templatesWithStats(db: Db, tenantId: string, id: string | null): Promise<TemplateView[]> {
  const rows = await sql<StoredTemplate & Stats>`
    select t.*, coalesce(s.issued, 0)::int as issued, coalesce(s.redeemed, 0)::int as redeemed, coalesce(g.gmv_fen, 0)::bigint as gmv_fen
      from coupon_templates t
      left join lateral (
        select count(*) filter (where c.status <> 'void') as issued, count(*) filter (where c.status = 'redeemed') as redeemed
          from coupons c where c.tenant_id = t.tenant_id and c.template_id = t.id) s on true
      left join lateral (
        select sum(o.paid_fen) as gmv_fen
          from coupons c join orders o on o.tenant_id = c.tenant_id and o.order_no = c.order_no
         where c.tenant_id = t.tenant_id and c.template_id = t.id and c.status = 'redeemed') g on true
     where t.tenant_id = ${tenantId} and (${id}::uuid is null or t.id = ${id}::uuid)
     order by t.created_at desc, t.id desc`.execute(db);
  return rows.rows.map((r) => view(r, r));
}

export async function listTemplates(db: Db, tenantId: string): Promise<TemplateView[]> {
  return templatesWithStats(db, tenantId, null);
}

export async function getTemplate(db: Db, tenantId: string, id: string): Promise<TemplateView> {
  const [t] = await templatesWithStats(db, tenantId, id);
  if (!t) throw notFound('coupon template');
  return t;
}
