// The home dashboard's figures, straight from orders and customers.
// GMV counts what customers kept paying: paid minus refunded, over orders not fully refunded.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { monthsOf, type DateRange } from './dashboard.rules.ts';

export interface DashboardSummary {
  range: DateRange;
  customers: { total: number; withOrders: number; newInRange: number };
  orders: { count: number; gmvFen: number; averageTicketFen: number; buyers: number; repeatBuyers: number };
  gmvByMonth: { month: string; gmvFen: number; orders: number; buyers: number }[];
  topStores: { storeId: string; name: string; gmvFen: number; orders: number; buyers: number }[];
  channels: { channel: string; gmvFen: number; orders: number }[];
}

export async function dashboardSummary(db: Db, actor: Actor, range: DateRange, filter: { storeId?: string | undefined } = {}): Promise<DashboardSummary> {
  const tz = actor.timezone;
  const start = sql`(${range.from}::date)::timestamp at time zone ${tz}`;
  const end = sql`(${range.to}::date + 1)::timestamp at time zone ${tz}`;
  const store = filter.storeId ? sql`and o.store_id = ${filter.storeId}` : sql``;
  const customerStore = filter.storeId ? sql`and c.store_id = ${filter.storeId}` : sql``;
  const inRange = sql`o.tenant_id = ${actor.tenantId} and o.ordered_at >= ${start} and o.ordered_at < ${end} and o.status <> 'refunded' ${store}`;

  const [customers, totals, months, stores, channels] = await Promise.all([
    sql<{ total: number; with_orders: number; new_in_range: number }>`
      select count(*)::int as total,
             count(*) filter (where c.order_count > 0)::int as with_orders,
             count(*) filter (where c.created_at >= ${start} and c.created_at < ${end})::int as new_in_range
        from customers c where c.tenant_id = ${actor.tenantId} ${customerStore}`.execute(db),
    sql<{ orders: number; gmv: number; buyers: number; repeat_buyers: number }>`
      with per_buyer as (
        select o.customer_id, count(*) as orders, sum(o.paid_fen - o.refunded_fen) as gmv,
               count(distinct (o.ordered_at at time zone ${tz})::date) as days
          from orders o where ${inRange} group by o.customer_id)
      select coalesce(sum(orders), 0)::int as orders, coalesce(sum(gmv), 0)::bigint as gmv,
             count(customer_id)::int as buyers, count(customer_id) filter (where days >= 2)::int as repeat_buyers
        from per_buyer`.execute(db),
    sql<{ month: string; gmv: number; orders: number; buyers: number }>`
      select to_char(o.ordered_at at time zone ${tz}, 'YYYY-MM') as month, sum(o.paid_fen - o.refunded_fen)::bigint as gmv,
             count(*)::int as orders, count(distinct o.customer_id)::int as buyers
        from orders o where ${inRange} group by 1 order by 1`.execute(db),
    sql<{ store_id: string; name: string; gmv: number; orders: number; buyers: number }>`
      select o.store_id, s.name, sum(o.paid_fen - o.refunded_fen)::bigint as gmv, count(*)::int as orders,
             count(distinct o.customer_id)::int as buyers
        from orders o join stores s on s.tenant_id = o.tenant_id and s.id = o.store_id
       where ${inRange} group by o.store_id, s.name order by gmv desc, s.name limit 10`.execute(db),
    sql<{ channel: string; gmv: number; orders: number }>`
      select o.channel, sum(o.paid_fen - o.refunded_fen)::bigint as gmv, count(*)::int as orders
        from orders o where ${inRange} group by o.channel order by gmv desc`.execute(db),
  ]);

  const c = customers.rows[0] ?? { total: 0, with_orders: 0, new_in_range: 0 };
  const t = totals.rows[0] ?? { orders: 0, gmv: 0, buyers: 0, repeat_buyers: 0 };
  const byMonth = new Map(months.rows.map((r) => [r.month, r]));
  return {
    range,
    customers: { total: c.total, withOrders: c.with_orders, newInRange: c.new_in_range },
    orders: {
      count: t.orders, gmvFen: t.gmv, averageTicketFen: t.orders > 0 ? Math.round(t.gmv / t.orders) : 0,
      buyers: t.buyers, repeatBuyers: t.repeat_buyers,
    },
    gmvByMonth: monthsOf(range).map((month) => {
      const r = byMonth.get(month);
      return { month, gmvFen: r?.gmv ?? 0, orders: r?.orders ?? 0, buyers: r?.buyers ?? 0 };
    }),
    topStores: stores.rows.map((r) => ({ storeId: r.store_id, name: r.name, gmvFen: r.gmv, orders: r.orders, buyers: r.buyers })),
    channels: channels.rows.map((r) => ({ channel: r.channel, gmvFen: r.gmv, orders: r.orders })),
  };
}
