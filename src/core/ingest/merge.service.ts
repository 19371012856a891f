// Merging profiles an event proved to be one person. Everything the merged profiles own moves to
// the survivor: identities, orders, events, form submissions, tags (union; a tag held by both keeps
// the earliest added_at), group memberships and WeCom contacts (earliest start; still active if
// active on either side), consents (the newest decision wins). Attributes follow the trusted-source
// rule. The merge is recorded in customer_merges (older merges into a merged profile are re-pointed,
// so a chain A→B→C resolves A to C in one step), on the survivor's timeline and in the audit log;
// then the merged rows are deleted. Every step is one statement for all merges of a batch.
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { Gender } from '../../db/schema.ts';
import { mergeAttributes, type AttributeSources, type AttributeValues } from '../customers/attributes.rules.ts';
import { newId } from '../ids.ts';
import { recomputeAggregates } from '../orders/order-aggregates.service.ts';
import { identityKey, type IdentityKey } from './identity.rules.ts';
import { MEMBERSHIP_PROBES, moveMembership } from '../membership/merge.service.ts';
import { FISSION_PROBES, moveFissionRows } from '../referral/merge.service.ts';
import { moveSpeakerWeeks } from '../groups/speaker-weeks.service.ts';

export interface MergeRequest {
  survivorId: string;
  mergedIds: string[];
  /** The identities that tie the profiles together, for the record. */
  identities: IdentityKey[];
}

interface ProfileRow {
  id: string;
  name: string;
  gender: Gender;
  birthday: string | null;
  city: string;
  source_channel: string;
  store_id: string | null;
  guide_id: string | null;
  attribute_sources: AttributeSources;
  created_at: Date;
  last_active_at: Date | null;
}

const MAX_RECORDED_IDENTITIES = 10;

/** mergeCustomers in one go, for a caller that holds every lock it needs (FOR UPDATE on the merged profiles, FOR NO KEY UPDATE on the survivors). */
export async function mergeCustomers(db: Db, tenantId: string, merges: MergeRequest[], options: { source: string; actor?: string; at?: Date }): Promise<void> {
  const held = await moveMergedRows(db, tenantId, merges);
  await mergeIntoSurvivors(db, tenantId, merges, held, options);
}

const pairsOf = (merges: MergeRequest[]) => {
  const pairs = merges.flatMap((m) => m.mergedIds.map((merged) => ({ merged, survivor: m.survivorId, identities: m.identities })));
  return { pairs, mergedIds: pairs.map((p) => p.merged), survivorIds: pairs.map((p) => p.survivor) };
};

/**
 * A merge's first step: the rows the merged profiles own outright (identities, orders, events, form
 * submissions, messages, guide tasks) are given to the survivor. Needs the merged profiles locked
 * FOR UPDATE, not the survivors: moving orders adds to the survivor's monthly rollup rows, which a
 * batch that has just inserted an order for the survivor holds until it commits, and that batch may
 * be waiting for the survivor's write lock. Returns the tables that hold rows of the merged profiles.
 */
export async function moveMergedRows(db: Db, tenantId: string, merges: MergeRequest[]): Promise<Set<string>> {
  const { pairs, mergedIds, survivorIds } = pairsOf(merges);
  if (pairs.length === 0) return new Set();
  const m = sql`unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as m(merged, survivor)`;
  const held = await heldByMerged(db, tenantId, mergedIds);
  for (const table of ['customer_identities', 'orders', 'events', 'form_submissions', 'messages', 'guide_tasks'] as const) {
    if (table !== 'customer_identities' && !held.has(table)) continue;
    await sql`${PREPARED}
    update ${sql.table(table)} x set customer_id = m.survivor from ${m}
               where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged`.execute(db);
  }
  return held;
}

/**
 * A merge's second step, with the survivors locked FOR NO KEY UPDATE: attributes, tags, groups,
 * contacts, consents and the other areas' rows are combined on the survivor, the merge is recorded
 * and the merged profiles deleted. `held` is what moveMergedRows found.
 */
