// The guide's day on the real database: the workbench lists, finishing tasks, the prompt at the
// till, and transfers with WeCom's limit and resigned-staff inheritance.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { createCode } from '../../src/core/acquisition/codes.service.ts';
import { localDate } from '../../src/core/time.ts';
import { YuchiError } from '../../src/core/errors.ts';
import { newId } from '../../src/core/ids.ts';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { createGuideTasks } from '../../src/core/tasks/guide-tasks.ts';
import { finishTask, taskCompletion } from '../../src/core/tasks/task-work.service.ts';
import { posPrompt } from '../../src/core/workbench/pos-prompt.service.ts';
import { resignStaff, transferCustomers } from '../../src/core/workbench/transfers.service.ts';
import { workbench } from '../../src/core/workbench/workbench.service.ts';
import { startOfLocalDay, nextDate } from '../../src/core/time.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, seedScoringModels, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
const guideOf = (tenantId: string, staffId: string): Actor => ({ ...adminOf(tenantId), role: 'guide', staffId, name: 'guide' });
const task = (staffId: string | null, key: string, dueAt: Date, extra: Record<string, unknown> = {}) => ({
  staffId, kind: 'follow_up', title: `回访 ${key}`, dueAt, source: { kind: 'manual', id: run }, dedupeKey: `${run}:${key}`, ...extra,
});

