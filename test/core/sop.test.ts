// SOP plans and the generator on the real database, with a fixed clock: which runs and tasks a
// tick makes, that a re-run makes nothing, automatic sends and their fallbacks, and local time in
// the tenant's own zone.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../src/core/channels/channel.ts';
import { createTenant } from '../../src/core/tenants/tenants.service.ts';
import { newId } from '../../src/core/ids.ts';
import { createPlan, updatePlan, inputOf, type PlanInput } from '../../src/core/sop/plans.service.ts';
import { generateSopWork } from '../../src/core/sop/generate.service.ts';
import { listRuns } from '../../src/core/sop/runs.service.ts';
import { applyTemplate } from '../../src/core/sop/templates.service.ts';
import { seedDemoScripts } from '../../src/core/sop/demo-scripts.ts';
import { listScripts } from '../../src/core/sop/scripts.service.ts';
import type { GroupKind, MessageContent } from '../../src/db/schema.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;

async function addGroup(world: World, name: string, kind: GroupKind, owner: string | null, status: 'active' | 'dissolved' = 'active'): Promise<string> {
  const id = newId();
  await db().insertInto('customer_groups').values({
    tenant_id: world.tenantId, id, chat_id: `wr${randomBytes(5).toString('hex')}`, name, kind, owner_staff_id: owner, store_id: world.stores.futian, status,
  }).execute();
  return id;
}

const slot = (time: string, title: string, mode: 'task' | 'auto' = 'task', weekday: number | null = null) => ({ weekday, time, title, mode, content: { text: `${title}：今日内容` } });

/** A fake WeCom channel (the real one is outside Yuchi): records what it is asked to send. */
function recordingChannel(answer: { ok: true } | { ok: false; retryable: boolean; reason: string }) {
  const calls: { staffId: string; chatIds: string[]; content: MessageContent }[] = [];
  const channel: ChannelAdapter = {
    kind: 'wecom',
    send: async () => ({ ok: true }),
    sendToGroups: async (_ctx, staffId, chatIds, content) => { calls.push({ staffId, chatIds: [...chatIds].sort(), content }); return answer; },
  };
  return { channel, calls };
}

// 2026-12-01 is a Tuesday; 00:30 UTC is 08:30 in Shanghai.
const TUESDAY_0830 = new Date('2026-12-01T00:30:00Z');

describe('SOP plans', () => {
  it('refuses a slot overlapping another plan that reaches the same group by kind, and accepts other groups', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const value = await addGroup(world, '福田水果群 1', 'value', world.staff.li);
    const vip = await addGroup(world, '福田 VIP 群', 'vip', world.staff.li);
    await createPlan(db(), tenant.id, { name: '日常节奏', target: { kind: 'group_kind', groupKind: 'value' }, slots: [slot('08:30', '新品晒图'), slot('15:00', '爆品接龙')] }, 'test');
    const clash: PlanInput = { name: '福田加推', target: { kind: 'groups', groupIds: [value] }, slots: [slot('08:45', '早餐推荐')] };
    await expect(createPlan(db(), tenant.id, clash, 'test')).rejects.toMatchObject({ code: 'conflict', reason: 'slot_overlap', details: [{ path: 'slots.0' }] });
    await expect(createPlan(db(), tenant.id, { ...clash, target: { kind: 'groups', groupIds: [vip] } }, 'test')).resolves.toMatchObject({ name: '福田加推' });
    // A paused plan does not block; resuming it is checked again.
    const paused = await createPlan(db(), tenant.id, { ...clash, name: '暂停的', status: 'paused' }, 'test');
    await expect(updatePlan(db(), tenant.id, paused.id, { ...inputOf(paused), status: 'active' })).rejects.toMatchObject({ reason: 'slot_overlap' });
    expect(await db().selectFrom('sop_plans').select('name').where('tenant_id', '=', tenant.id).orderBy('name').execute()).toHaveLength(3);
  });

  it('refuses unknown groups, staff and times, naming the field, and writes nothing', async () => {
    const tenant = await newTenant();
    await buildWorld(db(), tenant.id);
    const bad: PlanInput = {
      name: '坏计划', target: { kind: 'groups', groupIds: [newId()] },
      slots: [{ ...slot('25:00', '不存在的时间'), ownerStaffId: newId() }],
    };
    await expect(createPlan(db(), tenant.id, bad, 'test')).rejects.toMatchObject({
      code: 'invalid', details: [{ path: 'slots.0.time' }, { path: 'target.groupIds.0' }, { path: 'slots.0.ownerStaffId' }],
    });
    expect(await db().selectFrom('sop_plans').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
  });

  it('applies a template twice under two names', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const g = await addGroup(world, '群 A', 'value', world.staff.li);
    const g2 = await addGroup(world, '群 B', 'value', world.staff.li);
    const first = await applyTemplate(db(), tenant.id, 'fruit-daily-rhythm', { target: { kind: 'groups', groupIds: [g] } }, 'test');
    const second = await applyTemplate(db(), tenant.id, 'fruit-daily-rhythm', { target: { kind: 'groups', groupIds: [g2] } }, 'test');
    expect([first.name, second.name]).toEqual(['百果园式门店群日常节奏', '百果园式门店群日常节奏 (2)']);
    expect(second.slots.map((s) => s.time)).toEqual(['08:30', '12:00', '15:00', '21:30', '10:00']);
    // The same template again on a group it already reaches overlaps itself: refused.
    await expect(applyTemplate(db(), tenant.id, 'fruit-daily-rhythm', { target: { kind: 'groups', groupIds: [g] } }, 'test')).rejects.toMatchObject({ reason: 'slot_overlap' });
  });
});

