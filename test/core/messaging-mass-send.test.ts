// Mass sends on the real database: the dry run and the plan agree, exclusions carry reasons, a
// campaign holdout is measured in the lift report, and WeCom sends go per guide for confirmation.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChannelAdapter, OutgoingMessage } from '../../src/core/channels/channel.ts';
import { deliverDue } from '../../src/core/messaging/delivery.service.ts';
import { dispatchDueMassSends } from '../../src/core/messaging/mass-dispatch.service.ts';
import { confirmStaffSend, createMassSend, dryRunMassSend, getMassSend, massSendReport, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { poolClients } from '../../src/core/messaging/mass-plan-copy.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { inHoldout } from '../../src/core/messaging/restraint.rules.ts';
import { DEFAULT_SETTINGS } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { previewTemplate, saveTemplate } from '../../src/core/messaging/templates.service.ts';
import { newId } from '../../src/core/ids.ts';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { finishTask } from '../../src/core/tasks/task-work.service.ts';
import { adminOf } from './ingest-helpers.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const clients = () => poolClients(testDb().pool);
const calm = { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } };

async function customersOf(tenantId: string, n: number, guideId: string | null) {
  const ids = Array.from({ length: n }, () => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: tenantId, id, name: `顾客${i}`, guide_id: guideId }))).execute();
  return ids;
}

