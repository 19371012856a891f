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
  code: string;
  partner_id: string;
  customer_id: string | null;
  phone: string | null;
  disabled: boolean;
}

const group = <T>(rows: T[], key: (r: T) => string, value: (r: T) => string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), value(r)]);
  return out;
};

/**
 * Decides a batch of candidates and writes the referrals and refusals, set-wise: a fixed number of
 * statements whatever the batch size. Decisions are taken in order in memory, so a chain made
 * within one batch (A brings B, B brings C) and a person named twice are decided as if one by one.
 * Runs inside the caller's transaction.
 */
export async function attributeBatch(trx: Db, tenantId: string, candidates: Candidate[], actor = 'system'): Promise<AttributionOutcome[]> {
  const codeRows = candidates.length === 0 ? [] : (await sql<CodeRow>`
    select k.code, k.partner_id, p.customer_id, p.phone, k.disabled_at is not null as disabled from referral_codes k
      join referral_partners p on p.tenant_id = k.tenant_id and p.id = k.partner_id
     where k.tenant_id = ${tenantId} and k.code = any(${[...new Set(candidates.map((c) => c.code))]}::text[])`.execute(trx)).rows;
  const codes = new Map(codeRows.map((r) => [r.code, r]));
  // A state that is no referral code belongs to something else (a channel QR code): skipped.
  const named = candidates.filter((c) => codes.has(c.code));
  if (named.length === 0) return candidates.map(() => ({ outcome: 'skipped' }));

  const referees = [...new Set(named.map((c) => c.customerId))];
  const referrers = [...new Set(codeRows.flatMap((r) => (r.customer_id ? [r.customer_id] : [])))];
  const people = [...new Set([...referees, ...referrers])];
  const devices = [...new Set(named.flatMap((c) => (c.deviceId ? [c.deviceId] : [])))];
  // Serialises attributions of the same people (the sweep and the endpoint may meet); sorted, so two never wait on each other.
  await sql`select pg_advisory_xact_lock(hashtext(x)) from unnest(${referees.map((id) => `referral:${tenantId}:${id}`).sort()}::text[]) as x`.execute(trx);
  const [existing, upline, phones, firstOrders, partnerDevices, usedDevices] = [
    await sql<{ customer_id: string; level1_partner_id: string; parent: string | null }>`
      select r.customer_id, r.level1_partner_id, p.customer_id as parent from referrals r join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
       where r.tenant_id = ${tenantId} and r.customer_id = any(${people}::uuid[])`.execute(trx),
    await sql<{ start: string; customer_id: string }>`
      with recursive up(start, customer_id, depth) as (
        select r.customer_id, p.customer_id, 1 from referrals r join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
         where r.tenant_id = ${tenantId} and r.customer_id = any(${referrers}::uuid[])
        union all
        select up.start, p.customer_id, up.depth + 1 from up
          join referrals r on r.tenant_id = ${tenantId} and r.customer_id = up.customer_id
          join referral_partners p on p.tenant_id = r.tenant_id and p.id = r.level1_partner_id
         where up.depth < 50 and up.customer_id is not null
      )
      select start, customer_id from up where customer_id is not null`.execute(trx),
    await sql<{ customer_id: string; value: string }>`
      select customer_id, value from customer_identities where tenant_id = ${tenantId} and kind = 'phone' and customer_id = any(${people}::uuid[])`.execute(trx),
    await sql<{ id: string; first_order_at: Date | null }>`select id, first_order_at from customers where tenant_id = ${tenantId} and id = any(${referees}::uuid[])`.execute(trx),
    await sql<{ level1_partner_id: string; device_id: string }>`
      select level1_partner_id, device_id from referrals where tenant_id = ${tenantId} and device_id = any(${devices}::text[])`.execute(trx),
    await sql<{ customer_id: string; device_id: string }>`
      select distinct customer_id, properties ->> 'deviceId' as device_id from events
       where tenant_id = ${tenantId} and customer_id = any(${referrers}::uuid[]) and properties ->> 'deviceId' = any(${devices}::text[])`.execute(trx),
  ];

  // What is known, kept up to date as the batch's own decisions are taken.
  const referredBy = new Map(existing.rows.map((r) => [r.customer_id, { partner: r.level1_partner_id, parent: r.parent }]));
  const dbUpline = group(upline.rows, (r) => r.start, (r) => r.customer_id);
  const phonesOf = group(phones.rows, (r) => r.customer_id, (r) => r.value);
  const firstOrderOf = new Map(firstOrders.rows.map((r) => [r.id, r.first_order_at]));
  const devicesOfPartner = group(partnerDevices.rows, (r) => r.level1_partner_id, (r) => r.device_id);
  const devicesOfCustomer = group(usedDevices.rows, (r) => r.customer_id, (r) => r.device_id);
  // Up the chain: this batch's own attributions first, then what the database knew (referrers' chains).
  const newParent = new Map<string, string | null>();
  const ancestors = (customerId: string, depth = 0): string[] => {
    if (!newParent.has(customerId) || depth > 50) return dbUpline.get(customerId) ?? [];
    const parent = newParent.get(customerId) ?? null;
    return parent ? [parent, ...ancestors(parent, depth + 1)] : [];
  };

  const accepted: { c: Candidate; partner: string; level2: string | null; referrer: string | null }[] = [];
  const refused: { c: Candidate; reason: string; message: string }[] = [];
  const outcomes = candidates.map((c): AttributionOutcome => {
    const code = codes.get(c.code);
    if (!code) return { outcome: 'skipped' };
    const referrer = code.customer_id;
    const already = referredBy.get(c.customerId)?.partner ?? null;
    if (already === code.partner_id) return { outcome: 'skipped' };
    const firstOrder = firstOrderOf.get(c.customerId) ?? null;
    const knownDevices = c.deviceId && ((devicesOfPartner.get(code.partner_id) ?? []).includes(c.deviceId) || (referrer && (devicesOfCustomer.get(referrer) ?? []).includes(c.deviceId))) ? [c.deviceId] : [];
    const refusal = attributionRefusal({
      refereeId: c.customerId, referrerCustomerId: referrer, codeDisabled: code.disabled, alreadyReferredBy: already, referrerAncestors: referrer ? ancestors(referrer) : [],
      refereePhones: [...(phonesOf.get(c.customerId) ?? []), ...(c.phone ? [c.phone] : [])], referrerPhones: [...(referrer ? (phonesOf.get(referrer) ?? []) : []), ...(code.phone ? [code.phone] : [])],
      deviceId: c.deviceId, knownDevices, orderedBefore: firstOrder !== null && firstOrder < c.occurredAt,
    });
    if (refusal) {
      refused.push({ c, ...refusal });
      return { outcome: 'refused', ...refusal };
    }
    const level2 = referrer ? (referredBy.get(referrer)?.partner ?? null) : null;
    referredBy.set(c.customerId, { partner: code.partner_id, parent: referrer });
    newParent.set(c.customerId, referrer);
    if (c.deviceId) devicesOfPartner.set(code.partner_id, [...(devicesOfPartner.get(code.partner_id) ?? []), c.deviceId]);
    accepted.push({ c, partner: code.partner_id, level2, referrer });
    return { outcome: 'accepted', level1PartnerId: code.partner_id, level2PartnerId: level2 };
  });

  if (refused.length > 0) {
    await sql`
      insert into referral_refusals (tenant_id, id, event_id, customer_id, code, reason, message)
      select ${tenantId}, x.* from unnest(${refused.map(() => newId())}::uuid[], ${refused.map((r) => r.c.eventId)}::uuid[], ${refused.map((r) => r.c.customerId)}::uuid[],
                                          ${refused.map((r) => r.c.code)}::text[], ${refused.map((r) => r.reason)}::text[], ${refused.map((r) => r.message)}::text[]) as x
      on conflict (tenant_id, event_id) do nothing`.execute(trx);
  }
  if (accepted.length > 0) {
    await sql`
      insert into referrals (tenant_id, customer_id, code, level1_partner_id, level2_partner_id, event_id, device_id, attributed_at)
      select ${tenantId}, x.* from unnest(${accepted.map((a) => a.c.customerId)}::uuid[], ${accepted.map((a) => a.c.code)}::text[], ${accepted.map((a) => a.partner)}::uuid[],
                                          ${accepted.map((a) => a.level2)}::uuid[], ${accepted.map((a) => a.c.eventId)}::uuid[], ${accepted.map((a) => a.c.deviceId)}::text[],
                                          ${accepted.map((a) => a.c.occurredAt)}::timestamptz[]) as x
      on conflict (tenant_id, customer_id) do nothing`.execute(trx);
    await sql`
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenantId}, x.id, 'yuchi:referral_attributed:' || x.customer_id::text, 'referral_attributed', x.customer_id, x.at, 'referral', ${actor}, x.properties
        from unnest(${accepted.map(() => newId())}::uuid[], ${accepted.map((a) => a.c.customerId)}::uuid[], ${accepted.map((a) => a.c.occurredAt)}::timestamptz[],
                    ${accepted.map((a) => JSON.stringify({ code: a.c.code, level1PartnerId: a.partner, level2PartnerId: a.level2, referrerCustomerId: a.referrer }))}::jsonb[])
             as x(id, customer_id, at, properties)
      on conflict (tenant_id, event_key) do nothing`.execute(trx);
  }
  return outcomes;
}

