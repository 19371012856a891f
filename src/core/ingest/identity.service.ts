// Identity resolution against the database (the rules are in identity.rules.ts).
//
// Concurrency, in two steps:
// - Resolution locks the profiles it finds FOR KEY SHARE, all in one statement in id order: they
//   cannot be merged away or erased under the batch (both need FOR UPDATE), while other batches
//   still read, lock and write them. Profiles the batch's first, unlocked look expects to merge
//   away are locked FOR UPDATE instead, in a statement before. Merges are planned, not carried
//   out: every id is read through its future survivor.
// - lockForWrites, when the caller is about to write, locks the profiles merging away FOR UPDATE
//   (waiting for every batch that found them, while holding no write lock anyone could be waiting
//   for), then the profiles to write FOR NO KEY UPDATE, each set in one statement in id order, and
//   carries out the merges. From there to the commit, two batches about one customer take turns.
//   Only this last stretch is serial, not the whole resolution.
// - New identities are inserted in sorted order with ON CONFLICT DO NOTHING: when another
//   transaction is inserting the same identity, PostgreSQL makes this one wait for it; if it
//   commits, the identity comes back as not inserted, the profile this call had just created for
//   it is deleted, and the refs are resolved again against what is now committed. So two batches
//   that meet the same new person at once end with one profile, and no lock is taken for it.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { IdentityKind } from '../../db/schema.ts';
import { newId } from '../ids.ts';
import { compareKeys, identityKey, parseRef, planResolution, REF_FIELDS, type IdentityKey, type IdentityRef, type ParsedRef } from './identity.rules.ts';
import { mergeIntoSurvivors, moveMergedRows, type MergeRequest } from './merge.service.ts';

export type { IdentityRef } from './identity.rules.ts';

export type Resolved = { customerId: string; created: boolean; merged: string[] } | { error: { code: string; message: string } };

export interface NewIdentity {
  kind: IdentityKind;
  value: string;
  customerId: string;
}

export interface ResolveOptions {
  create: boolean;
  source: string;
  at?: Date;
}

const MAX_ROUNDS = 8;
const IDENTITY_KINDS: IdentityKind[] = REF_FIELDS.map(([, kind]) => kind);

/** Resolves each ref to one profile, creating profiles for unknown people (when create) and merging
 *  profiles an event proves to be one person. Results are in the order of refs. Must run inside a transaction. */
export async function resolveCustomers(db: Db, tenantId: string, refs: IdentityRef[], options: ResolveOptions): Promise<{ results: Resolved[]; newIdentities: NewIdentity[] }> {
  const parsed = refs.map((r) => parseRef(r));
  const valid: ParsedRef[] = [];
  const where: number[] = [];
  parsed.forEach((p, i) => {
    if (!('error' in p)) {
      valid.push(p);
      where.push(i);
    }
  });
  const resolved = await resolveParsedRefs(db, tenantId, valid, options);
  const results = parsed.map((p): Resolved => ('error' in p ? { error: p.error } : { error: { code: 'missing_customer', message: 'customer: not resolved' } }));
  where.forEach((i, j) => {
    const r = resolved.results[j];
    if (r) results[i] = r;
  });
  return { results, newIdentities: resolved.newIdentities };
}

/**
 * resolveCustomers for refs already checked by parseRef. It ends by locking the profiles found for
 * writing and merging (lockForWrites), unless `deferMerges`: then the caller gets the planned
 * merges (`merges`, else those carried out) and calls lockForWrites itself, once it has written
 * what needs no write lock.
 */
