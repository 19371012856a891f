// A planned mass send's recipients between the plan and their messages: they reserve their slot
// for every other decision as their queued message would; a release interrupted mid-way keeps the
// chunks it committed and, run again, releases the rest once; a merge moves recipients to the
// survivor (one per send); an erased profile is not released; a cancel and the reports read them.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { newId } from '../../src/core/ids.ts';
import { claimDueMessages } from '../../src/core/messaging/delivery.service.ts';
import { customerMessages } from '../../src/core/messaging/messages.service.ts';
import { slotHolders } from '../../src/core/messaging/facts.service.ts';
import { poolClients } from '../../src/core/messaging/mass-plan-copy.ts';
import { releaseDueMassSends } from '../../src/core/messaging/mass-release.service.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { cancelMassSend, createMassSend, getMassSend, massSendReport, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { requestMessages } from '../../src/core/messaging/requests.ts';
import { DEFAULT_SETTINGS } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { saveTemplate } from '../../src/core/messaging/templates.service.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const calm = { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } };

async function customersOf(tenantId: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId()).sort();
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: tenantId, id, name: `顾客${i}` }))).execute();
  return ids;
}

async function plannedSend(tenantId: string, over: Partial<MassSendInput> = {}) {
  const template = await saveTemplate(db(), tenantId, { name: `模板 ${newId()}`, content: { sandbox: { text: '{name}，周末会员日' } } });
  const input = MassSendInput.parse({ name: '会员日', channel: 'sandbox', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } }, ...over });
  const ms = await createMassSend(db(), tenantId, input, 'test');
  const counts = await runMassSendPlan(db(), tenantId, ms.id, poolClients(testDb().pool));
  return { ms, counts };
}

async function recipients(tenantId: string, massSendId: string) {
  return db().selectFrom('mass_send_recipients').selectAll().where('tenant_id', '=', tenantId).where('mass_send_id', '=', massSendId).orderBy('customer_id').execute();
}

