// WeCom mass sends confirmed from WeCom's own results: the poller asks get_groupmsg_task whether
// the guide has sent, then get_groupmsg_send_result what each customer got, against the local
// fake WeCom server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { saveChannelSettings } from '../../src/core/channels/settings.service.ts';
import { createWecomAdapter } from '../../src/core/channels/wecom/wecom.adapter.ts';
import { newId } from '../../src/core/ids.ts';
import { pollMassSendConfirmations } from '../../src/core/messaging/mass-confirm.service.ts';
import { dispatchDueMassSends } from '../../src/core/messaging/mass-dispatch.service.ts';
import { createMassSend, getMassSend, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { poolClients } from '../../src/core/messaging/mass-plan-copy.ts';
import { DEFAULT_SETTINGS } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { saveTemplate } from '../../src/core/messaging/templates.service.ts';
import { FakeWecom } from '../fakes/wecom.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const fake = new FakeWecom('wwconfirmtest', 'confirm-secret');
const quick = { sleep: async () => {}, baseDelayMs: 1 };
const wecom = createWecomAdapter(quick);

beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });

describe('WeCom mass-send confirmation from results', () => {
  it('marks each customer sent or not sent with WeCom\'s reason, completes the guide\'s task, and the mass send shows it', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'test' };
    await saveChannelSettings(db(), actor, 'wecom', { corpId: fake.corpId, agentId: '1000002', secret: fake.secret, token: 'confirmToken1', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBaseUrl: fake.url });
    await putMessagingSettings(db(), tenant.id, { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } }, 'test');
    // li's customers: four more friends beside 陈美, each with a WeCom external user id
    const li = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', w.staff.li).executeTakeFirstOrThrow();
    const extra = ['好友', '已删', '已收', '漏发'].map((name) => ({ id: newId(), name, external: `wm${name}${tenant.id.slice(-6)}` }));
    await db().insertInto('customers').values(extra.map((c) => ({ tenant_id: tenant.id, id: c.id, name: c.name, guide_id: w.staff.li }))).execute();
    await db().insertInto('customer_identities').values(extra.map((c) => ({ tenant_id: tenant.id, kind: 'external_userid' as const, value: c.external, customer_id: c.id }))).execute();
    const mei = await db().selectFrom('customer_identities').select('value').where('tenant_id', '=', tenant.id).where('customer_id', '=', w.customers.mei).where('kind', '=', 'external_userid').executeTakeFirstOrThrow();
    fake.contacts.set(li.wecom_user_id ?? '', [mei.value, ...extra.map((c) => c.external)]);

    const template = await saveTemplate(db(), tenant.id, { name: '新品', content: { wecom: { text: '新品到店' } } });
    const ms = await createMassSend(db(), tenant.id, MassSendInput.parse({ name: '新品', channel: 'wecom', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db(), tenant.id, ms.id, poolClients(testDb().pool));
    await dispatchDueMassSends(db(), () => wecom);
    const handed = fake.massSends().find((m) => m.sender === li.wecom_user_id);
    expect(handed?.externalUserIds).toHaveLength(5);
    const msgid = handed?.msgid ?? '';

    // the guide has not sent yet: nothing changes
    const before = await pollMassSendConfirmations(db(), { ...quick, tenantId: tenant.id });
    expect(before.confirmed).toBe(0);
    expect(fake.callsTo('/cgi-bin/externalcontact/get_groupmsg_task').length).toBeGreaterThan(0);
    expect((await getMassSend(db(), tenant.id, ms.id)).staff.find((s) => s.staffId === w.staff.li)?.status).toBe('handed_over');

    // 1 已发送, 2 不是好友, 3 已收到其他群发; 漏发 left out by the guide (0 未发送)
    const [friend, deleted, received] = extra;
    fake.staffSent(msgid, { [mei.value]: 1, [friend?.external ?? '']: 1, [deleted?.external ?? '']: 2, [received?.external ?? '']: 3 });
    const after = await pollMassSendConfirmations(db(), { ...quick, tenantId: tenant.id });
    expect(after).toMatchObject({ confirmed: 1, sent: 2, notSent: 3, errors: [] });

    const rows = await db().selectFrom('messages').select(['customer_id', 'status', 'status_reason', 'sent_at'])
      .where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).where('staff_id', '=', w.staff.li).execute();
    const of = (id: string | undefined) => rows.find((r) => r.customer_id === id);
    expect(of(w.customers.mei)).toMatchObject({ status: 'sent', status_reason: null, sent_at: new Date(1_700_000_600_000) });
    expect(of(friend?.id)).toMatchObject({ status: 'sent' });
    expect(of(deleted?.id)).toMatchObject({ status: 'failed', status_reason: 'wecom_not_a_friend' });
    expect(of(received?.id)).toMatchObject({ status: 'failed', status_reason: 'wecom_already_received_mass_send' });
    expect(of(extra[3]?.id)).toMatchObject({ status: 'failed', status_reason: 'wecom_not_sent_by_guide' });

    const task = await db().selectFrom('guide_tasks').select(['status', 'done_by']).where('tenant_id', '=', tenant.id)
      .where('dedupe_key', '=', `mass_send_confirm:${ms.id}:${w.staff.li}`).executeTakeFirstOrThrow();
    expect(task).toEqual({ status: 'done', done_by: 'WeCom: sent by the guide' });

    const view = await getMassSend(db(), tenant.id, ms.id);
    expect(view.staff.find((s) => s.staffId === w.staff.li)).toMatchObject({ status: 'confirmed', confirmedAt: new Date(1_700_000_600_000).toISOString() });
    expect(view.progress.sent).toBe(2);
    expect(view.notSent).toMatchObject({ wecom_not_a_friend: 1, wecom_already_received_mass_send: 1, wecom_not_sent_by_guide: 1 });

    // asked again: the confirmed hand-over is not asked about, nothing changes
    const calls = fake.callsTo('/cgi-bin/externalcontact/get_groupmsg_send_result').length;
    const again = await pollMassSendConfirmations(db(), { ...quick, tenantId: tenant.id });
    expect(again.confirmed).toBe(0);
    expect(fake.callsTo('/cgi-bin/externalcontact/get_groupmsg_send_result').length).toBe(calls);
  });
});
