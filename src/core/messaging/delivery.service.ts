// Delivery with guarantees: each (message, recipient) is sent at most once, and none is lost.
//
// The send ledger is the message row. One batch goes through three steps:
//   1. claim — a short transaction takes due rows (for update skip locked), locks their customers
//      (so two workers cannot both spend a customer's last slot), runs the restraint engine and
//      writes each decision: drop, defer to a time, or send — status 'sending' with a fresh
//      attempt_id and claimed_at. It commits before anything leaves Yuchi.
//   2. send — each claimed message goes to its channel with messages.id as the idempotency key.
//   3. record — the outcome is written only where status is still 'sending' with the same
//      attempt_id: sent, retrying (with backoff) or failed with the reason.
// A worker killed between 1 and 3 leaves rows in 'sending'. Once their lease has run out
// (claimed_at older than leaseSeconds) recoverStaleSends decides, by channel:
//   - channels that de-duplicate by message id (RESEND_SAFE_CHANNELS) are sent again: a message
//     that did arrive is absorbed by the provider, one that did not arrives now — exactly once;
//   - any other channel cannot tell, so the row is marked 'unknown' (crashed_mid_send) for a
//     person to review, never sent twice.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessageContent, MessagePurpose } from '../../db/schema.ts';
import type { ChannelAdapter, SendOutcome } from '../channels/channel.ts';
import { channelFor as registeredChannel } from '../channels/registry.ts';
import { newId } from '../ids.ts';
import { BY_HAND, canGoByHand, handMessagesToGuides } from './by-hand.service.ts';
import { factsFor, loadSituations, tenantZone } from './facts.service.ts';
import { decide } from './restraint.rules.ts';
import { releaseDueMassSends } from './mass-release.service.ts';
import { getMessagingSettings } from './settings.service.ts';

/** Channels whose provider de-duplicates by messages.id, so a resend after a crash is safe. */
export const RESEND_SAFE_CHANNELS: readonly MessageChannel[] = ['sandbox', 'webhook'];
/** Statuses the worker decides on; 'retrying' was already allowed and goes straight to the channel. */
const DECIDE_STATUSES = ['requested', 'queued', 'deferred'];

export interface DeliveryOptions {
  batchSize?: number;
  /** Sends in flight at once per batch. */
  concurrency?: number;
  maxAttempts?: number;
  /** The adapter for a channel; the registry's unless a caller supplies its own (a fake provider in tests). */
  channelFor?: (kind: MessageChannel) => ChannelAdapter | undefined;
}

export interface ClaimedMessage {
  id: string;
  attemptId: string;
  attempts: number;
  customerId: string;
  channel: MessageChannel;
  staffId: string | null;
  content: MessageContent;
}

/** byHand: WeCom messages handed to their guide as a task, WeCom not being connected (by-hand.service.ts). */
export interface BatchResult { claimed: number; sent: number; deferred: number; dropped: number; retrying: number; failed: number; byHand: number }

interface DueRow {
  id: string; customer_id: string; channel: MessageChannel; purpose: MessagePurpose; priority: number; source_kind: string;
  not_before: Date; status: string; staff_id: string | null; content: MessageContent; attempts: number;
}