describe('the guide workbench', () => {
  let world: World;
  const now = new Date();
  const tz = 'Asia/Shanghai';

  beforeAll(async () => {
    world = await buildWorld(db(), (await newTenant()).id);
  });

  it('lists the week\'s birthdays in the order they come, across the new year', async () => {
    const w = await buildWorld(db(), (await newTenant()).id);
    // 29 December, noon in Shanghai: 2 January comes after 30 December although it sorts first.
    const at = new Date('2026-12-29T04:00:00Z');
    await db().updateTable('customers').set({ birthday: '1990-01-02' }).where('tenant_id', '=', w.tenantId).where('id', '=', w.customers.mei).execute();
    await db().updateTable('customers').set({ birthday: '1985-12-30', guide_id: w.staff.li }).where('tenant_id', '=', w.tenantId).where('id', '=', w.customers.jun).execute();
    const wb = await workbench(db(), guideOf(w.tenantId, w.staff.li), undefined, at);
    expect(wb.birthdaysToday).toEqual([]);
    expect(wb.birthdaysThisWeek.map((c) => c.note)).toEqual(['1985-12-30', '1990-01-02']);
  });

  it('shows a guide their tasks due today and their own customers in each list', async () => {
    const t = world.tenantId;
    const today = localDate(now, tz);
    const tomorrow = startOfLocalDay(nextDate(today), tz);
    await createGuideTasks(db(), t, [
      task(world.staff.li, 'due-today', new Date(tomorrow.getTime() - 60_000), { customerId: world.customers.mei }),
      task(world.staff.li, 'overdue', new Date(now.getTime() - 3 * 86_400_000)),
      task(world.staff.li, 'tomorrow', new Date(tomorrow.getTime() + 3_600_000)),
      task(world.staff.wang, 'not-hers', new Date(now.getTime() - 60_000)),
    ]);
    // 陈美 (李娜's): birthday today, bought in store lately, in no group, valuable and drifting away.
    await db().updateTable('customers').set({ birthday: `1990-${today.slice(5)}`, last_order_at: now }).where('tenant_id', '=', t).where('id', '=', world.customers.mei).execute();
    await db().insertInto('orders').values({ tenant_id: t, id: newId(), order_no: `wb-${run}`, customer_id: world.customers.mei, store_id: world.stores.futian, channel: 'pos', total_fen: 5000, paid_fen: 5000, ordered_at: now }).execute();
    // Her scores: six purchase days, the last 250 days ago, so P(alive) is low under the seeded models.
    await db().insertInto('customer_score_rows').values({
      tenant_id: t, customer_id: world.customers.mei, lifecycle_stage: 'dormant', m_score: 5, monetary_fen: 90_000, changed_at: now,
      first_order_day: localDate(new Date(now.getTime() - 400 * 86_400_000), 'Asia/Shanghai'), last_order_day: localDate(new Date(now.getTime() - 250 * 86_400_000), 'Asia/Shanghai'),
      purchase_days: 6, repeat_spend_fen: 60_000,
    }).execute();
    await seedScoringModels(t, today);
    // 张磊 (王强's) has everything too, but is not 李娜's.
    await db().updateTable('customers').set({ birthday: `1991-${today.slice(5)}` }).where('tenant_id', '=', t).where('id', '=', world.customers.lei).execute();
    await db().insertInto('customer_contacts').values([
      { tenant_id: t, customer_id: world.customers.mei, staff_id: world.staff.li, added_at: new Date(now.getTime() - 3_600_000) },
      { tenant_id: t, customer_id: world.customers.lei, staff_id: world.staff.wang, added_at: new Date(now.getTime() - 3_600_000) },
      // 张磊 is also 李娜's friend, but 王强's customer: not on her lists.
      { tenant_id: t, customer_id: world.customers.lei, staff_id: world.staff.li, added_at: new Date(now.getTime() - 3_600_000) },
    ]).execute();

    const wb = await workbench(db(), guideOf(t, world.staff.li), undefined, now);
    expect(wb.date).toBe(today);
    expect(wb.tasks.map((x) => x.title)).toEqual(['回访 overdue', '回访 due-today']);
    expect(wb.tasks[0]?.overdue).toBe(true);
    expect(wb.tasks[1]?.customer).toEqual({ id: world.customers.mei, name: '陈美' });
    expect(wb.birthdaysToday.map((c) => c.id)).toEqual([world.customers.mei]);
    expect(wb.atRisk.map((c) => c.id)).toEqual([world.customers.mei]);
    expect(wb.newFriends.map((c) => c.id)).toEqual([world.customers.mei]);
    expect(wb.notInGroup.map((c) => c.id)).toEqual([world.customers.mei]);
    expect(wb.progress).toEqual({ done: 0, skipped: 0, open: 2 });

    // Once in an active group, she is no longer on the not-in-group list.
    const group = newId();
    await db().insertInto('customer_groups').values({ tenant_id: t, id: group, chat_id: `wr-${run}`, name: '福田 1 群', store_id: world.stores.futian }).execute();
    await db().insertInto('group_members').values({ tenant_id: t, group_id: group, customer_id: world.customers.mei, joined_at: now }).execute();
    expect((await workbench(db(), guideOf(t, world.staff.li), undefined, now)).notInGroup).toEqual([]);
  });

  it('lets a guide see only their own workbench; an operator names the guide', async () => {
    const t = world.tenantId;
    await expect(workbench(db(), guideOf(t, world.staff.li), world.staff.wang)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(workbench(db(), adminOf(t), undefined)).rejects.toMatchObject({ code: 'invalid' });
    const wang = await workbench(db(), adminOf(t), world.staff.wang, now);
    expect(wang.tasks.map((x) => x.title)).toEqual(['回访 not-hers']);
    expect(wang.birthdaysToday.map((c) => c.id)).toEqual([world.customers.lei]);
  });

  it('finishes a task once, refuses the other outcome after, and counts completion per guide and day', async () => {
    const t = world.tenantId;
    const li = guideOf(t, world.staff.li);
    const [open] = (await workbench(db(), li, undefined, now)).tasks;
    if (!open) throw new Error('no task');
    const done = await finishTask(db(), li, open.id, 'done', now);
    expect(done).toMatchObject({ status: 'done', doneBy: expect.any(String) });
    expect((await finishTask(db(), li, open.id, 'done', now)).doneAt).toBe(done.doneAt);
    await expect(finishTask(db(), li, open.id, 'skipped', now)).rejects.toMatchObject({ reason: 'task_already_finished' });
    const wangTask = (await workbench(db(), adminOf(t), world.staff.wang, now)).tasks[0];
    await expect(finishTask(db(), li, wangTask?.id ?? '', 'done', now)).rejects.toMatchObject({ code: 'not_found' });
    expect((await workbench(db(), li, undefined, now)).progress).toEqual({ done: 1, skipped: 0, open: 1 });
    const day = localDate(new Date(open.dueAt), tz);
    const rows = await taskCompletion(db(), t, tz, { from: startOfLocalDay(day, tz), to: startOfLocalDay(nextDate(day), tz) }, world.staff.li);
    expect(rows).toEqual([{ staffId: world.staff.li, staffName: '李娜', day, done: 1, skipped: 0, open: 0 }]);
  });
});

describe('the prompt at the till', () => {
  it('says add, invite or offer, most important first', async () => {
    const world = await buildWorld(db(), (await newTenant()).id);
    const t = world.tenantId;
    const welcome = newId();
    await db().insertInto('coupon_templates').values({ tenant_id: t, id: welcome, name: '¥5 新人券', kind: 'amount', amount_off_fen: 500, valid_days: 30 }).execute();
    const code = await createCode(db(), t, {
      name: '福田门店码', kind: 'store_counter', storeId: world.stores.futian, welcomeCouponTemplateId: welcome,
      rotation: [{ staffId: world.staff.li, dailyCap: null, qrUrl: 'https://wework.example/li.png', backup: false }],
    });
    const till = { storeId: world.stores.futian, staffId: null, ownOnly: undefined };

    const stranger = await posPrompt(db(), t, { phone: '13100000000' }, till);
    expect(stranger).toEqual({ customer: null, store: { id: world.stores.futian, name: '福田中心店' }, actions: [{ kind: 'add_friend', code: { id: code.id, name: '福田门店码', landingPath: code.landingPath } }] });

    const notFriend = await posPrompt(db(), t, { phone: world.phones.mei }, till);
    expect(notFriend.actions.map((a) => a.kind)).toEqual(['add_friend', 'offer_coupon']);
    expect(notFriend.actions[1]).toEqual({ kind: 'offer_coupon', coupon: null, template: { id: welcome, name: '¥5 新人券' } });

    await db().insertInto('customer_contacts').values({ tenant_id: t, customer_id: world.customers.mei, staff_id: world.staff.li, added_at: new Date() }).execute();
    const groupFull = newId();
    const groupRoom = newId();
    await db().insertInto('customer_groups').values([
      { tenant_id: t, id: groupRoom, chat_id: `room-${run}`, name: '福田 2 群', store_id: world.stores.futian },
      { tenant_id: t, id: groupFull, chat_id: `old-${run}`, name: '福田老群', store_id: world.stores.futian, status: 'dissolved' },
    ]).execute();
    await db().insertInto('group_members').values({ tenant_id: t, group_id: groupRoom, customer_id: world.customers.lei, joined_at: new Date() }).execute();
    const friend = await posPrompt(db(), t, { memberNo: `M${t.replace(/\D/g, '').slice(-7).padStart(7, '0')}01` }, till);
    expect(friend.customer).toEqual({ id: world.customers.mei, name: '陈美', isFriend: true, inGroup: false });
    expect(friend.actions[0]).toEqual({ kind: 'invite_to_group', group: { id: groupRoom, name: '福田 2 群', members: 1 } });

    // A coupon she holds is offered before the welcome coupon; a guide who is not hers does not see her name.
    const held = newId();
    await db().insertInto('coupon_templates').values({ tenant_id: t, id: held, name: '满 50 减 10', kind: 'threshold', amount_off_fen: 1000, threshold_fen: 5000, valid_days: 30 }).execute();
    await db().insertInto('coupons').values({ tenant_id: t, id: newId(), template_id: held, code: 'HELD1234', customer_id: world.customers.mei, issue_key: `x:${run}`, valid_from: new Date(Date.now() - 86_400_000), valid_to: new Date(Date.now() + 86_400_000) }).execute();
    const offer = await posPrompt(db(), t, { phone: world.phones.mei }, { ...till, ownOnly: world.staff.wang });
    expect(offer.customer?.name).toBe('');
    expect(offer.actions.map((a) => a.kind)).toEqual(['invite_to_group', 'offer_coupon']);
    expect(offer.actions[1]).toMatchObject({ coupon: { code: 'HELD1234', name: '满 50 减 10' } });

    await expect(posPrompt(db(), t, { phone: '12' }, till)).rejects.toBeInstanceOf(YuchiError);
  });
});

describe('transfers', () => {
  it('allows two transfers in 90 days, refuses the third with the reason and changes nothing of it', async () => {
    const world = await buildWorld(db(), (await newTenant()).id);
    const t = world.tenantId;
    const admin = adminOf(t);
    const day = 86_400_000;
    const start = Date.now() - 30 * day;
    const first = await transferCustomers(db(), admin, { customerIds: [world.customers.mei, world.customers.lei], toStaffId: world.staff.zhao, reason: '调店' }, new Date(start));
    expect(first.transferred.map((x) => x.customerId).sort()).toEqual([world.customers.mei, world.customers.lei].sort());
    await transferCustomers(db(), admin, { customerIds: [world.customers.mei], toStaffId: world.staff.wang, reason: '就近服务' }, new Date(start + day));
    const third = await transferCustomers(db(), admin, { customerIds: [world.customers.mei, world.customers.lei], toStaffId: world.staff.li, reason: '再调' }, new Date(start + 2 * day));
    expect(third.refused).toEqual([{
      customerId: world.customers.mei, reason: 'transfer_limit', message: expect.stringMatching(/2 times in the last 90 days/),
      possibleFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    }]);
    expect(third.transferred).toEqual([{ customerId: world.customers.lei, fromStaffId: world.staff.zhao }]);

    const mei = await db().selectFrom('customers').select('guide_id').where('tenant_id', '=', t).where('id', '=', world.customers.mei).executeTakeFirstOrThrow();
    expect(mei.guide_id).toBe(world.staff.wang);
    const timeline = await db().selectFrom('events').select(['type', 'properties']).where('tenant_id', '=', t).where('customer_id', '=', world.customers.mei).where('type', '=', 'customer_transferred').execute();
    expect(timeline).toHaveLength(2);
    const rows = await db().selectFrom('customer_transfers').select(['customer_id', 'kind']).where('tenant_id', '=', t).execute();
    expect(rows).toHaveLength(4);
  });

  it('hands a resigned guide\'s customers, friendships and open tasks to the successor', async () => {
    const world = await buildWorld(db(), (await newTenant()).id);
    const t = world.tenantId;
    const now = new Date();
    await db().insertInto('customer_contacts').values([
      { tenant_id: t, customer_id: world.customers.mei, staff_id: world.staff.li, state: 'ft', added_at: new Date(now.getTime() - 86_400_000) },
      // 陈芳 is 赵敏's customer but also 李娜's friend: she keeps her guide, the friendship moves.
      { tenant_id: t, customer_id: world.customers.fang, staff_id: world.staff.li, added_at: new Date(now.getTime() - 86_400_000) },
    ]).execute();
    await createGuideTasks(db(), t, [task(world.staff.li, 'resign', now, { customerId: world.customers.mei })]);
    const result = await resignStaff(db(), adminOf(t), world.staff.li, world.staff.wang, now);
    expect(result).toEqual({ inherited: 2 });
    const customers = await db().selectFrom('customers').select(['id', 'guide_id']).where('tenant_id', '=', t).where('id', 'in', [world.customers.mei, world.customers.fang]).execute();
    expect(new Map(customers.map((c) => [c.id, c.guide_id]))).toEqual(new Map([[world.customers.mei, world.staff.wang], [world.customers.fang, world.staff.zhao]]));
    const contacts = await db().selectFrom('customer_contacts').select(['customer_id', 'staff_id', 'state', 'deleted_at']).where('tenant_id', '=', t).where('customer_id', '=', world.customers.mei).orderBy('deleted_at', 'desc').execute();
    expect(contacts.map((c) => [c.staff_id, c.state, c.deleted_at === null])).toEqual([[world.staff.wang, 'ft', true], [world.staff.li, 'ft', false]]);
    const tasks = await db().selectFrom('guide_tasks').select('staff_id').where('tenant_id', '=', t).execute();
    expect(tasks).toEqual([{ staff_id: world.staff.wang }]);
    const staff = await db().selectFrom('staff').select('status').where('tenant_id', '=', t).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    expect(staff.status).toBe('resigned');
    await expect(resignStaff(db(), adminOf(t), world.staff.li, world.staff.wang)).rejects.toMatchObject({ code: 'conflict' });
    await expect(transferCustomers(db(), adminOf(t), { customerIds: [world.customers.mei], toStaffId: world.staff.li, reason: 'x' })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('counts a merged profile\'s transfers on the survivor', async () => {
    const world = await buildWorld(db(), (await newTenant()).id);
    const t = world.tenantId;
    await transferCustomers(db(), adminOf(t), { customerIds: [world.customers.lei], toStaffId: world.staff.zhao, reason: '调店' });
    await transferCustomers(db(), adminOf(t), { customerIds: [world.customers.mei], toStaffId: world.staff.zhao, reason: '调店' });
    await mergeCustomers(db(), t, [{ survivorId: world.customers.mei, mergedIds: [world.customers.lei], identities: [] }], { source: 'test' });
    const rows = await db().selectFrom('customer_transfers').select('customer_id').where('tenant_id', '=', t).execute();
    expect(rows.map((r) => r.customer_id)).toEqual([world.customers.mei, world.customers.mei]);
    const again = await transferCustomers(db(), adminOf(t), { customerIds: [world.customers.mei], toStaffId: world.staff.li, reason: '再调' });
    expect(again.refused.map((r) => r.reason)).toEqual(['transfer_limit']);
  });
});
