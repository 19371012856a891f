// The AARRR funnel of WeCom contacts. Every step is counted among the customers who became a
// WeCom friend in the range (拉新: their earliest customer_contacts.added_at — one customer added by
// two guides counts once, at the first):
// - 留存 7 / 30: still a friend N days after being added — at least one of their friendships was not
//   deleted by added_at + N days; counted only among those added at least N days ago (base);
// - 活跃: an interaction event (INTERACTION_EVENTS) at or after being added;
// - 转化: a counted order at or after being added;
// - 裂变: named as the referrer (property `referrerCustomerId`) of a contact_added or referral event
//   at or after being added.
// The store filter keeps customers of that home store; the segment filter, its current members.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { INTERACTION_EVENTS, REFERRAL_EVENTS, funnelSteps, type FunnelStep } from './analytics.rules.ts';
import { customerFilter, type Scope } from './filters.service.ts';

export async function funnel(db: Db, s: Scope, now: Date = new Date()): Promise<FunnelStep[]> {
  const at = now.toISOString();
  const r = await sql<{ acquired: number; e7: number; r7: number; e30: number; r30: number; active: number; converted: number; referred: number }>`
    with added as materialized (
      select cc.customer_id, min(cc.added_at) as added_at from customer_contacts cc
       where cc.tenant_id = ${s.tenantId} group by cc.customer_id
      having min(cc.added_at) >= ${s.start} and min(cc.added_at) < ${s.end}
    ), acquired as materialized (
      select a.customer_id, a.added_at from added a join customers c on c.tenant_id = ${s.tenantId} and c.id = a.customer_id
       where true ${customerFilter(s)}
    ), referrers as (
      -- the latest time each customer was named as a referrer: referred after being added ⇔ latest ≥ added_at
      select e.properties->>'referrerCustomerId' as referrer, max(e.occurred_at) as at from events e
       where e.tenant_id = ${s.tenantId} and e.type = any(${[...REFERRAL_EVENTS]}::text[]) and e.properties ? 'referrerCustomerId'
       group by 1
    ), facts as (
      select a.added_at,
             exists (select 1 from customer_contacts k where k.tenant_id = ${s.tenantId} and k.customer_id = a.customer_id
                        and k.added_at <= a.added_at + interval '7 days'
                        and (k.deleted_at is null or k.deleted_at > a.added_at + interval '7 days')) as kept7,
             exists (select 1 from customer_contacts k where k.tenant_id = ${s.tenantId} and k.customer_id = a.customer_id
                        and k.added_at <= a.added_at + interval '30 days'
                        and (k.deleted_at is null or k.deleted_at > a.added_at + interval '30 days')) as kept30,
             exists (select 1 from events e where e.tenant_id = ${s.tenantId} and e.customer_id = a.customer_id
                        and e.type = any(${[...INTERACTION_EVENTS]}::text[]) and e.occurred_at >= a.added_at) as active,
             exists (select 1 from orders o where o.tenant_id = ${s.tenantId} and o.customer_id = a.customer_id
                        and o.status <> 'refunded' and o.ordered_at >= a.added_at) as converted,
             exists (select 1 from referrers f where f.referrer = a.customer_id::text and f.at >= a.added_at) as referred
        from acquired a
    )
    select count(*)::int as acquired,
           count(*) filter (where added_at + interval '7 days' <= ${at}::timestamptz)::int as e7,
           count(*) filter (where added_at + interval '7 days' <= ${at}::timestamptz and kept7)::int as r7,
           count(*) filter (where added_at + interval '30 days' <= ${at}::timestamptz)::int as e30,
           count(*) filter (where added_at + interval '30 days' <= ${at}::timestamptz and kept30)::int as r30,
           count(*) filter (where active)::int as active,
           count(*) filter (where converted)::int as converted,
           count(*) filter (where referred)::int as referred
      from facts`.execute(db);
  const c = r.rows[0] ?? { acquired: 0, e7: 0, r7: 0, e30: 0, r30: 0, active: 0, converted: 0, referred: 0 };
  return funnelSteps({
    acquired: c.acquired, retained7: c.r7, eligible7: c.e7, retained30: c.r30, eligible30: c.e30,
    active: c.active, converted: c.converted, referred: c.referred,
  });
}