/** Step 1: decide on and claim up to batchSize due messages of a tenant (WeCom mass sends go per staff instead). */
export async function claimDueMessages(db: Db, tenantId: string, batchSize = 500): Promise<{ claimed: ClaimedMessage[]; deferred: number; dropped: number }> {
  const settings = await getMessagingSettings(db, tenantId);
  const zone = await tenantZone(db, tenantId);
  return db.transaction().execute(async (trx) => {
    const due = await sql<DueRow>`
      select id, customer_id, channel, purpose, priority, source_kind, not_before, status, staff_id, content, attempts
        from messages
       where tenant_id = ${tenantId} and status = any(${[...DECIDE_STATUSES, 'retrying']}::text[]) and not_before <= now()
         and not (channel = 'wecom' and mass_send_id is not null)
       order by not_before
       limit ${batchSize}
         for update skip locked`.execute(trx);
    if (due.rows.length === 0) return { claimed: [], deferred: 0, dropped: 0 };
    const customers = [...new Set(due.rows.map((r) => r.customer_id))].sort();
    // Serialises the slot arithmetic per customer across workers (ordered: no deadlock).
    await sql`select pg_advisory_xact_lock(hashtextextended(${tenantId}::text || c, 0)) from unnest(${customers}::text[]) as c`.execute(trx);
    // within a batch, higher priority decides first, so it takes a slot a lower one also wanted
    due.rows.sort((a, b) => b.priority - a.priority || a.not_before.getTime() - b.not_before.getTime() || (a.id < b.id ? -1 : 1));
    const now = Date.now();
    const situations = await loadSituations(trx, tenantId, customers, settings, zone, now);
    const ids: string[] = []; const statuses: string[] = []; const reasons: (string | null)[] = []; const notBefores: string[] = [];
    const attemptIds: (string | null)[] = []; const verdicts: string[] = [];
    const claimed: ClaimedMessage[] = [];
    let deferred = 0; let dropped = 0;
    for (const row of due.rows) {
      const situation = situations.get(row.customer_id);
      if (!situation) continue;
      let verdict: 'send' | 'defer' | 'drop' = 'send'; let reason = 'allowed'; let at = now;
      if (row.status !== 'retrying') {
        const decision = decide(
          { id: row.id, channel: row.channel, purpose: row.purpose, priority: row.priority, sourceKind: row.source_kind, notBefore: row.not_before.getTime() },
          factsFor(tenantId, row.customer_id, row.channel, situation, settings), situation.holders, settings, now);
        if (decision.verdict === 'drop') { verdict = 'drop'; reason = decision.reason; }
        else if (decision.at > now) { verdict = 'defer'; reason = decision.movedBy ?? 'scheduled'; at = decision.at; }
      } else reason = 'retry';
      ids.push(row.id); verdicts.push(verdict); reasons.push(reason); notBefores.push(new Date(at).toISOString());
      if (verdict === 'send') {
        const attemptId = newId();
        statuses.push('sending'); attemptIds.push(attemptId);
        claimed.push({ id: row.id, attemptId, attempts: row.attempts + 1, customerId: row.customer_id, channel: row.channel, staffId: row.staff_id, content: row.content });
        // the slot is now used: later rows of the same customer in this batch see it
        if (row.purpose === 'marketing') situation.holders.push({ id: row.id, at: now, channel: row.channel, purpose: row.purpose, priority: row.priority, state: 'sent' });
      } else {
        statuses.push(verdict === 'drop' ? 'dropped' : 'deferred'); attemptIds.push(null);
        if (verdict === 'drop') dropped++; else deferred++;
      }
    }
    await sql`
      update messages m set status = u.status, status_reason = case when u.status = 'sending' then m.status_reason else u.reason end,
             not_before = case when u.status = 'deferred' then u.not_before else m.not_before end,
             attempt_id = u.attempt_id, claimed_at = case when u.status = 'sending' then now() else m.claimed_at end,
             attempts = m.attempts + (u.status = 'sending')::int, decided_at = now(), updated_at = now()
        from unnest(${ids}::uuid[], ${statuses}::text[], ${reasons}::text[], ${notBefores}::timestamptz[], ${attemptIds}::uuid[])
             as u(id, status, reason, not_before, attempt_id)
       where m.tenant_id = ${tenantId} and m.id = u.id`.execute(trx);
    await sql`
      insert into message_decisions (tenant_id, message_id, verdict, reason, defer_to)
      select ${tenantId}, u.id, u.verdict, u.reason, case when u.verdict = 'defer' then u.at end
        from unnest(${ids}::uuid[], ${verdicts}::text[], ${reasons}::text[], ${notBefores}::timestamptz[]) as u(id, verdict, reason, at)`.execute(trx);
    return { claimed, deferred, dropped };
  });
}

