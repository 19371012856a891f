// The mass-send planner on the real database: every recipient's decision is the one decide() makes
// for that message alone; a plan that fails half-way keeps the chunks it committed and, run again,
// finishes without writing any recipient twice; released recipients become messages with their
// content (text with tabs, newlines and backslashes as written) and reserve their slot until then.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type pg from 'pg';
import { newId } from '../../src/core/ids.ts';
import { factsFor, loadSituations } from '../../src/core/messaging/facts.service.ts';
import { copyText, poolClients, type WithClient } from '../../src/core/messaging/mass-plan-copy.ts';
import { planMassSend, type PlanSpec } from '../../src/core/messaging/mass-plan.service.ts';
import { releaseDueMassSends } from '../../src/core/messaging/mass-release.service.ts';
import { createMassSend, getMassSend, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { sendTimeFor } from '../../src/core/messaging/mass-sends.rules.ts';
import { decide, inHoldout } from '../../src/core/messaging/restraint.rules.ts';
import { DEFAULT_SETTINGS, type MessagingSettings } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { saveTemplate } from '../../src/core/messaging/templates.service.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const DAY = 86_400_000;

async function customersOf(tenantId: string, names: string[]) {
  const ids = names.map(() => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: tenantId, id, name: names[i] ?? '' }))).execute();
  return ids;
}

function spec(massSendId: string, over: Partial<PlanSpec> = {}): PlanSpec {
  const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  return {
    massSendId, channel: 'sandbox', content: { sandbox: { text: '{name}您好，明天会员日' } }, audience: { include: { kind: 'all', ids: [] } },
    schedule: { date: tomorrow, localTime: '08:00' }, priority: 40, holdoutPercent: 0, ...over,
  };
}

/** The plan's rows as the statuses their messages have (planned: queued; held out or excluded: dropped). */
async function planRows(tenantId: string, massSendId: string) {
  const rows = await db().selectFrom('mass_send_recipients').select(['message_id', 'customer_id', 'verdict', 'reason', 'send_at'])
    .where('tenant_id', '=', tenantId).where('mass_send_id', '=', massSendId).orderBy('customer_id').execute();
  return rows.map((r) => ({ id: r.message_id, customer_id: r.customer_id, status: r.verdict === 'send' ? 'queued' : 'dropped', status_reason: r.reason, not_before: r.send_at }));
}

