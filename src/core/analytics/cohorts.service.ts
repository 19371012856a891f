// Figures that follow customers from a starting month: repurchase after the first order, the
// monthly retention matrix of first-order cohorts, and LTV by acquisition month.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { MONTHS_AFTER, REPURCHASE_WINDOWS, monthReached, monthsBetween, monthsOf, rate } from './analytics.rules.ts';
import { customerFilter, firstOrderInRange, localDay, type Scope } from './filters.service.ts';
import { EVERY_STORE } from './rollups.service.ts';

export interface RepurchaseWindow {
  days: number;
  /** First-time buyers whose window has fully elapsed (first day + N days is before today). */
  eligible: number;
  repurchased: number;
  rate: number | null;
}

export interface RepurchaseFigures {
  /** Customers whose first order falls in the range. */
  firstTimeBuyers: number;
  windows: RepurchaseWindow[];
  byMonth: { month: string; firstTimeBuyers: number; windows: RepurchaseWindow[] }[];
}

/** Of customers whose first order is in the range: who bought again on a later calendar day
 *  within 7 / 30 / 90 days, counting only those whose window has fully elapsed. */
export async function repurchase(db: Db, s: Scope): Promise<RepurchaseFigures> {
  const firstDay = localDay(s, sql`c.first_order_at`);
  const rows = await sql<{ month: string; buyers: number; e7: number; r7: number; e30: number; r30: number; e90: number; r90: number }>`
    with base as materialized (
      select c.id, c.updated_at, ${firstDay} as first_day from customers c where ${firstOrderInRange(s)}
    ), nxt as (
      -- the gap to the next purchase day from the facts where they are current (facts.service.ts) …
      select b.first_day, f.next_gap as gap from base b
        join analytics_first_orders f on f.tenant_id = ${s.tenantId} and f.customer_id = b.id and f.customer_updated_at = b.updated_at
      union all
      -- … and from orders for the others (within 90 days: the longest window)
      select b.first_day,
             (select min((o.ordered_at at time zone ${s.tz})::date) from orders o
               where o.tenant_id = ${s.tenantId} and o.customer_id = b.id and o.status <> 'refunded'
                 and o.ordered_at >= ((b.first_day + 1)::timestamp at time zone ${s.tz})
                 and o.ordered_at < ((b.first_day + 91)::timestamp at time zone ${s.tz})) - b.first_day
        from base b
       where not exists (select 1 from analytics_first_orders f
                          where f.tenant_id = ${s.tenantId} and f.customer_id = b.id and f.customer_updated_at = b.updated_at)
    )
    select to_char(first_day, 'YYYY-MM') as month, count(*)::int as buyers,
           count(*) filter (where first_day + 7 < ${s.today}::date)::int as e7,
           count(*) filter (where first_day + 7 < ${s.today}::date and gap <= 7)::int as r7,
           count(*) filter (where first_day + 30 < ${s.today}::date)::int as e30,
           count(*) filter (where first_day + 30 < ${s.today}::date and gap <= 30)::int as r30,
           count(*) filter (where first_day + 90 < ${s.today}::date)::int as e90,
           count(*) filter (where first_day + 90 < ${s.today}::date and gap <= 90)::int as r90
      from nxt group by 1`.execute(db);
  const windowsOf = (r: { e7: number; r7: number; e30: number; r30: number; e90: number; r90: number }): RepurchaseWindow[] =>
    REPURCHASE_WINDOWS.map((days) => {
      const [eligible, repurchased] = days === 7 ? [r.e7, r.r7] : days === 30 ? [r.e30, r.r30] : [r.e90, r.r90];
      return { days, eligible, repurchased, rate: rate(repurchased, eligible) };
    });
  const byMonth = new Map(rows.rows.map((r) => [r.month, r]));
  const zero = { buyers: 0, e7: 0, r7: 0, e30: 0, r30: 0, e90: 0, r90: 0 };
  const total = { ...zero };
  for (const r of rows.rows) for (const k of Object.keys(zero) as (keyof typeof zero)[]) total[k] += r[k];
  return {
    firstTimeBuyers: total.buyers,
    windows: windowsOf(total),
    byMonth: monthsOf(s.range).map((month) => {
      const r = byMonth.get(month) ?? zero;
      return { month, firstTimeBuyers: r.buyers, windows: windowsOf(r) };
    }),
  };
}

export interface CohortRow {
  month: string;
  size: number;
  /** k = 0..11 months after the cohort month; null for months not begun yet. */
  cells: ({ customers: number; rate: number | null } | null)[];
}

