// Group health reads the weekly per-speaker rollup ingestion keeps; these tests check it says exactly
// what the raw group messages say. A seeded world of groups, members and messages (staff and
// members, replies to either, links, flagged words, times around the tenant's week boundary) goes
// through ingestion in many batches, with a resent batch and a merge of two profiles that both spoke;
// then the health weeks and verdicts are compared with the previous way of computing them, which
// aggregated the raw messages (kept below as the reference).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { figuresOf, recomputeGroupHealth } from '../../src/core/groups/health.service.ts';
import { classifyWeek } from '../../src/core/groups/health.rules.ts';
import { createGroupRule } from '../../src/core/groups/rules.service.ts';
import { pruneGroupMessages, rebuildSpeakerWeeks } from '../../src/core/groups/speaker-weeks.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import type { Db } from '../../src/db/connect.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { prng } from '../prng.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');

interface Ev { id: string; type: string; occurredAt: string; customer: Record<string, string>; properties: Record<string, unknown> }

const HOUR = 3_600_000;
// now = Thursday 2026-06-11 12:00 Shanghai; five complete weeks before it from Monday 2026-05-04
const NOW = new Date('2026-06-11T04:00:00Z');
const FIRST = Date.parse('2026-05-03T16:00:00Z'); // Monday 2026-05-04 00:00 Shanghai
const WEEKS = 6;

function world(w: World, liWecom: string, wangWecom: string): { events: Ev[]; phoneOf: string; extOf: string } {
  const rand = prng(20260611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const events: Ev[] = [];
  let seq = 0;
  const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown>, at: number): Ev => {
    const e = { id: `r-${run}-${++seq}`, type, occurredAt: new Date(at).toISOString(), customer, properties };
    events.push(e);
    return e;
  };
  const people = Array.from({ length: 36 }, (_, i) => ({ externalUserId: `wx-${run}-${i}` }));
  // one person known by two identities: they speak as both before a later event ties them together
  const extOf = `wx-${run}-0`;
  const phoneOf = `13${String(parseInt(run, 16) % 100_000_000).padStart(8, '0')}9`.slice(0, 11);
  const characters = ['lively', 'lively', 'owner', 'spam', 'dead', 'lively', 'owner', 'mixed'] as const;
  characters.forEach((character, g) => {
    const chatId = `wr-${run}-${g}`;
    const members = people.filter((_, i) => (i + g) % 3 !== 0 || i === 0);
    const said: Ev[] = [];
    members.forEach((m, i) => ev('group_joined', m, i === 0 ? { chatId, groupName: `群 ${g}`, ownerWecomUserId: g % 2 === 0 ? liWecom : wangWecom } : { chatId }, FIRST - 10 * 24 * HOUR + i * HOUR));
    for (let week = 0; week < WEEKS; week++) {
      const n = character === 'dead' ? Math.floor(rand() * 3) : 15 + Math.floor(rand() * 25);
      for (let k = 0; k < n; k++) {
        // a quarter of the messages fall in the last hours of Sunday or the first of Monday (Shanghai)
        const edge = rand() < 0.25;
        const at = edge ? FIRST + (week + 1) * 7 * 24 * HOUR + (rand() < 0.5 ? -1 : 1) * Math.floor(1 + rand() * 3 * HOUR)
          : FIRST + week * 7 * 24 * HOUR + Math.floor(rand() * 7 * 24 * HOUR);
        if (at >= NOW.getTime()) continue;
        const staffShare = character === 'owner' ? 0.7 : character === 'spam' ? 0.05 : 0.2;
        const replyTo = said.length > 0 && rand() < (character === 'lively' ? 0.6 : 0.3) ? pick(said).id : undefined;
        const link = rand() < (character === 'spam' ? 0.6 : 0.03);
        const text = `${pick(['早上好', '车厘子还有吗', '几点到货', '谢谢', '代购找我', '好的'])}${link ? ' https://x.example.com/p' : ''}`;
        let e: Ev;
        if (rand() < staffShare) {
          const who = rand();
          const staff = who < 0.4 ? {} : who < 0.7 ? { staffWecomUserId: liWecom } : { staffId: w.staff.wang };
          e = ev('message_sent', pick(members), { chatId, text, ...staff, ...(replyTo ? { replyTo } : {}) }, at);
        } else {
          const speaker = g === 0 && rand() < 0.2 ? { phone: phoneOf } : pick(members.slice(0, character === 'lively' ? members.length : 8));
          e = ev('message_received', speaker, { chatId, text, ...(replyTo ? { replyTo } : {}) }, at);
        }
        said.push(e);
      }
      if (character === 'mixed' && week === 2) members.slice(-4).forEach((m, i) => ev('group_left', m, { chatId }, FIRST + week * 7 * 24 * HOUR + i * HOUR));
    }
  });
  // ingestion needs a quoted message before the reply to it: time order, as WeCom delivers them
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
  return { events, phoneOf, extOf };
}

