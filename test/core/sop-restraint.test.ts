// Restraint for automatic group posts: the pure rule (quiet hours in the tenant's zone, WeCom's
// per-group quota, the daily cap), then the SOP generator holding posts as tasks with the reason.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../src/core/channels/channel.ts';
import { newId } from '../../src/core/ids.ts';
import { DEFAULT_SETTINGS, type MessagingSettings } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { generateSopWork } from '../../src/core/sop/generate.service.ts';
import { decideGroupSend } from '../../src/core/sop/group-restraint.rules.ts';
import { createPlan } from '../../src/core/sop/plans.service.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const SH = 'Asia/Shanghai';
// 2026-12-01 (a Tuesday) at a Shanghai wall time
const at = (hhmm: string, day = '2026-12-01') => new Date(`${day}T${hhmm}:00+08:00`).getTime();
const sandboxOnlyChannels: MessagingSettings['platformQuota']['channels'] = ['sandbox'];
const roomy: MessagingSettings = { ...DEFAULT_SETTINGS, platformQuota: { ...DEFAULT_SETTINGS.platformQuota, perDay: 5 }, groupSends: { ...DEFAULT_SETTINGS.groupSends, dailyCap: 2 } };
const sandboxOnly: MessagingSettings = { ...roomy, platformQuota: { ...DEFAULT_SETTINGS.platformQuota, channels: sandboxOnlyChannels } };

describe('decideGroupSend', () => {
  it.each([
    ['a morning post with nothing sent', at('08:30'), [], DEFAULT_SETTINGS, 'send'],
    ['the 21:30 good-night post (after the customers\' 21:00 but before the groups\' 22:30)', at('21:30'), [], DEFAULT_SETTINGS, 'send'],
    ['23:00, in the groups\' quiet hours', at('23:00'), [], DEFAULT_SETTINGS, 'quiet_hours'],
    ['07:00, still quiet', at('07:00'), [], DEFAULT_SETTINGS, 'quiet_hours'],
    ['a second post the same day: WeCom\'s one a day', at('15:00'), [at('08:30')], DEFAULT_SETTINGS, 'platform_quota_day'],
    ['yesterday\'s post does not count today', at('08:30'), [at('21:30', '2026-11-30')], DEFAULT_SETTINGS, 'send'],
    ['WeCom allows 5 a day, the tenant caps at 2', at('15:00'), [at('08:30'), at('12:00')], roomy, 'group_daily_cap'],
    ['the week quota', at('08:30', '2026-12-06'), [1, 2, 3, 4, 5].map((d) => at('08:30', `2026-12-0${d}`)), { ...roomy, platformQuota: { ...roomy.platformQuota, perWeek: 5 } }, 'platform_quota_week'],
    ['no WeCom quota when the platform quota does not cover wecom', at('15:00'), [at('08:30')], sandboxOnly, 'send'],
    ['quiet hours switched off', at('23:00'), [], { ...DEFAULT_SETTINGS, groupSends: { ...DEFAULT_SETTINGS.groupSends, quietHours: { enabled: false, start: '22:30', end: '07:30' } } }, 'send'],
  ] as const)('%s', (_name, when, sent, settings, expected) => {
    const d = decideGroupSend(when, SH, sent, settings);
    expect(d.verdict === 'send' ? 'send' : d.reason).toBe(expected);
  });

  it('quiet hours are the tenant\'s zone: 23:00 in Shanghai is 16:00 in Berlin', () => {
    expect(decideGroupSend(at('23:00'), 'Europe/Berlin', [], DEFAULT_SETTINGS)).toEqual({ verdict: 'send' });
  });
});

describe('SOP automatic posts go through restraint', () => {
  it('sends the first post of the day, holds the second (WeCom quota) and the late one (quiet hours) as tasks saying why', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const group = newId();
    await db().insertInto('customer_groups').values({ tenant_id: tenant.id, id: group, chat_id: `wr${randomBytes(5).toString('hex')}`, name: '福田水果群', kind: 'value', owner_staff_id: world.staff.li, store_id: world.stores.futian, status: 'active' }).execute();
    const auto = (time: string, title: string) => ({ weekday: null, time, title, mode: 'auto' as const, content: { text: `${title}：今日内容` } });
    await createPlan(db(), tenant.id, { name: '自动节奏', target: { kind: 'groups', groupIds: [group] }, slots: [auto('08:30', '新品晒图'), auto('15:00', '爆品接龙'), auto('23:00', '夜宵')] }, 'test');
    const calls: string[][] = [];
    const channel: ChannelAdapter = { kind: 'wecom', send: async () => ({ ok: true }), sendToGroups: async (_ctx, _staff, chatIds) => { calls.push([...chatIds]); return { ok: true, providerId: 'msg' }; } };

    expect(await generateSopWork(db(), tenant.id, new Date(at('08:30')), { channel })).toMatchObject({ runs: 1, sent: 1, fallbacks: 0 });
    expect(await generateSopWork(db(), tenant.id, new Date(at('15:00')), { channel })).toMatchObject({ runs: 1, sent: 0, fallbacks: 1 });
    expect(await generateSopWork(db(), tenant.id, new Date(at('23:00')), { channel })).toMatchObject({ runs: 1, sent: 0, fallbacks: 1 });
    expect(calls).toHaveLength(1);

    const runs = await db().selectFrom('sop_runs').select(['due_at', 'outcome', 'reason', 'task_key']).where('tenant_id', '=', tenant.id).orderBy('due_at').execute();
    expect(runs.map((r) => [r.outcome, r.reason?.split(':').slice(0, 2).join(':') ?? null])).toEqual([
      ['sent', null], ['fallback_task', 'held_by_restraint: platform_quota_day'], ['fallback_task', 'held_by_restraint: quiet_hours'],
    ]);
    expect(runs[2]?.reason).toBe('held_by_restraint: quiet_hours: group quiet hours 22:30–07:30 (Asia/Shanghai)');
    const tasks = await db().selectFrom('guide_tasks').select(['staff_id', 'detail', 'dedupe_key']).where('tenant_id', '=', tenant.id).orderBy('due_at').execute();
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({ staff_id: world.staff.li, dedupe_key: runs[1]?.task_key, detail: { mode: 'auto', fallbackReason: runs[1]?.reason } });

    // a tenant whose WeCom allows more: the 15:00 post of the next day goes too, within the daily cap
    await putMessagingSettings(db(), tenant.id, { ...DEFAULT_SETTINGS, platformQuota: { ...DEFAULT_SETTINGS.platformQuota, perDay: 3 } }, 'test');
    expect(await generateSopWork(db(), tenant.id, new Date(at('08:30', '2026-12-02')), { channel })).toMatchObject({ sent: 1 });
    expect(await generateSopWork(db(), tenant.id, new Date(at('15:00', '2026-12-02')), { channel })).toMatchObject({ sent: 1 });
  });
});