export async function mergeIntoSurvivors(db: Db, tenantId: string, merges: MergeRequest[], held: Set<string>,
  options: { source: string; actor?: string; at?: Date; pendingOrders?: string[] }): Promise<void> {
  const { pairs, mergedIds, survivorIds } = pairsOf(merges);
  if (pairs.length === 0) return;
  const everyone = [...new Set([...mergedIds, ...survivorIds])].sort();
  const m = sql`unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as m(merged, survivor)`;

  const rows = await sql<ProfileRow>`${PREPARED}
    select id, name, gender, birthday, city, source_channel, store_id, guide_id, attribute_sources, created_at, last_active_at
      from customers where tenant_id = ${tenantId} and id = any(${everyone}::uuid[])`.execute(db);
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  if (byId.size !== everyone.length) throw new Error('a profile to merge is gone; retry the batch');
  await updateSurvivors(db, tenantId, merges, byId);

  if (held.has('customer_tags')) await sql`${PREPARED}
    insert into customer_tags (tenant_id, customer_id, tag_id, source, added_by, added_at)
    select distinct on (m.survivor, t.tag_id) t.tenant_id, m.survivor, t.tag_id, t.source, t.added_by, t.added_at
      from customer_tags t join ${m} on t.customer_id = m.merged
     where t.tenant_id = ${tenantId} and t.customer_id = any(${mergedIds}::uuid[])
     order by m.survivor, t.tag_id, t.added_at
    on conflict (tenant_id, customer_id, tag_id) do update
       set source = excluded.source, added_by = excluded.added_by, added_at = excluded.added_at
     where excluded.added_at < customer_tags.added_at`.execute(db);
  if (held.has('group_members')) await sql`${PREPARED}
    insert into group_members (tenant_id, group_id, customer_id, joined_at, left_at)
    select ${tenantId}, g.group_id, m.survivor, min(g.joined_at),
           case when bool_or(g.left_at is null) then null else max(g.left_at) end
      from group_members g join ${m} on g.customer_id = m.merged
     where g.tenant_id = ${tenantId} and g.customer_id = any(${mergedIds}::uuid[])
     group by m.survivor, g.group_id
    on conflict (tenant_id, group_id, customer_id) do update
       set joined_at = least(group_members.joined_at, excluded.joined_at),
           left_at = case when group_members.left_at is null or excluded.left_at is null then null
                          else greatest(group_members.left_at, excluded.left_at) end`.execute(db);
  if (held.has('customer_contacts')) await sql`${PREPARED}
    insert into customer_contacts (tenant_id, customer_id, staff_id, state, added_at, deleted_at)
    select ${tenantId}, m.survivor, k.staff_id, (array_agg(k.state order by k.added_at) filter (where k.state is not null))[1],
           min(k.added_at), case when bool_or(k.deleted_at is null) then null else max(k.deleted_at) end
      from customer_contacts k join ${m} on k.customer_id = m.merged
     where k.tenant_id = ${tenantId} and k.customer_id = any(${mergedIds}::uuid[])
     group by m.survivor, k.staff_id
    on conflict (tenant_id, customer_id, staff_id) do update
       set state = coalesce(customer_contacts.state, excluded.state),
           added_at = least(customer_contacts.added_at, excluded.added_at),
           deleted_at = case when customer_contacts.deleted_at is null or excluded.deleted_at is null then null
                             else greatest(customer_contacts.deleted_at, excluded.deleted_at) end`.execute(db);
  if (held.has('customer_consents')) await sql`${PREPARED}
    insert into customer_consents (tenant_id, customer_id, channel, granted, source, updated_at)
    select distinct on (m.survivor, k.channel) ${tenantId}, m.survivor, k.channel, k.granted, k.source, k.updated_at
      from customer_consents k join ${m} on k.customer_id = m.merged
     where k.tenant_id = ${tenantId} and k.customer_id = any(${mergedIds}::uuid[])
     order by m.survivor, k.channel, k.updated_at desc
    on conflict (tenant_id, customer_id, channel) do update
       set granted = excluded.granted, source = excluded.source, updated_at = excluded.updated_at
     where excluded.updated_at > customer_consents.updated_at`.execute(db);
  if (MEMBERSHIP_PROBES.some(([table]) => held.has(table))) await moveMembership(db, tenantId, mergedIds, survivorIds);
  if (FISSION_PROBES.some(([table]) => held.has(table))) await moveFissionRows(db, tenantId, mergedIds, survivorIds);
  // The email channel's address: the survivor keeps its own; one without takes the most recently updated merged profile's.
  if (held.has('customers.email')) await sql`${PREPARED}
    update customers s set email = x.email
      from (select distinct on (m.survivor) m.survivor, c.email from customers c join ${m} on c.id = m.merged
             where c.tenant_id = ${tenantId} and c.id = any(${mergedIds}::uuid[]) and c.email is not null
             order by m.survivor, c.updated_at desc) x
     where s.tenant_id = ${tenantId} and s.id = x.survivor and s.email is null`.execute(db);
  // messaging: the sandbox phone's messages follow the person; the survivor's own time zone wins
  if (held.has('sandbox_inbox')) await sql`${PREPARED}
    update sandbox_inbox x set customer_id = m.survivor from ${m}
             where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged`.execute(db);
  if (held.has('customer_time_zones')) await sql`${PREPARED}
    insert into customer_time_zones (tenant_id, customer_id, timezone)
    select distinct on (m.survivor) ${tenantId}, m.survivor, z.timezone
      from customer_time_zones z join ${m} on z.customer_id = m.merged
     where z.tenant_id = ${tenantId} and z.customer_id = any(${mergedIds}::uuid[])
    on conflict (tenant_id, customer_id) do nothing`.execute(db);
  if (held.has('customer_transfers')) await sql`${PREPARED}
    update customer_transfers x set customer_id = m.survivor from ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged`.execute(db);
  // Group activity: joins and leaves, messages said (as sender), moderation records. Reply targets
  // keep the merged id: health reads only whether a reply went to a member.
  for (const [table, column] of [['group_member_changes', 'customer_id'], ['group_messages', 'sender_customer_id'], ['group_moderation_log', 'customer_id']] as const) {
    if (!held.has(table)) continue;
    await sql`${PREPARED}
    update ${sql.table(table)} x set ${sql.ref(column)} = m.survivor from ${m}
               where x.tenant_id = ${tenantId} and x.${sql.ref(column)} = any(${mergedIds}::uuid[]) and x.${sql.ref(column)} = m.merged`.execute(db);
  }
  // Journeys: one running instance per customer and journey, so a merged profile's instance stops
  // where the survivor (or an earlier merged profile) runs the same journey; the rest move over.
  if (held.has('journey_instances')) await sql`
    update journey_instances x set status = 'exited', finished_at = now(), updated_at = now() from ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged and x.status = 'active'
       and exists (select 1 from journey_instances s join ${sql`unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as o(merged, survivor)`} on true
                    where s.tenant_id = ${tenantId} and s.journey_id = x.journey_id and s.status = 'active' and s.id <> x.id
                      and ((s.customer_id = m.survivor and o.merged = m.merged) or (o.survivor = m.survivor and s.customer_id = o.merged and s.id < x.id)))`.execute(db);
  if (held.has('journey_instances')) await sql`
    update journey_instances x set customer_id = m.survivor,
           entry_key = case when exists (select 1 from journey_instances s where s.tenant_id = ${tenantId} and s.journey_id = x.journey_id
                                          and s.customer_id = m.survivor and s.entry_key = x.entry_key)
                            then x.entry_key || ':' || m.merged else x.entry_key end
      from ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged`.execute(db);
  // group health's weekly rollup: the merged profiles' speaker rows are added to the survivor's
  if (held.has('group_speaker_weeks')) await moveSpeakerWeeks(db, tenantId, mergedIds, survivorIds);
  // Group welcomes: welcomed once per group, so a merged profile's record moves where the survivor has none.
  if (held.has('group_welcomes_sent')) await sql`
    delete from group_welcomes_sent x using ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged
       and exists (select 1 from group_welcomes_sent s where s.tenant_id = ${tenantId} and s.group_id = x.group_id and s.customer_id = m.survivor)`.execute(db);
  if (held.has('group_welcomes_sent')) await sql`
    update group_welcomes_sent x set customer_id = m.survivor from ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged`.execute(db);
  // Mass-send recipients (mass_send_recipients): one row per send and person, so a merged profile's
  // row moves where the survivor (or an earlier merged profile) has none for that send. The table
  // is keyed by send, so it is read through the tenant's sends.
  if (held.has('mass_send_recipients')) await sql`
    delete from mass_send_recipients x using mass_sends ms, ${m}
     where ms.tenant_id = ${tenantId} and x.tenant_id = ${tenantId} and x.mass_send_id = ms.id and x.customer_id = m.merged
       and exists (select 1 from mass_send_recipients s
                    where s.tenant_id = ${tenantId} and s.mass_send_id = x.mass_send_id
                      and (s.customer_id = m.survivor
                           or s.customer_id < x.customer_id
                              and s.customer_id in (select o.merged from ${sql`unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as o(merged, survivor)`} where o.survivor = m.survivor)))`.execute(db);
  if (held.has('mass_send_recipients')) await sql`
    update mass_send_recipients x set customer_id = m.survivor from mass_sends ms, ${m}
     where ms.tenant_id = ${tenantId} and x.tenant_id = ${tenantId} and x.mass_send_id = ms.id and x.customer_id = m.merged`.execute(db);

  const at = options.at ?? new Date();
  const actor = options.actor ?? options.source;
  const reasons = pairs.map((p) => JSON.stringify({ source: options.source, identities: p.identities.slice(0, MAX_RECORDED_IDENTITIES).map(identityKey) }));
  if (held.has('customer_merges')) await sql`${PREPARED}
    update customer_merges x set survivor_id = m.survivor from ${m}
             where x.tenant_id = ${tenantId} and x.survivor_id = any(${mergedIds}::uuid[]) and x.survivor_id = m.merged`.execute(db);
  // The record (merges table, survivor's timeline, audit log) and the deletion of the merged rows:
  // one statement (the parts touch different tables, so no part needs to see another's rows).
  await sql`${PREPARED}
    with r as (select * from unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[], ${reasons}::jsonb[], ${pairs.map(() => newId())}::uuid[], ${pairs.map(() => newId())}::uuid[])
                                 as r(merged, survivor, reason, event_id, audit_id)),
    recorded as (
      insert into customer_merges (tenant_id, merged_id, survivor_id, merged_at, reason)
      select ${tenantId}, r.merged, r.survivor, ${at}, r.reason from r
    ),
    timeline as (
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenantId}, r.event_id, 'yuchi:' || r.event_id, 'customer_merged', r.survivor, ${at}, ${options.source}, ${actor},
             jsonb_build_object('mergedId', r.merged) || (r.reason - 'source')
        from r
    ),
    audited as (
      insert into audit_log (tenant_id, id, at, actor, action, target_type, target_id, details)
      select ${tenantId}, r.audit_id, ${at}, ${actor}, 'customer.merge', 'customer', r.survivor::text,
             jsonb_build_object('mergedId', r.merged) || r.reason
        from r
    )
    delete from customers where tenant_id = ${tenantId} and id = any(${mergedIds}::uuid[])`.execute(db);
  // The survivor's order aggregates change only when orders moved to it.
  // Orders the caller inserted and has yet to add to aggregates are left to it (pendingOrders).
  if (held.has('orders')) await recomputeAggregates(db, tenantId, [...new Set(survivorIds)], { excludingOrders: options.pendingOrders });
}