async function sendOne(db: Db, tenantId: string, message: ClaimedMessage, adapterFor: (kind: MessageChannel) => ChannelAdapter | undefined): Promise<SendOutcome> {
  const adapter = adapterFor(message.channel);
  if (!adapter) return { ok: false, retryable: false, reason: `channel_unavailable: no ${message.channel} adapter` };
  try {
    return await adapter.send({ db, tenantId }, { messageId: message.id, customerId: message.customerId, staffId: message.staffId, content: message.content });
  } catch (err) {
    // a thrown error (a dropped connection, a bug in a provider client) is worth another try
    return { ok: false, retryable: true, reason: err instanceof Error ? err.message.slice(0, 300) : 'send threw' };
  }
}

/** Step 2: hand each claimed message to its channel, a few at a time. */
export async function sendClaimed(db: Db, tenantId: string, claimed: readonly ClaimedMessage[], options: DeliveryOptions = {}): Promise<SendOutcome[]> {
  const adapterFor = options.channelFor ?? registeredChannel;
  const outcomes: SendOutcome[] = new Array<SendOutcome>(claimed.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(options.concurrency ?? 8, claimed.length) }, async () => {
    for (let i = next++; i < claimed.length; i = next++) {
      const message = claimed[i];
      if (message) outcomes[i] = await sendOne(db, tenantId, message, adapterFor);
    }
  });
  await Promise.all(lanes);
  return outcomes;
}

/** Backoff before try n+1: 30 s, 1 min, 2 min … at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/** Step 3: write each outcome where this attempt still owns the row. */
export async function recordOutcomes(db: Db, tenantId: string, claimed: readonly ClaimedMessage[], outcomes: readonly SendOutcome[], maxAttempts = 5): Promise<Omit<BatchResult, 'claimed' | 'deferred' | 'dropped'>> {
  const result = { sent: 0, retrying: 0, failed: 0, byHand: 0 };
  if (claimed.length === 0) return result;
  const ids: string[] = []; const attemptIds: string[] = []; const statuses: string[] = []; const reasons: (string | null)[] = [];
  const providerIds: (string | null)[] = []; const retryAt: (string | null)[] = [];
  claimed.forEach((message, i) => {
    const outcome = outcomes[i] ?? { ok: false, retryable: true, reason: 'no outcome' };
    ids.push(message.id); attemptIds.push(message.attemptId);
    if (outcome.ok) {
      statuses.push('sent'); reasons.push(null); providerIds.push(outcome.providerId ?? null); retryAt.push(null); result.sent++;
    } else if (canGoByHand(message, outcome)) {
      statuses.push('awaiting_confirmation'); reasons.push(BY_HAND); providerIds.push(null); retryAt.push(null); result.byHand++;
    } else if (outcome.retryable && message.attempts < maxAttempts) {
      statuses.push('retrying'); reasons.push(outcome.reason); providerIds.push(null);
      retryAt.push(new Date(Date.now() + retryDelayMs(message.attempts)).toISOString()); result.retrying++;
    } else {
      statuses.push('failed'); reasons.push(outcome.reason); providerIds.push(null); retryAt.push(null); result.failed++;
    }
  });
  await sql`
    update messages m set status = u.status, status_reason = u.reason, provider_id = coalesce(u.provider_id, m.provider_id),
           sent_at = case when u.status = 'sent' then now() else m.sent_at end,
           not_before = coalesce(u.retry_at, m.not_before), updated_at = now()
      from unnest(${ids}::uuid[], ${attemptIds}::uuid[], ${statuses}::text[], ${reasons}::text[], ${providerIds}::text[], ${retryAt}::timestamptz[])
           as u(id, attempt_id, status, reason, provider_id, retry_at)
     where m.tenant_id = ${tenantId} and m.id = u.id and m.attempt_id = u.attempt_id and m.status = 'sending'`.execute(db);
  if (result.byHand > 0) await handMessagesToGuides(db, tenantId, claimed.filter((m, i) => statuses[i] === 'awaiting_confirmation').map((m) => m.id));
  return result;
}

