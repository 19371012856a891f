// What membership does when orders are recorded (src/core/orders/record.service.ts, inside the
// batch's transaction): paid orders earn points, refunds take back the refunded share, and the
// buyers' tiers are re-evaluated. A tenant without membership rules pays one primary-key read.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import { addCredits, addDebits, lockBalances, type NewDebit } from './ledger.service.ts';
import { expiryOf, isMemberDay, pointsForOrder, reversalDue } from './membership.rules.ts';
import { settingsOf } from './settings.service.ts';
import { recomputeTiers } from './tiers.service.ts';

export interface CreatedOrder {
  orderId: string;
  customerId: string | null;
  paidFen: number;
  refundedFen: number;
  channel: string;
  storeId: string | null;
  orderedAt: Date;
  items: { sku: string; amountFen: number }[];
}

export interface RefundedOrder {
  orderId: string;
  customerId: string | null;
}

interface HookSettings {
  timezone: string;
  has_tiers: boolean;
  settings: Parameters<typeof settingsOf>[0] | null;
}

export async function membershipAfterOrders(db: Db, tenantId: string, created: CreatedOrder[], refunded: RefundedOrder[]): Promise<void> {
  if (created.length === 0 && refunded.length === 0) return;
  const found = (await sql<HookSettings>`${PREPARED}
    select t.timezone, exists (select 1 from membership_tiers m where m.tenant_id = t.id) as has_tiers,
           (select to_jsonb(s) from membership_settings s where s.tenant_id = t.id) as settings
      from tenants t where t.id = ${tenantId}`.execute(db)).rows[0];
  if (!found?.settings) return;
  const settings = settingsOf(found.settings);
  const customers = new Set<string>();
  if (settings.pointsEnabled) {
    const earning = created.filter((o) => o.customerId !== null);
    await addCredits(db, tenantId, earning.map((o) => ({
      customerId: o.customerId ?? '',
      kind: 'earn' as const,
      points: pointsForOrder(settings, { ...o, onMemberDay: isMemberDay(o.orderedAt, settings.memberDayWeekdays, found.timezone) }),
      entryKey: `earn:${o.orderId}`,
      orderId: o.orderId,
      at: o.orderedAt,
      expiresAt: expiryOf(o.orderedAt, settings.expiryMonths, found.timezone),
    })), 'yuchi');
    for (const o of earning) if (o.customerId) customers.add(o.customerId);
  }
  // Orders recorded already refunded (an import of history) are reversed like later refunds.
  const refunds = [...refunded.map((r) => r.orderId), ...created.filter((o) => o.refundedFen > 0).map((o) => o.orderId)];
  for (const id of await reverseRefundedPoints(db, tenantId, refunds)) customers.add(id);
  for (const r of refunded) if (r.customerId) customers.add(r.customerId);
  if (found.has_tiers && customers.size > 0) await recomputeTiers(db, tenantId, { customerIds: [...customers], cause: 'order' });
}

/**
 * Takes back the refunded share of the points these orders earned. Points already spent cannot
 * be taken: the balance never goes below zero, and what could not be taken is tried again at the
 * order's next refund. Returns the customers whose points changed.
 */
export async function reverseRefundedPoints(db: Db, tenantId: string, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const earned = await sql<{ order_id: string; customer_id: string; paid_fen: number; refunded_fen: number; earned: number; reversed: number }>`
    select l.order_id, l.customer_id, o.paid_fen, o.refunded_fen,
           sum(l.points) filter (where l.kind = 'earn')::int as earned, coalesce(-sum(l.points) filter (where l.kind = 'reverse'), 0)::int as reversed
      from points_ledger l join orders o on o.tenant_id = l.tenant_id and o.id = l.order_id
     where l.tenant_id = ${tenantId} and l.order_id = any(${[...new Set(orderIds)]}::uuid[])
     group by l.order_id, l.customer_id, o.paid_fen, o.refunded_fen`.execute(db);
  const due = earned.rows
    .map((r) => ({ ...r, due: reversalDue(r.earned ?? 0, r.paid_fen, r.refunded_fen, r.reversed) }))
    .filter((r) => r.due > 0);
  if (due.length === 0) return [];
  const balances = await lockBalances(db, tenantId, due.map((r) => r.customer_id));
  const debits: NewDebit[] = [];
  for (const r of due) {
    const left = balances.get(r.customer_id) ?? 0;
    const take = Math.min(r.due, left);
    if (take <= 0) continue;
    balances.set(r.customer_id, left - take);
    debits.push({
      customerId: r.customer_id, kind: 'reverse', points: take, orderId: r.order_id,
      entryKey: `reverse:${r.order_id}:${r.refunded_fen}:${r.reversed + take}`,
      reason: take < r.due ? `refund; ${r.due - take} points already spent` : 'refund',
    });
  }
  const written = await addDebits(db, tenantId, debits, 'yuchi');
  return [...new Set(written.map((w) => w.customerId))];
}