/**
 * The tables (of those moved above) that hold a row of a merged profile, in one statement of index
 * probes: a merge usually moves a handful of kinds of rows, and a statement per kind that moves
 * nothing cost a round trip and a plan each (about 20 statements per batch with merges). The
 * merged profiles are locked FOR UPDATE, so no row referencing them can be added meanwhile.
 */
async function heldByMerged(db: Db, tenantId: string, mergedIds: string[]): Promise<Set<string>> {
  const probes: (readonly [string, string, RawBuilder<unknown>?])[] = [
    ['orders', 'customer_id'], ['events', 'customer_id'], ['form_submissions', 'customer_id'], ['messages', 'customer_id'],
    ['guide_tasks', 'customer_id'], ['customer_tags', 'customer_id'], ['group_members', 'customer_id'], ['customer_contacts', 'customer_id'],
    ['customer_consents', 'customer_id'], ['sandbox_inbox', 'customer_id'], ['customer_time_zones', 'customer_id'],
    ['customer_transfers', 'customer_id'], ['group_member_changes', 'customer_id'], ['group_messages', 'sender_customer_id'],
    ['group_moderation_log', 'customer_id'], ['journey_instances', 'customer_id'], ['group_welcomes_sent', 'customer_id'],
    // A partial index's condition is repeated so the probe can use it: a customer's speaker rows are
    // the non-staff ones (those moveSpeakerWeeks moves).
    ['group_speaker_weeks', 'speaker_id', sql`and not x.staff`], ['customer_merges', 'survivor_id'],
    // the other areas' steps name their own tables
    ...MEMBERSHIP_PROBES, ...FISSION_PROBES,
  ];
  // mass_send_recipients is keyed by send (no customer index): probed through the tenant's sends.
  const rows = await sql<{ held: string[] }>`${PREPARED}
    select array_remove(array[${sql.join(probes.map(([table, column, also]) => sql`
      case when exists (select 1 from ${sql.table(table)} x where x.tenant_id = ${tenantId} and x.${sql.ref(column)} = any(${mergedIds}::uuid[]) ${also ?? sql``})
           then ${sql.lit(table)} end`))},
      case when exists (select 1 from mass_sends ms join mass_send_recipients x on x.tenant_id = ms.tenant_id and x.mass_send_id = ms.id
                         where ms.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]))
           then 'mass_send_recipients' end,
      case when exists (select 1 from customers c where c.tenant_id = ${tenantId} and c.id = any(${mergedIds}::uuid[]) and c.email is not null)
           then 'customers.email' end]::text[], null) as held`.execute(db);
  return new Set(rows.rows[0]?.held ?? []);
}

