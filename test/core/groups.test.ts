// Groups on the real database: ingested group events become member history and compact group
// messages; moderation and auto-reply act on members' messages; weekly health is recomputed and
// classified; auto-invite rules create tasks and roll full groups over; merges move group rows.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { recomputeGroupHealth } from '../../src/core/groups/health.service.ts';
import { rebuildSpeakerWeeks } from '../../src/core/groups/speaker-weeks.service.ts';
import { createInviteRule, runInviteRule } from '../../src/core/groups/invites.service.ts';
import { createGroupRule } from '../../src/core/groups/rules.service.ts';
import { groupMessages, listGroups, memberHistory } from '../../src/core/groups/groups.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { newId } from '../../src/core/ids.ts';
import { createTag, createTagGroup } from '../../src/core/tags/tags.service.ts';
import { tagCustomer } from '../../src/core/tags/customer-tags.service.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
let seq = 0;
const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown>, occurredAt: string) =>
  ({ id: `g-${run}-${++seq}`, type, occurredAt, customer, properties });

let world: World;
let liWecom: string;

beforeAll(async () => {
  const tenant = await newTenant();
  world = await buildWorld(db(), tenant.id);
  const li = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
  liWecom = li.wecom_user_id ?? '';
});

describe('group activity from ingestion', () => {
  it('keeps joins, leaves and messages with sender, reply target, link and flag; moderation and auto-reply act', async () => {
    const t = world.tenantId;
    const chatId = `wr-${run}-a`;
    await createGroupRule(db(), t, { name: '营业时间', kind: 'auto_reply', match: 'keyword', pattern: '营业时间', replyTemplate: '{nickname}您好，{group}每天 8:00 开门', action: 'reply' });
    await createGroupRule(db(), t, { name: '代购', kind: 'banned_word', match: 'keyword', pattern: '代购', action: 'remove' });
    await createGroupRule(db(), t, { name: '链接', kind: 'link', match: 'any_link', action: 'flag' });
    const mei = { customerId: world.customers.mei };
    const lei = { customerId: world.customers.lei };
    const owner = ev('message_sent', mei, { chatId, staffWecomUserId: liWecom, text: '今天车厘子到货' }, '2026-05-04T01:00:00Z');
    const meiAsks = ev('message_received', mei, { chatId, text: '请问营业时间？', replyTo: owner.id }, '2026-05-04T01:05:00Z');
    const result = await ingestEvents(db(), adminOf(t), [
      ev('group_joined', mei, { chatId, groupName: '福田鲜果群', ownerWecomUserId: liWecom }, '2026-05-04T00:00:00Z'),
      ev('group_joined', lei, { chatId }, '2026-05-04T00:10:00Z'),
      owner, meiAsks,
      ev('message_received', lei, { chatId, text: '早上八点', replyTo: meiAsks.id }, '2026-05-04T01:06:00Z'),
      ev('message_received', lei, { chatId, text: '专业代购 https://x.example.com' }, '2026-05-04T01:07:00Z'),
      ev('group_left', lei, { chatId }, '2026-05-04T02:00:00Z'),
      ev('message_received', mei, { text: '私聊不是群消息' }, '2026-05-04T03:00:00Z'),
    ]);
    expect(result).toMatchObject({ accepted: 8, rejected: [] });

    const group = await db().selectFrom('customer_groups').selectAll().where('tenant_id', '=', t).where('chat_id', '=', chatId).executeTakeFirstOrThrow();
    expect(group).toMatchObject({ name: '福田鲜果群', owner_staff_id: world.staff.li, store_id: world.stores.futian });
    const rows = await db().selectFrom('group_messages').selectAll().where('tenant_id', '=', t).where('group_id', '=', group.id).orderBy('sent_at').execute();
    expect(rows.map((r) => [r.sender_customer_id, r.sender_staff_id, r.reply_to_customer_id, r.reply_to_staff_id, r.has_link, r.flagged, r.text_length])).toEqual([
      [null, world.staff.li, null, null, false, false, 7],
      [world.customers.mei, null, null, world.staff.li, false, false, 7],
      [world.customers.lei, null, world.customers.mei, null, false, false, 4],
      [world.customers.lei, null, null, null, true, true, '专业代购 https://x.example.com'.length],
    ]);
    const history = await memberHistory(db(), adminOf(t), group.id, 10);
    expect(history.map((h) => [h.name, h.action])).toEqual([['张磊', 'left'], ['张磊', 'joined'], ['陈美', 'joined']]);

    const log = await db().selectFrom('group_moderation_log').select(['action', 'customer_id']).where('tenant_id', '=', t).orderBy('action').execute();
    expect(log).toEqual([
      { action: 'flag', customer_id: world.customers.lei }, { action: 'remove', customer_id: world.customers.lei }, { action: 'reply', customer_id: world.customers.mei },
    ]);
    const tasks = await db().selectFrom('guide_tasks').select(['kind', 'staff_id', 'customer_id', 'group_id']).where('tenant_id', '=', t).where('source_kind', '=', 'group_moderation').execute();
    expect(tasks).toEqual([{ kind: 'remove_from_group', staff_id: world.staff.li, customer_id: world.customers.lei, group_id: group.id }]);
    const replies = await db().selectFrom('messages').select(['customer_id', 'purpose', 'source_kind', 'staff_id', 'content', 'status']).where('tenant_id', '=', t).execute();
    expect(replies).toEqual([{ customer_id: world.customers.mei, purpose: 'service', source_kind: 'auto_reply', staff_id: world.staff.li, content: { text: '陈美您好，福田鲜果群每天 8:00 开门' }, status: 'requested' }]);

    const page = await groupMessages(db(), adminOf(t), group.id, { page: 1, pageSize: 10 });
    expect(page.total).toBe(4);
    expect(page.items[0]).toMatchObject({ text: '专业代购 https://x.example.com', flagged: true, sender: { kind: 'customer', name: '张磊' } });
    expect(page.items[3]).toMatchObject({ text: '今天车厘子到货', sender: { kind: 'staff', name: '李娜', isOwner: true } });

    // the same batch again: duplicates, nothing written twice
    const again = await ingestEvents(db(), adminOf(t), [meiAsks]);
    expect(again.duplicates).toBe(1);
    const n = await sql<{ n: number }>`select count(*)::int as n from group_messages where tenant_id = ${t}`.execute(db());
    expect(n.rows[0]?.n).toBe(4);
  });
});

