// The member day (会员日): on the tenant's chosen weekday(s), its exclusive coupon for everyone in
// an active customer group, issued once per date; and its sales lift against other days.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { invalid } from '../errors.ts';
import { isoWeekday, nextDate, startOfLocalDay } from '../time.ts';
import { liftOf, type DaySales, type LiftSummary } from './membership.rules.ts';

export interface MemberDayRun {
  date: string;
  ran: boolean;
  /** Why nothing was issued: not a member day, no coupon set, or issued before. */
  skippedBecause: 'not_member_day' | 'no_template' | 'already_issued' | null;
  issued: number;
  skipped: number;
}

const CHUNK = 1000;

/**
 * Issues the member-day coupon for a local date, if it is a member day. Idempotent per date: the
 * run row is written last, and coupons carry the key 'member_day:<date>', so a run cut short and
 * run again issues only what is missing.
 */
export async function issueMemberDayCoupons(db: Db, tenantId: string, date: string): Promise<MemberDayRun> {
  const s = (await sql<{ member_day_weekdays: number[] | null; member_day_template_id: string | null }>`
    select s.member_day_weekdays, s.member_day_template_id from tenants t left join membership_settings s on s.tenant_id = t.id
     where t.id = ${tenantId}`.execute(db)).rows[0];
  const none = (skippedBecause: MemberDayRun['skippedBecause']): MemberDayRun => ({ date, ran: false, skippedBecause, issued: 0, skipped: 0 });
  if (!s?.member_day_weekdays?.includes(isoWeekday(date))) return none('not_member_day');
  const templateId = s.member_day_template_id;
  if (!templateId) return none('no_template');
  const done = await db.selectFrom('member_day_runs').select(['issued', 'skipped']).where('tenant_id', '=', tenantId).where('day', '=', date).executeTakeFirst();
  if (done) return { ...none('already_issued'), issued: done.issued, skipped: done.skipped };

  const members = await sql<{ customer_id: string }>`
    select distinct gm.customer_id from group_members gm
      join customer_groups g on g.tenant_id = gm.tenant_id and g.id = gm.group_id
     where gm.tenant_id = ${tenantId} and gm.left_at is null and g.status = 'active'
     order by gm.customer_id`.execute(db);
  const ids = members.rows.map((r) => r.customer_id);
  let issued = 0;
  let skipped = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const result = await issueCoupons(db, tenantId, templateId, ids.slice(i, i + CHUNK), { requestKey: `member_day:${date}`, source: 'member_day', actor: 'member_day', partial: true });
    issued += result.issued.length + result.duplicates.length;
    skipped += result.skipped.length;
  }
  await sql`insert into member_day_runs (tenant_id, day, template_id, issued, skipped) values (${tenantId}, ${date}, ${templateId}, ${issued}, ${skipped})
            on conflict do nothing`.execute(db);
  return { date, ran: true, skippedBecause: null, issued, skipped };
}

export interface MemberDayLift extends LiftSummary {
  from: string;
  to: string;
  weekdays: number[];
  days: DaySales[];
}

export const MAX_LIFT_DAYS = 731;

/**
 * GMV (paid less refunded), orders and buying customers per local day over [from, to], member days
 * against the rest. `weekdays` defaults to the tenant's member days.
 */
export async function memberDayLift(db: Db, tenantId: string, range: { from: string; to: string; weekdays?: number[] | undefined }): Promise<MemberDayLift> {
  if (range.to < range.from) throw invalid('query.to', 'must not be before from', { code: 'range_reversed', params: { from: range.from, to: range.to } });
  const span = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1;
  if (span > MAX_LIFT_DAYS) throw invalid('query.to', `a range holds at most ${MAX_LIFT_DAYS} days`, { code: 'range_too_long', params: { maximum: MAX_LIFT_DAYS } });
  const t = (await sql<{ timezone: string; weekdays: number[] | null }>`
    select t.timezone, s.member_day_weekdays as weekdays from tenants t left join membership_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(db)).rows[0];
  const zone = t?.timezone ?? 'Asia/Shanghai';
  const weekdays = range.weekdays ?? t?.weekdays ?? [];
  const rows = await sql<{ day: string; gmv_fen: number; orders: number; customers: number }>`
    select to_char(o.ordered_at at time zone ${zone}, 'YYYY-MM-DD') as day, sum(o.paid_fen - o.refunded_fen)::bigint as gmv_fen,
           count(*)::int as orders, count(distinct o.customer_id)::int as customers
      from orders o
     where o.tenant_id = ${tenantId} and o.ordered_at >= ${startOfLocalDay(range.from, zone)} and o.ordered_at < ${startOfLocalDay(nextDate(range.to), zone)}
     group by 1`.execute(db);
  const byDay = new Map(rows.rows.map((r) => [r.day, r]));
  const days: DaySales[] = [];
  for (let d = range.from; d <= range.to; d = nextDate(d)) {
    const r = byDay.get(d);
    days.push({ date: d, memberDay: weekdays.includes(isoWeekday(d)), gmvFen: r?.gmv_fen ?? 0, orders: r?.orders ?? 0, customers: r?.customers ?? 0 });
  }
  return { from: range.from, to: range.to, weekdays, days, ...liftOf(days) };
}
