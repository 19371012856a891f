// Attribution: who brought whom. A new contact whose contact_added event names a code (its WeCom
// `state`, or a `referralCode` property) is attributed to the code's partner (level 1) and to that
// partner's own referrer (level 2) — unless it is abuse, which is refused with the reason and logged.
//
// Ingestion stays untouched (its goal is 10,000 events/s): a worker sweep reads the contact_added
// events naming a code through a partial index that holds only those, from a per-tenant cursor on
// received_at. It re-reads a few minutes behind the cursor, because a batch committed late carries
// an earlier received_at; handled events are skipped by their id, so re-reading changes nothing.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { newId } from '../ids.ts';
import { GroupSellingRefusal } from '../group-selling/group-selling.errors.ts';
import { attributionRefusal, type RefusalReason } from './referral.rules.ts';

const REREAD_MINUTES = 5;
const BATCH = 2000;

export interface Candidate {
  eventId: string;
  customerId: string;
  code: string;
  occurredAt: Date;
  phone: string | null;
  deviceId: string | null;
}

export type AttributionOutcome =
  | { outcome: 'accepted'; level1PartnerId: string; level2PartnerId: string | null }
  | { outcome: 'refused'; reason: RefusalReason; message: string }
  | { outcome: 'skipped' };

interface CodeRow {
  partner_id: string;
  customer_id: string | null;
  phone: string | null;
  disabled_at: Date | null;
}

/** Decides one candidate and writes the referral or the refusal. Runs inside the caller's transaction. */
export async function attributeOne(trx: Db, tenantId: string, c: Candidate, actor = 'system'): Promise<AttributionOutcome> {
  const code = (await sql<CodeRow>`
    select k.partner_id, p.customer_id, p.phone, k.disabled_at from referral_codes k
      join referral_partners p on p.tenant_id = k.tenant_id and p.id = k.partner_id
     where k.tenant_id = ${tenantId} and k.code = ${c.code}`.execute(trx)).rows[0];
  // A state that is no referral code belongs to something else (a channel QR code).
  if (!code) return { outcome: 'skipped' };
  // Serialises attributions of one referee (the sweep and the endpoint may meet).
  await sql`select pg_advisory_xact_lock(hashtext(${`referral:${tenantId}:${c.customerId}`}))`.execute(trx);
  const referrer = code.customer_id;
  const [existing, ancestors, refereePhones, referrerPhones, devices, referee] = await Promise.all([
    sql<{ level1_partner_id: string }>`select level1_partner_id from referrals where tenant_id = ${tenantId} and customer_id = ${c.customerId}`.execute(trx),
    referrer ? upline(trx, tenantId, referrer) : Promise.resolve([]),
    phonesOf(trx, tenantId, c.customerId),
    referrer ? phonesOf(trx, tenantId, referrer) : Promise.resolve([]),
    c.deviceId ? knownDevice(trx, tenantId, code.partner_id, referrer, c.deviceId) : Promise.resolve([]),
    sql<{ first_order_at: Date | null }>`select first_order_at from customers where tenant_id = ${tenantId} and id = ${c.customerId}`.execute(trx),
  ]);
  const already = existing.rows[0]?.level1_partner_id ?? null;
  if (already === code.partner_id) return { outcome: 'skipped' };
  const firstOrder = referee.rows[0]?.first_order_at ?? null;
  const refusal = attributionRefusal({
    refereeId: c.customerId, referrerCustomerId: referrer, codeDisabled: code.disabled_at !== null, alreadyReferredBy: already, referrerAncestors: ancestors,
    refereePhones: [...refereePhones, ...(c.phone ? [c.phone] : [])], referrerPhones: [...referrerPhones, ...(code.phone ? [code.phone] : [])],
    deviceId: c.deviceId, knownDevices: devices, orderedBefore: firstOrder !== null && firstOrder < c.occurredAt,
  });
  if (refusal) {
    await sql`
      insert into referral_refusals (tenant_id, id, event_id, customer_id, code, reason, message)
      values (${tenantId}, ${newId()}, ${c.eventId}, ${c.customerId}, ${c.code}, ${refusal.reason}, ${refusal.message})
      on conflict (tenant_id, event_id) do nothing`.execute(trx);
    return { outcome: 'refused', ...refusal };
  }
  const level2 = referrer
    ? ((await sql<{ level1_partner_id: string }>`select level1_partner_id from referrals where tenant_id = ${tenantId} and customer_id = ${referrer}`.execute(trx)).rows[0]?.level1_partner_id ?? null)
    : null;
  await sql`
    insert into referrals (tenant_id, customer_id, code, level1_partner_id, level2_partner_id, event_id, device_id, attributed_at)
    values (${tenantId}, ${c.customerId}, ${c.code}, ${code.partner_id}, ${level2}, ${c.eventId}, ${c.deviceId}, ${c.occurredAt})
    on conflict (tenant_id, customer_id) do nothing`.execute(trx);
  await sql`
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
    values (${tenantId}, ${newId()}, ${`yuchi:referral_attributed:${c.customerId}`}, 'referral_attributed', ${c.customerId}, ${c.occurredAt}, 'referral', ${actor},
            ${JSON.stringify({ code: c.code, level1PartnerId: code.partner_id, level2PartnerId: level2, referrerCustomerId: referrer })}::jsonb)
    on conflict (tenant_id, event_key) do nothing`.execute(trx);
  return { outcome: 'accepted', level1PartnerId: code.partner_id, level2PartnerId: level2 };
}