export async function resolveParsedRefs(
  db: Db,
  tenantId: string,
  refs: ParsedRef[],
  options: ResolveOptions,
  ahead: { sighting?: Sighting; freshIds?: (string | undefined)[]; activeAt?: (Date | undefined)[]; deferMerges?: boolean } = {},
): Promise<{ results: Resolved[]; newIdentities: NewIdentity[]; merges: MergeRequest[] }> {
  if (!db.isTransaction) throw new Error('resolveCustomers must run inside a transaction');
  const results: (Resolved | undefined)[] = refs.map(() => undefined);
  const known = new Map<string, string>();
  const createdAt = new Map<string, number>();
  const live = new Map<string, string>();
  const mergedInto = new Map<string, string[]>();
  const newIdentities: NewIdentity[] = [];

  // Merges planned so far: merged id → survivor (a survivor may itself merge later in the batch).
  const survivorOf = new Map<string, string>();
  const mergeRecords: MergeRequest[] = [];
  const finalOf = (id: string): string => {
    let at = id;
    for (let next = survivorOf.get(at); next !== undefined; next = survivorOf.get(at)) at = next;
    return at;
  };
  const remap = (m: Map<string, string>): void => {
    if (survivorOf.size === 0) return;
    for (const [k, owner] of m) if (survivorOf.has(owner)) m.set(k, finalOf(owner));
  };

  const taken = new Set<string>();
  let pending = refs.map((ref, index) => ({ index, ref }));
  let idsToLook = [...new Set(refs.flatMap((r) => (r.customerId === undefined ? [] : [r.customerId])))];
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) throw new Error('identity resolution did not settle; retry the batch');
    const keys = uniqueKeys(pending.flatMap((p) => p.ref.identities)).filter((k) => !known.has(identityKey(k)));
    await lookUp(db, tenantId, idsToLook, keys, { live, known, createdAt }, round === 0 ? ahead.sighting : undefined);
    remap(known);
    remap(live);
    idsToLook = [];

    const work: { index: number; ref: ParsedRef }[] = [];
    for (const p of pending) {
      if (p.ref.customerId === undefined) {
        work.push(p);
        continue;
      }
      const id = live.get(p.ref.customerId);
      if (id === undefined) results[p.index] = { error: { code: 'unknown_customer', message: `customer.customerId: no customer ${p.ref.customerId}` } };
      else work.push({ index: p.index, ref: { ...p.ref, customerId: id } });
    }
    const plan = planResolution({ refs: work.map((w) => w.ref), known, createdAt, create: options.create });

    const merges = plan.people.flatMap((p) => (p.survivor !== null && p.merged.length > 0 ? [{ survivorId: p.survivor, mergedIds: p.merged, identities: p.identities }] : []));
    if (merges.length > 0) {
      // Planned, not carried out: the merges run once the profiles are locked for writing
      // (lockForWrites); until then every id is read through the survivor it will have.
      for (const m of merges) {
        for (const id of m.mergedIds) survivorOf.set(id, m.survivorId);
        mergeRecords.push(m);
      }
      remap(known);
      remap(live);
      // A later round can merge a profile that refs of an earlier round resolved to.
      results.forEach((r, i) => {
        if (r && !('error' in r) && survivorOf.has(r.customerId)) {
          results[i] = { customerId: finalOf(r.customerId), created: false, merged: [...r.merged, r.customerId] };
        }
      });
      for (const n of newIdentities) n.customerId = finalOf(n.customerId);
      for (const m of merges) mergedInto.set(m.survivorId, [...(mergedInto.get(m.survivorId) ?? []), ...m.mergedIds]);
    }

    const wanted = new Set<number>();
    plan.refs.forEach((r) => {
      if ('person' in r) wanted.add(r.person);
    });
    // A new person takes the id a caller proposed for one of its refs (events already inserted with it).
    const proposed = new Map<number, string>();
    plan.refs.forEach((r, j) => {
      const id = ahead.freshIds?.[work[j]?.index ?? -1];
      if ('person' in r && id !== undefined && !proposed.has(r.person) && !taken.has(id)) proposed.set(r.person, id);
    });
    // A new person's profile is born with the latest activity of its refs (the caller's events),
    // so that it is written once, not inserted and then updated.
    const activeOf = new Map<number, number>();
    plan.refs.forEach((r, j) => {
      const at = ahead.activeAt?.[work[j]?.index ?? -1];
      if ('person' in r && at !== undefined) activeOf.set(r.person, Math.max(activeOf.get(r.person) ?? 0, at.getTime()));
    });
    const people = plan.people.map((p, i) => ({
      ...p,
      customerId: p.survivor ?? (wanted.has(i) ? proposed.get(i) ?? newId() : null),
      fresh: p.survivor === null,
    }));
    for (const p of people) if (p.fresh && p.customerId !== null) taken.add(p.customerId);
    const fresh = people.flatMap((p, i) => (p.fresh && p.customerId !== null ? [{ id: p.customerId, activeAt: activeOf.get(i) }] : []));
    if (fresh.length > 0) {
      await insertCustomers(db, tenantId, fresh, options.at);
      for (const f of fresh) createdAt.set(f.id, options.at?.getTime() ?? Date.now());
    }
    const toInsert = people
      .flatMap((p) => (p.customerId === null ? [] : p.newIdentities.map((k) => ({ ...k, customerId: p.customerId ?? '' }))))
      .sort(compareKeys);
    const inserted = await insertIdentities(db, tenantId, toInsert, options.at);

    const conflicted = new Set<number>();
    people.forEach((p, i) => {
      if (p.customerId === null) return;
      const lost = p.newIdentities.some((k) => !inserted.has(identityKey(k)));
      if (lost) conflicted.add(i);
      if (lost && p.fresh) return; // its profile is deleted below; the identities it got go with it
      for (const k of p.newIdentities) {
        if (!inserted.has(identityKey(k))) continue;
        known.set(identityKey(k), p.customerId);
        newIdentities.push({ ...k, customerId: p.customerId });
      }
    });
    const orphans = [...conflicted].flatMap((i) => {
      const p = people[i];
      return p && p.fresh && p.customerId !== null ? [p.customerId] : [];
    });
    if (orphans.length > 0) {
      await sql`delete from customers where tenant_id = ${tenantId} and id = any(${orphans}::uuid[])`.execute(db);
    }

    const next: { index: number; ref: ParsedRef }[] = [];
    plan.refs.forEach((r, j) => {
      const w = work[j];
      if (!w) return;
      if ('error' in r) {
        results[w.index] = { error: r.error };
        return;
      }
      const p = people[r.person];
      if (!p || p.customerId === null) return;
      if (conflicted.has(r.person)) {
        next.push(w);
        return;
      }
      results[w.index] = { customerId: p.customerId, created: p.fresh, merged: mergedInto.get(p.customerId) ?? [] };
    });
    pending = next;
  }
  const final = results.map((r): Resolved => r ?? { error: { code: 'missing_customer', message: 'customer: not resolved' } });
  const merges = groupMerges(mergeRecords, survivorOf, finalOf);
  if (!ahead.deferMerges) {
    const existing = final.flatMap((r) => ('error' in r || r.created ? [] : [r.customerId]));
    await lockForWrites(db, tenantId, { merges, writing: existing }, options);
  }
  return { results: final, newIdentities, merges };
}