describe('weekly health', () => {
  it('recomputes weeks set-wise and classifies each group on its last complete week', async () => {
    const tenant = await newTenant();
    const t = tenant.id;
    const w = await buildWorld(db(), t);
    // now = Wednesday 2026-05-13 (Shanghai); judged week = Monday 2026-05-04
    const now = new Date('2026-05-13T04:00:00Z');
    const customers = Array.from({ length: 20 }, () => newId());
    await db().insertInto('customers').values(customers.map((id, i) => ({ tenant_id: t, id, name: `会员${i}` }))).execute();
    const mk = async (name: string, kind: 'value' | 'group_buy') => {
      const id = newId();
      await db().insertInto('customer_groups').values({ tenant_id: t, id, chat_id: `c-${id}`, name, kind, owner_staff_id: w.staff.li, store_id: w.stores.futian, created_at: '2026-03-01T00:00:00Z' }).execute();
      await db().insertInto('group_members').values(customers.map((c) => ({ tenant_id: t, group_id: id, customer_id: c, joined_at: '2026-03-02T00:00:00Z' }))).execute();
      return id;
    };
    const lively = await mk('活跃群', 'value');
    const quiet = await mk('团购群', 'group_buy');
    const spam = await mk('广告群', 'value');
    const msg = (group: string, at: string, from: { c?: string; s?: string }, extra: { replyTo?: string; link?: boolean } = {}) => ({
      tenant_id: t, group_id: group, sent_at: at, event_id: newId(), sender_customer_id: from.c ?? null, sender_staff_id: from.s ?? null,
      reply_to_customer_id: extra.replyTo ?? null, reply_to_staff_id: null, text_length: 10, has_link: extra.link ?? false,
    });
    const rows = [];
    // lively: 8 members speak, each answering another member, in the week of 05-04; the owner posts twice
    for (let i = 0; i < 8; i++) rows.push(msg(lively, `2026-05-0${5 + (i % 3)}T03:00:00Z`, { c: customers[i] }, { replyTo: customers[(i + 1) % 8] }));
    rows.push(msg(lively, '2026-05-05T01:00:00Z', { s: w.staff.li }), msg(lively, '2026-05-06T01:00:00Z', { s: w.staff.li }));
    // Sunday 2026-05-10 23:30 Shanghai is still the judged week; Monday 00:30 Shanghai is the next
    rows.push(msg(quiet, '2026-05-10T15:30:00Z', { s: w.staff.li }), msg(quiet, '2026-05-10T16:30:00Z', { c: customers[0] }));
    for (let i = 0; i < 6; i++) rows.push(msg(spam, '2026-05-07T03:00:00Z', { c: customers[i] }, { link: i < 4 }));
    await db().insertInto('group_messages').values(rows).execute();
    // written straight into the raw table here: the rollup health reads is recounted from it
    expect(await rebuildSpeakerWeeks(db(), t, '2026-04-27')).toBeGreaterThan(0);
    await db().insertInto('group_member_changes').values([
      { tenant_id: t, group_id: quiet, customer_id: customers[19] ?? '', at: '2026-05-06T00:00:00Z', action: 'left' },
    ]).execute();
    await db().updateTable('group_members').set({ left_at: '2026-05-06T00:00:00Z' }).where('tenant_id', '=', t).where('group_id', '=', quiet).where('customer_id', '=', customers[19] ?? '').execute();

    const result = await recomputeGroupHealth(db(), t, { weeks: 3, now });
    expect(result).toMatchObject({ groups: 3, weeks: 3, weekRows: 9, classified: 3, fromWeek: '2026-04-27', judgedWeek: '2026-05-04' });
    const weeks = await db().selectFrom('group_health_weeks').selectAll().where('tenant_id', '=', t).where('week', '=', '2026-05-04').execute();
    const byGroup = new Map(weeks.map((x) => [x.group_id, x]));
    expect(byGroup.get(lively)).toMatchObject({ members: 20, messages: 10, staff_messages: 2, owner_messages: 2, active_members: 8, replies: 8, member_replies: 8, staff_replies: 0 });
    expect(byGroup.get(quiet)).toMatchObject({ members: 19, leaves: 1, messages: 1, staff_messages: 1, active_members: 0 });
    expect(byGroup.get(spam)).toMatchObject({ messages: 6, active_members: 6, member_links: 4 });
    const next = await db().selectFrom('group_health_weeks').select(['messages', 'active_members']).where('tenant_id', '=', t).where('group_id', '=', quiet).where('week', '=', '2026-05-11').executeTakeFirstOrThrow();
    expect(next).toEqual({ messages: 1, active_members: 1 });

    const health = await db().selectFrom('group_health').select(['group_id', 'class', 'shape', 'actions']).where('tenant_id', '=', t).execute();
    const verdict = new Map(health.map((h) => [h.group_id, h]));
    expect(verdict.get(lively)).toMatchObject({ class: 'value', shape: 'mesh', actions: [] });
    expect(verdict.get(quiet)).toMatchObject({ class: 'dead', actions: ['dissolve'] });
    expect(verdict.get(spam)).toMatchObject({ class: 'spam', actions: ['clean_spam'] });

    // a second run replaces, never adds; the list filters by class and shows the trend
    await recomputeGroupHealth(db(), t, { weeks: 3, now });
    const n = await sql<{ n: number }>`select count(*)::int as n from group_health_weeks where tenant_id = ${t}`.execute(db());
    expect(n.rows[0]?.n).toBe(9);
    const dead = await listGroups(db(), adminOf(t), { page: 1, pageSize: 10, healthClass: 'dead' });
    expect(dead.items.map((g) => [g.name, g.members, g.health?.class])).toEqual([['团购群', 19, 'dead']]);
    expect(dead.items[0]?.trend.map((x) => x.messages)).toEqual([0, 1, 1]);
  });
});

