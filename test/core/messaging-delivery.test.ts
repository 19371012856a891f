// Delivery through the restraint engine on the real database: decisions with reasons, priorities
// within a batch, retries with backoff, and the send ledger's crash guarantee. Quiet hours are
// switched off here so the outcome never depends on the hour the test runs (the rules test covers them).
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChannelAdapter } from '../../src/core/channels/channel.ts';
import { claimDueMessages, deliverDue, recordOutcomes, recoverStaleSends, sendClaimed } from '../../src/core/messaging/delivery.service.ts';
import { requestMessages, type MessageRequest } from '../../src/core/messaging/requests.ts';
import { customerInbox, simulateReply } from '../../src/core/messaging/sandbox.service.ts';
import { DEFAULT_SETTINGS, type MessagingSettings } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { newId } from '../../src/core/ids.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { finishTask } from '../../src/core/tasks/task-work.service.ts';

const db = () => testDb().db;
const calm: MessagingSettings = { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } };

function ask(customerId: string, key: string, over: Partial<MessageRequest> = {}): MessageRequest {
  return { customerId, channel: 'sandbox', purpose: 'marketing', source: { kind: 'journey', id: 'j1' }, dedupeKey: key, content: { text: `消息 ${key}` }, ...over };
}

async function statuses(tenantId: string) {
  return db().selectFrom('messages').select(['dedupe_key', 'status', 'status_reason', 'attempts']).where('tenant_id', '=', tenantId).orderBy('dedupe_key').execute();
}

