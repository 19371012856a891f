// Rewards: what each level earns on the orders of the people it brought, refunds clawing back, and
// the settlement per period. Rewards are credited by the same sweep as attribution, set-wise per
// rule; each is unique per (referred customer, order, level), so re-running credits nothing twice.
//
// Which orders count: those placed at or after the attribution (the contact's time) and not fully
// refunded when credited. A first-order rule (percent, points or coupon) pays once per referred
// customer and level; a window rule pays on every order within windowDays of the attribution.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { adjustPoints } from '../membership/points.service.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { YuchiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { clawbackOf, commissionFen } from './referral.rules.ts';
import { getRewardRules } from './referral.service.ts';

export async function creditRewards(db: Db, tenantId: string, now = new Date()): Promise<number> {
  const rules = await getRewardRules(db, tenantId);
  let credited = 0;
  for (const rule of rules) {
    const partner = rule.level === 1 ? sql`r.level1_partner_id` : sql`r.level2_partner_id`;
    if (rule.kind === 'percent_window') {
      const days = rule.windowDays ?? 0;
      const r = await sql`
        insert into referral_rewards (tenant_id, id, partner_id, level, referred_customer_id, order_id, order_no, kind, base_fen, reward_fen, earned_at)
        select r.tenant_id, gen_random_uuid(), ${partner}, ${rule.level}, r.customer_id, o.id, o.order_no, 'percent_window', o.paid_fen,
               floor(o.paid_fen * ${rule.percentBp ?? 0}::bigint / 10000), ${now}
          from referrals r
          join orders o on o.tenant_id = r.tenant_id and o.customer_id = r.customer_id
                       and o.ordered_at >= r.attributed_at and o.ordered_at < r.attributed_at + make_interval(days => ${days}) and o.status <> 'refunded'
         where r.tenant_id = ${tenantId} and ${partner} is not null
           and r.attributed_at > ${now}::timestamptz - make_interval(days => ${days + 90})
        on conflict (tenant_id, referred_customer_id, order_id, level) do nothing`.execute(db);
      credited += Number(r.numAffectedRows ?? 0);
      continue;
    }
    // First-order rules: the earliest qualifying order of each referred customer not yet rewarded at this level.
    const firsts = await sql<{ customer_id: string; partner_id: string; partner_customer_id: string | null; order_id: string; order_no: string; paid_fen: number }>`
      select r.customer_id, ${partner} as partner_id, p.customer_id as partner_customer_id, o.id as order_id, o.order_no, o.paid_fen
        from referrals r
        join referral_partners p on p.tenant_id = r.tenant_id and p.id = ${partner}
        join lateral (
          select o.id, o.order_no, o.paid_fen from orders o
           where o.tenant_id = r.tenant_id and o.customer_id = r.customer_id and o.ordered_at >= r.attributed_at and o.status <> 'refunded'
           order by o.ordered_at, o.id limit 1) o on true
       where r.tenant_id = ${tenantId}
         and not exists (select 1 from referral_rewards w where w.tenant_id = r.tenant_id and w.referred_customer_id = r.customer_id and w.level = ${rule.level})`.execute(db);
    for (const f of firsts.rows) {
      await inTransaction(db, async (trx) => {
        let couponCode: string | null = null;
        if (rule.kind === 'coupon') {
          // An external distributor holds no coupons: the coupon rule pays customers only.
          if (!f.partner_customer_id || !rule.couponTemplateId) return;
          try {
            const issued = await issueCoupons(trx, tenantId, rule.couponTemplateId, [f.partner_customer_id], { requestKey: `referral:${f.customer_id}:${rule.level}`, source: 'referral', actor: 'system', now });
            couponCode = issued.issued[0]?.code ?? issued.duplicates[0]?.code ?? null;
          } catch (err) {
            if (err instanceof YuchiError) return; // template ended or out of stock: nothing to give
            throw err;
          }
          if (!couponCode) return;
        }
        const reward = rule.kind === 'percent_first_order' ? commissionFen(f.paid_fen, rule.percentBp ?? 0) : 0;
        const r = await sql`
          insert into referral_rewards (tenant_id, id, partner_id, level, referred_customer_id, order_id, order_no, kind, base_fen, reward_fen, points, coupon_code, earned_at)
          values (${tenantId}, ${newId()}, ${f.partner_id}, ${rule.level}, ${f.customer_id}, ${f.order_id}, ${f.order_no}, ${rule.kind}, ${f.paid_fen}, ${reward},
                  ${rule.kind === 'points' ? (rule.points ?? 0) : 0}, ${couponCode}, ${now})
          on conflict (tenant_id, referred_customer_id, order_id, level) do nothing`.execute(trx);
        const fresh = Number(r.numAffectedRows ?? 0);
        credited += fresh;
        // Points go to the referring customer's points ledger, once (an external distributor holds no points).
        if (fresh > 0 && rule.kind === 'points' && (rule.points ?? 0) > 0 && f.partner_customer_id) {
          await adjustPoints(trx, tenantId, f.partner_customer_id, {
            points: rule.points ?? 0, reason: `推荐奖励（第 ${rule.level} 级）：订单 ${f.order_no}`, requestKey: `referral:${f.customer_id}:${rule.level}`,
          }, 'referral');
        }
      });
    }
  }
  return credited;
}

