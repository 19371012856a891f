// Weekly group health for every group of a tenant, recomputed set-wise: one statement aggregates
// the window's weekly per-speaker rollup (group_speaker_weeks, kept by ingestion: a row per group,
// week and speaker, so distinct speakers are a row count and raw messages are never read) and the
// weekly member rollup (group_member_weeks, kept in step with group_members and group_member_changes
// by triggers: members at a week's end by running sums, joins and leaves as counted). Then each group's
// last complete week is classified by the pure rules (health.rules.ts) and written with its reasons
// and actions in one upsert.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupKind } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { addDays, localDate, startOfLocalDay } from '../time.ts';
import { classifyWeek, isoWeekStart, type WeekFigures } from './health.rules.ts';

export interface HealthRun {
  groups: number;
  weeks: number;
  weekRows: number;
  classified: number;
  fromWeek: string;
  judgedWeek: string;
}

const DAY = 86_400_000;

/**
 * Recomputes the last `weeks` ISO weeks (the current one included) of every group of the tenant and
 * classifies each group on its last complete week.
 */
export async function recomputeGroupHealth(db: Db, tenantId: string, options: { weeks?: number; now?: Date } = {}): Promise<HealthRun> {
  const weeks = Math.min(Math.max(options.weeks ?? 2, 1), 26);
  const tenant = await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const tz = tenant.timezone;
  const now = options.now ?? new Date();
  const currentWeek = isoWeekStart(localDate(now, tz));
  const fromWeek = addDays(currentWeek, -7 * (weeks - 1));
  const judgedWeek = addDays(currentWeek, -7);
  const from = startOfLocalDay(fromWeek, tz);
  const to = startOfLocalDay(addDays(currentWeek, 7), tz);

  return inTransaction(db, async (trx) => {
    // The aggregations hold one entry per group and week: give them room rather than spill.
    await sql`set local work_mem = '256MB'`.execute(trx);
    await sql`delete from group_health_weeks where tenant_id = ${tenantId} and week >= ${fromWeek}::date`.execute(trx);
    const inserted = await sql`
      with weeks as (
        select generate_series(${fromWeek}::date, ${currentWeek}::date, interval '7 days')::date as week
      ), grp as (
        select id, owner_staff_id, (date_trunc('week', created_at at time zone ${tz}))::date as first_week
          from customer_groups
         where tenant_id = ${tenantId} and created_at < ${to} and (dissolved_at is null or dissolved_at >= ${from})
      ), msg as (
        select s.group_id, s.week,
               sum(s.messages) as messages,
               coalesce(sum(s.messages) filter (where s.staff), 0) as staff_messages,
               coalesce(sum(s.messages) filter (where s.staff and s.speaker_id = g.owner_staff_id), 0) as owner_messages,
               count(*) filter (where not s.staff) as active_members,
               sum(s.replies) as replies,
               coalesce(sum(s.to_member) filter (where not s.staff), 0) as member_replies,
               coalesce(sum(s.replies) filter (where s.staff), 0) + coalesce(sum(s.to_staff) filter (where not s.staff), 0) as staff_replies,
               coalesce(sum(s.links) filter (where not s.staff), 0) as member_links,
               sum(s.flagged) as flagged
          from group_speaker_weeks s join grp g on g.id = s.group_id
         where s.tenant_id = ${tenantId} and s.week between ${fromWeek}::date and ${currentWeek}::date
         group by 1, 2
      ), moves as (
        -- members at each week's end: the running sum of memberships begun less those ended, from
        -- the weekly rollup kept in step with group_members (0034); weeks before the window open it
        select group_id, greatest(week, ${fromWeek}::date) as week, sum(came - went) as d
          from group_member_weeks where tenant_id = ${tenantId} and week <= ${currentWeek}::date group by 1, 2
      ), changes as (
        select group_id, week, joins, leaves
          from group_member_weeks where tenant_id = ${tenantId} and week between ${fromWeek}::date and ${currentWeek}::date
      ), grid as (
        select g.id as group_id, w.week, g.first_week,
               sum(coalesce(mv.d, 0)) over (partition by g.id order by w.week) as members
          from grp g cross join weeks w
          left join moves mv on mv.group_id = g.id and mv.week = w.week
      )
      insert into group_health_weeks (tenant_id, group_id, week, members, joins, leaves, messages, staff_messages, owner_messages,
                                      active_members, replies, member_replies, staff_replies, member_links, flagged_messages)
      select ${tenantId}, x.group_id, x.week, greatest(x.members, 0), coalesce(c.joins, 0), coalesce(c.leaves, 0),
             coalesce(m.messages, 0), coalesce(m.staff_messages, 0), coalesce(m.owner_messages, 0), coalesce(m.active_members, 0),
             coalesce(m.replies, 0), coalesce(m.member_replies, 0), coalesce(m.staff_replies, 0), coalesce(m.member_links, 0), coalesce(m.flagged, 0)
        from grid x
        left join msg m on m.group_id = x.group_id and m.week = x.week
        left join changes c on c.group_id = x.group_id and c.week = x.week
       where x.week >= x.first_week`.execute(trx);
    const weekRows = Number(inserted.numAffectedRows ?? 0);
    const classified = await classifyGroups(trx, tenantId, judgedWeek, now);
    const groups = await trx.selectFrom('customer_groups').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    return { groups: Number(groups.n), weeks, weekRows, classified, fromWeek, judgedWeek };
  });
}

