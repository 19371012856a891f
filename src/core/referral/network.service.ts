// The referral network read back: a customer's downline two levels deep, and the superusers
// (超级用户) — customers ranked by the value they bring: own spend + what the people they brought
// spent since (level 2 at a share) + their group life (group messages, 接龙 entries, 拼团 seats).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { notFound } from '../errors.ts';
import { DEFAULT_WEIGHTS, superuserValue, type SuperuserWeights } from './referral.rules.ts';

export interface DownlineNode {
  customerId: string;
  name: string;
  attributedAt: string;
  /** Paid minus refunded on orders since the attribution. */
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

export async function downline(db: Db, tenantId: string, customerId: string): Promise<ReferralTree> {
  const me = await db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', '=', customerId).executeTakeFirst();
  if (!me) throw notFound('customer');
  const [partner, up] = await Promise.all([
    db.selectFrom('referral_partners').select('id').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).executeTakeFirst(),
    sql<{ customer_id: string | null; name: string }>`
      select p.customer_id, coalesce(nullif(p.name, ''), c.name, '') as name from referrals r
        join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
        left join customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
       where r.tenant_id = ${tenantId} and r.customer_id = ${customerId}`.execute(db),
  ]);
  const upline = up.rows[0] ? { customerId: up.rows[0].customer_id, name: up.rows[0].name } : null;
  if (!partner) return { customerId, name: me.name, partnerId: null, upline, level1: 0, level2: 0, children: [] };
  const rows = await sql<{ customer_id: string; name: string; attributed_at: Date; spent: number; level: number; parent: string | null }>`
    select r.customer_id, c.name, r.attributed_at, case when r.level1_partner_id = ${partner.id} then 1 else 2 end as level, p1.customer_id as parent,
           coalesce((select sum(o.paid_fen - o.refunded_fen) from orders o where o.tenant_id = r.tenant_id and o.customer_id = r.customer_id and o.ordered_at >= r.attributed_at), 0)::bigint as spent
      from referrals r
      join customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
      join referral_partners p1 on p1.tenant_id = r.tenant_id and p1.id = r.level1_partner_id
     where r.tenant_id = ${tenantId} and (r.level1_partner_id = ${partner.id} or r.level2_partner_id = ${partner.id})
     order by r.attributed_at, r.customer_id
     limit 5000`.execute(db);
  const node = (r: (typeof rows.rows)[number]): DownlineNode => ({ customerId: r.customer_id, name: r.name, attributedAt: r.attributed_at.toISOString(), spentFen: Number(r.spent), children: [] });
  const first = rows.rows.filter((r) => r.level === 1).map(node);
  const byId = new Map(first.map((n) => [n.customerId, n]));
  let level2 = 0;
  for (const r of rows.rows) {
    if (r.level !== 2) continue;
    level2 += 1;
    const parent = r.parent ? byId.get(r.parent) : undefined;
    if (parent) parent.children.push(node(r));
  }
  return { customerId, name: me.name, partnerId: partner.id, upline, level1: first.length, level2, children: first };
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

/**
 * The top `limit` by value. Exact without scoring every customer: anyone outside the candidates
 * (people with referrals or group activity, plus the top `limit` spenders) is worth only their own
 * spend, which is no more than that of each of the top spenders already among the candidates.
 */
export async function superusers(db: Db, tenantId: string, options: { limit: number; activityDays: number; now?: Date; weights?: SuperuserWeights }): Promise<Superuser[]> {
  const since = new Date((options.now ?? new Date()).getTime() - options.activityDays * 86_400_000);
  const rows = await sql<{ id: string; name: string; own: number; l1: number; l2: number; n1: number; n2: number; actions: number }>`
    with ref as (
      select r.customer_id, r.level1_partner_id, r.level2_partner_id,
             coalesce((select sum(o.paid_fen - o.refunded_fen) from orders o where o.tenant_id = r.tenant_id and o.customer_id = r.customer_id and o.ordered_at >= r.attributed_at), 0) as spent
        from referrals r where r.tenant_id = ${tenantId}
    ), brought as (
      -- each referral counts for its level-1 partner and, if any, its level-2 partner
      select p.customer_id, sum(x.l1) as l1, sum(x.l2) as l2, sum(x.n1) as n1, sum(x.n2) as n2
        from (select level1_partner_id as partner_id, spent as l1, 0 as l2, 1 as n1, 0 as n2 from ref
              union all
              select level2_partner_id, 0, spent, 0, 1 from ref where level2_partner_id is not null) x
        join referral_partners p on p.tenant_id = ${tenantId} and p.id = x.partner_id
       where p.customer_id is not null group by p.customer_id
    ), activity as (
      select customer_id, count(*) as actions from (
        select customer_id from events where tenant_id = ${tenantId} and type = 'message_received' and occurred_at >= ${since} and properties ? 'chatId' and customer_id is not null
        union all select customer_id from solitaire_entries where tenant_id = ${tenantId} and joined_at >= ${since}
        union all select customer_id from group_buy_members where tenant_id = ${tenantId} and joined_at >= ${since}
      ) a group by customer_id
    ), top_spenders as (
      select id as customer_id from customers where tenant_id = ${tenantId} and total_spent_fen > 0 order by total_spent_fen desc limit ${options.limit}
    ), candidates as (
      select customer_id from brought union select customer_id from activity union select customer_id from top_spenders
    )
    select c.id, c.name, c.total_spent_fen as own, coalesce(b.l1, 0)::bigint as l1, coalesce(b.l2, 0)::bigint as l2, coalesce(b.n1, 0)::int as n1, coalesce(b.n2, 0)::int as n2,
           coalesce(a.actions, 0)::int as actions
      from candidates k join customers c on c.tenant_id = ${tenantId} and c.id = k.customer_id
      left join brought b on b.customer_id = k.customer_id left join activity a on a.customer_id = k.customer_id`.execute(db);
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  return rows.rows
    .map((r) => {
      const x = { ownSpentFen: Number(r.own), level1SpentFen: Number(r.l1), level2SpentFen: Number(r.l2), groupActions: r.actions };
      return { customerId: r.id, name: r.name, valueFen: superuserValue(x, weights), ...x, referredLevel1: r.n1, referredLevel2: r.n2 };
    })
    .filter((s) => s.valueFen > 0)
    .sort((a, b) => b.valueFen - a.valueFen || a.customerId.localeCompare(b.customerId))
    .slice(0, options.limit)
    .map((s, i) => ({ rank: i + 1, ...s }));
}