/** Refunds take back the refunded share of each reward on the order (see clawbackOf). */
export async function clawBackRefunds(db: Db, tenantId: string, now = new Date()): Promise<number> {
  const due = await sql<{ id: string; reward_fen: number; points: number; clawback_fen: number; clawback_points: number; paid_fen: number; refunded_fen: number; order_no: string | null; partner_customer_id: string | null }>`
    select w.id, w.reward_fen, w.points, w.clawback_fen, w.clawback_points, o.paid_fen, o.refunded_fen, w.order_no, p.customer_id as partner_customer_id
      from referral_rewards w join orders o on o.tenant_id = w.tenant_id and o.id = w.order_id
      left join referral_partners p on p.tenant_id = w.tenant_id and p.id = w.partner_id
     where w.tenant_id = ${tenantId} and w.status <> 'clawed_back' and o.refunded_fen > 0`.execute(db);
  const changes = due.rows.flatMap((w) => {
    const fen = clawbackOf(w.reward_fen, w.paid_fen, w.refunded_fen);
    const points = clawbackOf(w.points, w.paid_fen, w.refunded_fen);
    const full = w.refunded_fen >= w.paid_fen;
    if (fen === w.clawback_fen && points === w.clawback_points && !full) return [];
    return [{ id: w.id, fen, points, takeBack: points - w.clawback_points, partner: w.partner_customer_id, orderNo: w.order_no, status: full ? 'clawed_back' : 'partially_clawed_back' }];
  });
  if (changes.length === 0) return 0;
  // Points credited to a customer's ledger come back from it, as far as the balance allows (points
  // already spent stay spent; the ledger never goes negative).
  for (const c of changes) {
    if (c.takeBack <= 0 || !c.partner) continue;
    const balance = await db.selectFrom('points_balances').select('balance').where('tenant_id', '=', tenantId).where('customer_id', '=', c.partner).executeTakeFirst();
    const points = Math.min(c.takeBack, balance?.balance ?? 0);
    if (points <= 0) continue;
    await adjustPoints(db, tenantId, c.partner, { points: -points, reason: `推荐奖励退回：订单 ${c.orderNo ?? ''} 退款`, requestKey: `referral-clawback:${c.id}:${c.points}` }, 'referral');
  }
  await sql`
    update referral_rewards w set clawback_fen = c.fen, clawback_points = c.points, status = c.status, clawed_back_at = ${now}
      from unnest(${changes.map((c) => c.id)}::uuid[], ${changes.map((c) => c.fen)}::bigint[], ${changes.map((c) => c.points)}::int[], ${changes.map((c) => c.status)}::text[])
           as c(id, fen, points, status)
     where w.tenant_id = ${tenantId} and w.id = c.id`.execute(db);
  return changes.length;
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

/**
 * One row per partner with anything in [from, to): people brought (by attribution time), the
 * level-1 orders rewarded and their GMV, rewards earned per level, clawbacks made in the period
 * (whatever period their reward was earned in), and what is payable: earned minus clawed back.
 */
export async function settlement(db: Db, tenantId: string, from: Date, to: Date): Promise<SettlementRow[]> {
  const rows = await sql<{ id: string; kind: 'customer' | 'external'; customer_id: string | null; name: string; referred1: number; referred2: number; orders: number; gmv: number; reward1: number; reward2: number; points: number; clawed: number }>`
    with earned as (
      select partner_id,
             count(distinct order_id) filter (where level = 1)::int as orders,
             coalesce(sum(base_fen) filter (where level = 1), 0)::bigint as gmv,
             coalesce(sum(reward_fen) filter (where level = 1), 0)::bigint as reward1,
             coalesce(sum(reward_fen) filter (where level = 2), 0)::bigint as reward2,
             coalesce(sum(points), 0)::bigint as points
        from referral_rewards where tenant_id = ${tenantId} and earned_at >= ${from} and earned_at < ${to} group by partner_id
    ), clawed as (
      select partner_id, coalesce(sum(clawback_fen), 0)::bigint as clawed from referral_rewards
       where tenant_id = ${tenantId} and clawed_back_at >= ${from} and clawed_back_at < ${to} group by partner_id
    ), brought as (
      select p.id as partner_id,
             (select count(*)::int from referrals r where r.tenant_id = p.tenant_id and r.level1_partner_id = p.id and r.attributed_at >= ${from} and r.attributed_at < ${to}) as referred1,
             (select count(*)::int from referrals r where r.tenant_id = p.tenant_id and r.level2_partner_id = p.id and r.attributed_at >= ${from} and r.attributed_at < ${to}) as referred2
        from referral_partners p where p.tenant_id = ${tenantId}
    )
    select p.id, p.kind, p.customer_id, coalesce(nullif(p.name, ''), c.name, '') as name, b.referred1, b.referred2,
           coalesce(e.orders, 0) as orders, coalesce(e.gmv, 0) as gmv, coalesce(e.reward1, 0) as reward1, coalesce(e.reward2, 0) as reward2,
           coalesce(e.points, 0) as points, coalesce(k.clawed, 0) as clawed
      from referral_partners p
      join brought b on b.partner_id = p.id
      left join earned e on e.partner_id = p.id
      left join clawed k on k.partner_id = p.id
      left join customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
     where p.tenant_id = ${tenantId} and (b.referred1 > 0 or b.referred2 > 0 or e.partner_id is not null or k.partner_id is not null)
     order by coalesce(e.reward1, 0) + coalesce(e.reward2, 0) desc, p.id`.execute(db);
  return rows.rows.map((r) => ({
    partnerId: r.id, partnerKind: r.kind, customerId: r.customer_id, name: r.name, referredLevel1: r.referred1, referredLevel2: r.referred2, orders: r.orders,
    gmvFen: Number(r.gmv), rewardLevel1Fen: Number(r.reward1), rewardLevel2Fen: Number(r.reward2), points: Number(r.points), clawedBackFen: Number(r.clawed),
    payableFen: Number(r.reward1) + Number(r.reward2) - Number(r.clawed),
  }));
}