describe('mass-send planner', () => {
  it('decides each recipient as decide() does for that message alone: zones, consent, control group, caps and priorities', async () => {
    const tenant = await newTenant();
    const settings: MessagingSettings = { ...DEFAULT_SETTINGS, globalHoldoutPercent: 10, consent: { requireGrantFor: ['sms', 'email'] } };
    await putMessagingSettings(db(), tenant.id, settings, 'test');
    const ids = await customersOf(tenant.id, Array.from({ length: 120 }, (_, i) => `顾客${i}`));
    const now = Date.now();
    // a mix of zones, withdrawn and granted consent, and earlier sends that fill quotas and caps
    await db().insertInto('customer_time_zones').values(ids.slice(0, 30).map((id, i) => ({ tenant_id: tenant.id, customer_id: id, timezone: i % 2 ? 'America/New_York' : 'Europe/Berlin' }))).execute();
    await db().insertInto('customer_consents').values(ids.slice(30, 40).map((id, i) => ({ tenant_id: tenant.id, customer_id: id, channel: 'wecom', granted: i % 2 === 0, source: 'test', updated_at: new Date() }))).execute();
    const earlier = ids.slice(40, 80).flatMap((id, i) => [
      { at: now - DAY, priority: 50, status: 'sent' }, ...(i % 2 ? [{ at: now - 3 * DAY, priority: 50, status: 'sent' }] : []),
      ...(i % 4 === 0 ? [{ at: now + DAY + 3_600_000, priority: i % 8 === 0 ? 90 : 10, status: 'queued' }] : []),
    ].map((m, k) => ({
      tenant_id: tenant.id, id: newId(), customer_id: id, channel: 'sandbox' as const, purpose: 'marketing' as const, priority: m.priority, source_kind: 'journey',
      source_id: 'earlier', dedupe_key: `earlier:${id}:${k}`, content: JSON.stringify({ text: '之前' }), status: m.status,
      not_before: new Date(m.at), sent_at: m.status === 'sent' ? new Date(m.at) : null,
    })));
    await db().insertInto('messages').values(earlier).execute();
    const massSendId = newId();
    // tomorrow 10:00 in Shanghai is 03:00 in Berlin and 21:00 the evening before in New York: quiet hours there
    const s = spec(massSendId, { holdoutPercent: 20, schedule: { at: `${new Date(now + DAY).toISOString().slice(0, 10)}T02:00:00Z` } });
    const counts = await planMassSend(db(), tenant.id, s, { now, withClient: poolClients(testDb().pool), chunkSize: 25 });
    const rows = await planRows(tenant.id, massSendId);
    expect(rows).toHaveLength(120);
    expect(counts.audience).toBe(120);
    // the engine's one-by-one path: the situation the delivery worker loads, the message's own id as candidate
    const situations = await loadSituations(db(), tenant.id, ids, settings, 'Asia/Shanghai', now);
    const seen = new Set<string>();
    for (const row of rows) {
      const situation = situations.get(row.customer_id);
      if (!situation) throw new Error('no situation');
      const holders = situation.holders.filter((h) => h.id !== row.id);
      const decision = decide(
        { id: row.id, channel: 'sandbox', purpose: 'marketing', priority: 40, sourceKind: 'mass_send', notBefore: sendTimeFor(s.schedule, situation.timeZone, now) },
        factsFor(tenant.id, row.customer_id, 'sandbox', situation, settings), holders, settings, now);
      if (decision.verdict === 'drop') {
        expect({ status: row.status, reason: row.status_reason }).toEqual({ status: 'dropped', reason: decision.reason });
      } else {
        expect(row.not_before?.getTime()).toBe(decision.at);
        if (inHoldout(`campaign:${massSendId}`, row.customer_id, 20)) expect({ status: row.status, reason: row.status_reason }).toEqual({ status: 'dropped', reason: 'campaign_holdout' });
        else expect({ status: row.status, reason: row.status_reason }).toEqual({ status: 'queued', reason: decision.movedBy });
      }
      seen.add(decision.verdict === 'drop' ? decision.reason : decision.movedBy ?? 'on_time');
    }
    // the audience really exercised the rules
    expect([...seen].sort()).toEqual(expect.arrayContaining(['consent_withdrawn', 'global_holdout', 'quiet_hours', 'frequency_cap']));
    // the counts returned are the counts of the rows written
    const byRows = { planned: rows.filter((r) => r.status === 'queued').length, heldOut: rows.filter((r) => r.status_reason === 'campaign_holdout').length };
    expect({ planned: counts.planned, heldOut: counts.heldOut }).toEqual(byRows);
    // and a dry run counts the same
    const dry = await planMassSend(db(), tenant.id, { ...s, massSendId: newId(), holdoutPercent: 0 }, { now, dryRun: true });
    expect(dry.audience).toBe(120);
    expect(dry.excluded).toEqual(counts.excluded);
  });

  it('a plan that fails half-way keeps its committed chunks; run again it resumes and writes nobody twice', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } }, 'test');
    await customersOf(tenant.id, Array.from({ length: 100 }, (_, i) => `顾客${i}`));
    const massSendId = newId();
    const clients = poolClients(testDb().pool);
    // the connection dies during the third chunk's COPY
    let copies = 0;
    const failing: WithClient = (fn) => clients((client) => fn(new Proxy(client, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
        return (...args: unknown[]) => {
          const text = typeof args[0] === 'object' && args[0] !== null ? String((args[0] as { text?: unknown }).text) : '';
          if (text.startsWith('copy') && ++copies === 3) throw new Error('connection lost');
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as pg.PoolClient));
    await expect(planMassSend(db(), tenant.id, spec(massSendId), { withClient: failing, chunkSize: 30 })).rejects.toThrow('connection lost');
    expect(await planRows(tenant.id, massSendId)).toHaveLength(60);
    const again = await planMassSend(db(), tenant.id, spec(massSendId), { withClient: clients, chunkSize: 30, resumedFrom: { audience: 60, planned: 60, heldOut: 0, excluded: {}, moved: {} } });
    expect(again).toMatchObject({ audience: 100, planned: 100 });
    const rows = await planRows(tenant.id, massSendId);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(100);
    // a planner running the same send again without knowing (no resume) is refused by the key, and nothing is added
    await expect(planMassSend(db(), tenant.id, spec(massSendId), { withClient: clients, chunkSize: 30 })).rejects.toThrow(/duplicate key/);
    expect(await planRows(tenant.id, massSendId)).toHaveLength(100);
    const ids = await sql<{ n: number }>`select count(distinct message_id)::int as n from mass_send_recipients where tenant_id = ${tenant.id} and mass_send_id = ${massSendId}`.execute(db());
    expect(ids.rows[0]?.n).toBe(100);
  });

  it('released, planned recipients become their messages: same ids, content rendered, names with tabs, newlines and backslashes as written', async () => {
    const tenant = await newTenant();
    await putMessagingSettings(db(), tenant.id, { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } }, 'test');
    const names = ['王\t五', '李\n四', 'C:\\路径\\N', '\\N', '陈美\r'];
    const ids = await customersOf(tenant.id, names);
    const template = await saveTemplate(db(), tenant.id, { name: '会员日', content: { sandbox: { text: '{name}您好，明天会员日' } } });
    const ms = await createMassSend(db(), tenant.id, MassSendInput.parse({ name: '会员日', channel: 'sandbox', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db(), tenant.id, ms.id, poolClients(testDb().pool));
    const planned = await planRows(tenant.id, ms.id);
    expect(planned).toHaveLength(5);
    // a template edited after planning does not change the send
    await saveTemplate(db(), tenant.id, { name: '会员日', content: { sandbox: { text: '改过的文字' } } }, template.id);
    expect(await releaseDueMassSends(db(), { tenantId: tenant.id, chunkSize: 2 })).toEqual({ released: 1, more: false });
    const messages = await db().selectFrom('messages').select(['id', 'customer_id', 'content', 'dedupe_key', 'status', 'not_before'])
      .where('tenant_id', '=', tenant.id).where('mass_send_id', '=', ms.id).execute();
    expect(messages).toHaveLength(5);
    for (const [i, id] of ids.entries()) {
      const message = messages.find((m) => m.customer_id === id);
      const plannedRow = planned.find((p) => p.customer_id === id);
      expect(message?.content.text).toBe(`${names[i] ?? ''}您好，明天会员日`);
      expect(message).toMatchObject({ id: plannedRow?.id, status: 'queued', dedupe_key: `mass_send:${ms.id}:${id}` });
      expect(message?.not_before.getTime()).toBe(plannedRow?.not_before?.getTime());
    }
    // nothing is left to release, and a second release adds nothing
    expect(await planRows(tenant.id, ms.id)).toHaveLength(0);
    expect(await releaseDueMassSends(db(), { tenantId: tenant.id })).toEqual({ released: 0, more: false });
    expect((await getMassSend(db(), tenant.id, ms.id)).progress).toEqual({ queued: 5 });
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\\c')).toBe('a\\tb\\\\c');
  });
});