/** One candidate (an attribution asked for directly). */
export async function attributeOne(trx: Db, tenantId: string, c: Candidate, actor = 'system'): Promise<AttributionOutcome> {
  const [outcome] = await attributeBatch(trx, tenantId, [c], actor);
  return outcome ?? { outcome: 'skipped' };
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
       order by e.received_at, e.id
       limit ${BATCH}`.execute(db);
    const last = events.rows.at(-1);
    if (!last) return { accepted, refused };
    // Events decided before (re-read inside the window): looked up by id, so the plan never depends on fresh statistics.
    const ids = events.rows.map((e) => e.id);
    const handled = new Set((await sql<{ event_id: string }>`
      select event_id from referrals where tenant_id = ${tenantId} and event_id = any(${ids}::uuid[])
      union all select event_id from referral_refusals where tenant_id = ${tenantId} and event_id = any(${ids}::uuid[])`.execute(db)).rows.map((r) => r.event_id));
    await inTransaction(db, async (trx) => {
      const candidates = events.rows.flatMap((e) => (e.code && !handled.has(e.id) ? [{ eventId: e.id, customerId: e.customer_id, code: e.code, occurredAt: e.occurred_at, phone: e.phone, deviceId: e.device_id }] : []));
      for (const o of await attributeBatch(trx, tenantId, candidates)) {
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