/** Customers up a customer's referral chain (bounded: a chain is never meant to be long). */
async function upline(db: Db, tenantId: string, customerId: string): Promise<string[]> {
  const rows = await sql<{ customer_id: string }>`
    with recursive up(customer_id, depth) as (
      select p.customer_id, 1 from referrals r join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
       where r.tenant_id = ${tenantId} and r.customer_id = ${customerId}
      union all
      select p.customer_id, up.depth + 1 from up
        join referrals r on r.tenant_id = ${tenantId} and r.customer_id = up.customer_id
        join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
       where up.depth < 50 and up.customer_id is not null
    )
    select customer_id from up where customer_id is not null`.execute(db);
  return rows.rows.map((r) => r.customer_id);
}

async function phonesOf(db: Db, tenantId: string, customerId: string): Promise<string[]> {
  const rows = await sql<{ value: string }>`select value from customer_identities where tenant_id = ${tenantId} and customer_id = ${customerId} and kind = 'phone'`.execute(db);
  return rows.rows.map((r) => r.value);
}

/** The device when the referrer used it, or someone the same partner already brought did. */
async function knownDevice(db: Db, tenantId: string, partnerId: string, referrer: string | null, deviceId: string): Promise<string[]> {
  const hit = await sql<{ one: number }>`
    select 1 as one where exists (select 1 from referrals where tenant_id = ${tenantId} and level1_partner_id = ${partnerId} and device_id = ${deviceId})
       or exists (select 1 from events where tenant_id = ${tenantId} and customer_id = ${referrer}::uuid and properties ->> 'deviceId' = ${deviceId})`.execute(db);
  return hit.rows.length > 0 ? [deviceId] : [];
}

/** An attribution asked for directly (a mini-program sign-up with a code): refusals answer 422/409. */
export async function attributeByRequest(db: Db, tenantId: string, input: { customerId: string; code: string; deviceId?: string; phone?: string }, actor: string): Promise<AttributionOutcome> {
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.customerId).executeTakeFirst();
  if (!customer) throw new GroupSellingRefusal('not_joined', `no customer ${input.customerId}`, 'body.customer');
  const outcome = await inTransaction(db, (trx) => attributeOne(trx, tenantId, {
    eventId: newId(), customerId: input.customerId, code: input.code, occurredAt: new Date(), phone: input.phone ?? null, deviceId: input.deviceId ?? null,
  }, actor));
  return outcome;
}

/** The sweep over one tenant's new contact_added events naming a code. Returns what it decided. */
export async function attributeNewContacts(db: Db, tenantId: string): Promise<{ accepted: number; refused: number }> {
  let accepted = 0;
  let refused = 0;
  const cursor = (await sql<{ events_read_to: Date }>`select events_read_to from referral_cursors where tenant_id = ${tenantId}`.execute(db)).rows[0]?.events_read_to ?? new Date(0);
  // Keyset paging on (received_at, id): one ingestion batch shares its received_at.
  let after: { at: Date; id: string } = { at: new Date(cursor.getTime() - REREAD_MINUTES * 60_000), id: '00000000-0000-0000-0000-000000000000' };
  for (;;) {
    const events = await sql<{ id: string; customer_id: string; occurred_at: Date; received_at: Date; code: string | null; phone: string | null; device_id: string | null }>`
      select e.id, e.customer_id, e.occurred_at, e.received_at, coalesce(e.properties ->> 'referralCode', e.properties ->> 'state') as code,
             e.properties ->> 'phone' as phone, e.properties ->> 'deviceId' as device_id
        from events e
       where e.tenant_id = ${tenantId} and e.type = 'contact_added' and (e.properties ? 'referralCode' or e.properties ? 'state')
         and e.received_at >= ${after.at} and (e.received_at, e.id) > (${after.at}::timestamptz, ${after.id}::uuid) and e.customer_id is not null
         and not exists (select 1 from referrals r where r.tenant_id = e.tenant_id and r.event_id = e.id)
         and not exists (select 1 from referral_refusals x where x.tenant_id = e.tenant_id and x.event_id = e.id)
       order by e.received_at, e.id
       limit ${BATCH}`.execute(db);
    const last = events.rows.at(-1);
    if (!last) return { accepted, refused };
    await inTransaction(db, async (trx) => {
      for (const e of events.rows) {
        if (!e.code) continue;
        const o = await attributeOne(trx, tenantId, { eventId: e.id, customerId: e.customer_id, code: e.code, occurredAt: e.occurred_at, phone: e.phone, deviceId: e.device_id });
        if (o.outcome === 'accepted') accepted += 1;
        if (o.outcome === 'refused') refused += 1;
      }
      await sql`
        insert into referral_cursors (tenant_id, events_read_to) values (${tenantId}, ${last.received_at})
        on conflict (tenant_id) do update set events_read_to = greatest(referral_cursors.events_read_to, excluded.events_read_to)`.execute(trx);
    });
    if (events.rows.length < BATCH) return { accepted, refused };
    after = { at: last.received_at, id: last.id };
  }
}
