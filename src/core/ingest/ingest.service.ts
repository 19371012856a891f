// Event ingestion: a batch of up to 1,000 events from an integration, in one transaction (and the
// merges the batch proves, in a short one before it).
//   1. check every event alone (events.rules.ts): bad ones are rejected by index and code;
//   2. merge the profiles that accepted events prove to be one person, ahead of the batch, in a
//      short transaction of their own (mergeAhead);
//   3. reject events naming unknown staff, orders that clash with stored ones, or answers their
//      questionnaire refuses;
//   4. insert the events under a first, unlocked guess of their customer; an id stored before (the
//      idempotency key) is not inserted again: a duplicate;
//   5. resolve the new events' customers at once (creating profiles, planning merges, under a
//      share lock that lets other batches write) and correct the few events the guess got wrong;
//      insert the new orders and their items;
//   6. lock the profiles to write and carry out any merge left: from here to the commit, batches
//      about the same customer take turns (identity.service.ts);
//   7. apply what the new events do: questionnaire submissions, activity, contacts, groups, order
//      aggregates, attributes;
//   8. let tags react (pre-tags for new identities, rule tags for changed customers).
// Nothing is written for a rejected event.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { YuchiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { insertCreatedOrders, prepareOrders, writeOrders, type OrderToWrite, type PreparedOrder } from '../orders/record.service.ts';
import { checkEvents, MAX_EVENTS_PER_BATCH, type CheckedEvent, type Rejection } from './events.rules.ts';
import { afterCustomersChanged } from './ingest.hooks.ts';
import { applyAttributes, applyContacts, applyGroups, touchCustomers, type AcceptedEvent } from './ingest.effects.ts';
import { lockForWrites, resolveParsedRefs, sightProfiles } from './identity.service.ts';
import { inTransaction } from '../../db/transaction.ts';
import { findStaff, type StaffDirectory } from './references.service.ts';
import { welcomeNewFriends } from '../acquisition/acquisition.hooks.ts';
import { recordGroupActivity } from '../groups/group-activity.service.ts';
import { welcomeGroupJoiners } from '../groups/welcome.service.ts';
import { checkSubmission, getForm, saveSubmission, type CheckedSubmission, type FormView } from '../forms/forms.service.ts';

type PreparedOrders = Awaited<ReturnType<typeof prepareOrders>>;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

export async function ingestEvents(db: Db, actor: Actor, events: unknown[]): Promise<IngestResult> {
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new YuchiError('too_large', `a batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`);
  }
  const checked = checkEvents(events, new Date());
  if (checked.events.length === 0) return { accepted: 0, duplicates: checked.repeated, rejected: checked.rejected };
  await mergeAhead(db, actor.tenantId, checked.events);
  const outcome = await inTransaction(db, (trx) => ingestChecked(trx, actor.tenantId, checked.events, actorLabel(actor)));
  return {
    accepted: outcome.accepted,
    duplicates: checked.repeated + outcome.duplicates,
    rejected: [...checked.rejected, ...outcome.rejected].sort((a, b) => a.index - b.index),
  };
}

/**
 * Profiles that events of the batch prove to be one person are merged before the batch, in a short
 * transaction of their own. A merge locks the profiles merging away FOR UPDATE: it waits for every
 * batch holding them and makes every batch that looks them up wait. Taken inside the batch, that
 * lock was held for the batch's whole length; here, for the merge alone. Only events the batch will
 * accept count (staff, orders and questionnaire answers are checked as the batch checks them). A
 * merge is a fact about those events' identities, whatever becomes of the batch: if the batch
 * fails, its retry finds the profiles merged.
 */
async function mergeAhead(db: Db, tenantId: string, events: CheckedEvent[]): Promise<void> {
  const linking = events.filter((e) => e.customer.identities.length + (e.customer.customerId === undefined ? 0 : 1) > 1);
  if (linking.length === 0) return;
  await inTransaction(db, async (trx) => {
    const refs = (await acceptable(trx, tenantId, linking)).kept.map((e) => e.customer);
    const sighted = await sightProfiles(trx, tenantId, refs);
    const merging = refs.filter((_, i) => sighted.merges[i]);
    if (merging.length > 0) await resolveParsedRefs(trx, tenantId, merging, { create: true, source: 'api' }, { sighting: sighted.sighting });
  });
}

/**
 * The events that name no unknown staff member, no order clashing with a stored one and no answers
 * their questionnaire refuses, and the rejections of the others; the checked answers by event index.
 */