/** The previous health computation over the raw messages, kept as the reference. */
async function healthFromRawMessages(d: Db, tenantId: string, fromWeek: string, currentWeek: string) {
  const tz = (await d.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow()).timezone;
  const rows = await sql<{ group_id: string; week: string; messages: number; staff_messages: number; owner_messages: number; active_members: number;
    replies: number; member_replies: number; staff_replies: number; member_links: number; flagged: number }>`
    with by_sender as (
      select m.group_id, (date_trunc('week', m.sent_at at time zone ${tz}))::date as week, m.sender_customer_id, m.sender_staff_id,
             count(*) as messages,
             count(*) filter (where m.reply_to_customer_id is not null or m.reply_to_staff_id is not null) as replies,
             count(*) filter (where m.reply_to_customer_id is not null) as to_member,
             count(*) filter (where m.reply_to_staff_id is not null) as to_staff,
             count(*) filter (where m.has_link) as links,
             count(*) filter (where m.flagged) as flagged
        from group_messages m
       where m.tenant_id = ${tenantId} and m.sent_at >= (${fromWeek}::date::timestamp at time zone ${tz})
         and m.sent_at < ((${currentWeek}::date + 7)::timestamp at time zone ${tz})
       group by 1, 2, 3, 4
    )
    select s.group_id, s.week::text as week,
           sum(s.messages)::int as messages,
           coalesce(sum(s.messages) filter (where s.sender_staff_id is not null), 0)::int as staff_messages,
           coalesce(sum(s.messages) filter (where s.sender_staff_id = g.owner_staff_id), 0)::int as owner_messages,
           (count(*) filter (where s.sender_customer_id is not null))::int as active_members,
           sum(s.replies)::int as replies,
           coalesce(sum(s.to_member) filter (where s.sender_customer_id is not null), 0)::int as member_replies,
           (coalesce(sum(s.replies) filter (where s.sender_staff_id is not null), 0)
             + coalesce(sum(s.to_staff) filter (where s.sender_customer_id is not null), 0))::int as staff_replies,
           coalesce(sum(s.links) filter (where s.sender_customer_id is not null), 0)::int as member_links,
           sum(s.flagged)::int as flagged
      from by_sender s join customer_groups g on g.tenant_id = ${tenantId} and g.id = s.group_id
     group by 1, 2`.execute(d);
  return new Map(rows.rows.map((r) => [`${r.group_id} ${r.week}`, r]));
}

let w: World;
let t: string;
let merged: { phoneOf: string; extOf: string };

beforeAll(async () => {
  t = (await newTenant()).id;
  w = await buildWorld(db(), t);
  const wecom = await db().selectFrom('staff').select(['id', 'wecom_user_id']).where('tenant_id', '=', t).execute();
  const wecomOf = (id: string) => wecom.find((s) => s.id === id)?.wecom_user_id ?? '';
  await createGroupRule(db(), t, { name: '代购', kind: 'banned_word', match: 'keyword', pattern: '代购', action: 'flag' });
  const generated = world(w, wecomOf(w.staff.li), wecomOf(w.staff.wang));
  merged = generated;
  // batches of uneven size, so the same speaker's week is added to across batches
  const admin = adminOf(t);
  for (let i = 0, size = 37; i < generated.events.length; i += size, size = size === 37 ? 211 : 37) {
    const result = await ingestEvents(db(), admin, generated.events.slice(i, i + size));
    expect(result.rejected).toEqual([]);
  }
  // groups are registered on first sight, i.e. now: date them to their first members' joining
  await db().updateTable('customer_groups').set({ created_at: new Date(FIRST - 11 * 24 * HOUR) }).where('tenant_id', '=', t).execute();
  // a batch sent again changes nothing
  const again = await ingestEvents(db(), admin, generated.events.slice(0, 300));
  expect(again.duplicates).toBe(300);
}, 120_000);