/** The batch's planned merges, one per final survivor (a chain A→B→C becomes A and B into C). */
function groupMerges(records: MergeRequest[], survivorOf: Map<string, string>, finalOf: (id: string) => string): MergeRequest[] {
  const bySurvivor = new Map<string, MergeRequest>();
  for (const r of records) {
    const survivorId = finalOf(r.survivorId);
    const held = bySurvivor.get(survivorId) ?? { survivorId, mergedIds: [], identities: [] };
    held.identities = uniqueKeys([...held.identities, ...r.identities]);
    bySurvivor.set(survivorId, held);
  }
  for (const merged of survivorOf.keys()) bySurvivor.get(finalOf(merged))?.mergedIds.push(merged);
  return [...bySurvivor.values()].filter((m) => m.mergedIds.length > 0);
}

/**
 * The second half of resolution: locks the profiles a transaction is about to write and carries out
 * the merges resolution planned. First the profiles merging away, FOR UPDATE (waiting for every
 * batch that holds them, while holding no write lock another batch could be waiting for), and the
 * rows they own move to the survivors (moveMergedRows); then the profiles written and the
 * survivors, FOR NO KEY UPDATE, and the merges are completed; each set in id order, in one statement.
 * From here to the commit, two batches about one customer take turns, and every statement sees the
 * customer's committed orders and relations. Profiles created by the transaction need no lock: no
 * one else can see them yet. `pendingOrders`: orders the transaction has inserted and will add to
 * their buyers' aggregates itself after this (a merge's recompute leaves them out).
 */
export async function lockForWrites(db: Db, tenantId: string, input: { merges: MergeRequest[]; writing: string[]; pendingOrders?: string[] },
  options: { source: string; at?: Date }): Promise<void> {
  const merged = new Set(input.merges.flatMap((m) => m.mergedIds));
  if (merged.size > 0) {
    const rows = await sql<{ id: string }>`${PREPARED}
      select id from customers where tenant_id = ${tenantId} and id = any(${[...merged].sort()}::uuid[]) order by id for update`.execute(db);
    if (rows.rows.length !== merged.size) throw new Error('a profile to merge is gone; retry the batch');
  }
  const writing = [...new Set([...input.writing, ...input.merges.map((m) => m.survivorId)])].filter((id) => !merged.has(id));
  const held = await moveMergedRows(db, tenantId, input.merges);
  await lockCustomers(db, tenantId, writing);
  await mergeIntoSurvivors(db, tenantId, input.merges, held, { ...options, pendingOrders: input.pendingOrders });
}

