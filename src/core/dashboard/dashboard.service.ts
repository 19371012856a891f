// The home dashboard's figures: customers from customers, orders from the analytics rollups.
// GMV counts what customers kept paying: paid minus refunded, over orders not fully refunded.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import type { Scope } from '../analytics/filters.service.ts';
import { buyersByMonth, buyersByStore, customerMonthsInRange, orderDaysInRange, rangeDayCount } from '../analytics/rollups.service.ts';
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
  const customerStore = filter.storeId ? sql`and c.store_id = ${filter.storeId}` : sql``;

  // Order figures from the analytics rollups (core/analytics/rollups.service.ts), kept in step with
  // orders by triggers; the dashboard has no segment filter, so they answer every request.
  const s: Scope = {
    tenantId: actor.tenantId, tz, today: range.to, range, storeId: filter.storeId ?? null, segmentId: null,
    start, end,
  };
  const [customers, totals, buyers, months, monthBuyers, stores, channels] = await Promise.all([
    sql<{ total: number; with_orders: number; new_in_range: number }>`
      select count(*)::int as total,
             count(*) filter (where c.order_count > 0)::int as with_orders,
             count(*) filter (where c.created_at >= ${start} and c.created_at < ${end})::int as new_in_range
        from customers c where c.tenant_id = ${actor.tenantId} ${customerStore}`.execute(db),
    sql<{ orders: number; gmv: number }>`
      select coalesce(sum(d.orders), 0)::int as orders, coalesce(sum(d.gmv_fen), 0)::bigint as gmv
        from analytics_order_days d where ${orderDaysInRange(s)}`.execute(db),
    // a repeat buyer bought on two calendar days of the range or more
    sql<{ buyers: number; repeat_buyers: number }>`
      select count(*)::int as buyers, count(*) filter (where days >= 2)::int as repeat_buyers
        from (select m.customer_id, sum(${rangeDayCount(s)}) as days from analytics_customer_months m
               where ${customerMonthsInRange(s)} group by m.customer_id) b
       where days > 0`.execute(db),
    sql<{ month: string; gmv: number; orders: number }>`
      select to_char(d.day, 'YYYY-MM') as month, sum(d.gmv_fen)::bigint as gmv, sum(d.orders)::int as orders
        from analytics_order_days d where ${orderDaysInRange(s)} group by 1 having sum(d.orders) > 0`.execute(db),
    buyersByMonth(db, s),
    sql<{ store_id: string; name: string; gmv: number; orders: number }>`
      select d.store_id, s.name, sum(d.gmv_fen)::bigint as gmv, sum(d.orders)::int as orders
        from analytics_order_days d join stores s on s.tenant_id = d.tenant_id and s.id = d.store_id
       where ${orderDaysInRange(s)} group by d.store_id, s.name having sum(d.orders) > 0 order by gmv desc, s.name limit 10`.execute(db),
    sql<{ channel: string; gmv: number; orders: number }>`
      select d.channel, sum(d.gmv_fen)::bigint as gmv, sum(d.orders)::int as orders
        from analytics_order_days d where ${orderDaysInRange(s)} group by d.channel having sum(d.orders) > 0 order by gmv desc`.execute(db),
  ]);
  const storeBuyers = stores.rows.length === 0 ? new Map<string, number>() : await buyersByStore(db, s, sql`any(${stores.rows.map((r) => r.store_id)}::uuid[])`);

  const c = customers.rows[0] ?? { total: 0, with_orders: 0, new_in_range: 0 };
  const t = { orders: 0, gmv: 0, ...totals.rows[0], buyers: 0, repeat_buyers: 0, ...buyers.rows[0] };
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
      return { month, gmvFen: r?.gmv ?? 0, orders: r?.orders ?? 0, buyers: monthBuyers.get(month) ?? 0 };
    }),
    topStores: stores.rows.map((r) => ({ storeId: r.store_id, name: r.name, gmvFen: r.gmv, orders: r.orders, buyers: storeBuyers.get(r.store_id) ?? 0 })),
    channels: channels.rows.map((r) => ({ channel: r.channel, gmvFen: r.gmv, orders: r.orders })),
  };
}
