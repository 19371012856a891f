// Group health reads members, joins and leaves from the weekly member rollup (group_member_weeks)
// that triggers keep in step with group_members and group_member_changes. These tests check it says
// exactly what those tables say: a seeded world of joins, leaves and rejoins over ten weeks (times
// around the tenant's week boundary, memberships older than the window) goes through ingestion in
// uneven batches, with a resent batch, a merge of two profiles in the same groups, an erasure, and
// direct writes as the demo seeding and a cascade make them. Then every health week is compared
// with the previous computation, which scanned group_members and group_member_changes (kept below
// as the reference), and every verdict with the rules applied to the reference figures.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { figuresOf, recomputeGroupHealth } from '../../src/core/groups/health.service.ts';
import { classifyWeek } from '../../src/core/groups/health.rules.ts';
import { rebuildMemberWeeks } from '../../src/core/groups/member-weeks.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { eraseCustomer } from '../../src/core/privacy/privacy.service.ts';
import type { Db } from '../../src/db/connect.ts';
import { newId } from '../../src/core/ids.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { prng } from '../prng.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');

interface Ev { id: string; type: string; occurredAt: string; customer: Record<string, string>; properties: Record<string, unknown> }

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
// now = Thursday 2026-06-11 12:00 Shanghai; the window's six weeks start Monday 2026-05-04
const NOW = new Date('2026-06-11T04:00:00Z');
const FIRST = Date.parse('2026-05-03T16:00:00Z'); // Monday 2026-05-04 00:00 Shanghai
const WEEKS = 6;
const GROUPS = 6;

function world(): { events: Ev[]; twin: { ext: string; phone: string } } {
  const rand = prng(20260612);
  const events: Ev[] = [];
  let seq = 0;
  const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown>, at: number): void => {
    if (at < NOW.getTime()) events.push({ id: `m-${run}-${++seq}`, type, occurredAt: new Date(at).toISOString(), customer, properties });
  };
  const people = Array.from({ length: 48 }, (_, i) => ({ externalUserId: `mw-${run}-${i}` }));
  // one person known by two identities, each joining (and one leaving) the same groups, later tied together
  const twin = { ext: `mw-${run}-0`, phone: `13${String(parseInt(run, 16) % 100_000_000).padStart(8, '0')}7`.slice(0, 11) };
  // a time in week w (0 = the window's first; negative = before it); a third fall within three hours of Monday 00:00 Shanghai
  const timeIn = (w: number): number => (rand() < 0.33
    ? FIRST + (w + 1) * WEEK + (rand() < 0.5 ? -1 : 1) * Math.floor(1 + rand() * 3 * HOUR)
    : FIRST + w * WEEK + Math.floor(rand() * WEEK));
  for (let g = 0; g < GROUPS; g++) {
    const chatId = `mw-${run}-${g}`;
    ev('group_joined', people[g] ?? {}, { chatId, groupName: `成员群 ${g}` }, FIRST - 9 * WEEK);
    people.forEach((p, i) => {
      if ((i + g) % 4 === 0 && i !== 0) return;
      // joined any time from four weeks before the window to its last week; some leave, some of those come back
      const joined = timeIn(Math.floor(rand() * 10) - 4);
      ev('group_joined', p, { chatId }, joined);
      const r = rand();
      if (r < 0.35) {
        const left = joined + Math.floor(rand() * 3 * WEEK);
        ev('group_left', p, { chatId }, left);
        if (r < 0.12) ev('group_joined', p, { chatId }, left + Math.floor(rand() * 2 * WEEK));
      }
      // talk, so verdicts differ by group
      const talk = g % 3 === 0 ? 0 : g % 3 === 1 ? 2 : 6;
      for (let k = 0; k < talk; k++) ev('message_received', p, { chatId, text: '早上好' }, timeIn(Math.floor(rand() * WEEKS)));
    });
    // a leave never preceded by a join, and the second identity of the twin in the same group
    ev('group_left', { externalUserId: `mw-${run}-stray-${g}` }, { chatId }, timeIn(2));
    ev('group_joined', { phone: twin.phone }, { chatId }, timeIn(-2 + g));
    if (g % 2 === 0) ev('group_left', { phone: twin.phone }, { chatId }, timeIn(3));
  }
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
  return { events, twin };
}

