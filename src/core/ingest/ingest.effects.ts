// What accepted events do to profiles besides landing on the timeline: last activity, WeCom
// friendships (and the guide, store and source channel they bring), group memberships and profile
// attributes. Each is a few set-wise statements for the whole batch. Resolution has locked the
// batch's profiles, so reading a relation and writing its folded state cannot interleave with
// another batch about the same customer.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { Gender } from '../../db/schema.ts';
import { applyAttributeUpdates, type AttributeSources, type AttributeUpdate } from '../customers/attributes.rules.ts';
import { newId } from '../ids.ts';
import type { CheckedEvent, EventEffect } from './events.rules.ts';
import type { StaffDirectory } from './references.service.ts';
import { foldRelation, sameRelation, type RelationFact, type RelationRow } from './relations.rules.ts';

export interface AcceptedEvent {
  event: CheckedEvent;
  customerId: string;
}

type ContactEffect = Extract<EventEffect, { kind: 'contact' }>;
type GroupEffect = Extract<EventEffect, { kind: 'group' }>;

/** customers.last_active_at = the latest event time seen. */
export async function touchCustomers(db: Db, tenantId: string, accepted: AcceptedEvent[]): Promise<void> {
  const latest = new Map<string, number>();
  for (const a of accepted) latest.set(a.customerId, Math.max(latest.get(a.customerId) ?? 0, a.event.occurredAt.getTime()));
  if (latest.size === 0) return;
  const ids = [...latest.keys()].sort();
  await sql`${PREPARED}
    update customers c set last_active_at = greatest(c.last_active_at, u.at)
      from unnest(${ids}::uuid[], ${ids.map((id) => new Date(latest.get(id) ?? 0).toISOString())}::timestamptz[]) as u(id, at)
     where c.tenant_id = ${tenantId} and c.id = any(${ids}::uuid[]) and c.id = u.id
       and (c.last_active_at is null or c.last_active_at < u.at)`.execute(db);
}