interface JudgedRow {
  group_id: string; kind: GroupKind; capacity: number; created_at: Date;
  members: number; joins: number; leaves: number; messages: number; staff_messages: number; owner_messages: number; active_members: number;
  replies: number; member_replies: number; staff_replies: number; member_links: number; flagged_messages: number;
}

export function figuresOf(r: Omit<JudgedRow, 'group_id' | 'kind' | 'capacity' | 'created_at'>): WeekFigures {
  return {
    members: r.members, joins: r.joins, leaves: r.leaves, messages: r.messages, staffMessages: r.staff_messages, ownerMessages: r.owner_messages,
    activeMembers: r.active_members, replies: r.replies, memberReplies: r.member_replies, staffReplies: r.staff_replies,
    memberLinks: r.member_links, flaggedMessages: r.flagged_messages,
  };
}

/** Classifies every active group on one week and replaces its present verdict. */
async function classifyGroups(db: Db, tenantId: string, week: string, now: Date): Promise<number> {
  const rows = await sql<JudgedRow>`
    select w.group_id, g.kind, g.capacity, g.created_at, w.members, w.joins, w.leaves, w.messages, w.staff_messages, w.owner_messages,
           w.active_members, w.replies, w.member_replies, w.staff_replies, w.member_links, w.flagged_messages
      from group_health_weeks w join customer_groups g on g.tenant_id = w.tenant_id and g.id = w.group_id
     where w.tenant_id = ${tenantId} and w.week = ${week}::date and g.status = 'active'`.execute(db);
  if (rows.rows.length === 0) return 0;
  const weekEnd = Date.parse(`${week}T00:00:00Z`) + 7 * DAY;
  const verdicts = rows.rows.map((r) => ({
    groupId: r.group_id,
    verdict: classifyWeek(figuresOf(r), { kind: r.kind, capacity: r.capacity, ageDays: Math.max(0, Math.floor((weekEnd - r.created_at.getTime()) / DAY)) }),
  }));
  await sql`
    insert into group_health (tenant_id, group_id, week, class, shape, reasons, actions, computed_at)
    select ${tenantId}, u.group_id, ${week}::date, u.class, u.shape, u.reasons, u.actions, ${now}
      from unnest(${verdicts.map((v) => v.groupId)}::uuid[], ${verdicts.map((v) => v.verdict.class)}::text[], ${verdicts.map((v) => v.verdict.shape)}::text[],
                  ${verdicts.map((v) => JSON.stringify(v.verdict.reasons))}::jsonb[], ${verdicts.map((v) => JSON.stringify(v.verdict.actions))}::jsonb[])
           as u(group_id, class, shape, reasons, actions)
    on conflict (tenant_id, group_id) do update
       set week = excluded.week, class = excluded.class, shape = excluded.shape, reasons = excluded.reasons,
           actions = excluded.actions, computed_at = excluded.computed_at`.execute(db);
  return verdicts.length;
}