describe('group health from the weekly rollup', () => {
  it('equals health computed from the raw messages, week by week and verdict by verdict, after a merge', async () => {
    // the two identities of one person, both having spoken in group 0, turn out to be one profile
    const before = await db().selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t).executeTakeFirstOrThrow();
    await ingestEvents(db(), adminOf(t), [{ id: `r-${run}-merge`, type: 'profile_updated', occurredAt: '2026-06-10T00:00:00Z', customer: { externalUserId: merged.extOf, phone: merged.phoneOf }, properties: { name: '合并' } }]);
    const after = await db().selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) - 1);

    const result = await recomputeGroupHealth(db(), t, { weeks: WEEKS, now: NOW });
    expect(result).toMatchObject({ groups: 8, fromWeek: '2026-05-04', judgedWeek: '2026-06-01', classified: 8 });
    const reference = await healthFromRawMessages(db(), t, result.fromWeek, '2026-06-08');
    const weeks = await db().selectFrom('group_health_weeks').selectAll().where('tenant_id', '=', t).execute();
    expect(weeks).toHaveLength(8 * WEEKS);
    let compared = 0;
    for (const row of weeks) {
      const raw = reference.get(`${row.group_id} ${row.week}`);
      const fromRaw = raw ? { ...raw } : { messages: 0, staff_messages: 0, owner_messages: 0, active_members: 0, replies: 0, member_replies: 0, staff_replies: 0, member_links: 0, flagged: 0 };
      expect({
        messages: row.messages, staff_messages: row.staff_messages, owner_messages: row.owner_messages, active_members: row.active_members, replies: row.replies,
        member_replies: row.member_replies, staff_replies: row.staff_replies, member_links: row.member_links, flagged: row.flagged_messages,
      }, `${row.group_id} ${row.week}`).toEqual({
        messages: fromRaw.messages, staff_messages: fromRaw.staff_messages, owner_messages: fromRaw.owner_messages, active_members: fromRaw.active_members,
        replies: fromRaw.replies, member_replies: fromRaw.member_replies, staff_replies: fromRaw.staff_replies, member_links: fromRaw.member_links, flagged: fromRaw.flagged,
      });
      if (raw) compared += 1;
    }
    // the world is not trivially empty: most group-weeks had messages, with every kind of figure
    expect(compared).toBeGreaterThan(30);
    const totals = weeks.reduce((s, r) => ({ staff: s.staff + r.staff_messages, owner: s.owner + r.owner_messages, memberReplies: s.memberReplies + r.member_replies,
      staffReplies: s.staffReplies + r.staff_replies, links: s.links + r.member_links, flagged: s.flagged + r.flagged_messages }), { staff: 0, owner: 0, memberReplies: 0, staffReplies: 0, links: 0, flagged: 0 });
    for (const [figure, n] of Object.entries(totals)) expect(n, figure).toBeGreaterThan(0);

    // the verdicts: the rules applied to the reference figures give what was stored
    const groups = await db().selectFrom('customer_groups').select(['id', 'kind', 'capacity', 'created_at']).where('tenant_id', '=', t).execute();
    const verdicts = await db().selectFrom('group_health').selectAll().where('tenant_id', '=', t).execute();
    expect(verdicts).toHaveLength(8);
    for (const v of verdicts) {
      const g = groups.find((x) => x.id === v.group_id);
      const stored = weeks.find((x) => x.group_id === v.group_id && x.week === '2026-06-01');
      const raw = reference.get(`${v.group_id} 2026-06-01`);
      if (!g || !stored) throw new Error(`group ${v.group_id} not found`);
      const figures = figuresOf({ ...stored, ...(raw ? { ...raw, flagged_messages: raw.flagged } : { messages: 0, staff_messages: 0, owner_messages: 0, active_members: 0, replies: 0, member_replies: 0, staff_replies: 0, member_links: 0, flagged_messages: 0 }) });
      const ageDays = Math.floor((Date.parse('2026-06-08T00:00:00Z') - g.created_at.getTime()) / 86_400_000);
      const expected = classifyWeek(figures, { kind: g.kind, capacity: g.capacity, ageDays });
      expect({ class: v.class, shape: v.shape, reasons: v.reasons, actions: v.actions }).toEqual(expected);
    }
    expect(new Set(verdicts.map((v) => v.class)).size).toBeGreaterThan(1);
  });

  it('is rebuilt from the raw messages kept to the same counts, and old raw messages are pruned without touching it', async () => {
    const counted = await db().selectFrom('group_speaker_weeks').selectAll().where('tenant_id', '=', t).orderBy('week').orderBy('group_id').orderBy('staff').orderBy('speaker_id').execute();
    expect(counted.length).toBeGreaterThan(100);
    await rebuildSpeakerWeeks(db(), t, '2026-04-20');
    const rebuilt = await db().selectFrom('group_speaker_weeks').selectAll().where('tenant_id', '=', t).orderBy('week').orderBy('group_id').orderBy('staff').orderBy('speaker_id').execute();
    expect(rebuilt).toEqual(counted);

    const pruned = await pruneGroupMessages(db(), t, { keepDays: 28, now: NOW });
    const left = await sql<{ oldest: Date }>`select min(sent_at) as oldest from group_messages where tenant_id = ${t}`.execute(db());
    expect(pruned).toBeGreaterThan(0);
    expect(left.rows[0]?.oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 28 * 86_400_000);
    const kept = await db().selectFrom('group_speaker_weeks').selectAll().where('tenant_id', '=', t).orderBy('week').orderBy('group_id').orderBy('staff').orderBy('speaker_id').execute();
    expect(kept).toEqual(counted);
  });
});
