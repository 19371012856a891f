// Redeeming a coupon at checkout and reversing it when the order is refunded.
//
// Atomic: the checks read the coupon, then one conditional UPDATE ... WHERE status = 'issued'
// marks it redeemed, in the same transaction as the timeline event. Of concurrent redemptions of
// one coupon PostgreSQL lets exactly one update the row; the others find it no longer 'issued'.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { newId } from '../ids.ts';
import { couponDiscounts, couponRefusal, type CartLine, type Gift } from '../promotions/pricing.rules.ts';
import { PromotionRefusal } from '../promotions/promotions.errors.ts';
import { normalizeCode, offerOf, type TemplateRow } from './coupons.rules.ts';

export interface CheckoutOrder {
  orderNo: string;
  storeId?: string | null;
  channel: string;
  items?: CartLine[];
  totalFen: number;
}

export interface Redemption {
  code: string;
  couponId: string;
  customerId: string;
  template: { id: string; name: string };
  orderNo: string;
  discountFen: number;
  payableFen: number;
  gift: Gift | null;
  redeemedAt: string;
}

interface CouponRow {
  id: string;
  code: string;
  customer_id: string;
  status: 'issued' | 'redeemed' | 'void';
  valid_from: Date;
  valid_to: Date;
  order_no: string | null;
  discount_fen: number | null;
  redeemed_at: Date | null;
}

/** A whole order with no lines given counts as one line of its total, matching no SKU list. */
const ORDER_LINE_SKU = '__order__';

async function findCoupon(db: Db, tenantId: string, code: string): Promise<{ c: CouponRow; t: TemplateRow } | undefined> {
  const row = (await sql<CouponRow & { t: TemplateRow }>`
    select c.id, c.code, coalesce(m.survivor_id, c.customer_id) as customer_id, c.status, c.valid_from, c.valid_to, c.order_no, c.discount_fen, c.redeemed_at, to_jsonb(t) as t
      from coupons c join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
      left join customer_merges m on m.tenant_id = c.tenant_id and m.merged_id = c.customer_id
     where c.tenant_id = ${tenantId} and c.code = ${normalizeCode(code)}`.execute(db)).rows[0];
  return row ? { c: row, t: row.t } : undefined;
}

function redemptionOf(c: CouponRow, t: TemplateRow, order: CheckoutOrder, gift: Gift | null): Redemption {
  const discount = c.discount_fen ?? 0;
  return {
    code: c.code, couponId: c.id, customerId: c.customer_id, template: { id: t.id, name: t.name }, orderNo: c.order_no ?? order.orderNo,
    discountFen: discount, payableFen: Math.max(0, order.totalFen - discount), gift, redeemedAt: (c.redeemed_at ?? new Date()).toISOString(),
  };
}

export async function redeemCoupon(db: Db, tenantId: string, input: { code: string; customerId: string; order: CheckoutOrder }, options: { actor: string; source: string; now?: Date }): Promise<Redemption> {
  const now = options.now ?? new Date();
  const { order } = input;
  return inTransaction(db, async (trx) => {
    const found = await findCoupon(trx, tenantId, input.code);
    if (!found) throw new PromotionRefusal('coupon_unknown', `no coupon ${input.code}`, 'body.code');
    const { c, t } = found;
    const gift = t.kind === 'free_item' && t.free_sku !== null ? { code: c.code, sku: t.free_sku, name: t.free_item_name ?? t.free_sku, valueFen: t.free_item_value_fen ?? 0 } : null;
    if (c.customer_id !== input.customerId) throw new PromotionRefusal('coupon_wrong_customer', `coupon ${c.code} belongs to another customer`, 'body.customer');
    // A till retrying the same redemption gets the same answer.
    if (c.status === 'redeemed' && c.order_no === order.orderNo) return redemptionOf(c, t, order, gift);
    if (c.status === 'redeemed') throw new PromotionRefusal('coupon_already_redeemed', `coupon ${c.code} was already redeemed with order ${c.order_no ?? ''}`, 'body.code');
    if (c.status === 'void') throw new PromotionRefusal('coupon_void', `coupon ${c.code} is void`, 'body.code');

    const lines = order.items && order.items.length > 0 ? order.items : [{ sku: ORDER_LINE_SKU, name: order.orderNo, quantity: 1, unitPriceFen: order.totalFen }];
    const amounts = lines.map((l) => l.quantity * l.unitPriceFen);
    const offer = offerOf(t, c);
    const refusal = couponRefusal(offer, lines, amounts, { member: false, channel: order.channel, storeId: order.storeId ?? null, at: now });
    if (refusal) throw new PromotionRefusal(refusal.reason, refusal.message, 'body.order');
    const discountFen = Math.min(order.totalFen, couponDiscounts(offer, lines, amounts).reduce((a, b) => a + b, 0));

    const updated = (await sql<CouponRow>`
      update coupons set status = 'redeemed', redeemed_at = ${now}, order_no = ${order.orderNo}, store_id = ${order.storeId ?? null},
                         channel = ${order.channel}, discount_fen = ${discountFen}, reversed_at = null
       where tenant_id = ${tenantId} and id = ${c.id} and status = 'issued'
       returning id, code, customer_id, status, valid_from, valid_to, order_no, discount_fen, redeemed_at`.execute(trx)).rows[0];
    if (!updated) throw new PromotionRefusal('coupon_already_redeemed', `coupon ${c.code} was redeemed by another request`, 'body.code');
    await sql`
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      values (${tenantId}, ${newId()}, ${`yuchi:coupon_redeemed:${c.id}:${order.orderNo}`}, 'coupon_redeemed', ${c.customer_id}, ${now}, ${options.source}, ${options.actor},
              ${JSON.stringify({ couponId: c.id, code: c.code, templateId: t.id, templateName: t.name, orderNo: order.orderNo, storeId: order.storeId ?? null, channel: order.channel, discountFen })}::jsonb)
      on conflict (tenant_id, event_key) do nothing`.execute(trx);
    return redemptionOf({ ...updated, customer_id: c.customer_id }, t, order, gift);
  });
}