describe('auto-invite rules', () => {
  it('invites tagged customers who are in no group of the kind, and rolls a full group over', async () => {
    const tenant = await newTenant();
    const t = tenant.id;
    const w = await buildWorld(db(), t);
    const admin = adminOf(t);
    const tg = await createTagGroup(db(), t, { name: '兴趣' });
    const tag = await createTag(db(), admin, { groupId: tg.id, name: '爱吃水果' });
    for (const c of [w.customers.mei, w.customers.lei, w.customers.fang]) await tagCustomer(db(), admin, c, [tag.id]);
    const groupId = newId();
    await db().insertInto('customer_groups').values({ tenant_id: t, id: groupId, chat_id: `c-${groupId}`, name: '福田鲜果 1 群', kind: 'interest', owner_staff_id: w.staff.wang, store_id: w.stores.futian, capacity: 2 }).execute();
    const nanshan = newId();
    await db().insertInto('customer_groups').values({ tenant_id: t, id: nanshan, chat_id: `c-${nanshan}`, name: '南山水果群', kind: 'interest', owner_staff_id: w.staff.zhao, store_id: w.stores.nanshan }).execute();
    // 张磊 already holds one of the two seats
    await db().insertInto('group_members').values({ tenant_id: t, group_id: groupId, customer_id: w.customers.lei, joined_at: '2026-05-01T00:00:00Z' }).execute();

    const rule = await createInviteRule(db(), t, { name: '水果爱好者进兴趣群', tagId: tag.id, kind: 'interest' });
    const first = await runInviteRule(db(), t, rule.id);
    expect(first).toMatchObject({ invited: 2, unrouted: 0, groupsCreated: [] });
    const tasks = await db().selectFrom('guide_tasks').select(['kind', 'staff_id', 'customer_id', 'group_id']).where('tenant_id', '=', t).orderBy('kind').execute();
    expect(tasks).toEqual(expect.arrayContaining([
      { kind: 'invite_to_group', staff_id: w.staff.wang, customer_id: w.customers.mei, group_id: groupId },
      { kind: 'invite_to_group', staff_id: w.staff.zhao, customer_id: w.customers.fang, group_id: nanshan },
    ]));
    expect(tasks).toHaveLength(2);

    // 陈美's invitation is open, so the Futian group is full: the next customer rolls over to "福田鲜果 2 群"
    const jun = w.customers.jun;
    await db().updateTable('customers').set({ store_id: w.stores.futian }).where('tenant_id', '=', t).where('id', '=', jun).execute();
    await tagCustomer(db(), admin, jun, [tag.id]);
    const second = await runInviteRule(db(), t, rule.id);
    expect(second.invited).toBe(1);
    expect(second.groupsCreated.map((g) => g.name)).toEqual(['福田鲜果 2 群']);
    const created = await db().selectFrom('customer_groups').selectAll().where('tenant_id', '=', t).where('id', '=', second.groupsCreated[0]?.id ?? '').executeTakeFirstOrThrow();
    expect(created).toMatchObject({ kind: 'interest', owner_staff_id: w.staff.wang, store_id: w.stores.futian, capacity: 2, series_of: groupId, status: 'active' });
    expect(created.chat_id).toBe(`pending:${created.id}`);
    const forJun = await db().selectFrom('guide_tasks').select(['kind', 'group_id']).where('tenant_id', '=', t).where('group_id', '=', created.id).orderBy('kind').execute();
    expect(forJun).toEqual([{ kind: 'create_group', group_id: created.id }, { kind: 'invite_to_group', group_id: created.id }]);

    // a third run invites nobody twice
    expect((await runInviteRule(db(), t, rule.id)).invited).toBe(0);
  });
});

