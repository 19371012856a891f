// Price rules per tenant (CRUD) and the checkout quote: the applicable rules and the offered
// coupons run through pricing.rules.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { normalizeCode, offerOf, type TemplateRow } from '../coupons/coupons.rules.ts';
import { checkPriceRule, quote, type CartLine, type CouponOffer, type CouponRefusal, type PriceRule, type PriceRuleParams, type Quote } from './pricing.rules.ts';

export interface PriceRuleInput {
  name: string;
  params: PriceRuleParams;
  skus?: string[];
  storeIds?: string[];
  channels?: string[];
  stackable?: boolean;
  validFrom?: string | null;
  validTo?: string | null;
  status?: 'active' | 'paused';
}

export interface PriceRuleView {
  id: string;
  name: string;
  kind: PriceRuleParams['kind'];
  params: PriceRuleParams;
  skus: string[];
  storeIds: string[];
  channels: string[];
  stackable: boolean;
  validFrom: string | null;
  validTo: string | null;
  status: 'active' | 'paused';
  createdAt: string;
}

interface RuleRow {
  id: string;
  name: string;
  kind: PriceRuleParams['kind'];
  params: PriceRuleParams;
  skus: string[];
  store_ids: string[];
  channels: string[];
  stackable: boolean;
  valid_from: Date | null;
  valid_to: Date | null;
  status: 'active' | 'paused';
  created_at: Date;
}

const toView = (r: RuleRow): PriceRuleView => ({
  id: r.id, name: r.name, kind: r.kind, params: r.params, skus: r.skus, storeIds: r.store_ids, channels: r.channels, stackable: r.stackable,
  validFrom: r.valid_from?.toISOString() ?? null, validTo: r.valid_to?.toISOString() ?? null, status: r.status, createdAt: r.created_at.toISOString(),
});

const toRule = (r: RuleRow): PriceRule => ({
  id: r.id, name: r.name, params: r.params, skus: r.skus, storeIds: r.store_ids, channels: r.channels, stackable: r.stackable, validFrom: r.valid_from, validTo: r.valid_to,
});

function checked(input: PriceRuleInput) {
  const details = checkPriceRule(input.params, input.skus ?? []);
  const from = input.validFrom ? new Date(input.validFrom) : null;
  const to = input.validTo ? new Date(input.validTo) : null;
  if (from && to && from >= to) details.push({ path: 'body.validTo', message: 'must be after validFrom', code: 'ends_before_start' });
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
  return {
    name: input.name, kind: input.params.kind, params: JSON.stringify(input.params), skus: input.skus ?? [], store_ids: input.storeIds ?? [], channels: input.channels ?? [],
    stackable: input.stackable ?? true, valid_from: from, valid_to: to, status: input.status ?? 'active',
  };
}

export async function createPriceRule(db: Db, tenantId: string, input: PriceRuleInput, actor: string): Promise<PriceRuleView> {
  const c = checked(input);
  const id = newId();
  await sql`insert into price_rules (tenant_id, id, name, kind, params, skus, store_ids, channels, stackable, valid_from, valid_to, status, created_by)
            values (${tenantId}, ${id}, ${c.name}, ${c.kind}, ${c.params}::jsonb, ${c.skus}::text[], ${c.store_ids}::uuid[], ${c.channels}::text[], ${c.stackable},
                    ${c.valid_from}, ${c.valid_to}, ${c.status}, ${actor})`.execute(db);
  return getPriceRule(db, tenantId, id);
}

export async function updatePriceRule(db: Db, tenantId: string, id: string, input: PriceRuleInput): Promise<PriceRuleView> {
  const c = checked(input);
  const r = await sql`update price_rules set name = ${c.name}, kind = ${c.kind}, params = ${c.params}::jsonb, skus = ${c.skus}::text[], store_ids = ${c.store_ids}::uuid[],
                        channels = ${c.channels}::text[], stackable = ${c.stackable}, valid_from = ${c.valid_from}, valid_to = ${c.valid_to}, status = ${c.status}, updated_at = now()
                       where tenant_id = ${tenantId} and id = ${id}`.execute(db);
  if (Number(r.numAffectedRows ?? 0) === 0) throw notFound('price rule');
  return getPriceRule(db, tenantId, id);
}

export async function deletePriceRule(db: Db, tenantId: string, id: string): Promise<void> {
  const r = await sql`delete from price_rules where tenant_id = ${tenantId} and id = ${id}`.execute(db);
  if (Number(r.numAffectedRows ?? 0) === 0) throw notFound('price rule');
}

