// The customer 360: the profile a guide opens at the POS or in the WeCom sidebar — identities,
// attributes, order aggregates (customers.service.ts) plus tags, group memberships, WeCom contacts
// and consents — and the timeline of everything that happened, newest first. An id merged away
// still opens its survivor's profile, saying so.
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { ConsentChannel, IdentityKind, TagSource } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { invalid, notFound, YuchiError } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { visibleCustomerIds, type CustomerDetail } from './customers.service.ts';

export interface CustomerProfile extends CustomerDetail {
  lastActiveAt: string | null;
  /** Where each attribute's value came from (the trusted-source rule). */
  attributeSources: Record<string, { source: string; at: string }>;
  tags: { id: string; name: string; color: string; group: { id: string; name: string }; source: TagSource; addedBy: string | null; addedAt: string }[];
  groups: { id: string; chatId: string; name: string; joinedAt: string; leftAt: string | null }[];
  contacts: { staff: { id: string; name: string }; state: string | null; addedAt: string; deletedAt: string | null }[];
  consents: { channel: ConsentChannel; granted: boolean; source: string; updatedAt: string }[];
  /** Present when the id asked for was merged into this profile. */
  mergedFrom?: { id: string; mergedAt: string };
  /** The latest scoring run's layering of the customer (core/scores); null before the first run. */
  scores: ProfileScores | null;
}

export interface ProfileScores {
  rfmCell: string | null;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  lifecycleStage: string;
  valueTier: string | null;
  pAlive: number | null;
  clvFen: number | null;
  computedAt: string;
}

export interface TimelineEntry {
  id: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  source: string;
  actor: string | null;
  properties: Record<string, unknown>;
}