/** The previous member figures, from the membership and change tables themselves, kept as the reference. */
async function membersFromTables(d: Db, tenantId: string, fromWeek: string, currentWeek: string) {
  const tz = (await d.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow()).timezone;
  const from = sql`(${fromWeek}::date::timestamp at time zone ${tz})`;
  const to = sql`((${currentWeek}::date + 7)::timestamp at time zone ${tz})`;
  const rows = await sql<{ group_id: string; week: string; members: number; joins: number; leaves: number }>`
    with weeks as (
      select generate_series(${fromWeek}::date, ${currentWeek}::date, interval '7 days')::date as week
    ), member_moves as (
      select group_id, greatest((date_trunc('week', joined_at at time zone ${tz}))::date, ${fromWeek}::date) as week, count(*) as d
        from group_members where tenant_id = ${tenantId} and joined_at < ${to} group by 1, 2
      union all
      select group_id, greatest((date_trunc('week', left_at at time zone ${tz}))::date, ${fromWeek}::date), -count(*)
        from group_members where tenant_id = ${tenantId} and left_at < ${to} group by 1, 2
    ), moves as (
      select group_id, week, sum(d) as d from member_moves group by 1, 2
    ), changes as (
      select group_id, (date_trunc('week', at at time zone ${tz}))::date as week,
             count(*) filter (where action = 'joined') as joins, count(*) filter (where action = 'left') as leaves
        from group_member_changes where tenant_id = ${tenantId} and at >= ${from} and at < ${to}
       group by 1, 2
    )
    select g.id as group_id, w.week::text as week,
           greatest(sum(coalesce(mv.d, 0)) over (partition by g.id order by w.week), 0)::int as members,
           coalesce(c.joins, 0)::int as joins, coalesce(c.leaves, 0)::int as leaves
      from customer_groups g cross join weeks w
      left join moves mv on mv.group_id = g.id and mv.week = w.week
      left join changes c on c.group_id = g.id and c.week = w.week
     where g.tenant_id = ${tenantId}`.execute(d);
  return new Map(rows.rows.map((r) => [`${r.group_id} ${r.week}`, r]));
}

/** The rollup's rows that say something, in key order, to compare a rebuild with what the triggers kept. */
async function rollup(tenantId: string) {
  return db().selectFrom('group_member_weeks').select(['group_id', 'week', 'came', 'went', 'joins', 'leaves']).where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('came', '<>', 0), eb('went', '<>', 0), eb('joins', '<>', 0), eb('leaves', '<>', 0)]))
    .orderBy('group_id').orderBy('week').execute();
}

let t: string;

beforeAll(async () => {
  t = (await newTenant()).id;
  await buildWorld(db(), t);
  const generated = world();
  const admin = adminOf(t);
  for (let i = 0, size = 29; i < generated.events.length; i += size, size = size === 29 ? 173 : 29) {
    const result = await ingestEvents(db(), admin, generated.events.slice(i, i + size));
    expect(result.rejected).toEqual([]);
  }
  await db().updateTable('customer_groups').set({ created_at: new Date(FIRST - 10 * WEEK) }).where('tenant_id', '=', t).execute();
  // a batch sent again changes nothing
  const again = await ingestEvents(db(), admin, generated.events.slice(0, 200));
  expect(again.duplicates).toBe(200);
  // the twin's identities turn out to be one person: a merge folds their memberships together
  const before = await db().selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t).executeTakeFirstOrThrow();
  await ingestEvents(db(), admin, [{ id: `m-${run}-merge`, type: 'profile_updated', occurredAt: '2026-06-10T00:00:00Z', customer: { externalUserId: generated.twin.ext, phone: generated.twin.phone }, properties: { name: '合并' } }]);
  const after = await db().selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t).executeTakeFirstOrThrow();
  expect(Number(after.n)).toBe(Number(before.n) - 1);
  // an erasure deletes a person's memberships
  const erased = await db().selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', t).where('value', '=', `mw-${run}-5`).executeTakeFirstOrThrow();
  await eraseCustomer(db(), admin, erased.customer_id);
  // direct writes, as the demo seeding and the benches make them: many rows in one statement, then
  // leaves set on some, and a group deleted with its memberships and changes by the cascade
  const groups = await db().selectFrom('customer_groups').select('id').where('tenant_id', '=', t).orderBy('chat_id').execute();
  const customers = await db().selectFrom('customers').select('id').where('tenant_id', '=', t).orderBy('id').limit(30).execute();
  const extra = newId();
  await db().insertInto('customer_groups').values({ tenant_id: t, id: extra, chat_id: `mw-${run}-extra`, name: '直写群', created_at: new Date(FIRST - 10 * WEEK) }).execute();
  await sql`insert into group_members (tenant_id, group_id, customer_id, joined_at, left_at)
            select ${t}::uuid, ${extra}::uuid, c.id, ${new Date(FIRST)}::timestamptz - make_interval(hours => (n * 37)::int), null
              from unnest(${customers.map((c) => c.id)}::uuid[]) with ordinality as c(id, n)`.execute(db());
  await sql`update group_members set left_at = joined_at + interval '9 days' where tenant_id = ${t} and group_id = ${extra} and customer_id = any(${customers.slice(0, 11).map((c) => c.id)}::uuid[])`.execute(db());
  const doomed = groups[GROUPS - 1]?.id ?? '';
  await db().deleteFrom('customer_groups').where('tenant_id', '=', t).where('id', '=', doomed).execute();
}, 120_000);

