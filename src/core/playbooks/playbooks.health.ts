// Playbook health: the playbook's KPIs measured from the tenant's own data against its targets,
// walked in funnel order so the first step below target is named as the one to fix (adds high but
// 7-day group retention low → a group content problem).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { addDays, localDate } from '../time.ts';
import { memberDayLift } from '../membership/member-day.service.ts';
import { KPI_STEPS, type KpiKey, type Playbook } from './playbooks.content.ts';
import { getApplication } from './playbooks.service.ts';

/** A share over fewer cases than this is not shown as a verdict. */
export const MIN_SAMPLE = 20;
/** 百果园's member day, Tuesday (ISO day 2), for a tenant that has not set its own. */
const DEFAULT_MEMBER_DAY_ISO = 2;
const LIFT_DAYS = 56;

export interface KpiValue { key: KpiKey; value: number | null; target: number; sample: number; met: boolean | null }
export interface PlaybookHealth {
  applicationId: string;
  measuredAt: string;
  kpis: KpiValue[];
  /** The first KPI in funnel order that misses its target, with what to look at. */
  weakest: { key: KpiKey; advice: string } | null;
}

const ADVICE: Record<KpiKey, string> = {
  new_friends_per_store_week: 'acquisition',
  friend_retention_7d: 'welcome_and_restraint',
  group_join_rate: 'invitation',
  group_retention_7d: 'group_content',
  first_order_rate_14d: 'first_order_offer',
  repurchase_30d: 'repurchase_reminders',
  member_day_lift: 'member_day_reach',
};

/** Pure: values and targets in, the verdict per KPI and the weakest step out. */
export function judge(measured: Partial<Record<KpiKey, { value: number | null; sample: number }>>, targets: Playbook['targets']): Pick<PlaybookHealth, 'kpis' | 'weakest'> {
  const kpis: KpiValue[] = [];
  for (const key of KPI_STEPS) {
    const target = targets[key];
    if (target === undefined) continue;
    const m = measured[key] ?? { value: null, sample: 0 };
    const value = m.sample >= MIN_SAMPLE ? m.value : null;
    kpis.push({ key, value, target, sample: m.sample, met: value === null ? null : value >= target });
  }
  const miss = kpis.find((k) => k.met === false);
  return { kpis, weakest: miss ? { key: miss.key, advice: ADVICE[miss.key] } : null };
}

export async function playbookHealth(db: Db, tenantId: string, applicationId: string, now = new Date()): Promise<PlaybookHealth> {
  const app = await getApplication(db, tenantId, applicationId);
  const measured = await measureKpis(db, tenantId, now);
  return { applicationId, measuredAt: now.toISOString(), ...judge(measured, app.targets) };
}

type Measured = Partial<Record<KpiKey, { value: number | null; sample: number }>>;
const share = (hits: number, n: number) => ({ value: n > 0 ? hits / n : null, sample: n });

/** Each KPI over the cohort that has had time to show it (a 7-day rate looks at adds 7–35 days old). */
export async function measureKpis(db: Db, tenantId: string, now: Date): Promise<Measured> {
  const at = now.toISOString();
  const r = await sql<{
    stores: number; new_friends: number; kept_n: number; kept: number; joined: number; grp_n: number; grp_kept: number;
    first_n: number; first: number; rep_n: number; rep: number;
  }>`
    with adds as (
      select customer_id, min(added_at) as added_at, bool_and(deleted_at is not null and deleted_at < added_at + interval '7 days') as dropped
        from customer_contacts where tenant_id = ${tenantId} group by customer_id
    ),
    cohort7 as (select * from adds where added_at >= ${at}::timestamptz - interval '35 days' and added_at < ${at}::timestamptz - interval '7 days'),
    cohort14 as (select * from adds where added_at >= ${at}::timestamptz - interval '42 days' and added_at < ${at}::timestamptz - interval '14 days'),
    joins as (
      select joined_at, left_at from group_members
       where tenant_id = ${tenantId} and joined_at >= ${at}::timestamptz - interval '35 days' and joined_at < ${at}::timestamptz - interval '7 days'
    ),
    firsts as (
      select id, first_order_at from customers
       where tenant_id = ${tenantId} and first_order_at >= ${at}::timestamptz - interval '60 days' and first_order_at < ${at}::timestamptz - interval '30 days'
    )
    select (select count(*) from stores where tenant_id = ${tenantId})::int as stores,
           (select count(*) from adds where added_at >= ${at}::timestamptz - interval '28 days' and added_at < ${at}::timestamptz)::int as new_friends,
           (select count(*) from cohort7)::int as kept_n,
           (select count(*) from cohort7 where not dropped)::int as kept,
           (select count(*) from cohort7 c where exists (
              select 1 from group_members g where g.tenant_id = ${tenantId} and g.customer_id = c.customer_id and g.joined_at < c.added_at + interval '7 days'))::int as joined,
           (select count(*) from joins)::int as grp_n,
           (select count(*) from joins where left_at is null or left_at >= joined_at + interval '7 days')::int as grp_kept,
           (select count(*) from cohort14)::int as first_n,
           (select count(*) from cohort14 c where exists (
              select 1 from orders o where o.tenant_id = ${tenantId} and o.customer_id = c.customer_id
                 and o.ordered_at >= c.added_at and o.ordered_at < c.added_at + interval '14 days'))::int as first,
           (select count(*) from firsts)::int as rep_n,
           (select count(*) from firsts f where exists (
              select 1 from orders o where o.tenant_id = ${tenantId} and o.customer_id = f.id and o.status <> 'refunded'
                 and o.ordered_at >= f.first_order_at + interval '1 day' and o.ordered_at < f.first_order_at + interval '30 days'))::int as rep`.execute(db);
  const m = r.rows[0];
  if (!m) return {};
  const lift = await memberDayLiftKpi(db, tenantId, now);
  return {
    new_friends_per_store_week: { value: m.new_friends / 4 / Math.max(1, m.stores), sample: m.new_friends },
    friend_retention_7d: share(m.kept, m.kept_n),
    group_join_rate: share(m.joined, m.kept_n),
    group_retention_7d: share(m.grp_kept, m.grp_n),
    first_order_rate_14d: share(m.first, m.first_n),
    repurchase_30d: share(m.rep, m.rep_n),
    member_day_lift: lift,
  };
}

/**
 * The member-day lift of the membership area (average GMV of member days over other days) for the
 * last 8 full local weeks, on the tenant's member days, or Tuesday (百果园's) when none are set.
 */
async function memberDayLiftKpi(db: Db, tenantId: string, now: Date): Promise<{ value: number | null; sample: number }> {
  const zone = await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst();
  const today = localDate(now, zone?.timezone ?? 'Asia/Shanghai');
  const settings = await db.selectFrom('membership_settings').select('member_day_weekdays').where('tenant_id', '=', tenantId).executeTakeFirst();
  const weekdays = settings && settings.member_day_weekdays.length > 0 ? settings.member_day_weekdays : [DEFAULT_MEMBER_DAY_ISO];
  const lift = await memberDayLift(db, tenantId, { from: addDays(today, -LIFT_DAYS), to: addDays(today, -1), weekdays });
  return { value: lift.ratio.gmv, sample: lift.days.reduce((n, d) => n + d.orders, 0) };
}