describe('delivery through the restraint engine', () => {
  it('sends, defers and drops with the reason recorded; a higher priority takes the day\'s slot', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    await db().insertInto('customer_consents').values({ tenant_id: tenant.id, customer_id: w.customers.fang, channel: 'wecom', granted: false, source: 'test', updated_at: new Date() }).execute();
    await requestMessages(db(), tenant.id, [
      ask(w.customers.mei, 'a-low', { priority: 30 }),
      ask(w.customers.mei, 'b-high', { priority: 80 }),
      ask(w.customers.mei, 'c-service', { purpose: 'service' }),
      ask(w.customers.fang, 'd-withdrawn'),
    ]);
    const { totals } = await deliverDue(db(), tenant.id, { budgetMs: 10_000 });
    expect(totals).toMatchObject({ sent: 2, deferred: 1, dropped: 1 });
    const rows = await statuses(tenant.id);
    expect(rows.map((r) => [r.dedupe_key, r.status, r.status_reason])).toEqual([
      ['a-low', 'deferred', 'platform_quota_day'],
      ['b-high', 'sent', null],
      ['c-service', 'sent', null],
      ['d-withdrawn', 'dropped', 'consent_withdrawn'],
    ]);
    const decisions = await db().selectFrom('message_decisions').select(['verdict', 'reason']).where('tenant_id', '=', tenant.id).orderBy('reason').execute();
    expect(decisions).toEqual([{ verdict: 'send', reason: 'allowed' }, { verdict: 'send', reason: 'allowed' }, { verdict: 'drop', reason: 'consent_withdrawn' }, { verdict: 'defer', reason: 'platform_quota_day' }]);
    const deferredTo = await db().selectFrom('messages').select('not_before').where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'a-low').executeTakeFirstOrThrow();
    expect(deferredTo.not_before.getTime()).toBeGreaterThan(Date.now());
    const inbox = await customerInbox(db(), tenant.id, w.customers.mei);
    expect(inbox.map((m) => m.content.text).sort()).toEqual(['消息 b-high', '消息 c-service']);
  });

  it('a lower-priority message set to drop at a cap is dropped, not moved', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, { ...calm, priorities: { ...calm.priorities, bySource: { sop: 'drop' } } }, 'test');
    await requestMessages(db(), tenant.id, [ask(w.customers.lei, 'x-journey', { priority: 60 }), ask(w.customers.lei, 'y-sop', { priority: 20, source: { kind: 'sop', id: 's' } })]);
    await deliverDue(db(), tenant.id, { budgetMs: 10_000 });
    expect((await statuses(tenant.id)).map((r) => [r.dedupe_key, r.status, r.status_reason])).toEqual([['x-journey', 'sent', null], ['y-sop', 'dropped', 'platform_quota_day']]);
  });

  it('retries a retryable failure with backoff, then records it failed with the reason', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    let calls = 0;
    const flaky: ChannelAdapter = { kind: 'sandbox', send: async () => { calls++; return { ok: false, retryable: true, reason: 'HTTP 503 from the gateway' }; } };
    await requestMessages(db(), tenant.id, [ask(w.customers.mei, 'r1', { purpose: 'service' })]);
    await deliverDue(db(), tenant.id, { channelFor: () => flaky, maxAttempts: 3, budgetMs: 10_000 });
    let [row] = await statuses(tenant.id);
    expect(row).toMatchObject({ status: 'retrying', status_reason: 'HTTP 503 from the gateway', attempts: 1 });
    const wait = await db().selectFrom('messages').select('not_before').where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(wait.not_before.getTime()).toBeGreaterThan(Date.now() + 20_000);
    for (let i = 0; i < 3; i++) {
      await sql`update messages set not_before = now() where tenant_id = ${tenant.id}`.execute(db()); // the backoff has passed
      await deliverDue(db(), tenant.id, { channelFor: () => flaky, maxAttempts: 3, budgetMs: 10_000 });
    }
    [row] = await statuses(tenant.id);
    expect(row).toMatchObject({ status: 'failed', status_reason: 'HTTP 503 from the gateway', attempts: 3 });
    expect(calls).toBe(3);
  });

  it('after a crash between claim and outcome, the restart sends the rest once and each recipient has exactly one message', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const ids = Object.values(w.customers);
    await requestMessages(db(), tenant.id, Array.from({ length: 40 }, (_, i) => ask(ids[i % 4] ?? '', `svc-${String(i).padStart(2, '0')}`, { purpose: 'service' })));
    // the worker claims 40, gets 15 of them out, and dies before writing any outcome
    const { claimed } = await claimDueMessages(db(), tenant.id, 100);
    expect(claimed).toHaveLength(40);
    await sendClaimed(db(), tenant.id, claimed.slice(0, 15));
    expect((await statuses(tenant.id)).every((r) => r.status === 'sending')).toBe(true);
    // a restart before the lease runs out leaves the claims alone (the first worker may be alive)
    expect(await recoverStaleSends(db(), tenant.id, 3600)).toEqual({ resent: 0, unknown: 0 });
    const { totals } = await deliverDue(db(), tenant.id, { leaseSeconds: 0, budgetMs: 10_000 });
    expect(totals.sent).toBe(40);
    const rows = await statuses(tenant.id);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(40);
    const inbox = await sql<{ n: number; distinct_ids: number; redelivered: number }>`
      select count(*)::int as n, count(distinct id)::int as distinct_ids, sum(redeliveries)::int as redelivered from sandbox_inbox where tenant_id = ${tenant.id}`.execute(db());
    expect(inbox.rows[0]).toEqual({ n: 40, distinct_ids: 40, redelivered: 15 });
    // an outcome written late by the dead worker's attempt changes nothing
    await recordOutcomes(db(), tenant.id, claimed.slice(0, 1), [{ ok: false, retryable: false, reason: 'late' }]);
    expect((await statuses(tenant.id)).filter((r) => r.status === 'sent')).toHaveLength(40);
  });

  it('a crashed send on a channel that cannot de-duplicate is marked unknown, never sent twice', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    await requestMessages(db(), tenant.id, [ask(w.customers.mei, 'sms-1', { channel: 'sms', purpose: 'service' })]);
    const { claimed } = await claimDueMessages(db(), tenant.id);
    expect(claimed).toHaveLength(1);
    expect(await recoverStaleSends(db(), tenant.id, 0)).toEqual({ resent: 0, unknown: 1 });
    expect((await statuses(tenant.id))[0]).toMatchObject({ status: 'unknown', status_reason: 'crashed_mid_send' });
    const { totals } = await deliverDue(db(), tenant.id, { leaseSeconds: 0, budgetMs: 5_000 });
    expect(totals.claimed).toBe(0);
  });

  it('asking wakes the delivery worker with one job per tenant', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await requestMessages(db(), tenant.id, [ask(w.customers.mei, 'k1')]);
    await requestMessages(db(), tenant.id, [ask(w.customers.lei, 'k2')]);
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where key = ${`deliver_messages:${tenant.id}`}`.execute(db());
    expect(jobs.rows[0]?.n).toBe(1);
  });
});

describe('sandbox phone', () => {
  it('a simulated reply lands in the inbox and on the timeline as message_received', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const reply = await simulateReply(db(), adminOf(tenant.id), w.customers.jun, '还有车厘子吗？');
    const inbox = await customerInbox(db(), tenant.id, w.customers.jun);
    expect(inbox).toEqual([reply]);
    const events = await db().selectFrom('events').select(['type', 'customer_id', 'properties']).where('tenant_id', '=', tenant.id).where('type', '=', 'message_received').execute();
    expect(events).toEqual([{ type: 'message_received', customer_id: w.customers.jun, properties: expect.objectContaining({ text: '还有车厘子吗？', channel: 'sandbox' }) as unknown }]);
    await expect(customerInbox(db(), tenant.id, newId())).rejects.toThrow('customer not found');
  });
  it('WeCom not connected: a message for one customer is handed to their guide as a task, and the guide\'s done or skip settles it', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const wecom = (customerId: string, key: string, staffId: string | null, over: Partial<MessageRequest> = {}) =>
      ask(customerId, key, { channel: 'wecom', purpose: 'service', staffId, content: { text: `您好，${key}` }, ...over });
    await requestMessages(db(), tenant.id, [
      wecom(w.customers.mei, 'a-journey', w.staff.li),
      wecom(w.customers.lei, 'b-auto-reply', w.staff.wang, { source: { kind: 'auto_reply', id: 'r1' } }),
      wecom(w.customers.fang, 'c-no-guide', null),
      wecom(w.customers.jun, 'd-welcome', w.staff.zhao, { content: { text: '欢迎', welcomeCode: 'wc-1' } }),
    ]);
    const { totals } = await deliverDue(db(), tenant.id, { budgetMs: 10_000 });
    expect(totals).toMatchObject({ byHand: 2, failed: 2, sent: 0 });
    expect((await statuses(tenant.id)).map((r) => [r.dedupe_key, r.status, r.status_reason?.startsWith('WeCom is not set up') ? 'not set up' : r.status_reason])).toEqual([
      ['a-journey', 'awaiting_confirmation', 'wecom_not_set_up'],
      ['b-auto-reply', 'awaiting_confirmation', 'wecom_not_set_up'],
      ['c-no-guide', 'failed', 'not set up'],
      ['d-welcome', 'failed', 'not set up'],
    ]);
    const tasks = await db().selectFrom('guide_tasks').select(['id', 'staff_id', 'customer_id', 'kind', 'title', 'detail']).where('tenant_id', '=', tenant.id).execute();
    const li = tasks.find((x) => x.staff_id === w.staff.li);
    const wang = tasks.find((x) => x.staff_id === w.staff.wang);
    expect(tasks).toHaveLength(2);
    expect(li).toMatchObject({ customer_id: w.customers.mei, kind: 'send_by_hand', title: '旅程消息（企业微信手动发送）', detail: { text: '您好，a-journey', via: 'journey' } });
    expect(wang).toMatchObject({ customer_id: w.customers.lei, kind: 'send_by_hand', title: '自动回复（企业微信手动发送）' });
    // a second delivery run hands nothing again
    await deliverDue(db(), tenant.id, { budgetMs: 10_000 });
    expect(await db().selectFrom('guide_tasks').select('id').where('tenant_id', '=', tenant.id).execute()).toHaveLength(2);

    const guide = (staffId: string): Actor => ({ ...adminOf(tenant.id), role: 'guide', staffId, name: 'guide' });
    await finishTask(db(), guide(w.staff.li), li?.id ?? '', 'done');
    await finishTask(db(), guide(w.staff.wang), wang?.id ?? '', 'skipped');
    expect((await statuses(tenant.id)).slice(0, 2).map((r) => [r.dedupe_key, r.status, r.status_reason])).toEqual([
      ['a-journey', 'sent', null],
      ['b-auto-reply', 'failed', 'guide_skipped'],
    ]);
  });
});
