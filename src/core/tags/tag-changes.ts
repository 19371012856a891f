// The one way tags change on customers: a single set-based statement that adds and removes
// (customer, tag) pairs, keeps exclusive groups to one tag per customer, and writes each change
// to the timeline as a tag_added / tag_removed event, and queues the changed customers for segment
// evaluation. Manual, bulk, rule, form and pre-tag
// changes all go through here, so they behave the same.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { TagSource } from '../../db/schema.ts';

/**
 * A UUIDv7 made inside PostgreSQL (15+ has no uuidv7()), for rows written set-wise: the
 * millisecond clock overlaid on a random v4 uuid, with the version bits turned from 4 into 7.
 */
export const newEventId = sql<string>`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

export interface TagChangeSet {
  /** Extra common table expressions the adds and removes may refer to: `name as (...), ...`. */
  prelude?: RawBuilder<unknown>;
  /** Rows (customer_id uuid, tag_id uuid, added_by text) to add. */
  adds?: RawBuilder<unknown>;
  /** Rows (customer_id uuid, tag_id uuid) to remove. */
  removes?: RawBuilder<unknown>;
  source: TagSource;
  /** Who removes (added rows carry their own added_by, which is also the event's actor). */
  actor: string;
  at: Date;
}

export interface TagChangeResult {
  /** Customers whose tags changed. */
  changedCustomers: number;
  added: number;
  removed: number;
  /** Tags taken off because a tag of the same exclusive group was added. */
  displaced: number;
  addedTagIds: string[];
}

const NO_ROWS = sql`select null::uuid as customer_id, null::uuid as tag_id, null::text as added_by where false`;

export async function applyTagChanges(db: Db, tenantId: string, change: TagChangeSet): Promise<TagChangeResult> {
  const prelude = change.prelude ? sql`${change.prelude},` : sql``;
  const adds = change.adds ?? NO_ROWS;
  const removes = change.removes ?? NO_ROWS;
  // Two tags of one exclusive group for the same customer in one change: the newest tag (ids are
  // time-ordered) is kept. Callers that take tags from people refuse such input before this.
  // The exclusive rivals of each tag are worked out first, from the few tags of the tenant, so the
  // join with the many rows added stays linear however stale the small tables' statistics are.
  const result = await sql<{ changed: number; added: number; removed: number; displaced: number; added_tag_ids: string[] }>`
    with ${prelude}
    adds_in as (${adds}),
    adds_one as (
      select distinct on (a.customer_id, case when g.exclusive then g.id else a.tag_id end)
             a.customer_id, a.tag_id, a.added_by
        from adds_in a
        join tags t on t.tenant_id = ${tenantId} and t.id = a.tag_id
        join tag_groups g on g.tenant_id = ${tenantId} and g.id = t.group_id
       order by a.customer_id, case when g.exclusive then g.id else a.tag_id end, a.tag_id desc
    ),
    added as (
      insert into customer_tags (tenant_id, customer_id, tag_id, source, added_by, added_at)
      select ${tenantId}::uuid, customer_id, tag_id, ${change.source}::text, added_by, ${change.at}::timestamptz from adds_one
      on conflict do nothing
      returning customer_id, tag_id, added_by
    ),
    removed as (
      delete from customer_tags ct using (${removes}) r
       where ct.tenant_id = ${tenantId} and ct.customer_id = r.customer_id and ct.tag_id = r.tag_id
      returning ct.customer_id, ct.tag_id
    ),
    rivals as materialized (
      select nt.id as tag_id, ot.id as rival_id
        from tags nt
        join tag_groups g on g.tenant_id = nt.tenant_id and g.id = nt.group_id and g.exclusive
        join tags ot on ot.tenant_id = nt.tenant_id and ot.group_id = nt.group_id and ot.id <> nt.id
       where nt.tenant_id = ${tenantId}
    ),
    displaced as (
      delete from customer_tags ct using added a, rivals x
       where x.tag_id = a.tag_id and ct.tenant_id = ${tenantId} and ct.customer_id = a.customer_id and ct.tag_id = x.rival_id
      returning ct.customer_id, ct.tag_id, a.tag_id as replaced_by
    ),
    changes as (
      select customer_id, tag_id, 'tag_added' as type, added_by as actor, null::uuid as replaced_by from added
      union all select customer_id, tag_id, 'tag_removed', ${change.actor}::text, null::uuid from removed
      union all select customer_id, tag_id, 'tag_removed', ${change.actor}::text, replaced_by from displaced
    ),
    logged as (
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenantId}::uuid, e.id, 'yuchi:' || e.id, e.type, e.customer_id, ${change.at}::timestamptz, 'yuchi', e.actor,
             jsonb_strip_nulls(jsonb_build_object('tagId', e.tag_id, 'tagName', t.name, 'source', ${change.source}::text, 'replacedBy', e.replaced_by))
        from (select ${newEventId} as id, ch.* from changes ch) e
        join tags t on t.tenant_id = ${tenantId} and t.id = e.tag_id
    ),
    -- segments that read tags re-evaluate these customers after commit (migration 0009)
    queued as (select segments_enqueue(${tenantId}::uuid, array(select distinct customer_id from changes)) as n)
    select (select n from queued) as queued, (select count(distinct customer_id) from changes)::int as changed,
           (select count(*) from added)::int as added,
           (select count(*) from removed)::int as removed,
           (select count(*) from displaced)::int as displaced,
           coalesce((select array_agg(distinct tag_id::text) from added), '{}') as added_tag_ids`.execute(db);
  const row = result.rows[0];
  return {
    changedCustomers: row?.changed ?? 0,
    added: row?.added ?? 0,
    removed: row?.removed ?? 0,
    displaced: row?.displaced ?? 0,
    addedTagIds: row?.added_tag_ids ?? [],
  };
}