describe('SOP generation', () => {
  it('makes the coming tasks once, at the slot\'s local time, for the active groups of the kind', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const g1 = await addGroup(world, '福田水果群 1', 'value', world.staff.li);
    const g2 = await addGroup(world, '福田水果群 2', 'value', world.staff.wang);
    await addGroup(world, '已解散群', 'value', world.staff.li, 'dissolved');
    await addGroup(world, 'VIP 群', 'vip', world.staff.zhao);
    const plan = await createPlan(db(), tenant.id, {
      name: '日常节奏', target: { kind: 'group_kind', groupKind: 'value' },
      slots: [slot('08:30', '新品晒图'), { ...slot('10:00', '会员日领券', 'task', 2), ownerStaffId: world.staff.zhao }, slot('15:00', '爆品接龙'), slot('21:30', '晚安', 'auto')],
    }, 'test');

    const first = await generateSopWork(db(), tenant.id, TUESDAY_0830, { channel: undefined });
    // Tasks up to two hours ahead: 08:30 and Tuesday's 10:00, for both value groups; 15:00 later; 21:30 not due.
    expect(first).toEqual({ runs: 4, tasks: 4, sent: 0, fallbacks: 0 });
    const again = await generateSopWork(db(), tenant.id, TUESDAY_0830, { channel: undefined });
    const nextTick = await generateSopWork(db(), tenant.id, new Date(TUESDAY_0830.getTime() + 15 * 60_000), { channel: undefined });
    expect(again).toEqual({ runs: 0, tasks: 0, sent: 0, fallbacks: 0 });
    expect(nextTick.runs).toBe(0);

    const tasks = await db().selectFrom('guide_tasks').select(['staff_id', 'group_id', 'kind', 'title', 'due_at', 'detail', 'source_kind', 'source_id'])
      .where('tenant_id', '=', tenant.id).orderBy('due_at').orderBy('title').execute();
    expect(tasks.map((t) => [t.due_at.toISOString(), t.group_id, t.staff_id])).toEqual([
      ['2026-12-01T00:30:00.000Z', g1, world.staff.li],
      ['2026-12-01T00:30:00.000Z', g2, world.staff.wang],
      // The member-day slot names its own owner.
      ['2026-12-01T02:00:00.000Z', g1, world.staff.zhao],
      ['2026-12-01T02:00:00.000Z', g2, world.staff.zhao],
    ]);
    expect(tasks[0]).toMatchObject({ kind: 'sop_post', title: '新品晒图 · 福田水果群 1', source_kind: 'sop', source_id: plan.id });
    expect(tasks[0]?.detail).toMatchObject({ planName: '日常节奏', localDate: '2026-12-01', content: { text: '新品晒图：今日内容' }, couponTemplateId: null });

    const runs = await db().selectFrom('sop_runs').select(['local_date', 'outcome', 'mode']).where('tenant_id', '=', tenant.id).execute();
    expect(runs).toHaveLength(4);
    expect(new Set(runs.map((r) => `${r.local_date}/${r.outcome}/${r.mode}`))).toEqual(new Set(['2026-12-01/task/task']));
  });

  it('sends automatic slots through the channel per owner once due, and falls back to a task saying why', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const g1 = await addGroup(world, '群 1', 'value', world.staff.li);
    const g2 = await addGroup(world, '群 2', 'value', world.staff.li);
    const g3 = await addGroup(world, '群 3', 'value', world.staff.wang);
    const g4 = await addGroup(world, '无群主群', 'value', null);
    await createPlan(db(), tenant.id, { name: '晚安', target: { kind: 'group_kind', groupKind: 'value' }, slots: [slot('21:30', '晚安', 'auto')] }, 'test');
    const evening = new Date('2026-12-01T13:30:00Z');
    // Two hours before, the automatic slot is not due: nothing is sent ahead of time.
    const early = recordingChannel({ ok: true });
    expect(await generateSopWork(db(), tenant.id, new Date('2026-12-01T11:30:00Z'), { channel: early.channel })).toMatchObject({ runs: 0 });

    const wecom = recordingChannel({ ok: true });
    expect(await generateSopWork(db(), tenant.id, evening, { channel: wecom.channel })).toEqual({ runs: 4, tasks: 1, sent: 3, fallbacks: 1 });
    const byStaff = new Map(wecom.calls.map((c) => [c.staffId, c.chatIds.length]));
    expect(byStaff).toEqual(new Map([[world.staff.li, 2], [world.staff.wang, 1]]));
    expect(wecom.calls[0]?.content).toEqual({ text: '晚安：今日内容' });
    const runs = await db().selectFrom('sop_runs').select(['group_id', 'outcome', 'reason']).where('tenant_id', '=', tenant.id).execute();
    const outcome = new Map(runs.map((r) => [r.group_id, r.outcome]));
    expect([outcome.get(g1), outcome.get(g2), outcome.get(g3), outcome.get(g4)]).toEqual(['sent', 'sent', 'sent', 'fallback_task']);
    expect(runs.find((r) => r.group_id === g4)?.reason).toMatch(/^no_owner/);
    // Re-run: nothing is sent twice.
    expect(await generateSopWork(db(), tenant.id, evening, { channel: wecom.channel })).toMatchObject({ runs: 0, sent: 0 });
    expect(wecom.calls).toHaveLength(2);

    // A refusing channel and no channel at all both leave a task with the reason, next evening.
    const refusing = recordingChannel({ ok: false, retryable: false, reason: 'quota exceeded' });
    const nextEvening = new Date('2026-12-02T13:30:00Z');
    expect(await generateSopWork(db(), tenant.id, nextEvening, { channel: refusing.channel })).toEqual({ runs: 4, tasks: 4, sent: 0, fallbacks: 4 });
    expect(await generateSopWork(db(), tenant.id, new Date('2026-12-03T13:30:00Z'), { channel: undefined })).toEqual({ runs: 4, tasks: 4, sent: 0, fallbacks: 4 });
    const reasons = await db().selectFrom('sop_runs').select(['local_date', 'reason']).where('tenant_id', '=', tenant.id).where('group_id', '=', g1).orderBy('local_date').execute();
    expect(reasons.map((r) => [r.local_date, r.reason])).toEqual([
      ['2026-12-01', null], ['2026-12-02', 'send_failed: quota exceeded'], ['2026-12-03', 'channel_unavailable: no WeCom group sending configured'],
    ]);
    const fallbackTask = await db().selectFrom('guide_tasks').select(['detail', 'staff_id']).where('tenant_id', '=', tenant.id).where('group_id', '=', g1).executeTakeFirstOrThrow();
    expect(fallbackTask).toMatchObject({ staff_id: world.staff.li, detail: { mode: 'auto', fallbackReason: 'send_failed: quota exceeded' } });
  });

  it('follows the tenant\'s own zone: 08:30 in New York is 13:30 UTC, on the local date', async () => {
    const tenant = await createTenant(db(), { slug: `ny-${randomBytes(4).toString('hex')}`, name: 'New York store', timezone: 'America/New_York' });
    const world = await buildWorld(db(), tenant.id);
    const g = await addGroup(world, 'NY group', 'interest', world.staff.li);
    await createPlan(db(), tenant.id, { name: 'Morning', target: { kind: 'groups', groupIds: [g] }, slots: [slot('08:30', 'Morning post'), slot('10:00', 'Tuesday only', 'task', 2)] }, 'test');
    // 08:30 in Shanghai is 19:30 of the day before in New York: nothing is due.
    expect((await generateSopWork(db(), tenant.id, TUESDAY_0830, { channel: undefined })).runs).toBe(0);
    expect(await generateSopWork(db(), tenant.id, new Date('2026-12-01T13:30:00Z'), { channel: undefined })).toMatchObject({ runs: 2, tasks: 2 });
    const rows = await db().selectFrom('sop_runs').select(['local_date', 'due_at']).where('tenant_id', '=', tenant.id).orderBy('due_at').execute();
    expect(rows.map((r) => [r.local_date, r.due_at.toISOString()])).toEqual([['2026-12-01', '2026-12-01T13:30:00.000Z'], ['2026-12-01', '2026-12-01T15:00:00.000Z']]);
  });

  it('shows runs as done, missed or pending', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const g1 = await addGroup(world, '群 1', 'value', world.staff.li);
    await addGroup(world, '群 2', 'value', world.staff.wang);
    await createPlan(db(), tenant.id, { name: '早晚', target: { kind: 'group_kind', groupKind: 'value' }, slots: [slot('08:30', '早安'), slot('10:00', '上午')] }, 'test');
    await generateSopWork(db(), tenant.id, TUESDAY_0830, { channel: undefined });
    await db().updateTable('guide_tasks').set({ status: 'done', done_at: new Date('2026-12-01T00:40:00Z') })
      .where('tenant_id', '=', tenant.id).where('group_id', '=', g1).where('due_at', '=', TUESDAY_0830).execute();
    const at = new Date('2026-12-01T01:30:00Z');
    const { items, summary } = await listRuns(db(), tenant.id, { from: '2026-12-01', to: '2026-12-01' }, at);
    // 08:30: one done, one missed (its half hour is over); 10:00: both still pending.
    expect(summary).toEqual({ done: 1, missed: 1, pending: 2 });
    expect(items.find((r) => r.state === 'done')).toMatchObject({ groupName: '群 1', slotTitle: '早安', staffName: '李娜', taskStatus: 'done' });
    expect((await listRuns(db(), tenant.id, { from: '2026-12-01', to: '2026-12-01', state: 'missed' }, at)).items).toHaveLength(1);
  });
});

describe('demo scripts', () => {
  it('seeds a codebook and scripts whose tags rank them for a customer', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const operator = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: 'Asia/Shanghai', role: 'operator' as const, staffId: null, userId: null, apiKeyId: null, name: '运营' };
    expect(await seedDemoScripts(db(), operator)).toBe(9);
    const sugar = await db().selectFrom('tags').select('id').where('tenant_id', '=', tenant.id).where('code', '=', 'B').executeTakeFirstOrThrow();
    await db().insertInto('customer_tags').values({ tenant_id: tenant.id, customer_id: world.customers.mei, tag_id: sugar.id, source: 'form' }).execute();
    const ranked = await listScripts(db(), operator, { customerId: world.customers.mei });
    expect(ranked).toHaveLength(9);
    expect(ranked[0]).toMatchObject({ title: '控糖人群怎么选水果', matchedTags: 1 });
    // The two scripts for other codes come last.
    expect(ranked.slice(-2).map((s) => s.tags[0]?.name).sort()).toEqual(['宝宝辅食', '送礼需求']);
  });
});
