// Coupons come back when their order is refunded in full. The orders path records refunds
// (src/core/orders/record.service.ts); rather than reach into it, a sweep finds redeemed coupons
// whose order now stands refunded and reverses them (worker task reverse_refunded_coupons, every
// few minutes), and POST /api/v1/coupons/:code/reverse does it at once. A partial refund keeps the
// coupon used. Safe to run any number of times.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { PromotionRefusal } from '../promotions/promotions.errors.ts';
import { reverseCoupon } from './redeem.service.ts';

export async function reverseCouponsOfRefundedOrders(db: Db, tenantId: string, options: { actor?: string } = {}): Promise<number> {
  const due = await sql<{ code: string; order_no: string }>`
    select c.code, c.order_no from coupons c
      join orders o on o.tenant_id = c.tenant_id and o.order_no = c.order_no
     where c.tenant_id = ${tenantId} and c.status = 'redeemed' and o.status = 'refunded'`.execute(db);
  let reversed = 0;
  for (const { code, order_no } of due.rows) {
    try {
      await reverseCoupon(db, tenantId, code, { orderNo: order_no }, { actor: options.actor ?? 'system', source: 'order_refunded' });
      reversed += 1;
    } catch (err) {
      // Reversed meanwhile by the endpoint or another sweep: nothing left to do.
      if (!(err instanceof PromotionRefusal)) throw err;
    }
  }
  return reversed;
}

/** The tenants with a redeemed coupon on a refunded order, for the sweep's dispatcher. */
export async function tenantsWithRefundedRedemptions(db: Db): Promise<string[]> {
  const tenants = await db.selectFrom('tenants').select('id').execute();
  const out: string[] = [];
  for (const { id } of tenants) {
    const hit = await sql<{ one: number }>`
      select 1 as one from coupons c join orders o on o.tenant_id = c.tenant_id and o.order_no = c.order_no
       where c.tenant_id = ${id} and c.status = 'redeemed' and o.status = 'refunded' limit 1`.execute(db);
    if (hit.rows.length > 0) out.push(id);
  }
  return out;
}