async function acceptable(db: Db, tenantId: string, events: CheckedEvent[]): Promise<{
  kept: CheckedEvent[]; staff: StaffDirectory; orders: PreparedOrders; submissions: Map<number, CheckedSubmission>; rejected: Rejection[];
}> {
  const rejected: Rejection[] = [];
  const staff = await staffOf(db, tenantId, events);
  const known = events.filter((e) => {
    if (e.effect.kind !== 'contact' || staff.find(e.effect.staff)) return true;
    const ref = e.effect.staff;
    rejected.push({ index: e.index, code: 'unknown_staff', message: `events[${e.index}].properties: no staff member ${'staffId' in ref ? ref.staffId : ref.staffWecomUserId}` });
    return false;
  });
  const orders = await prepareOrders(db, tenantId, known.flatMap((e) => (e.effect.kind === 'order' ? [e.effect.order] : [])));
  const badOrders = new Set(orders.rejected.map((r) => r.index));
  for (const r of orders.rejected) rejected.push({ index: r.index, code: r.code, message: `events[${r.index}].properties: ${r.message}` });
  const submissions = new Map<number, CheckedSubmission>();
  const forms = new Map<string, Promise<FormView>>();
  const kept: CheckedEvent[] = [];
  for (const e of known) {
    if (badOrders.has(e.index)) continue;
    if (e.effect.kind === 'form') {
      const { formId, answers } = e.effect;
      try {
        const form = forms.get(formId) ?? getForm(db, tenantId, formId);
        forms.set(formId, form);
        submissions.set(e.index, await checkSubmission(db, tenantId, await form, answers));
      } catch (err) {
        if (!(err instanceof YuchiError)) throw err;
        rejected.push({ index: e.index, code: err.code === 'not_found' ? 'unknown_form' : 'invalid_properties', message: `events[${e.index}].properties: ${err.message}` });
        continue;
      }
    }
    kept.push(e);
  }
  return { kept, staff, orders, submissions, rejected };
}

async function ingestChecked(db: Db, tenantId: string, events: CheckedEvent[], actor: string): Promise<IngestResult> {
  const { kept, staff, orders, submissions, rejected } = await acceptable(db, tenantId, events);
  const reject = (e: CheckedEvent, code: string, message: string): void => {
    rejected.push({ index: e.index, code, message });
  };

  // Events are stored first, under the profile an unlocked look saw (or a new id for a new person):
  // the insert needs no profile lock and tells the duplicates apart, so profiles are locked only
  // for events actually new.
  const sighted = await sightProfiles(db, tenantId, kept.map((e) => e.customer));
  const tentative = kept.map((e, i): AcceptedEvent & { at: number } => ({ event: e, customerId: sighted.tentative[i] ?? '', at: i }));
  const inserted = await insertEvents(db, tenantId, tentative, actor);
  const stored = tentative.filter((t) => inserted.has(t.event.key));
  const duplicates = tentative.length - stored.length;

  const resolved = await resolveParsedRefs(db, tenantId, stored.map((t) => t.event.customer), { create: true, source: 'api' }, {
    sighting: sighted.sighting, freshIds: stored.map((t) => sighted.freshIds[t.at]), activeAt: stored.map((t) => t.event.occurredAt), deferMerges: true,
  });

  const accepted: AcceptedEvent[] = [];
  // Profiles this batch created were born with the latest activity of their events (resolveParsedRefs
  // got it as activeAt), so touching them again is skipped unless an event reached them otherwise.
  const born = new Set<string>();
  const reachedOtherwise = new Set<string>();
  const unresolved: string[] = [];
  const moved: { key: string; customerId: string }[] = [];
  stored.forEach((t, j) => {
    const r = resolved.results[j];
    if (!r || 'error' in r) {
      reject(t.event, r?.error.code ?? 'unknown_customer', `events[${t.event.index}].${r?.error.message ?? 'customer: not resolved'}`);
      unresolved.push(t.event.key);
      return;
    }
    accepted.push({ event: t.event, customerId: r.customerId });
    (r.created ? born : reachedOtherwise).add(r.customerId);
    if (r.customerId !== t.customerId) moved.push({ key: t.event.key, customerId: r.customerId });
  });
  await settleEvents(db, tenantId, unresolved, moved);
  // New orders and their items need no lock on their buyers; their aggregates do (below).
  const orderRows = ordersOf(accepted, orders.prepared);
  const newOrders = await insertCreatedOrders(db, tenantId, orderRows);
  await lockForWrites(db, tenantId, {
    merges: resolved.merges, writing: [...reachedOtherwise], pendingOrders: newOrders.rows.map((o) => o.prepared.orderId),
  }, { source: 'api' });

  for (const a of accepted) {
    const checked = submissions.get(a.event.index);
    if (checked) await saveSubmission(db, tenantId, checked, { customerId: a.customerId, submittedAt: a.event.occurredAt, eventKey: a.event.key, actor });
  }
  await applyContacts(db, tenantId, accepted, staff);
  await welcomeNewFriends(db, tenantId, accepted, staff);
  await applyGroups(db, tenantId, accepted, staff);
  await recordGroupActivity(db, tenantId, accepted);
  await welcomeGroupJoiners(db, tenantId, accepted);
  if (orderRows.length > 0) await writeOrders(db, tenantId, orderRows, { source: 'api', actor, timeline: false, buyersLocked: true, inserted: newOrders });
  await applyAttributes(db, tenantId, accepted);
  // Last activity comes after the order aggregates, which already raise it to the order's time: a
  // buyer whose latest event is the order is then written once, not twice (a second write of a row
  // in one transaction is a new row version and re-runs its foreign-key checks).
  await touchCustomers(db, tenantId, accepted.filter((a) => !born.has(a.customerId) || reachedOtherwise.has(a.customerId)));

  const customerIds = [...new Set(accepted.map((a) => a.customerId))];
  if (customerIds.length > 0 || resolved.newIdentities.length > 0) {
    await afterCustomersChanged(db, tenantId, { customerIds, newIdentities: resolved.newIdentities });
  }
  return { accepted: accepted.length, duplicates, rejected };
}