/** Survivors take the merged profiles' attributes by the trusted-source rule, oldest profile first. */
async function updateSurvivors(db: Db, tenantId: string, merges: MergeRequest[], byId: Map<string, ProfileRow>): Promise<void> {
  const updates: ProfileRow[] = [];
  for (const merge of merges) {
    const survivor = byId.get(merge.survivorId);
    if (!survivor) continue;
    const next: ProfileRow = { ...survivor };
    const others = merge.mergedIds.map((id) => byId.get(id)).filter((r): r is ProfileRow => r !== undefined)
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    for (const other of others) {
      const merged = mergeAttributes({ values: valuesOf(next), sources: next.attribute_sources }, { values: valuesOf(other), sources: other.attribute_sources });
      Object.assign(next, merged.values);
      next.attribute_sources = merged.sources;
      next.source_channel = next.source_channel || other.source_channel;
      if (next.guide_id === null && other.guide_id !== null) {
        next.guide_id = other.guide_id;
        next.store_id = other.store_id ?? next.store_id;
      }
      next.store_id = next.store_id ?? other.store_id;
      if (other.last_active_at && (!next.last_active_at || other.last_active_at > next.last_active_at)) next.last_active_at = other.last_active_at;
    }
    updates.push(next);
  }
  if (updates.length === 0) return;
  const col = <K extends keyof ProfileRow>(k: K): ProfileRow[K][] => updates.map((u) => u[k]);
  await sql`${PREPARED}
    update customers c
       set name = u.name, gender = u.gender, birthday = u.birthday, city = u.city, source_channel = u.source_channel,
           store_id = u.store_id, guide_id = u.guide_id, attribute_sources = u.sources, last_active_at = u.last_active_at,
           updated_at = now()
      from unnest(${col('id')}::uuid[], ${col('name')}::text[], ${col('gender')}::text[], ${col('birthday')}::date[], ${col('city')}::text[],
                  ${col('source_channel')}::text[], ${col('store_id')}::uuid[], ${col('guide_id')}::uuid[],
                  ${updates.map((u) => JSON.stringify(u.attribute_sources))}::jsonb[], ${col('last_active_at')}::timestamptz[])
           as u(id, name, gender, birthday, city, source_channel, store_id, guide_id, sources, last_active_at)
     where c.tenant_id = ${tenantId} and c.id = any(${col('id')}::uuid[]) and c.id = u.id`.execute(db);
}

function valuesOf(r: ProfileRow): AttributeValues {
  return { name: r.name, gender: r.gender, birthday: r.birthday, city: r.city };
}
