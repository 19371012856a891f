// 话术库: scripts by scenario and by the tags they answer. A guide opens a customer and gets the
// scripts for that customer's tags first (高姿: the questionnaire's tag picks the script), copies
// one, and the copy is counted per guide.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { YuchiError, notFound, type ErrorDetail } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { rankScripts } from './sop.rules.ts';

/** Scenarios the console offers first; operators may name others. */
export const SCRIPT_SCENARIOS = ['新客欢迎', '售前咨询', '售后', '复购提醒', '活动邀约', '入群邀请', '流失挽回', '节日关怀'] as const;

export interface ScriptInput {
  title: string;
  scenario: string;
  body: string;
  tagIds?: string[] | undefined;
}

export interface ScriptView {
  id: string;
  title: string;
  scenario: string;
  body: string;
  tags: { id: string; name: string }[];
  useCount: number;
  usedByMe: number;
  /** With a customer: how many of the customer's tags the script answers. */
  matchedTags: number;
  updatedAt: string;
}

export interface ScriptFilter {
  q?: string | undefined;
  scenario?: string | undefined;
  tagId?: string | undefined;
  customerId?: string | undefined;
  id?: string | undefined;
}

async function checkTags(db: Db, tenantId: string, tagIds: readonly string[]): Promise<void> {
  const ids = [...new Set(tagIds)];
  if (ids.length === 0) return;
  const found = new Set((await db.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute()).map((t) => t.id));
  const details: ErrorDetail[] = tagIds.flatMap((id, i) => (found.has(id) ? [] : [{ path: `tagIds.${i}`, message: 'no such tag', code: 'unknown_tag', params: {} }]));
  if (details.length > 0) throw new YuchiError('invalid', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

/** The customer's tags, when the actor may see the customer (a guide: only their own). */
async function customerTags(db: Db, actor: Actor, customerId: string): Promise<Set<string>> {
  if (!UUID_PATTERN.test(customerId)) throw notFound('customer');
  let q = db.selectFrom('customers').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', customerId);
  const guide = ownCustomersOnly(actor);
  if (guide) q = q.where('guide_id', '=', guide);
  if (!await q.executeTakeFirst()) throw notFound('customer');
  const rows = await db.selectFrom('customer_tags').select('tag_id').where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customerId).execute();
  return new Set(rows.map((r) => r.tag_id));
}

export async function listScripts(db: Db, actor: Actor, filter: ScriptFilter): Promise<ScriptView[]> {
  const me = actorLabel(actor);
  let q = db.selectFrom('sop_scripts as s')
    .leftJoin('sop_script_uses as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.script_id', '=', 's.id').on('u.used_by', '=', me))
    .select(['s.id', 's.title', 's.scenario', 's.body', 's.tag_ids', 's.use_count', 's.updated_at', 'u.uses'])
    .where('s.tenant_id', '=', actor.tenantId);
  if (filter.id) q = q.where('s.id', '=', filter.id);
  if (filter.scenario) q = q.where('s.scenario', '=', filter.scenario);
  if (filter.tagId) q = q.where(sql<boolean>`${filter.tagId}::uuid = any(s.tag_ids)`);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('s.title', 'ilike', like), eb('s.body', 'ilike', like), eb('s.scenario', 'ilike', like)]));
  }
  const rows = await q.orderBy('s.use_count', 'desc').orderBy('s.title').limit(500).execute();
  const tagIds = [...new Set(rows.flatMap((r) => r.tag_ids))];
  const tags = tagIds.length === 0 ? [] : await db.selectFrom('tags').select(['id', 'name']).where('tenant_id', '=', actor.tenantId).where('id', 'in', tagIds).execute();
  const tagName = new Map(tags.map((t) => [t.id, t.name]));
  const views = rows.map((r) => ({
    id: r.id, title: r.title, scenario: r.scenario, body: r.body, tagIds: r.tag_ids,
    tags: r.tag_ids.flatMap((id) => { const name = tagName.get(id); return name ? [{ id, name }] : []; }),
    useCount: r.use_count, usedByMe: r.uses ?? 0, updatedAt: r.updated_at.toISOString(),
  }));
  const held = filter.customerId ? await customerTags(db, actor, filter.customerId) : new Set<string>();
  return rankScripts(views, held).map(({ tagIds: _tagIds, ...view }) => view);
}

