// Tag groups and tags: define them (a rule tag with its rule), rename, move, delete. Tagging
// customers by hand lives in customer-tags.service.ts; rule evaluation in rules.service.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { inTransaction } from '../../db/transaction.ts';
import { applyTagChanges } from './tag-changes.ts';
import { evaluateRuleTags, loadRuleTags } from './rules.service.ts';
import { actorLabel, conditionsOf, evaluationOrder, parseRule, referencedTags, withDependents, type GroupedTag, type RuleTagNode, type TagRule } from './tags.rules.ts';

export type TagKind = 'manual' | 'rule';

export interface TagView {
  id: string;
  groupId: string;
  groupName: string;
  name: string;
  code: string | null;
  color: string;
  kind: TagKind;
  rule: TagRule | null;
  customerCount: number;
  createdAt: string;
}

export interface TagGroupView {
  id: string;
  name: string;
  description: string;
  exclusive: boolean;
  sort: number;
  createdAt: string;
  tags: TagView[];
}

export interface NewTagGroup {
  name: string;
  description?: string | undefined;
  exclusive?: boolean | undefined;
  sort?: number | undefined;
}

export interface NewTag {
  groupId: string;
  name: string;
  code?: string | null | undefined;
  color?: string | undefined;
  kind?: TagKind | undefined;
  rule?: unknown;
}

export type TagPatch = Partial<Omit<NewTag, 'kind'>>;

/** A tag as tagging needs it: its group, whether the group is exclusive, whether it is a rule tag. */
export interface TagInfo extends GroupedTag {
  kind: TagKind;
}

function tagQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('tags as t')
    .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
    .select([
      't.id', 't.group_id', 'g.name as group_name', 't.name', 't.code', 't.color', 't.kind', 't.rule', 't.created_at',
      sql<number>`(select count(*)::int from customer_tags ct where ct.tenant_id = t.tenant_id and ct.tag_id = t.id)`.as('customer_count'),
    ])
    .where('t.tenant_id', '=', tenantId);
}

type TagRow = Awaited<ReturnType<ReturnType<typeof tagQuery>['executeTakeFirstOrThrow']>>;

function toTagView(r: TagRow): TagView {
  return {
    id: r.id, groupId: r.group_id, groupName: r.group_name, name: r.name, code: r.code, color: r.color, kind: r.kind,
    rule: r.rule === null ? null : parseRule(r.rule), customerCount: r.customer_count, createdAt: r.created_at.toISOString(),
  };
}

export async function listTags(db: Db, tenantId: string, filter: { groupId?: string | undefined; kind?: TagKind | undefined } = {}): Promise<TagView[]> {
  let q = tagQuery(db, tenantId);
  if (filter.groupId) q = q.where('t.group_id', '=', filter.groupId);
  if (filter.kind) q = q.where('t.kind', '=', filter.kind);
  return (await q.orderBy('g.sort').orderBy('g.name').orderBy('t.created_at').orderBy('t.id').execute()).map(toTagView);
}

export async function getTag(db: Db, tenantId: string, id: string): Promise<TagView> {
  if (!UUID_PATTERN.test(id)) throw notFound('tag');
  const row = await tagQuery(db, tenantId).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('tag');
  return toTagView(row);
}

export async function listTagGroups(db: Db, tenantId: string): Promise<TagGroupView[]> {
  const [groups, tags] = await Promise.all([
    db.selectFrom('tag_groups').selectAll().where('tenant_id', '=', tenantId).orderBy('sort').orderBy('name').execute(),
    listTags(db, tenantId),
  ]);
  return groups.map((g) => ({
    id: g.id, name: g.name, description: g.description, exclusive: g.exclusive, sort: g.sort, createdAt: g.created_at.toISOString(),
    tags: tags.filter((t) => t.groupId === g.id),
  }));
}

async function getTagGroup(db: Db, tenantId: string, id: string): Promise<TagGroupView> {
  const group = (await listTagGroups(db, tenantId)).find((g) => g.id === id);
  if (!group) throw notFound('tag group');
  return group;
}

function checkName(name: string, max: number): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > max) throw invalid('name', `must be 1–${max} characters`, { code: 'name_length', params: { minimum: 1, maximum: max } });
  return trimmed;
}