export interface TimelinePage {
  items: TimelineEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const MAX_TIMELINE_LIMIT = 200;

interface ProfileRow {
  id: string;
  name: string;
  gender: CustomerProfile['gender'];
  birthday: string | null;
  city: string;
  source_channel: string;
  store_id: string | null;
  store_name: string | null;
  guide_id: string | null;
  guide_name: string | null;
  order_count: number;
  order_days: number;
  total_spent_fen: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  created_at: Date;
  last_active_at: Date | null;
  attribute_sources: Record<string, { source: string; at: string }>;
  identities: { kind: IdentityKind; value: string; created_at: string }[];
  tags: { id: string; name: string; color: string; group_id: string; group_name: string; source: TagSource; added_by: string | null; added_at: string }[];
  groups: { id: string; chat_id: string; name: string; joined_at: string; left_at: string | null }[];
  contacts: { staff_id: string; staff_name: string; state: string | null; added_at: string; deleted_at: string | null }[];
  consents: { channel: ConsentChannel; granted: boolean; source: string; updated_at: string }[];
  scores: { rfm_cell: string | null; r: number | null; f: number | null; m: number | null; stage: string; tier: string | null; p_alive: number | null; clv_fen: number | null; computed_at: string } | null;
}

const iso = (t: string): string => new Date(t).toISOString();
const isoOrNull = (t: string | Date | null): string | null => (t === null ? null : new Date(t).toISOString());
const ref = (id: string | null, name: string | null): { id: string; name: string } | null => (id && name !== null ? { id, name } : null);

/** The 360 of a customer, or of the survivor an id was merged into. Guides see their own only. */
export async function getProfile(db: Db, actor: Actor, id: string): Promise<CustomerProfile> {
  if (!UUID_PATTERN.test(id)) throw notFound('customer');
  const requested = id.toLowerCase();
  let row = await loadProfile(db, actor, requested);
  let merge: { survivorId: string; mergedAt: Date } | undefined;
  if (!row) {
    // Only an id that is not a profile (any more) is looked up among merges: the common case costs nothing extra.
    merge = await survivorOf(db, actor.tenantId, requested);
    if (merge) row = await loadProfile(db, actor, merge.survivorId);
  }
  if (!row) throw notFound('customer');
  const identities = row.identities.map((i) => ({ kind: i.kind, value: i.value, createdAt: iso(i.created_at) }));
  const profile: CustomerProfile = {
    id: row.id,
    name: row.name,
    gender: row.gender,
    // the first phone and member number a customer gave, as in the customer list
    phone: identities.find((i) => i.kind === 'phone')?.value ?? null,
    memberNo: identities.find((i) => i.kind === 'member_no')?.value ?? null,
    city: row.city,
    sourceChannel: row.source_channel,
    store: ref(row.store_id, row.store_name),
    guide: ref(row.guide_id, row.guide_name),
    orderCount: row.order_count,
    orderDays: row.order_days,
    totalSpentFen: row.total_spent_fen,
    firstOrderAt: isoOrNull(row.first_order_at),
    lastOrderAt: isoOrNull(row.last_order_at),
    createdAt: row.created_at.toISOString(),
    birthday: row.birthday,
    averageTicketFen: row.order_count > 0 ? Math.round(row.total_spent_fen / row.order_count) : 0,
    identities,
    lastActiveAt: isoOrNull(row.last_active_at),
    attributeSources: row.attribute_sources,
    tags: row.tags.map((t) => ({
      id: t.id, name: t.name, color: t.color, group: { id: t.group_id, name: t.group_name }, source: t.source, addedBy: t.added_by, addedAt: iso(t.added_at),
    })),
    groups: row.groups.map((g) => ({ id: g.id, chatId: g.chat_id, name: g.name, joinedAt: iso(g.joined_at), leftAt: isoOrNull(g.left_at) })),
    contacts: row.contacts.map((c) => ({ staff: { id: c.staff_id, name: c.staff_name }, state: c.state, addedAt: iso(c.added_at), deletedAt: isoOrNull(c.deleted_at) })),
    consents: row.consents.map((c) => ({ channel: c.channel, granted: c.granted, source: c.source, updatedAt: iso(c.updated_at) })),
    scores: row.scores && {
      rfmCell: row.scores.rfm_cell, rScore: row.scores.r, fScore: row.scores.f, mScore: row.scores.m, lifecycleStage: row.scores.stage,
      valueTier: row.scores.tier, pAlive: row.scores.p_alive, clvFen: row.scores.clv_fen, computedAt: iso(row.scores.computed_at),
    },
  };
  if (merge) profile.mergedFrom = { id: requested, mergedAt: merge.mergedAt.toISOString() };
  return profile;
}

/** Where a merged-away id lives now (merges are re-pointed, so one step reaches the end of a chain). */
async function survivorOf(db: Db, tenantId: string, id: string): Promise<{ survivorId: string; mergedAt: Date } | undefined> {
  const row = await db.selectFrom('customer_merges').select(['survivor_id', 'merged_at'])
    .where('tenant_id', '=', tenantId).where('merged_id', '=', id).executeTakeFirst();
  return row ? { survivorId: row.survivor_id, mergedAt: row.merged_at } : undefined;
}

/**
 * The whole 360 in one statement, prepared once per connection (PREPARED): one round trip per read,
 * and no planning of five correlated aggregates on every read, which costs more than running them.
 * Visibility is the customer list's own rule (visibleCustomerIds: tenant, not erased, a guide's
 * own customers).
 */
async function loadProfile(db: Db, actor: Actor, id: string): Promise<ProfileRow | undefined> {
  const result = await sql<ProfileRow>`${PREPARED}
    select c.id, c.name, c.gender, c.birthday, c.city, c.source_channel, c.store_id, st.name as store_name, c.guide_id, g.name as guide_name,
           c.order_count, c.order_days, c.total_spent_fen, c.first_order_at, c.last_order_at, c.created_at, c.last_active_at, c.attribute_sources,
      coalesce((select json_agg(json_build_object('kind', i.kind, 'value', i.value, 'created_at', i.created_at) order by i.kind, i.created_at)
                  from customer_identities i
                 where i.tenant_id = c.tenant_id and i.customer_id = c.id), '[]') as identities,
      coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color, 'group_id', tg.id, 'group_name', tg.name,
                                                  'source', ct.source, 'added_by', ct.added_by, 'added_at', ct.added_at)
                                order by tg.sort, tg.name, ct.added_at)
                  from customer_tags ct
                  join tags t on t.tenant_id = ct.tenant_id and t.id = ct.tag_id
                  join tag_groups tg on tg.tenant_id = t.tenant_id and tg.id = t.group_id
                 where ct.tenant_id = c.tenant_id and ct.customer_id = c.id), '[]') as tags,
      coalesce((select json_agg(json_build_object('id', cg.id, 'chat_id', cg.chat_id, 'name', cg.name, 'joined_at', m.joined_at, 'left_at', m.left_at)
                                order by m.left_at is not null, m.joined_at desc)
                  from group_members m join customer_groups cg on cg.tenant_id = m.tenant_id and cg.id = m.group_id
                 where m.tenant_id = c.tenant_id and m.customer_id = c.id), '[]') as groups,
      coalesce((select json_agg(json_build_object('staff_id', s.id, 'staff_name', s.name, 'state', k.state, 'added_at', k.added_at, 'deleted_at', k.deleted_at)
                                order by k.deleted_at is not null, k.added_at desc)
                  from customer_contacts k join staff s on s.tenant_id = k.tenant_id and s.id = k.staff_id
                 where k.tenant_id = c.tenant_id and k.customer_id = c.id), '[]') as contacts,
      coalesce((select json_agg(json_build_object('channel', x.channel, 'granted', x.granted, 'source', x.source, 'updated_at', x.updated_at) order by x.channel)
                  from customer_consents x
                 where x.tenant_id = c.tenant_id and x.customer_id = c.id), '[]') as consents,
      (select json_build_object('rfm_cell', sc.rfm_cell, 'r', sc.r_score, 'f', sc.f_score, 'm', sc.m_score, 'stage', sc.lifecycle_stage,
                                'tier', sc.value_tier, 'p_alive', sc.p_alive, 'clv_fen', sc.clv_fen, 'computed_at', sc.computed_at)
         from customer_scores sc where sc.tenant_id = c.tenant_id and sc.customer_id = c.id) as scores
      from customers c
      left join stores st on st.tenant_id = c.tenant_id and st.id = c.store_id
      left join staff g on g.tenant_id = c.tenant_id and g.id = c.guide_id
     where c.tenant_id = ${actor.tenantId} and c.id = ${id}
       and c.id in (${visibleCustomerIds(db, actor).where('c.id', '=', id)})`.execute(db);
  return result.rows[0];
}

interface Cursor {
  at: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const bad = (): YuchiError => invalid('before', 'is not a cursor from a previous page', { code: 'page_cursor', params: {} });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [at, id] = parsed;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !UUID_PATTERN.test(id)) throw bad();
  return { at, id };
}