/** Cohort = month of first order (in the range); cell k = cohort members with a counted order in
 *  the k-th calendar month after. Month 0 is everyone by definition. */
export async function cohorts(db: Db, s: Scope): Promise<CohortRow[]> {
  // Months with a counted order per customer from the customer-month rollup (rollups.service.ts):
  // one row per customer and month, so rows are distinct customers.
  // (grouped by the two months; the month difference is taken here, cheaper than in SQL)
  const rows = await sql<{ m0: string; month: string; n: number }>`
    with base as materialized (
      select c.id, date_trunc('month', c.first_order_at at time zone ${s.tz})::date as m0 from customers c where ${firstOrderInRange(s)}
    )
    select b.m0, m.month, count(*)::int as n
      from base b
      join analytics_customer_months m on m.tenant_id = ${s.tenantId} and m.customer_id = b.id and m.store_key = ${EVERY_STORE}::uuid
       and m.month >= b.m0 and m.month < (b.m0 + interval '${sql.raw(String(MONTHS_AFTER))} months')::date
     where m.month >= ${`${s.range.from.slice(0, 7)}-01`}::date
       and m.month < (${`${s.range.to.slice(0, 7)}-01`}::date + interval '${sql.raw(String(MONTHS_AFTER))} months')::date
     group by 1, 2`.execute(db);
  const counts = new Map(rows.rows.map((r) => [`${r.m0.slice(0, 7)}|${monthsBetween(r.m0, r.month)}`, r.n]));
  return monthsOf(s.range).map((month) => {
    const size = counts.get(`${month}|0`) ?? 0;
    const cells = Array.from({ length: MONTHS_AFTER }, (_, k) => {
      if (!monthReached(month, k, s.today)) return null;
      const n = counts.get(`${month}|${k}`) ?? 0;
      return { customers: n, rate: rate(n, size) };
    });
    return { month, size, cells };
  });
}

export interface LtvRow {
  month: string;
  customers: number;
  /** Average cumulative spend per acquired customer by the end of month k (0..11); null before it begins. */
  cumulativeFen: (number | null)[];
}

/**
 * Acquisition month = month the customer profile was created (customers.created_at: the first
 * contact, order or import that made them known). Spend is GMV of counted orders; orders placed
 * before the acquisition month (imported history) count in month 0. Averages are over every
 * acquired customer, buyers or not, in whole fen.
 */
export async function ltv(db: Db, s: Scope): Promise<LtvRow[]> {
  // Spend per customer and month from the customer-month rollup (rollups.service.ts).
  const rows = await sql<{ month: string; spent_month: string | null; spent: string | null; customers: number }>`
    with base as materialized (
      select c.id, date_trunc('month', c.created_at at time zone ${s.tz})::date as a0 from customers c
       where c.tenant_id = ${s.tenantId} and c.created_at >= ${s.start} and c.created_at < ${s.end} ${customerFilter(s)}
    )
    select to_char(a0, 'YYYY-MM') as month, null::date as spent_month, null::bigint as spent, count(*)::int as customers from base group by 1
    union all
    select to_char(b.a0, 'YYYY-MM'), m.month, sum(m.spent_fen)::bigint, 0
      from base b join analytics_customer_months m on m.tenant_id = ${s.tenantId} and m.customer_id = b.id and m.store_key = ${EVERY_STORE}::uuid
     where m.month < (b.a0 + interval '${sql.raw(String(MONTHS_AFTER))} months')::date
       and m.month < (${`${s.range.to.slice(0, 7)}-01`}::date + interval '${sql.raw(String(MONTHS_AFTER))} months')::date
     group by 1, 2`.execute(db);
  const sizes = new Map<string, number>();
  const spent = new Map<string, number>();
  for (const r of rows.rows) {
    if (r.spent_month === null) sizes.set(r.month, r.customers);
    else {
      // orders before the acquisition month (imported history) count in month 0
      const key = `${r.month}|${Math.max(0, monthsBetween(r.month, r.spent_month))}`;
      spent.set(key, (spent.get(key) ?? 0) + Number(r.spent ?? 0));
    }
  }
  return monthsOf(s.range).map((month) => {
    const customers = sizes.get(month) ?? 0;
    let cumulative = 0;
    const cumulativeFen = Array.from({ length: MONTHS_AFTER }, (_, k) => {
      cumulative += spent.get(`${month}|${k}`) ?? 0;
      if (!monthReached(month, k, s.today)) return null;
      return customers > 0 ? Math.round(cumulative / customers) : 0;
    });
    return { month, customers, cumulativeFen };
  });
}