async function rules(db: Db, tenantId: string, filter: { id?: string; activeOnly?: boolean }): Promise<RuleRow[]> {
  return (await sql<RuleRow>`
    select id, name, kind, params, skus, store_ids, channels, stackable, valid_from, valid_to, status, created_at from price_rules
     where tenant_id = ${tenantId} and (${filter.id ?? null}::uuid is null or id = ${filter.id ?? null}::uuid)
       and (${filter.activeOnly ?? false} = false or status = 'active')
     order by created_at, id`.execute(db)).rows;
}

export async function listPriceRules(db: Db, tenantId: string): Promise<PriceRuleView[]> {
  return (await rules(db, tenantId, {})).map(toView);
}

export async function getPriceRule(db: Db, tenantId: string, id: string): Promise<PriceRuleView> {
  const [r] = await rules(db, tenantId, { id });
  if (!r) throw notFound('price rule');
  return toView(r);
}

export interface QuoteInput {
  customerId?: string;
  /** Without a customer: whether member prices apply. */
  member?: boolean;
  storeId?: string | null;
  channel: string;
  items: CartLine[];
  couponCodes?: string[];
}

/**
 * A membership tier's member price (会员价 95% …) as a price rule over the whole cart: a one-step
 * ladder from the first unit, applied after SKU member prices and bundles like any ladder.
 */
async function tierPriceRule(db: Db, tenantId: string, customerId: string): Promise<PriceRule | undefined> {
  const row = (await sql<{ id: string; name: string; percent: number }>`
    select t.id, t.name, t.member_price_percent as percent
      from customer_tiers c join membership_tiers t on t.tenant_id = c.tenant_id and t.id = c.tier_id
     where c.tenant_id = ${tenantId} and c.customer_id = ${customerId} and t.member_price_percent < 100`.execute(db)).rows[0];
  if (!row) return undefined;
  return {
    id: `tier:${row.id}`, name: `会员价（${row.name}）`, params: { kind: 'ladder', steps: [{ minQuantity: 1, percent: row.percent }] },
    stackable: true, skus: [], storeIds: [], channels: [], validFrom: null, validTo: null,
  };
}

/**
 * The best price of a cart. Coupon codes must be issued, unused and held by the customer; codes
 * that are not (unknown, used, someone else's) are listed as refused with the reason.
 */
export async function quoteCheckout(db: Db, tenantId: string, input: QuoteInput, now = new Date()): Promise<Quote> {
  const codes = [...new Set((input.couponCodes ?? []).map(normalizeCode))];
  const [ruleRows, couponRows, member] = await Promise.all([
    rules(db, tenantId, { activeOnly: true }),
    codes.length === 0 ? Promise.resolve([]) : sql<{ code: string; customer_id: string; status: string; valid_from: Date; valid_to: Date; t: TemplateRow }>`
      select c.code, coalesce(m.survivor_id, c.customer_id) as customer_id, c.status, c.valid_from, c.valid_to, to_jsonb(t) as t
        from coupons c join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
        left join customer_merges m on m.tenant_id = c.tenant_id and m.merged_id = c.customer_id
       where c.tenant_id = ${tenantId} and c.code = any(${codes}::text[])`.execute(db).then((r) => r.rows),
    input.customerId === undefined
      ? Promise.resolve(input.member ?? false)
      : sql<{ n: number }>`select count(*)::int as n from customer_identities where tenant_id = ${tenantId} and customer_id = ${input.customerId} and kind = 'member_no'`.execute(db).then((r) => (r.rows[0]?.n ?? 0) > 0),
  ]);
  const offers: CouponOffer[] = [];
  const refused: CouponRefusal[] = [];
  for (const code of codes) {
    const row = couponRows.find((r) => r.code === code);
    if (!row) refused.push({ code, reason: 'coupon_unknown', message: `no coupon ${code}` });
    else if (row.status !== 'issued') refused.push({ code, reason: 'coupon_unavailable', message: `coupon ${code} is ${row.status}` });
    else if (input.customerId !== undefined && row.customer_id !== input.customerId) refused.push({ code, reason: 'coupon_unavailable', message: `coupon ${code} belongs to another customer` });
    else offers.push(offerOf(row.t, row));
  }
  const tier = input.customerId === undefined ? undefined : await tierPriceRule(db, tenantId, input.customerId);
  const q = quote(input.items, [...ruleRows.map(toRule), ...(tier ? [tier] : [])], offers, { member, channel: input.channel, storeId: input.storeId ?? null, at: now });
  return { ...q, refusedCoupons: [...refused, ...q.refusedCoupons] };
}