/** Gives a redeemed coupon back to its holder (the order was refunded). With orderNo, only if it was redeemed with that order. */
export async function reverseCoupon(db: Db, tenantId: string, code: string, input: { orderNo?: string }, options: { actor: string; source: string; now?: Date }): Promise<{ code: string; status: 'issued'; orderNo: string }> {
  const now = options.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const found = await findCoupon(trx, tenantId, code);
    if (!found) throw new PromotionRefusal('coupon_unknown', `no coupon ${code}`, 'params.code');
    const { c, t } = found;
    const reversed = (await sql<{ order_no: string }>`
      with before as (select order_no from coupons where tenant_id = ${tenantId} and id = ${c.id} for update)
      update coupons set status = 'issued', redeemed_at = null, order_no = null, store_id = null, channel = null, discount_fen = null, reversed_at = ${now}
        from before
       where coupons.tenant_id = ${tenantId} and coupons.id = ${c.id} and coupons.status = 'redeemed'
         and (${input.orderNo ?? null}::text is null or before.order_no = ${input.orderNo ?? null})
       returning before.order_no`.execute(trx)).rows[0];
    if (!reversed) {
      if (c.status !== 'redeemed') throw new PromotionRefusal('coupon_not_redeemed', `coupon ${c.code} is ${c.status}, not redeemed`, 'params.code');
      throw new PromotionRefusal('coupon_order_mismatch', `coupon ${c.code} was redeemed with order ${c.order_no ?? ''}, not ${input.orderNo ?? ''}`, 'body.orderNo');
    }
    await sql`
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      values (${tenantId}, ${newId()}, ${`yuchi:coupon_reversed:${c.id}:${reversed.order_no}:${now.getTime()}`}, 'coupon_reversed', ${c.customer_id}, ${now}, ${options.source}, ${options.actor},
              ${JSON.stringify({ couponId: c.id, code: c.code, templateId: t.id, templateName: t.name, orderNo: reversed.order_no })}::jsonb)
      on conflict (tenant_id, event_key) do nothing`.execute(trx);
    return { code: c.code, status: 'issued', orderNo: reversed.order_no };
  });
}

export interface CouponView {
  id: string;
  code: string;
  customer: { id: string; name: string };
  template: { id: string; name: string };
  status: 'issued' | 'redeemed' | 'void';
  source: string;
  issuedAt: string;
  validFrom: string;
  validTo: string;
  redeemedAt: string | null;
  orderNo: string | null;
  discountFen: number | null;
}

export async function listCoupons(db: Db, tenantId: string, filter: { templateId?: string; customerId?: string; status?: string; ownerStaffId?: string }, limit = 100): Promise<CouponView[]> {
  const rows = await sql<{ id: string; code: string; customer_id: string; customer_name: string; template_id: string; template_name: string; status: CouponView['status']; source: string; issued_at: Date; valid_from: Date; valid_to: Date; redeemed_at: Date | null; order_no: string | null; discount_fen: number | null }>`
    select c.id, c.code, cu.id as customer_id, cu.name as customer_name, c.template_id, t.name as template_name, c.status, c.source, c.issued_at, c.valid_from, c.valid_to,
           c.redeemed_at, c.order_no, c.discount_fen
      from coupons c
      join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
      left join customer_merges m on m.tenant_id = c.tenant_id and m.merged_id = c.customer_id
      join customers cu on cu.tenant_id = c.tenant_id and cu.id = coalesce(m.survivor_id, c.customer_id)
     where c.tenant_id = ${tenantId}
       and (${filter.templateId ?? null}::uuid is null or c.template_id = ${filter.templateId ?? null}::uuid)
       and (${filter.customerId ?? null}::uuid is null or cu.id = ${filter.customerId ?? null}::uuid)
       and (${filter.status ?? null}::text is null or c.status = ${filter.status ?? null}::text)
       and (${filter.ownerStaffId ?? null}::uuid is null or cu.guide_id = ${filter.ownerStaffId ?? null}::uuid)
     order by c.issued_at desc, c.id desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id, code: r.code, customer: { id: r.customer_id, name: r.customer_name }, template: { id: r.template_id, name: r.template_name }, status: r.status,
    source: r.source, issuedAt: r.issued_at.toISOString(), validFrom: r.valid_from.toISOString(), validTo: r.valid_to.toISOString(),
    redeemedAt: r.redeemed_at?.toISOString() ?? null, orderNo: r.order_no, discountFen: r.discount_fen,
  }));
}