function groupFacts<T>(items: T[], pairOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = pairOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

/** contact_added / contact_deleted → customer_contacts; a first contact sets guide, store and source channel. */
export async function applyContacts(db: Db, tenantId: string, accepted: AcceptedEvent[], staff: StaffDirectory): Promise<void> {
  const facts = accepted.flatMap((a) => {
    const e = a.event.effect;
    if (e.kind !== 'contact') return [];
    const member = staff.find(e.staff);
    return member ? [{ customerId: a.customerId, staffId: member.id, storeId: member.storeId, effect: e, at: a.event.occurredAt }] : [];
  });
  if (facts.length === 0) return;
  const byPair = groupFacts(facts, (f) => `${f.customerId}|${f.staffId}`);
  const stored = await sql<{ customer_id: string; staff_id: string; state: string | null; added_at: Date; deleted_at: Date | null }>`${PREPARED}
    select customer_id, staff_id, state, added_at, deleted_at from customer_contacts
     where tenant_id = ${tenantId} and customer_id = any(${[...new Set(facts.map((f) => f.customerId))]}::uuid[])
       and staff_id = any(${[...new Set(facts.map((f) => f.staffId))]}::uuid[])`.execute(db);
  const before = new Map(stored.rows.map((r): [string, RelationRow] => [`${r.customer_id}|${r.staff_id}`, { startedAt: r.added_at, endedAt: r.deleted_at, detail: r.state }]));
  const rows: { customerId: string; staffId: string; row: RelationRow }[] = [];
  for (const [key, list] of byPair) {
    const old = before.get(key);
    const next = foldRelation(old, list.map((f): RelationFact => ({ kind: f.effect.action === 'added' ? 'start' : 'end', at: f.at, detail: f.effect.state })));
    const first = list[0];
    if (first && !sameRelation(old, next)) rows.push({ customerId: first.customerId, staffId: first.staffId, row: next });
  }
  if (rows.length > 0) {
    await sql`${PREPARED}
      insert into customer_contacts (tenant_id, customer_id, staff_id, state, added_at, deleted_at)
      select ${tenantId}, x.* from unnest(${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.staffId)}::uuid[], ${rows.map((r) => r.row.detail)}::text[],
                                          ${rows.map((r) => r.row.startedAt.toISOString())}::timestamptz[], ${rows.map((r) => r.row.endedAt?.toISOString() ?? null)}::timestamptz[]) as x
      on conflict (tenant_id, customer_id, staff_id) do update
         set state = excluded.state, added_at = excluded.added_at, deleted_at = excluded.deleted_at`.execute(db);
  }

  // The first friendship in the batch brings a guide (and their store) to a customer without one,
  // and its channel to a customer with no source channel yet.
  const firstAdd = new Map<string, { staffId: string; storeId: string | null; effect: ContactEffect; at: Date }>();
  for (const f of facts) {
    if (f.effect.action !== 'added') continue;
    const held = firstAdd.get(f.customerId);
    if (!held || f.at < held.at) firstAdd.set(f.customerId, f);
  }
  if (firstAdd.size === 0) return;
  const ids = [...firstAdd.keys()].sort();
  const pick = <T>(f: (x: { staffId: string; storeId: string | null; effect: ContactEffect }) => T): T[] => ids.map((id) => {
    const x = firstAdd.get(id);
    if (!x) throw new Error('unreachable');
    return f(x);
  });
  await sql`${PREPARED}
    update customers c
       set guide_id = coalesce(c.guide_id, u.staff_id),
           store_id = case when c.guide_id is null then coalesce(u.store_id, c.store_id) else c.store_id end,
           source_channel = case when c.source_channel = '' then coalesce(u.channel, '') else c.source_channel end,
           updated_at = now()
      from unnest(${ids}::uuid[], ${pick((x) => x.staffId)}::uuid[], ${pick((x) => x.storeId)}::uuid[], ${pick((x) => x.effect.channel)}::text[])
           as u(id, staff_id, store_id, channel)
     where c.tenant_id = ${tenantId} and c.id = any(${ids}::uuid[]) and c.id = u.id
       and (c.guide_id is null or (c.source_channel = '' and u.channel is not null))`.execute(db);
}

/** group_joined / group_left → customer_groups (created on first sight) and group_members. */
export async function applyGroups(db: Db, tenantId: string, accepted: AcceptedEvent[], staff: StaffDirectory): Promise<void> {
  const facts = accepted.flatMap((a) => (a.event.effect.kind === 'group' ? [{ customerId: a.customerId, effect: a.event.effect, at: a.event.occurredAt }] : []));
  if (facts.length === 0) return;
  const chats = new Map<string, GroupEffect>();
  for (const f of [...facts].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const held = chats.get(f.effect.chatId);
    chats.set(f.effect.chatId, {
      ...f.effect,
      groupName: f.effect.groupName ?? held?.groupName ?? null,
      ownerWecomUserId: f.effect.ownerWecomUserId ?? held?.ownerWecomUserId ?? null,
    });
  }
  const list = [...chats.values()].sort((a, b) => (a.chatId < b.chatId ? -1 : 1));
  const owners = list.map((g) => (g.ownerWecomUserId ? staff.find({ staffWecomUserId: g.ownerWecomUserId }) : undefined));
  const chatIds = list.map((g) => g.chatId);
  const existing = async () => (await sql<{ id: string; chat_id: string; name: string; owner_staff_id: string | null }>`${PREPARED}
    select id, chat_id, name, owner_staff_id from customer_groups where tenant_id = ${tenantId} and chat_id = any(${chatIds}::text[])`.execute(db)).rows;
  let groups = await existing();
  const known = new Map(groups.map((g) => [g.chat_id, g]));
  const missing = list.flatMap((g, i) => (known.has(g.chatId) ? [] : [{ g, owner: owners[i] }]));
  if (missing.length > 0) {
    // A group seen for the first time. Existing groups are not touched (no row lock), so batches
    // about the same busy group do not queue behind each other. The rows inserted come back; only
    // when another batch inserted one of them meanwhile are they read again.
    const created = await sql<{ id: string; chat_id: string; name: string; owner_staff_id: string | null }>`${PREPARED}
      insert into customer_groups (tenant_id, id, chat_id, name, owner_staff_id, store_id)
      select ${tenantId}, x.* from unnest(${missing.map(() => newId())}::uuid[], ${missing.map((m) => m.g.chatId)}::text[], ${missing.map((m) => m.g.groupName ?? '')}::text[],
                                          ${missing.map((m) => m.owner?.id ?? null)}::uuid[], ${missing.map((m) => m.owner?.storeId ?? null)}::uuid[]) as x
      on conflict (tenant_id, chat_id) do nothing
      returning id, chat_id, name, owner_staff_id`.execute(db);
    groups = created.rows.length === missing.length ? [...groups, ...created.rows] : await existing();
  }
  const renamed = list.flatMap((g, i) => {
    const held = known.get(g.chatId);
    const owner = owners[i];
    const name = g.groupName !== null && g.groupName !== held?.name ? g.groupName : null;
    const ownerId = owner && owner.id !== held?.owner_staff_id ? owner.id : null;
    return held && (name !== null || ownerId !== null) ? [{ id: held.id, name, ownerId, storeId: owner?.storeId ?? null }] : [];
  });
  if (renamed.length > 0) {
    await sql`${PREPARED}
      update customer_groups g
         set name = coalesce(u.name, g.name), owner_staff_id = coalesce(u.owner, g.owner_staff_id), store_id = coalesce(u.store, g.store_id)
        from unnest(${renamed.map((r) => r.id)}::uuid[], ${renamed.map((r) => r.name)}::text[], ${renamed.map((r) => r.ownerId)}::uuid[], ${renamed.map((r) => r.storeId)}::uuid[])
             as u(id, name, owner, store)
       where g.tenant_id = ${tenantId} and g.id = any(${renamed.map((r) => r.id)}::uuid[]) and g.id = u.id`.execute(db);
  }
  const groupOf = new Map(groups.map((g) => [g.chat_id, g.id]));

  const byPair = groupFacts(facts, (f) => `${groupOf.get(f.effect.chatId) ?? ''}|${f.customerId}`);
  const stored = await sql<{ group_id: string; customer_id: string; joined_at: Date; left_at: Date | null }>`${PREPARED}
    select group_id, customer_id, joined_at, left_at from group_members
     where tenant_id = ${tenantId} and group_id = any(${[...groupOf.values()]}::uuid[])
       and customer_id = any(${[...new Set(facts.map((f) => f.customerId))]}::uuid[])`.execute(db);
  const before = new Map(stored.rows.map((r): [string, RelationRow] => [`${r.group_id}|${r.customer_id}`, { startedAt: r.joined_at, endedAt: r.left_at, detail: null }]));
  const rows: { groupId: string; customerId: string; row: RelationRow }[] = [];
  for (const [key, items] of byPair) {
    const [groupId, customerId] = key.split('|');
    if (!groupId || !customerId) continue;
    const old = before.get(key);
    const next = foldRelation(old, items.map((f): RelationFact => ({ kind: f.effect.action === 'joined' ? 'start' : 'end', at: f.at, detail: null })));
    if (!sameRelation(old, next)) rows.push({ groupId, customerId, row: next });
  }
  if (rows.length === 0) return;
  await sql`${PREPARED}
    insert into group_members (tenant_id, group_id, customer_id, joined_at, left_at)
    select ${tenantId}, x.* from unnest(${rows.map((r) => r.groupId)}::uuid[], ${rows.map((r) => r.customerId)}::uuid[],
                                        ${rows.map((r) => r.row.startedAt.toISOString())}::timestamptz[], ${rows.map((r) => r.row.endedAt?.toISOString() ?? null)}::timestamptz[]) as x
    on conflict (tenant_id, group_id, customer_id) do update set joined_at = excluded.joined_at, left_at = excluded.left_at`.execute(db);
}

/** Profile attributes stated by events, through the trusted-source rule. */
export async function applyAttributes(db: Db, tenantId: string, accepted: AcceptedEvent[]): Promise<void> {
  const updates = new Map<string, AttributeUpdate[]>();
  for (const a of accepted) {
    if (!a.event.attributes) continue;
    const update = { values: a.event.attributes, source: a.event.source, at: a.event.occurredAt };
    const list = updates.get(a.customerId);
    if (list) list.push(update);
    else updates.set(a.customerId, [update]);
  }
  if (updates.size === 0) return;
  const ids = [...updates.keys()].sort();
  const rows = await sql<{ id: string; name: string; gender: Gender; birthday: string | null; city: string; attribute_sources: AttributeSources }>`${PREPARED}
    select id, name, gender, birthday, city, attribute_sources from customers
     where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(db);
  const changes: { id: string; name: string; gender: Gender; birthday: string | null; city: string; sources: string }[] = [];
  for (const r of rows.rows) {
    const current = { name: r.name, gender: r.gender, birthday: r.birthday, city: r.city };
    const result = applyAttributeUpdates(current, r.attribute_sources, updates.get(r.id) ?? []);
    if (!result.touched) continue;
    changes.push({ id: r.id, ...current, ...result.changed, sources: JSON.stringify(result.sources) });
  }
  if (changes.length === 0) return;
  await sql`${PREPARED}
    update customers c
       set name = u.name, gender = u.gender, birthday = u.birthday, city = u.city, attribute_sources = u.sources, updated_at = now()
      from unnest(${changes.map((c) => c.id)}::uuid[], ${changes.map((c) => c.name)}::text[], ${changes.map((c) => c.gender)}::text[],
                  ${changes.map((c) => c.birthday)}::date[], ${changes.map((c) => c.city)}::text[], ${changes.map((c) => c.sources)}::jsonb[])
           as u(id, name, gender, birthday, city, sources)
     where c.tenant_id = ${tenantId} and c.id = any(${changes.map((c) => c.id)}::uuid[]) and c.id = u.id`.execute(db);
}