describe('group health members from the weekly member rollup', () => {
  it('equals members, joins and leaves computed from the membership tables, week by week and verdict by verdict', async () => {
    const result = await recomputeGroupHealth(db(), t, { weeks: WEEKS, now: NOW });
    expect(result).toMatchObject({ groups: GROUPS, fromWeek: '2026-05-04', judgedWeek: '2026-06-01', classified: GROUPS });
    const reference = await membersFromTables(db(), t, result.fromWeek, '2026-06-08');
    const weeks = await db().selectFrom('group_health_weeks').selectAll().where('tenant_id', '=', t).execute();
    expect(weeks).toHaveLength(GROUPS * WEEKS);
    for (const row of weeks) {
      const ref = reference.get(`${row.group_id} ${row.week}`);
      expect({ members: row.members, joins: row.joins, leaves: row.leaves }, `${row.group_id} ${row.week}`)
        .toEqual({ members: ref?.members, joins: ref?.joins, leaves: ref?.leaves });
    }
    // the world is not trivial: members change from week to week, with joins and leaves in the window
    const total = weeks.reduce((s, r) => ({ joins: s.joins + r.joins, leaves: s.leaves + r.leaves }), { joins: 0, leaves: 0 });
    expect(total.joins).toBeGreaterThan(20);
    expect(total.leaves).toBeGreaterThan(10);
    expect(new Set(weeks.map((r) => r.members)).size).toBeGreaterThan(GROUPS);
    expect(weeks.some((r) => r.members > 0 && r.week === result.fromWeek)).toBe(true);

    // the verdicts: the rules applied to the reference member figures give what was stored
    const groups = await db().selectFrom('customer_groups').select(['id', 'kind', 'capacity', 'created_at']).where('tenant_id', '=', t).execute();
    const verdicts = await db().selectFrom('group_health').selectAll().where('tenant_id', '=', t).execute();
    expect(verdicts).toHaveLength(GROUPS);
    for (const v of verdicts) {
      const g = groups.find((x) => x.id === v.group_id);
      const stored = weeks.find((x) => x.group_id === v.group_id && x.week === '2026-06-01');
      const ref = reference.get(`${v.group_id} 2026-06-01`);
      if (!g || !stored || !ref) throw new Error(`group ${v.group_id} not found`);
      const ageDays = Math.floor((Date.parse('2026-06-08T00:00:00Z') - g.created_at.getTime()) / 86_400_000);
      const expected = classifyWeek(figuresOf({ ...stored, members: ref.members, joins: ref.joins, leaves: ref.leaves }), { kind: g.kind, capacity: g.capacity, ageDays });
      expect({ class: v.class, shape: v.shape, reasons: v.reasons, actions: v.actions }).toEqual(expected);
    }
    expect(new Set(verdicts.map((v) => v.class)).size).toBeGreaterThan(1);
  });

  it('is what a rebuild from the membership tables gives, and a rebuild after a zone change follows the new zone', async () => {
    const kept = await rollup(t);
    expect(kept.length).toBeGreaterThan(30);
    await rebuildMemberWeeks(db(), t);
    expect(await rollup(t)).toEqual(kept);

    await db().updateTable('tenants').set({ timezone: 'America/New_York' }).where('id', '=', t).execute();
    await rebuildMemberWeeks(db(), t);
    const result = await recomputeGroupHealth(db(), t, { weeks: WEEKS, now: NOW });
    const reference = await membersFromTables(db(), t, result.fromWeek, '2026-06-08');
    const weeks = await db().selectFrom('group_health_weeks').selectAll().where('tenant_id', '=', t).execute();
    expect(weeks.length).toBeGreaterThan(0);
    for (const row of weeks) {
      const ref = reference.get(`${row.group_id} ${row.week}`);
      expect({ members: row.members, joins: row.joins, leaves: row.leaves }, `${row.group_id} ${row.week}`)
        .toEqual({ members: ref?.members, joins: ref?.joins, leaves: ref?.leaves });
    }
  });
});