describe('mass sends', () => {
  it('previews a template on a real customer with store, guide and tags', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const t = await saveTemplate(db(), tenant.id, { name: '上新', content: { wecom: { text: '{name}您好，{store}的{guide}提醒您：车厘子到店' }, sms: { text: '【鱼池】{name}，{store}车厘子到店，回T退订' } } });
    const wecom = await previewTemplate(db(), tenant.id, { templateId: t.id, channel: 'wecom', customerId: w.customers.mei });
    expect(wecom.content.text).toBe('陈美您好，福田中心店的李娜提醒您：车厘子到店');
    const sms = await previewTemplate(db(), tenant.id, { templateId: t.id, channel: 'sms', customerId: w.customers.mei });
    expect(sms.sms).toEqual({ characters: Array.from('【鱼池】陈美，福田中心店车厘子到店，回T退订').length, segments: 1, perSegment: 70, encoding: 'ucs2' });
    await expect(saveTemplate(db(), tenant.id, { name: 'bad', content: { wecom: { text: '{昵称}您好' } } })).rejects.toMatchObject({ code: 'invalid', details: [{ path: 'content.wecom.text' }] });
  });

  it('plans through the engine: dry run and plan agree, exclusions have reasons, holdout is drawn among the eligible, and lift is reported', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const many = await customersOf(tenant.id, 200, w.staff.li);
    // one withdrew consent; one already had today's mass message
    await db().insertInto('customer_consents').values({ tenant_id: tenant.id, customer_id: many[0] ?? '', channel: 'wecom', granted: false, source: 'test', updated_at: new Date() }).execute();
    await db().insertInto('messages').values({ tenant_id: tenant.id, id: newId(), customer_id: many[1] ?? '', channel: 'sandbox', purpose: 'marketing', source_kind: 'mass_send', source_id: 'earlier',
      dedupe_key: 'earlier', content: JSON.stringify({ text: '早上的群发' }), status: 'sent', sent_at: new Date(Date.now() - 60_000) }).execute();
    const template = await saveTemplate(db(), tenant.id, { name: '周二会员日', content: { sandbox: { text: '{name}，今天会员日' } } });
    const input = MassSendInput.parse({
      name: '会员日', channel: 'sandbox', templateId: template.id, schedule: { now: true }, holdoutPercent: 20,
      audience: { include: { kind: 'all' }, exclude: undefined },
    });
    // without a holdout the count is exact: one withdrew consent, one waits for tomorrow's slot
    const exact = await dryRunMassSend(db(), tenant.id, { ...input, holdoutPercent: 0 });
    expect(exact).toEqual({ audience: 204, planned: 203, heldOut: 0, excluded: { consent_withdrawn: 1 }, moved: { platform_quota_day: 1 } });
    const dry = await dryRunMassSend(db(), tenant.id, input);
    expect(dry.excluded).toEqual({ consent_withdrawn: 1 });
    expect(dry.planned + dry.heldOut).toBe(203);
    expect(dry.heldOut).toBeGreaterThan(15);
    expect(dry.heldOut).toBeLessThan(70);
    const ms = await createMassSend(db(), tenant.id, input, 'test');
    const counts = await runMassSendPlan(db(), tenant.id, ms.id, clients());
    // the holdout is drawn among those the engine lets through, by the campaign's own hash
    const movedHeldOut = inHoldout(`campaign:${ms.id}`, many[1] ?? '', 20);
    expect(counts).toMatchObject({ audience: 204, excluded: { consent_withdrawn: 1 }, moved: movedHeldOut ? {} : { platform_quota_day: 1 } });
    expect(counts.planned + counts.heldOut).toBe(203);
    // a re-run of the plan (the worker retried) writes nothing twice
    await sql`update mass_sends set status = 'planning' where tenant_id = ${tenant.id} and id = ${ms.id}`.execute(db());
    expect((await runMassSendPlan(db(), tenant.id, ms.id, clients())).audience).toBe(204);
    const { totals } = await deliverDue(db(), tenant.id, { budgetMs: 20_000 });
    expect(totals.sent).toBe(counts.planned - (movedHeldOut ? 0 : 1)); // the one moved to tomorrow is not due
    // delivery released the planned recipients into messages, content filled in
    // (any released customer: who is held out changes with the send's id, which is new each run)
    const filled = await db().selectFrom('messages').innerJoin('customers', (j) => j.onRef('customers.tenant_id', '=', 'messages.tenant_id').onRef('customers.id', '=', 'messages.customer_id'))
      .select(['messages.content', 'customers.name']).where('messages.tenant_id', '=', tenant.id).where('messages.mass_send_id', '=', ms.id)
      .where('customers.name', '!=', '').orderBy('messages.customer_id').limit(1).executeTakeFirstOrThrow();
    expect(filled.content.text).toBe(`${filled.name}，今天会员日`);
    // every treated customer orders ¥10 after the send, no held-out customer does
    const treated = await db().selectFrom('messages').select('customer_id').where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).where('status', '=', 'sent').execute();
    await db().insertInto('orders').values(treated.map((t, i) => ({
      tenant_id: tenant.id, id: newId(), order_no: `MS-${i}`, customer_id: t.customer_id, store_id: null, staff_id: null, channel: 'pos' as const, status: 'paid' as const,
      total_fen: 1000, paid_fen: 1000, refunded_fen: 0, ordered_at: new Date(Date.now() + 3_600_000),
    }))).execute();
    const report = await massSendReport(db(), tenant.id, ms.id);
    expect(report.treated).toEqual({ customers: treated.length, converted: treated.length, revenueFen: 1000 * treated.length, revenueSquaresFen2: 1_000_000 * treated.length });
    expect(report.heldOut).toMatchObject({ customers: counts.heldOut, converted: 0, revenueFen: 0 });
    expect(report.lift.conversion).toEqual({ difference: 1, low: 1, high: 1 });
    const view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.progress.sent).toBe(treated.length);
    expect(view.status).toBe('planned');
  });

  it('WeCom: groups messages per guide, hands each guide one request and a confirm task, and tracks confirmation', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const template = await saveTemplate(db(), tenant.id, { name: '新品', content: { wecom: { text: '{guide}提醒：新品到店', attachments: [{ kind: 'image', url: 'https://example.com/a.jpg' }] } } });
    const ms = await createMassSend(db(), tenant.id, MassSendInput.parse({ name: '新品', channel: 'wecom', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    const counts = await runMassSendPlan(db(), tenant.id, ms.id, clients());
    expect(counts).toMatchObject({ audience: 4, planned: 3, excluded: { no_guide: 1 } });
    const handedTo: { staffId: string; messages: OutgoingMessage[] }[] = [];
    const fakeWecom: ChannelAdapter = {
      kind: 'wecom', send: async () => ({ ok: false, retryable: false, reason: 'not used' }),
      sendForConfirmation: async (_ctx, staffId, messages) => { handedTo.push({ staffId, messages }); return { ok: true, providerId: `msg-${staffId.slice(-4)}` }; },
    };
    expect(await dispatchDueMassSends(db(), () => fakeWecom)).toBeGreaterThanOrEqual(3);
    const mine = handedTo.filter((h) => [w.staff.li, w.staff.wang, w.staff.zhao].includes(h.staffId));
    expect(mine.map((h) => h.messages.length)).toEqual([1, 1, 1]);
    expect(mine.find((h) => h.staffId === w.staff.li)?.messages[0]?.content).toEqual({ text: '李娜提醒：新品到店', attachments: [{ kind: 'image', url: 'https://example.com/a.jpg' }] });
    const tasks = await db().selectFrom('guide_tasks').select(['staff_id', 'kind']).where('tenant_id', '=', tenant.id).execute();
    expect(tasks).toHaveLength(3);
    expect(new Set(tasks.map((t) => t.kind))).toEqual(new Set(['mass_send_confirm']));
    await confirmStaffSend(db(), tenant.id, ms.id, w.staff.li);
    const view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.progress).toMatchObject({ sent: 1, awaiting_confirmation: 2, dropped: 1 });
    expect(view.staff.find((s) => s.staffId === w.staff.li)?.status).toBe('confirmed');
    await expect(confirmStaffSend(db(), tenant.id, ms.id, w.staff.li)).rejects.toMatchObject({ code: 'conflict' });
    // a second dispatch hands nothing twice
    handedTo.length = 0;
    await dispatchDueMassSends(db(), () => fakeWecom);
    expect(handedTo.filter((h) => h.staffId === w.staff.li)).toHaveLength(0);
  });
  it('WeCom not connected: each guide is handed the text and their customers by hand, and their task done or skipped settles the messages', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const template = await saveTemplate(db(), tenant.id, { name: '周末', content: { wecom: { text: '{store}周末到店有惊喜' } } });
    const ms = await createMassSend(db(), tenant.id, MassSendInput.parse({ name: '周末', channel: 'wecom', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db(), tenant.id, ms.id, clients());
    expect(await dispatchDueMassSends(db(), undefined, tenant.id)).toBe(3);
    const tasks = await db().selectFrom('guide_tasks').select(['id', 'staff_id', 'kind', 'title', 'detail']).where('tenant_id', '=', tenant.id).execute();
    const li = tasks.find((x) => x.staff_id === w.staff.li);
    expect(tasks).toHaveLength(3);
    expect(li).toMatchObject({ kind: 'mass_send_confirm', title: '手动群发：周末（1 位客户）' });
    expect(li?.detail).toEqual({
      massSendId: ms.id, messages: 1, providerId: null, manual: true, text: '福田中心店周末到店有惊喜', attachments: [],
      customers: [{ id: w.customers.mei, name: '陈美' }],
    });
    let view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.progress).toMatchObject({ awaiting_confirmation: 3 });
    expect(view.staff.map((x) => [x.status, x.reason])).toEqual([['handed_over', 'wecom_not_set_up'], ['handed_over', 'wecom_not_set_up'], ['handed_over', 'wecom_not_set_up']]);

    const guide = (staffId: string): Actor => ({ ...adminOf(tenant.id), role: 'guide', staffId, name: 'guide' });
    const taskOf = (staffId: string) => tasks.find((x) => x.staff_id === staffId)?.id ?? '';
    await finishTask(db(), guide(w.staff.li), taskOf(w.staff.li), 'done');
    await finishTask(db(), guide(w.staff.wang), taskOf(w.staff.wang), 'skipped');
    view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.progress).toMatchObject({ sent: 1, failed: 1, awaiting_confirmation: 1 });
    expect(view.notSent).toMatchObject({ guide_skipped: 1 });
    expect(view.status).toBe('planned');
    // the guide's tick again changes nothing; the last guide's settles the send
    await finishTask(db(), guide(w.staff.li), taskOf(w.staff.li), 'done');
    await finishTask(db(), guide(w.staff.zhao), taskOf(w.staff.zhao), 'done');
    view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.progress).toMatchObject({ sent: 2, failed: 1 });
    expect(view.status).toBe('done');
    expect(Object.fromEntries(view.staff.map((x) => [x.staffId, x.status]))).toEqual({ [w.staff.li]: 'confirmed', [w.staff.wang]: 'failed', [w.staff.zhao]: 'confirmed' });
  });

  it('fills a WeCom 群发\'s {store} and {guide} with the sending guide\'s: one text for all their customers, whatever store each belongs to', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    // 李娜 works at 福田; one of her customers belongs to the 南山 store
    const zhou = newId();
    await db().insertInto('customers').values({ tenant_id: tenant.id, id: zhou, name: '周洁', store_id: w.stores.nanshan, guide_id: w.staff.li }).execute();
    const template = await saveTemplate(db(), tenant.id, { name: '周末', content: { wecom: { text: '{store}的{guide}：周末到店有惊喜' } } });
    const ms = await createMassSend(db(), tenant.id, MassSendInput.parse({ name: '周末', channel: 'wecom', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db(), tenant.id, ms.id, clients());
    await dispatchDueMassSends(db(), undefined, tenant.id);
    const texts = await db().selectFrom('messages').select(['customer_id', 'staff_id', 'content']).where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute();
    const textOf = (customerId: string) => (texts.find((m) => m.customer_id === customerId)?.content as { text?: string } | undefined)?.text;
    expect([textOf(w.customers.mei), textOf(zhou)]).toEqual(['福田中心店的李娜：周末到店有惊喜', '福田中心店的李娜：周末到店有惊喜']);
    expect(textOf(w.customers.fang)).toBe('南山科技园店的赵敏：周末到店有惊喜');
    const task = await db().selectFrom('guide_tasks').select('detail').where('tenant_id', '=', tenant.id).where('staff_id', '=', w.staff.li).executeTakeFirstOrThrow();
    // one text for the guide, so no customer carries a text of their own
    expect(task.detail).toMatchObject({ text: '福田中心店的李娜：周末到店有惊喜' });
    const named = (task.detail as { customers: object[] }).customers;
    expect(named).toHaveLength(2);
    expect(named).toEqual(expect.arrayContaining([{ id: w.customers.mei, name: '陈美' }, { id: zhou, name: '周洁' }]));
  });

  it('refuses a WeCom mass send whose text names the customer: WeCom hands one text to all of a guide\'s customers', async () => {
    const tenant = await newTenant();
    await buildWorld(db(), tenant.id);
    const template = await saveTemplate(db(), tenant.id, { name: '称呼', content: { wecom: { text: '{name}您好，{city}门店上新' }, sms: { text: '{name}您好' } } });
    const input = (channel: string) => MassSendInput.parse({ name: '称呼', channel, templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } });
    const refusal = { code: 'invalid', details: [{ path: 'templateId', code: 'wecom_mass_send_personal', params: { variables: '{name} {city}' } }] };
    await expect(createMassSend(db(), tenant.id, input('wecom'), 'test')).rejects.toMatchObject(refusal);
    await expect(dryRunMassSend(db(), tenant.id, input('wecom'))).rejects.toMatchObject(refusal);
    expect((await createMassSend(db(), tenant.id, input('sms'), 'test')).channel).toBe('sms');
  });
});