export async function createTagGroup(db: Db, tenantId: string, input: NewTagGroup): Promise<TagGroupView> {
  const id = newId();
  try {
    await db.insertInto('tag_groups').values({
      tenant_id: tenantId, id, name: checkName(input.name, 50), description: input.description?.trim() ?? '',
      exclusive: input.exclusive ?? false, sort: input.sort ?? 0,
    }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('name', `a tag group named ${input.name.trim()} exists`, { code: 'name_taken', params: { name: input.name.trim() } });
    throw err;
  }
  return getTagGroup(db, tenantId, id);
}

/** Customers holding more than one tag of the group: they block making it exclusive. */
async function customersHoldingSeveral(db: Db, tenantId: string, groupId: string, extraTagId?: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from (
      select ct.customer_id from customer_tags ct join tags t on t.tenant_id = ct.tenant_id and t.id = ct.tag_id
       where ct.tenant_id = ${tenantId} and (t.group_id = ${groupId} or t.id = ${extraTagId ?? null}::uuid)
       group by ct.customer_id having count(*) > 1) several`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export async function updateTagGroup(db: Db, tenantId: string, id: string, patch: Partial<NewTagGroup>): Promise<TagGroupView> {
  if (!UUID_PATTERN.test(id)) throw notFound('tag group');
  return inTransaction(db, async (trx) => {
    const current = await trx.selectFrom('tag_groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw notFound('tag group');
    if (patch.exclusive && !current.exclusive) {
      const several = await customersHoldingSeveral(trx, tenantId, id);
      if (several > 0) throw conflict('exclusive', `${several} customers hold more than one tag of this group; remove the extra tags first`, { code: 'several_tags_held', params: { customers: several } });
    }
    try {
      await trx.updateTable('tag_groups').set({
        name: patch.name === undefined ? current.name : checkName(patch.name, 50),
        description: patch.description?.trim() ?? current.description,
        exclusive: patch.exclusive ?? current.exclusive,
        sort: patch.sort ?? current.sort,
      }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('name', `a tag group named ${patch.name?.trim() ?? ''} exists`, { code: 'name_taken', params: { name: patch.name?.trim() ?? '' } });
      throw err;
    }
    if (patch.exclusive !== undefined && patch.exclusive !== current.exclusive) {
      // Precedence among the group's rule tags starts or stops with exclusivity.
      const ruleTags = await loadRuleTags(trx, tenantId);
      const inGroup = ruleTags.filter((t) => t.groupId === id).map((t) => t.id);
      if (inGroup.length > 0) await evaluateRuleTags(trx, tenantId, { tagIds: [...new Set(inGroup.flatMap((t) => withDependents(ruleTags, t)))] });
    }
    return getTagGroup(trx, tenantId, id);
  });
}

/** Refuses to delete tags that rules of other tags or questionnaire codebooks still use. */
async function checkUnused(db: Db, tenantId: string, tagIds: string[]): Promise<void> {
  const doomed = new Set(tagIds);
  const users = (await loadRuleTags(db, tenantId)).filter((t) => !doomed.has(t.id) && referencedTags(t.rule).some((id) => doomed.has(id)));
  const user = users[0];
  if (user) throw conflict('id', `the rule of tag ${user.name} uses this tag (hasTag); change that rule first`, { code: 'tag_in_rule', params: { tag: user.name } });
  const form = await db.selectFrom('forms').select('name').where('tenant_id', '=', tenantId)
    .where(sql<boolean>`exists (select 1 from jsonb_array_elements(questions) q, jsonb_array_elements(coalesce(q -> 'options', '[]')) o
                                 where o ->> 'tagId' = any(${[...doomed]}::text[]))`)
    .executeTakeFirst();
  if (form) throw conflict('id', `questionnaire ${form.name} codes answers into this tag; change its codebook first`, { code: 'tag_in_form', params: { form: form.name } });
}

/** Deleting tags takes them off every customer, each removal on the timeline, and is audited. */
async function deleteTags(db: Db, actor: Actor, tagIds: string[], target: { type: string; id: string }): Promise<number> {
  await checkUnused(db, actor.tenantId, tagIds);
  const by = actorLabel(actor);
  const { removed } = await applyTagChanges(db, actor.tenantId, {
    removes: sql`select customer_id, tag_id from customer_tags where tenant_id = ${actor.tenantId} and tag_id = any(${tagIds}::uuid[])`,
    source: 'manual', actor: by, at: new Date(),
  });
  await db.insertInto('audit_log').values({
    tenant_id: actor.tenantId, id: newId(), actor: by, action: `${target.type}.delete`, target_type: target.type, target_id: target.id,
    details: JSON.stringify({ tagIds, customersUntagged: removed }),
  }).execute();
  return removed;
}

export async function deleteTagGroup(db: Db, actor: Actor, id: string): Promise<void> {
  if (!UUID_PATTERN.test(id)) throw notFound('tag group');
  await inTransaction(db, async (trx) => {
    const group = await trx.selectFrom('tag_groups').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!group) throw notFound('tag group');
    const tagIds = (await trx.selectFrom('tags').select('id').where('tenant_id', '=', actor.tenantId).where('group_id', '=', id).execute()).map((t) => t.id);
    await deleteTags(trx, actor, tagIds, { type: 'tag_group', id });
    await trx.deleteFrom('tag_groups').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
  });
}

/** Rule tags that yielded to a deleted rule tag of their exclusive group are evaluated again. */
export async function deleteTag(db: Db, actor: Actor, id: string): Promise<void> {
  if (!UUID_PATTERN.test(id)) throw notFound('tag');
  await inTransaction(db, async (trx) => {
    const tag = await trx.selectFrom('tags').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!tag) throw notFound('tag');
    const waiting = withDependents(await loadRuleTags(trx, actor.tenantId), id).filter((t) => t !== id);
    await deleteTags(trx, actor, [id], { type: 'tag', id });
    await trx.deleteFrom('tags').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
    if (waiting.length > 0) await evaluateRuleTags(trx, actor.tenantId, { tagIds: waiting });
  });
}

async function groupOf(db: Db, tenantId: string, groupId: string): Promise<{ id: string; name: string; exclusive: boolean }> {
  const group = UUID_PATTERN.test(groupId)
    ? await db.selectFrom('tag_groups').select(['id', 'name', 'exclusive']).where('tenant_id', '=', tenantId).where('id', '=', groupId).executeTakeFirst()
    : undefined;
  if (!group) throw invalid('groupId', 'no such tag group', { code: 'unknown_tag_group', params: {} });
  return group;
}

/** Parses a rule and checks what it refers to: tags and stores of this tenant, and no cycle through hasTag. */
async function checkRule(db: Db, tenantId: string, input: unknown, self: Omit<RuleTagNode, 'rule'>): Promise<TagRule> {
  const rule = parseRule(input, 'rule');
  for (const { condition, path } of conditionsOf(rule)) {
    if ('hasTag' in condition) {
      const found = await db.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('id', '=', condition.hasTag).executeTakeFirst();
      if (!found && condition.hasTag !== self.id) throw invalid(`${path}.hasTag`, 'no such tag', { code: 'unknown_tag', params: {} });
    }
    if ('storeId' in condition) {
      const found = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', condition.storeId).executeTakeFirst();
      if (!found) throw invalid(`${path}.storeId`, 'no such store', { code: 'unknown_store', params: {} });
    }
  }
  const tags = await loadRuleTags(db, tenantId);
  const node: RuleTagNode = { ...self, rule };
  const at = tags.findIndex((t) => t.id === self.id);
  const candidate = at >= 0 ? tags.map((t) => (t.id === self.id ? node : t)) : [...tags, node];
  const { cycle } = evaluationOrder(candidate);
  if (cycle) {
    const names = new Map(candidate.map((t) => [t.id, t.name]));
    throw invalid('rule', `makes a cycle of rule tags: ${cycle.map((id) => names.get(id) ?? id).join(' → ')}`, { code: 'rule_cycle', params: { cycle: cycle.map((id) => names.get(id) ?? id).join(' → ') } });
  }
  return rule;
}

function checkCode(code: string | null | undefined): string | null {
  const trimmed = code?.trim();
  if (!trimmed) return null;
  if (trimmed.length > 20) throw invalid('code', 'must be at most 20 characters', { code: 'too_big', params: { origin: 'string', maximum: 20 } });
  return trimmed;
}

/** A new rule tag is evaluated at once, so it holds for the right customers from the start. */
export async function createTag(db: Db, actor: Actor, input: NewTag): Promise<TagView> {
  const kind = input.kind ?? (input.rule === undefined || input.rule === null ? 'manual' : 'rule');
  if (kind === 'manual' && input.rule !== undefined && input.rule !== null) throw invalid('rule', 'only a rule tag has a rule (kind: rule)', { code: 'manual_has_no_rule', params: {} });
  if (kind === 'rule' && (input.rule === undefined || input.rule === null)) throw invalid('rule', 'a rule tag needs a rule', { code: 'rule_needed', params: {} });
  return inTransaction(db, async (trx) => {
    const tenantId = actor.tenantId;
    const group = await groupOf(trx, tenantId, input.groupId);
    const id = newId();
    const name = checkName(input.name, 50);
    const rule = kind === 'rule' ? await checkRule(trx, tenantId, input.rule, { id, name, groupId: group.id, exclusive: group.exclusive }) : null;
    try {
      await trx.insertInto('tags').values({
        tenant_id: tenantId, id, group_id: group.id, name, code: checkCode(input.code), color: input.color ?? 'blue', kind,
        rule: rule === null ? null : JSON.stringify(rule),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('name', `group ${group.name} has a tag named ${name}`, { code: 'name_taken', params: { name } });
      throw err;
    }
    if (rule) await evaluateRuleTags(trx, tenantId, { tagIds: [id] });
    return getTag(trx, tenantId, id);
  });
}

/** A changed rule, or a move to another group, re-evaluates the tag and the rule tags that depend on it. */
export async function updateTag(db: Db, actor: Actor, id: string, patch: TagPatch): Promise<TagView> {
  if (!UUID_PATTERN.test(id)) throw notFound('tag');
  return inTransaction(db, async (trx) => {
    const tenantId = actor.tenantId;
    const current = await trx.selectFrom('tags').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw notFound('tag');
    const group = await groupOf(trx, tenantId, patch.groupId ?? current.group_id);
    const name = patch.name === undefined ? current.name : checkName(patch.name, 50);
    if (current.kind === 'manual' && patch.rule !== undefined && patch.rule !== null) {
      throw invalid('rule', 'a manual tag has no rule; create a rule tag instead', { code: 'manual_has_no_rule', params: {} });
    }
    if (current.kind === 'rule' && patch.rule === null) throw invalid('rule', 'a rule tag needs a rule', { code: 'rule_needed', params: {} });
    const moved = group.id !== current.group_id;
    if (moved && group.exclusive && (await customersHoldingSeveral(trx, tenantId, group.id, id)) > 0) {
      throw conflict('groupId', `customers would hold two tags of the exclusive group ${group.name}`, { code: 'exclusive_would_clash', params: { group: group.name } });
    }
    const ruleChanged = current.kind === 'rule' && patch.rule !== undefined;
    const rule = ruleChanged ? await checkRule(trx, tenantId, patch.rule, { id, name, groupId: group.id, exclusive: group.exclusive }) : undefined;
    try {
      await trx.updateTable('tags').set({
        group_id: group.id, name,
        code: patch.code === undefined ? current.code : checkCode(patch.code),
        color: patch.color ?? current.color,
        ...(rule ? { rule: JSON.stringify(rule) } : {}),
      }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('name', `group ${group.name} has a tag named ${name}`, { code: 'name_taken', params: { name } });
      throw err;
    }
    if (current.kind === 'rule' && (ruleChanged || moved)) {
      await evaluateRuleTags(trx, tenantId, { tagIds: withDependents(await loadRuleTags(trx, tenantId), id) });
    }
    return getTag(trx, tenantId, id);
  });
}

/** The tags of this tenant among `ids` (other tenants' ids find nothing). */
export async function findTags(db: Db, tenantId: string, ids: readonly string[]): Promise<TagInfo[]> {
  const valid = [...new Set(ids.filter((id) => UUID_PATTERN.test(id)).map((id) => id.toLowerCase()))];
  if (valid.length === 0) return [];
  const rows = await db
    .selectFrom('tags as t')
    .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
    .select(['t.id', 't.name', 't.kind', 't.group_id', 'g.name as group_name', 'g.exclusive'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.id', 'in', valid)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, groupId: r.group_id, groupName: r.group_name, exclusive: r.exclusive }));
}

/**
 * Loads tags named in input, in order, refusing unknown ids (including other tenants' tags) by
 * path: `tagIds[2]: no such tag`.
 */
export async function loadTags(db: Db, tenantId: string, ids: readonly string[], path: string): Promise<TagInfo[]> {
  const byId = new Map((await findTags(db, tenantId, ids)).map((t) => [t.id, t]));
  return ids.map((id, i) => {
    const tag = byId.get(id.toLowerCase());
    if (!tag) throw invalid(`${path}[${i}]`, 'no such tag', { code: 'unknown_tag', params: {} });
    return tag;
  });
}