/**
 * Locks profiles FOR NO KEY UPDATE for the rest of the transaction, in id order (so that two
 * batches never wait for each other in a circle); returns the ones that exist. Statements after it
 * see every committed change to these profiles' orders and relations.
 */
export async function lockCustomers(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }>`${PREPARED}
    select id from customers where tenant_id = ${tenantId} and id = any(${[...new Set(ids)].sort()}::uuid[])
     order by id for no key update`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

/** What an unlocked look-up saw: identity key or merged id → profile. */
export interface Sighting {
  rows: SightingRow[];
  /** The profiles the look expects to merge away. */
  merging: string[];
}

interface SightingRow {
  via: 'i' | 'm';
  k: string;
  customer_id: string;
}

/**
 * Finds the profiles of customer ids (merges followed) and of identities, without locking. One
 * statement of fixed text (prepared once per connection) whatever kinds the batch names: each kind
 * filters with `= any(array)` on the primary key, so PostgreSQL probes the index for the batch's
 * values instead of hashing a whole tenant's table, however large the tenant; an empty array
 * costs nothing.
 */
async function find(db: Db, tenantId: string, ids: string[], keys: IdentityKey[]): Promise<SightingRow[]> {
  if (ids.length === 0 && keys.length === 0) return [];
  const byKind = new Map<IdentityKind, string[]>(IDENTITY_KINDS.map((k) => [k, []]));
  for (const k of keys) byKind.get(k.kind)?.push(k.value);
  const values = (kind: IdentityKind): string[] => byKind.get(kind) ?? [];
  const byIdentity = (kind: IdentityKind, values: string[]) => sql`
    select 'i' as via, ${sql.lit(kind)} || ':' || value as k, customer_id from customer_identities
     where tenant_id = ${tenantId} and kind = ${sql.lit(kind)} and value = any(${values}::text[])`;
  return (await sql<SightingRow>`${PREPARED}
    ${sql.join(IDENTITY_KINDS.map((kind) => byIdentity(kind, values(kind))), sql` union all `)}
    union all
    select 'm' as via, merged_id::text as k, survivor_id as customer_id from customer_merges
     where tenant_id = ${tenantId} and merged_id = any(${ids}::uuid[])`.execute(db)).rows;
}

/**
 * A first, unlocked look at who the refs are, with a tentative profile id for each: the profile
 * found (any one of several that will merge), or a new id for a new person. Lets a caller write
 * rows that need no lock (events) before resolveParsedRefs takes the profiles' locks; passing the
 * sighting and the new ids to it makes it reuse both, so nothing is looked up twice. `merges`
 * says which refs the look expects to merge profiles.
 */
export async function sightProfiles(db: Db, tenantId: string, refs: ParsedRef[]): Promise<{ sighting: Sighting; tentative: string[]; freshIds: (string | undefined)[]; merges: boolean[] }> {
  const ids = [...new Set(refs.flatMap((r) => (r.customerId === undefined ? [] : [r.customerId])))];
  const rows = await find(db, tenantId, ids, uniqueKeys(refs.flatMap((r) => r.identities)));
  const known = new Map(rows.filter((r) => r.via === 'i').map((r) => [r.k, r.customer_id]));
  const survivor = new Map(rows.filter((r) => r.via === 'm').map((r) => [r.k, r.customer_id]));
  const plan = planResolution({
    refs: refs.map((r) => (r.customerId === undefined ? r : { ...r, customerId: survivor.get(r.customerId) ?? r.customerId })),
    known, createdAt: new Map(), create: true,
  });
  const freshOf = plan.people.map((p) => (p.survivor === null ? newId() : undefined));
  const tentative = plan.refs.map((r) => ('person' in r ? plan.people[r.person]?.survivor ?? freshOf[r.person] ?? newId() : newId()));
  const freshIds = plan.refs.map((r) => ('person' in r ? freshOf[r.person] : undefined));
  const merges = plan.refs.map((r) => 'person' in r && (plan.people[r.person]?.merged.length ?? 0) > 0);
  return { sighting: { rows, merging: plan.people.flatMap((p) => p.merged) }, tentative, freshIds, merges };
}