describe('merging profiles', () => {
  it('moves group messages, member history and moderation records to the survivor', async () => {
    const tenant = await newTenant();
    const t = tenant.id;
    const chatId = `wr-${run}-merge`;
    const phone = `135${run.replace(/\D/g, '1').slice(0, 4).padEnd(4, '1')}0001`.slice(0, 11);
    await ingestEvents(db(), adminOf(t), [
      ev('group_joined', { externalUserId: `wm-${run}` }, { chatId }, '2026-05-01T00:00:00Z'),
      ev('message_received', { externalUserId: `wm-${run}` }, { chatId, text: '你好' }, '2026-05-01T00:01:00Z'),
      ev('message_received', { phone }, { text: '手机号那边' }, '2026-05-01T00:02:00Z'),
    ]);
    // one event names both identities: the two profiles are one person
    await ingestEvents(db(), adminOf(t), [ev('profile_updated', { externalUserId: `wm-${run}`, phone }, { name: '合并' }, '2026-05-02T00:00:00Z')]);
    const people = await db().selectFrom('customers').select('id').where('tenant_id', '=', t).execute();
    expect(people).toHaveLength(1);
    const survivor = people[0]?.id;
    const senders = await db().selectFrom('group_messages').select('sender_customer_id').where('tenant_id', '=', t).execute();
    expect(senders).toEqual([{ sender_customer_id: survivor }]);
    const history = await db().selectFrom('group_member_changes').select('customer_id').where('tenant_id', '=', t).execute();
    expect(history).toEqual([{ customer_id: survivor }]);
  });
});