/** A customer's timeline, newest first, paged by a keyset cursor (stable while new events arrive). */
export async function customerTimeline(db: Db, actor: Actor, id: string, options: { before?: string | undefined; limit: number }): Promise<TimelinePage> {
  if (!UUID_PATTERN.test(id)) throw notFound('customer');
  const limit = Math.min(Math.max(1, Math.trunc(options.limit)), MAX_TIMELINE_LIMIT);
  const cursor = options.before ? decodeCursor(options.before) : undefined;
  const requested = id.toLowerCase();
  const target = (await survivorOf(db, actor.tenantId, requested))?.survivorId ?? requested;
  const visible = await visibleCustomerIds(db, actor).where('c.id', '=', target).executeTakeFirst();
  if (!visible) throw notFound('customer');
  const before = (at: RawBuilder<unknown>, rowId: RawBuilder<unknown>) => (cursor ? sql`and (${at}, ${rowId}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``);
  // Journeys keep their own record of each customer's way through them (journey_instances); the
  // timeline shows its entry and its end beside the events rather than writing an event per step.
  // An end gets an id of its own, derived from the instance, so each line keeps a stable cursor.
  const rows = await sql<{ id: string; type: string; at_key: string; occurred_at: Date; received_at: Date; source: string; actor: string | null; properties: Record<string, unknown> }>`
    select id, type, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key,
           occurred_at, received_at, source, actor, properties
      from (
        (select id, type, occurred_at, received_at, source, actor, properties
           from events
          where tenant_id = ${actor.tenantId} and customer_id = ${target} ${before(sql`occurred_at`, sql`id`)}
          order by occurred_at desc, id desc limit ${limit + 1})
        union all
        (select i.id, 'journey_entered', i.entered_at, i.entered_at, 'journey', null,
                jsonb_build_object('journeyId', i.journey_id, 'journeyName', j.name, 'instanceId', i.id, 'heldOut', i.status = 'held_out')
           from journey_instances i join journeys j on j.tenant_id = i.tenant_id and j.id = i.journey_id
          where i.tenant_id = ${actor.tenantId} and i.customer_id = ${target} ${before(sql`i.entered_at`, sql`i.id`)}
          order by i.entered_at desc, i.id desc limit ${limit + 1})
        union all
        (select md5(i.id::text || ':finished')::uuid, 'journey_finished', i.finished_at, i.finished_at, 'journey', null,
                jsonb_build_object('journeyId', i.journey_id, 'journeyName', j.name, 'instanceId', i.id, 'status', i.status, 'converted', i.converted_at is not null)
           from journey_instances i join journeys j on j.tenant_id = i.tenant_id and j.id = i.journey_id
          where i.tenant_id = ${actor.tenantId} and i.customer_id = ${target} and i.finished_at is not null and i.status <> 'held_out'
                ${before(sql`i.finished_at`, sql`md5(i.id::text || ':finished')::uuid`)})
      ) as timeline
     order by occurred_at desc, id desc
     limit ${limit + 1}`.execute(db);
  const page = rows.rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id, type: r.type, occurredAt: r.occurred_at.toISOString(), receivedAt: r.received_at.toISOString(), source: r.source, actor: r.actor, properties: r.properties,
    })),
    nextCursor: rows.rows.length > limit && last ? encodeCursor({ at: last.at_key, id: last.id }) : null,
  };
}