/** After a crash: rows whose claim outlived its lease are resent (de-duplicating channels) or marked unknown (see the top). */
export async function recoverStaleSends(db: Db, tenantId: string, leaseSeconds = 120): Promise<{ resent: number; unknown: number }> {
  const rows = await sql<{ status: string; n: number }>`
    with stale as (
      update messages set
             status = case when channel = any(${RESEND_SAFE_CHANNELS}::text[]) then 'retrying' else 'unknown' end,
             status_reason = case when channel = any(${RESEND_SAFE_CHANNELS}::text[]) then 'resent_after_crash' else 'crashed_mid_send' end,
             not_before = now(), attempt_id = null, updated_at = now()
       where tenant_id = ${tenantId} and status = 'sending' and claimed_at < now() - make_interval(secs => ${leaseSeconds})
      returning status)
    select status, count(*)::int as n from stale group by status`.execute(db);
  return {
    resent: rows.rows.find((r) => r.status === 'retrying')?.n ?? 0,
    unknown: rows.rows.find((r) => r.status === 'unknown')?.n ?? 0,
  };
}

/** One batch, all three steps. */
export async function deliverBatch(db: Db, tenantId: string, options: DeliveryOptions = {}): Promise<BatchResult> {
  const { claimed, deferred, dropped } = await claimDueMessages(db, tenantId, options.batchSize ?? 500);
  const outcomes = await sendClaimed(db, tenantId, claimed, options);
  const recorded = await recordOutcomes(db, tenantId, claimed, outcomes, options.maxAttempts ?? 5);
  return { claimed: claimed.length, deferred, dropped, ...recorded };
}

/**
 * Batches until nothing is due or the time budget is spent; true when more may be waiting. Mass
 * sends whose time has come are released into messages first (WeCom's go through the hand-over).
 */
export async function deliverDue(db: Db, tenantId: string, options: DeliveryOptions & { budgetMs?: number; leaseSeconds?: number } = {}): Promise<{ totals: BatchResult; more: boolean }> {
  await recoverStaleSends(db, tenantId, options.leaseSeconds ?? 120);
  const totals: BatchResult = { claimed: 0, sent: 0, deferred: 0, dropped: 0, retrying: 0, failed: 0, byHand: 0 };
  const until = Date.now() + (options.budgetMs ?? 25_000);
  // at most half the budget on releasing, so a million-recipient send starts going out while the rest is released
  const release = await releaseDueMassSends(db, { tenantId, channels: NOT_WECOM, budgetMs: (options.budgetMs ?? 25_000) / 2 });
  while (Date.now() < until) {
    const batch = await deliverBatch(db, tenantId, options);
    for (const key of Object.keys(totals) as (keyof BatchResult)[]) totals[key] += batch[key];
    if (batch.claimed + batch.deferred + batch.dropped === 0) return { totals, more: release.more };
  }
  return { totals, more: true };
}

const NOT_WECOM: readonly MessageChannel[] = ['email', 'sms', 'sandbox', 'webhook'];

/** Tenants with messages due now, mass sends to release, or claims past their lease: the dispatcher's list. */
export async function tenantsWithDueMessages(db: Db, leaseSeconds = 120): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select t.id from tenants t
     where exists (select 1 from messages m where m.tenant_id = t.id and m.status = any(${[...DECIDE_STATUSES, 'retrying']}::text[]) and m.not_before <= now()
                     and not (m.channel = 'wecom' and m.mass_send_id is not null))
        or exists (select 1 from messages m where m.tenant_id = t.id and m.status = 'sending' and m.claimed_at < now() - make_interval(secs => ${leaseSeconds}))
        or exists (select 1 from mass_sends ms where ms.tenant_id = t.id and ms.status = 'planned' and ms.released_at is null and ms.send_at <= now()
                     and ms.channel <> 'wecom')`.execute(db);
  return rows.rows.map((r) => r.id);
}