async function staffOf(db: Db, tenantId: string, events: CheckedEvent[]): Promise<StaffDirectory> {
  const ids: string[] = [];
  const wecom: string[] = [];
  for (const e of events) {
    if (e.effect.kind === 'contact') {
      if ('staffId' in e.effect.staff) ids.push(e.effect.staff.staffId);
      else wecom.push(e.effect.staff.staffWecomUserId);
    }
    if (e.effect.kind === 'group' && e.effect.ownerWecomUserId) wecom.push(e.effect.ownerWecomUserId);
  }
  return findStaff(db, tenantId, ids, wecom);
}

/**
 * Corrects events stored under a tentative profile: removes those whose customer turned out
 * unknown, and moves those whose person turned out to be another profile (a concurrent batch met
 * them first, or merged their profile away).
 */
async function settleEvents(db: Db, tenantId: string, unresolved: string[], moved: { key: string; customerId: string }[]): Promise<void> {
  if (unresolved.length > 0) {
    await sql`delete from events where tenant_id = ${tenantId} and event_key = any(${unresolved}::text[])`.execute(db);
  }
  if (moved.length > 0) {
    const keys = moved.map((m) => m.key);
    await sql`
      update events e set customer_id = u.customer_id
        from unnest(${keys}::text[], ${moved.map((m) => m.customerId)}::uuid[]) as u(key, customer_id)
       where e.tenant_id = ${tenantId} and e.event_key = any(${keys}::text[]) and e.event_key = u.key
         and e.customer_id is distinct from u.customer_id`.execute(db);
  }
}

/** Inserts events; returns the keys actually inserted (not stored before or meanwhile by another batch). */
async function insertEvents(db: Db, tenantId: string, events: AcceptedEvent[], actor: string): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const col = <T>(f: (a: AcceptedEvent) => T): T[] => events.map(f);
  const result = await sql<{ event_key: string }>`${PREPARED}
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
    select ${tenantId}, x.id, x.key, x.type, x.customer_id, x.at, x.source, ${actor}, x.properties
      from unnest(${col(() => newId())}::uuid[], ${col((a) => a.event.key)}::text[], ${col((a) => a.event.type)}::text[],
                  ${col((a) => a.customerId)}::uuid[], ${col((a) => a.event.occurredAt.toISOString())}::timestamptz[],
                  ${col((a) => a.event.source)}::text[], ${col((a) => a.event.propertiesJson)}::jsonb[])
           as x(id, key, type, customer_id, at, source, properties)
    on conflict (tenant_id, event_key) do nothing
    returning event_key`.execute(db);
  return new Set(result.rows.map((r) => r.event_key));
}

/** The orders accepted order_paid / order_refunded events carry (recorded once, whichever way they arrive), with their buyers. */
function ordersOf(accepted: AcceptedEvent[], prepared: PreparedOrder[]): OrderToWrite[] {
  const byIndex = new Map(prepared.map((p) => [p.draft.index, p]));
  return accepted.flatMap((a) => {
    const p = byIndex.get(a.event.index);
    return p ? [{ prepared: p, customerId: a.customerId }] : [];
  });
}