export async function getScript(db: Db, actor: Actor, id: string): Promise<ScriptView> {
  if (!UUID_PATTERN.test(id)) throw notFound('script');
  const [found] = await listScripts(db, actor, { id });
  if (!found) throw notFound('script');
  return found;
}

export async function createScript(db: Db, actor: Actor, input: ScriptInput): Promise<ScriptView> {
  await checkTags(db, actor.tenantId, input.tagIds ?? []);
  const id = newId();
  await db.insertInto('sop_scripts').values({
    tenant_id: actor.tenantId, id, title: input.title, scenario: input.scenario, body: input.body, tag_ids: [...new Set(input.tagIds ?? [])], created_by: actorLabel(actor),
  }).execute();
  return getScript(db, actor, id);
}

export async function updateScript(db: Db, actor: Actor, id: string, input: ScriptInput): Promise<ScriptView> {
  if (!UUID_PATTERN.test(id)) throw notFound('script');
  await checkTags(db, actor.tenantId, input.tagIds ?? []);
  const result = await db.updateTable('sop_scripts').set({
    title: input.title, scenario: input.scenario, body: input.body, tag_ids: [...new Set(input.tagIds ?? [])], updated_at: new Date(),
  }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound('script');
  return getScript(db, actor, id);
}

export async function deleteScript(db: Db, tenantId: string, id: string): Promise<void> {
  if (!UUID_PATTERN.test(id)) throw notFound('script');
  const result = await db.deleteFrom('sop_scripts').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('script');
}

/** Counts one copy of a script, for the guide and in total, in one transaction. */
export async function recordScriptUse(db: Db, actor: Actor, id: string): Promise<{ useCount: number; usedByMe: number }> {
  if (!UUID_PATTERN.test(id)) throw notFound('script');
  return db.transaction().execute(async (trx) => {
    const script = await trx.updateTable('sop_scripts').set((eb) => ({ use_count: eb('use_count', '+', 1) }))
      .where('tenant_id', '=', actor.tenantId).where('id', '=', id).returning('use_count').executeTakeFirst();
    if (!script) throw notFound('script');
    const mine = await trx.insertInto('sop_script_uses').values({ tenant_id: actor.tenantId, script_id: id, used_by: actorLabel(actor), staff_id: actor.staffId, uses: 1 })
      .onConflict((oc) => oc.columns(['tenant_id', 'script_id', 'used_by']).doUpdateSet((eb) => ({ uses: eb('sop_script_uses.uses', '+', 1), last_used_at: new Date() })))
      .returning('uses').executeTakeFirstOrThrow();
    return { useCount: script.use_count, usedByMe: mine.uses };
  });
}

/** Per guide usage of the library, most used first. */
export async function scriptUsage(db: Db, tenantId: string): Promise<{ scriptId: string; usedBy: string; staffId: string | null; staffName: string | null; uses: number }[]> {
  const rows = await db.selectFrom('sop_script_uses as u')
    .leftJoin('staff as st', (j) => j.onRef('st.tenant_id', '=', 'u.tenant_id').onRef('st.id', '=', 'u.staff_id'))
    .select(['u.script_id', 'u.used_by', 'u.staff_id', 'st.name', 'u.uses']).where('u.tenant_id', '=', tenantId).orderBy('u.uses', 'desc').limit(1000).execute();
  return rows.map((r) => ({ scriptId: r.script_id, usedBy: r.used_by, staffId: r.staff_id, staffName: r.name, uses: r.uses }));
}