/**
 * Finds the profiles of customer ids and identities (or takes what a sighting saw) and locks them
 * FOR KEY SHARE, in id order. Fills live (requested id → profile), known (identity key → profile) and createdAt.
 * An erased profile (PIPL) is not found: nothing new may attach to it.
 */
async function lookUp(
  db: Db,
  tenantId: string,
  ids: string[],
  keys: IdentityKey[],
  into: { live: Map<string, string>; known: Map<string, string>; createdAt: Map<string, number> },
  sighting?: Sighting,
  attempts = 4,
): Promise<void> {
  if (ids.length === 0 && keys.length === 0) return;
  const found = sighting?.rows ?? await find(db, tenantId, ids, keys);
  const survivorOf = new Map(found.filter((f) => f.via === 'm').map((f) => [f.k, f.customer_id]));
  const targets = [...new Set([...found.filter((f) => f.via === 'i').map((f) => f.customer_id), ...ids.map((id) => survivorOf.get(id) ?? id)])].sort();
  // Profiles the sighting expects to merge away are locked FOR UPDATE at once, before anything is
  // written: the lock a merge needs in the end. Taken later, as an upgrade of a share lock, it
  // could wait for a batch that holds the profile too and waits for this one (say, for a new
  // identity both insert): a deadlock.
  const merging = new Set(sighting?.merging.filter((id) => targets.includes(id)));
  const locked = [
    ...(merging.size === 0 ? [] : (await sql<{ id: string; created_at: Date }>`${PREPARED}
      select id, created_at from customers
       where tenant_id = ${tenantId} and id = any(${[...merging].sort()}::uuid[]) and erased_at is null
       order by id for update`.execute(db)).rows),
    ...(await sql<{ id: string; created_at: Date }>`${PREPARED}
      select id, created_at from customers
       where tenant_id = ${tenantId} and id = any(${targets.filter((id) => !merging.has(id))}::uuid[]) and erased_at is null
       order by id for key share`.execute(db)).rows,
  ];
  const alive = new Set<string>();
  for (const r of locked) {
    alive.add(r.id);
    into.createdAt.set(r.id, r.created_at.getTime());
  }
  // A profile that vanished between the two statements was merged away meanwhile: its identities
  // count as unknown here (inserting them conflicts, and the caller resolves again).
  for (const f of found) if (f.via === 'i' && alive.has(f.customer_id)) into.known.set(f.k, f.customer_id);
  const vanished: string[] = [];
  for (const id of ids) {
    const target = survivorOf.get(id) ?? id;
    if (alive.has(target)) into.live.set(id, target);
    else vanished.push(id);
  }
  // An id not found may belong to a profile merged away by a transaction that committed meanwhile,
  // which has left a customer_merges row: look again (its survivor may be merging away too; ids
  // never seen stay unknown).
  if (vanished.length > 0 && attempts > 1) await lookUp(db, tenantId, vanished, [], into, undefined, attempts - 1);
}

async function insertCustomers(db: Db, tenantId: string, rows: { id: string; activeAt: number | undefined }[], at: Date | undefined): Promise<void> {
  await sql`${PREPARED}
    insert into customers (tenant_id, id, created_at, updated_at, last_active_at)
    select ${tenantId}, x.id, coalesce(${at ?? null}::timestamptz, now()), now(), x.active_at
      from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => (r.activeAt === undefined ? null : new Date(r.activeAt).toISOString()))}::timestamptz[])
           as x(id, active_at)`.execute(db);
}

async function insertIdentities(db: Db, tenantId: string, rows: (IdentityKey & { customerId: string })[], at: Date | undefined): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await sql<{ kind: IdentityKind; value: string }>`${PREPARED}
    insert into customer_identities (tenant_id, kind, value, customer_id, created_at)
    select ${tenantId}, x.kind, x.value, x.customer_id, coalesce(${at ?? null}::timestamptz, now())
      from unnest(${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.customerId)}::uuid[])
           as x(kind, value, customer_id)
    on conflict do nothing
    returning kind, value`.execute(db);
  return new Set(result.rows.map((r) => identityKey(r)));
}

function uniqueKeys(keys: IdentityKey[]): IdentityKey[] {
  const seen = new Map<string, IdentityKey>();
  for (const k of keys) seen.set(identityKey(k), k);
  return [...seen.values()];
}
