// What the engine needs to know about a set of customers, read set-wise: consent per channel,
// time zone, and the marketing messages that hold a slot around now (sent, being sent, or queued).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessagePurpose } from '../../db/schema.ts';
import { consentChannelOf, inHoldout, type CustomerFacts, type SlotHolder } from './restraint.rules.ts';
import type { MessagingSettings } from './settings.rules.ts';

/** Statuses that have used a slot (sending counts: it may have reached the phone). */
export const SENT_STATUSES = ['sent', 'sending', 'awaiting_confirmation', 'unknown'] as const;
/** Statuses of a message still waiting to go; it reserves a slot by its priority. */
export const PENDING_STATUSES = ['requested', 'queued', 'deferred', 'retrying'] as const;

export interface CustomerSituation {
  consent: Map<string, boolean>;
  timeZone: string;
  holders: SlotHolder[];
}

export async function tenantZone(db: Db, tenantId: string): Promise<string> {
  const row = await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst();
  return row?.timezone ?? 'Asia/Shanghai';
}

/**
 * Slots are looked at 35 days back (a month's quota) and as far ahead as rescheduling reaches.
 * `range`: the ids are a run of the tenant's customers in id order (a mass send's chunk), so each
 * table is read as one key range instead of an index probe per customer.
 */
export async function loadSituations(db: Db, tenantId: string, customerIds: readonly string[], settings: MessagingSettings, zone: string, now: number, range = false): Promise<Map<string, CustomerSituation>> {
  const out = new Map<string, CustomerSituation>();
  if (customerIds.length === 0) return out;
  const ids = [...new Set(customerIds)];
  for (const id of ids) out.set(id, { consent: new Map(), timeZone: zone, holders: [] });
  const sorted = range ? [...ids].sort() : [];
  const who = range ? sql`customer_id between ${sorted[0]}::uuid and ${sorted[sorted.length - 1]}::uuid` : sql`customer_id = any(${ids}::uuid[])`;
  const [consents, zones, holders] = await Promise.all([
    sql<{ customer_id: string; channel: string; granted: boolean }>`
      select customer_id, channel, granted from customer_consents where tenant_id = ${tenantId} and ${who}`.execute(db),
    sql<{ customer_id: string; timezone: string }>`
      select customer_id, timezone from customer_time_zones where tenant_id = ${tenantId} and ${who}`.execute(db),
    slotHolders(db, tenantId, who, settings, now),
  ]);
  for (const c of consents.rows) out.get(c.customer_id)?.consent.set(c.channel, c.granted);
  for (const z of zones.rows) {
    const s = out.get(z.customer_id);
    if (s) s.timeZone = z.timezone;
  }
  for (const [customerId, held] of holders) {
    const s = out.get(customerId);
    if (s) s.holders = held;
  }
  return out;
}

/**
 * The marketing messages that hold a slot (sent, being sent or queued) of the customers `who`
 * picks (a condition on customer_id), 35 days back (a month's quota) and as far ahead as
 * rescheduling reaches, by customer.
 */
export async function slotHolders(db: Db, tenantId: string, who: RawBuilder<unknown>, settings: MessagingSettings, now: number): Promise<Map<string, SlotHolder[]>> {
  const from = new Date(now - 35 * 86_400_000).toISOString();
  const to = new Date(now + (settings.priorities.rescheduleWithinDays + 35) * 86_400_000).toISOString();
  // A mass send's planned recipients not yet released into messages reserve their slot just as
  // their queued message will (same id, time and priority); the sends that still have some are few.
  const rows = await sql<{ id: string; customer_id: string; channel: MessageChannel; purpose: MessagePurpose; priority: number; status: string; at: Date }>`
    select id, customer_id, channel, purpose, priority, status, coalesce(sent_at, claimed_at, not_before) as at
      from messages
     where tenant_id = ${tenantId} and ${who} and purpose = 'marketing'
       and status = any(${[...SENT_STATUSES, ...PENDING_STATUSES]}::text[])
       and coalesce(sent_at, claimed_at, not_before) between ${from}::timestamptz and ${to}::timestamptz
    union all
    select r.message_id, r.customer_id, ms.channel, 'marketing', ms.priority, 'queued', r.send_at
      from mass_sends ms
      join mass_send_recipients r on r.tenant_id = ms.tenant_id and r.mass_send_id = ms.id
     where ms.tenant_id = ${tenantId} and ms.status in ('planning', 'planned') and ms.released_at is null
       and r.tenant_id = ${tenantId} and r.${who} and r.verdict = 'send'
       and r.send_at between ${from}::timestamptz and ${to}::timestamptz`.execute(db);
  const out = new Map<string, SlotHolder[]>();
  for (const h of rows.rows) {
    let held = out.get(h.customer_id);
    if (!held) { held = []; out.set(h.customer_id, held); }
    held.push({
      id: h.id, at: h.at.getTime(), channel: h.channel, purpose: h.purpose, priority: h.priority,
      state: (SENT_STATUSES as readonly string[]).includes(h.status) ? 'sent' : 'reserved',
    });
  }
  return out;
}

export function factsFor(tenantId: string, customerId: string, channel: MessageChannel, situation: CustomerSituation, settings: MessagingSettings): CustomerFacts {
  const consentChannel = consentChannelOf(channel);
  return {
    consent: consentChannel === null ? null : situation.consent.get(consentChannel) ?? null,
    timeZone: situation.timeZone,
    inGlobalHoldout: inHoldout(`global:${tenantId}`, customerId, settings.globalHoldoutPercent),
  };
}
