// Tagging customers by hand: one customer (a guide may tag their own), or every customer of a
// filtered list at once (set-based, one transaction, audited with the counts).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { TagSource } from '../../db/schema.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { matchingCustomerIds, visibleCustomerIds, type CustomerFilter } from '../customers/customers.service.ts';
import { invalid, notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { inTransaction } from '../../db/transaction.ts';
import { applyTagChanges } from './tag-changes.ts';
import { actorLabel, exclusiveClash } from './tags.rules.ts';
import { findTags, loadTags, type TagInfo } from './tags.service.ts';

export interface CustomerTagView {
  tagId: string;
  name: string;
  groupId: string;
  groupName: string;
  color: string;
  kind: 'manual' | 'rule';
  source: TagSource;
  addedBy: string | null;
  addedAt: string;
}

export async function listCustomerTags(db: Db, tenantId: string, customerId: string): Promise<CustomerTagView[]> {
  const rows = await db
    .selectFrom('customer_tags as ct')
    .innerJoin('tags as t', (j) => j.onRef('t.tenant_id', '=', 'ct.tenant_id').onRef('t.id', '=', 'ct.tag_id'))
    .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
    .select(['ct.tag_id', 't.name', 't.group_id', 'g.name as group_name', 't.color', 't.kind', 'ct.source', 'ct.added_by', 'ct.added_at'])
    .where('ct.tenant_id', '=', tenantId)
    .where('ct.customer_id', '=', customerId)
    .orderBy('g.sort').orderBy('g.name').orderBy('t.created_at')
    .execute();
  return rows.map((r) => ({
    tagId: r.tag_id, name: r.name, groupId: r.group_id, groupName: r.group_name, color: r.color, kind: r.kind,
    source: r.source, addedBy: r.added_by, addedAt: r.added_at.toISOString(),
  }));
}

/** Tags a person may put on or take off: not rule tags (they follow their rule), never two of one exclusive group. */
export function checkManualTags(tags: readonly TagInfo[], path: string): void {
  tags.forEach((t, i) => {
    if (t.kind === 'rule') throw invalid(`${path}[${i}]`, `${t.name} is a rule tag: its rule adds and removes it`, { code: 'rule_tag_by_hand', params: { tag: t.name } });
  });
  const clash = exclusiveClash(tags);
  if (clash) throw invalid(path, `${clash[0].name} and ${clash[1].name} are both in the exclusive group ${clash[0].groupName}; choose one`,
    { code: 'exclusive_clash', params: { first: clash[0].name, second: clash[1].name, group: clash[0].groupName } });
}

async function visibleCustomer(db: Db, actor: Actor, customerId: string): Promise<string> {
  const found = UUID_PATTERN.test(customerId)
    ? await visibleCustomerIds(db, actor).where('c.id', '=', customerId).executeTakeFirst()
    : undefined;
  if (!found) throw notFound('customer');
  return found.id;
}

/** Adds tags to one customer; adding a tag of an exclusive group replaces the customer's other tag of it. */
export async function tagCustomer(db: Db, actor: Actor, customerId: string, tagIds: string[]): Promise<CustomerTagView[]> {
  if (tagIds.length === 0) throw invalid('tagIds', 'give at least one tag', { code: 'tags_needed', params: {} });
  return inTransaction(db, async (trx) => {
    const id = await visibleCustomer(trx, actor, customerId);
    const tags = await loadTags(trx, actor.tenantId, tagIds, 'tagIds');
    checkManualTags(tags, 'tagIds');
    const by = actorLabel(actor);
    await applyTagChanges(trx, actor.tenantId, {
      adds: sql`select ${id}::uuid as customer_id, tag_id, ${by}::text as added_by from unnest(${tags.map((t) => t.id)}::uuid[]) as x(tag_id)`,
      source: 'manual', actor: by, at: new Date(),
    });
    return listCustomerTags(trx, actor.tenantId, id);
  });
}

/** Takes a tag off one customer; taking off a tag they do not hold changes nothing. */
export async function untagCustomer(db: Db, actor: Actor, customerId: string, tagId: string): Promise<CustomerTagView[]> {
  return inTransaction(db, async (trx) => {
    const id = await visibleCustomer(trx, actor, customerId);
    const [tag] = UUID_PATTERN.test(tagId) ? await findTags(trx, actor.tenantId, [tagId]) : [];
    if (!tag) throw notFound('tag');
    if (tag.kind === 'rule') throw invalid('tagId', `${tag.name} is a rule tag: its rule adds and removes it`, { code: 'rule_tag_by_hand', params: { tag: tag.name } });
    const by = actorLabel(actor);
    await applyTagChanges(trx, actor.tenantId, {
      removes: sql`select ${id}::uuid as customer_id, ${tag.id}::uuid as tag_id`,
      source: 'manual', actor: by, at: new Date(),
    });
    return listCustomerTags(trx, actor.tenantId, id);
  });
}

export interface BulkTagging {
  filter: CustomerFilter;
  add?: string[] | undefined;
  remove?: string[] | undefined;
}

/**
 * Adds and removes tags on every customer the list would show for `filter`, in one statement
 * and one transaction. `matched` counts the customers of the filter, `changed` those whose tags
 * changed. Audited with both counts.
 */
export async function bulkTagCustomers(db: Db, actor: Actor, input: BulkTagging): Promise<{ matched: number; changed: number }> {
  if (ownCustomersOnly(actor)) throw new YuchiError('forbidden', 'a guide tags customers one at a time');
  const add = input.add ?? [];
  const remove = input.remove ?? [];
  if (add.length === 0 && remove.length === 0) throw invalid('add', 'give tags to add or to remove', { code: 'tags_needed', params: {} });
  const both = add.findIndex((id) => remove.includes(id));
  if (both >= 0) throw invalid(`remove[${remove.indexOf(add[both] ?? '')}]`, 'the same tag cannot be added and removed', { code: 'added_and_removed', params: {} });
  return inTransaction(db, async (trx) => {
    const adding = await loadTags(trx, actor.tenantId, add, 'add');
    const removing = await loadTags(trx, actor.tenantId, remove, 'remove');
    checkManualTags(adding, 'add');
    removing.forEach((t, i) => {
      if (t.kind === 'rule') throw invalid(`remove[${i}]`, `${t.name} is a rule tag: its rule adds and removes it`, { code: 'rule_tag_by_hand', params: { tag: t.name } });
    });
    const target = matchingCustomerIds(trx, actor, input.filter);
    const counted = await sql<{ n: number }>`select count(*)::int as n from (${target}) t`.execute(trx);
    const matched = counted.rows[0]?.n ?? 0;
    const by = actorLabel(actor);
    const result = await applyTagChanges(trx, actor.tenantId, {
      prelude: sql`target as (${target})`,
      adds: sql`select t.id as customer_id, x.tag_id, ${by}::text as added_by from target t cross join unnest(${adding.map((a) => a.id)}::uuid[]) as x(tag_id)`,
      removes: sql`select t.id as customer_id, x.tag_id from target t cross join unnest(${removing.map((r) => r.id)}::uuid[]) as x(tag_id)`,
      source: 'manual', actor: by, at: new Date(),
    });
    await trx.insertInto('audit_log').values({
      tenant_id: actor.tenantId, id: newId(), actor: by, action: 'customers.bulk_tag', target_type: 'customers', target_id: null,
      details: JSON.stringify({ filter: input.filter, add: adding.map((t) => t.id), remove: removing.map((t) => t.id), matched, changed: result.changedCustomers }),
    }).execute();
    return { matched, changed: result.changedCustomers };
  });
}