describe('mass-send release', () => {
  it('an unreleased planned recipient holds its slot: a lower-priority journey message is moved past it, as if its message were queued', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const [mei] = await customersOf(tenant.id, 1);
    // planned for now at priority 60, not released yet (release comes with the next delivery run)
    const { ms } = await plannedSend(tenant.id, { priority: 60 });
    const [planned] = await recipients(tenant.id, ms.id);
    expect(planned).toMatchObject({ verdict: 'send', reason: null });
    const held = await slotHolders(db(), tenant.id, sql`customer_id = any(${[mei]}::uuid[])`, calm, Date.now());
    expect(held.get(mei ?? '')).toEqual([{ id: planned?.message_id, at: planned?.send_at?.getTime(), channel: 'sandbox', purpose: 'marketing', priority: 60, state: 'reserved' }]);
    // a journey message at priority 30 wants today's one WeCom slot: the planned recipient has it
    await requestMessages(db(), tenant.id, [{ customerId: mei ?? '', channel: 'sandbox', purpose: 'marketing', priority: 30, source: { kind: 'journey', id: 'j' }, dedupeKey: 'journey-1', content: { text: '旅程' } }]);
    const claim = await claimDueMessages(db(), tenant.id);
    expect(claim).toMatchObject({ claimed: [], deferred: 1 });
    const journey = await db().selectFrom('messages').select(['status', 'status_reason']).where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'journey-1').executeTakeFirstOrThrow();
    expect(journey).toEqual({ status: 'deferred', status_reason: 'platform_quota_day' });
    // once released, the message row holds the same slot (same id, time, priority) and the recipient row is gone
    await releaseDueMassSends(db(), { tenantId: tenant.id });
    const after = await slotHolders(db(), tenant.id, sql`customer_id = any(${[mei]}::uuid[])`, calm, Date.now());
    expect(after.get(mei ?? '')?.find((h) => h.id === planned?.message_id)).toEqual({ id: planned?.message_id, at: planned?.send_at?.getTime(), channel: 'sandbox', purpose: 'marketing', priority: 60, state: 'reserved' });
    expect(await recipients(tenant.id, ms.id)).toHaveLength(0);
  });

  it('a release that dies mid-way keeps its committed chunks; run again it releases the rest, each recipient once', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    await customersOf(tenant.id, 23);
    const { ms, counts } = await plannedSend(tenant.id);
    expect(counts.planned).toBe(23);
    // the third chunk's insert fails (the database went away)
    let chunks = 0;
    const failing = new Proxy(db(), {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'transaction') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return () => {
          const builder = target.transaction();
          return { execute: async <T>(fn: (trx: typeof target) => Promise<T>) => builder.execute(async (trx) => {
            const out = await fn(trx);
            if (++chunks === 3) throw new Error('connection lost');
            return out;
          }) };
        };
      },
    });
    await expect(releaseDueMassSends(failing, { tenantId: tenant.id, chunkSize: 5 })).rejects.toThrow('connection lost');
    const half = await db().selectFrom('messages').select('customer_id').where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute();
    expect(half).toHaveLength(10);
    expect(await recipients(tenant.id, ms.id)).toHaveLength(13);
    expect((await getMassSend(db(), tenant.id, ms.id)).progress).toEqual({ queued: 23 });
    expect(await releaseDueMassSends(db(), { tenantId: tenant.id, chunkSize: 5 })).toEqual({ released: 1, more: false });
    const all = await db().selectFrom('messages').select(['customer_id', 'dedupe_key']).where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute();
    expect(all).toHaveLength(23);
    expect(new Set(all.map((m) => m.customer_id)).size).toBe(23);
    expect(await recipients(tenant.id, ms.id)).toHaveLength(0);
    const row = await db().selectFrom('mass_sends').select('released_at').where('tenant_id', '=', tenant.id).where('id', '=', ms.id).executeTakeFirstOrThrow();
    expect(row.released_at).not.toBeNull();
  });

  it('a merge moves recipients to the survivor, one per send; an erased profile is excluded, not released; the report counts held-out recipients', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const ids = await customersOf(tenant.id, 40);
    const [survivor, merged, loner] = ids;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const { ms, counts } = await plannedSend(tenant.id, { schedule: { at: tomorrow }, holdoutPercent: 30 });
    expect(counts.audience).toBe(40);
    // a second send planned only for the merged profile
    const other = await plannedSend(tenant.id, { schedule: { at: tomorrow } });
    await sql`delete from mass_send_recipients where tenant_id = ${tenant.id} and mass_send_id = ${other.ms.id} and customer_id <> ${merged ?? ''}`.execute(db());
    await db().transaction().execute((trx) => mergeCustomers(trx, tenant.id, [{ survivorId: survivor ?? '', mergedIds: [merged ?? '', loner ?? ''], identities: [] }], { source: 'test' }));
    const first = await recipients(tenant.id, ms.id);
    expect(first).toHaveLength(38);
    expect(first.filter((r) => r.customer_id === survivor)).toHaveLength(1);
    expect(first.some((r) => r.customer_id === merged || r.customer_id === loner)).toBe(false);
    expect((await recipients(tenant.id, other.ms.id)).map((r) => r.customer_id)).toEqual([survivor]);
    // erasure before the send: the recipient stays on record, excluded, and gets no message
    const erased = first.find((r) => r.verdict === 'send' && r.customer_id !== survivor)?.customer_id;
    await sql`update customers set erased_at = now(), name = '' where tenant_id = ${tenant.id} and id = ${erased ?? ''}`.execute(db());
    await sql`update mass_sends set send_at = now() where tenant_id = ${tenant.id} and id = ${ms.id}`.execute(db());
    await releaseDueMassSends(db(), { tenantId: tenant.id });
    const messages = await db().selectFrom('messages').select(['customer_id']).where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute();
    expect(messages.some((m) => m.customer_id === erased)).toBe(false);
    const left = await recipients(tenant.id, ms.id);
    expect(left.find((r) => r.customer_id === erased)).toMatchObject({ verdict: 'excluded', reason: 'erased', send_at: null });
    const heldOut = left.filter((r) => r.verdict === 'held_out');
    expect(messages.length + left.length).toBe(38);
    // the held-out arm of the lift report is the held-out recipients
    const report = await massSendReport(db(), tenant.id, ms.id);
    expect(report.heldOut.customers).toBe(heldOut.length);
    expect(heldOut.length).toBeGreaterThan(0);
  });

  it('a cancelled send releases nothing and shows its unreleased recipients as dropped: cancelled', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, calm, 'test');
    const [first] = await customersOf(tenant.id, 6);
    const { ms } = await plannedSend(tenant.id, { schedule: { at: new Date(Date.now() + 86_400_000).toISOString() } });
    // the customer's message list shows the planned decision before any message exists
    const [planned] = await recipients(tenant.id, ms.id);
    expect((await customerMessages(db(), tenant.id, first ?? '')).map((m) => ({ id: m.id, source: m.source, status: m.status }))).toEqual([{ id: planned?.message_id, source: 'mass_send', status: 'queued' }]);
    const view = await cancelMassSend(db(), tenant.id, ms.id);
    expect((await customerMessages(db(), tenant.id, first ?? ''))[0]).toMatchObject({ status: 'dropped', reason: 'cancelled' });
    expect(view.progress).toEqual({ dropped: 6 });
    await sql`update mass_sends set send_at = now() where tenant_id = ${tenant.id} and id = ${ms.id}`.execute(db());
    await releaseDueMassSends(db(), { tenantId: tenant.id });
    expect(await db().selectFrom('messages').select('id').where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute()).toHaveLength(0);
    expect((await recipients(tenant.id, ms.id)).map((r) => r.reason)).toEqual(Array(6).fill('cancelled'));
  });
});
