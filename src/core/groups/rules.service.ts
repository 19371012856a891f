// Keyword auto-reply and moderation rules (per group or for every group of the tenant) and the
// moderation log. A pattern is checked when saved (moderation.rules.ts): invalid, too long or
// catastrophically slow regexes are refused with the reason, so ingestion only runs safe ones.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupRuleAction, GroupRuleKind, GroupRuleMatch } from '../../db/schema.ts';
import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { actionProblem, compileRule, patternProblem, type CompiledRule } from './moderation.rules.ts';

export interface GroupRuleInput {
  name: string;
  groupId?: string | null;
  kind: GroupRuleKind;
  match: GroupRuleMatch;
  pattern?: string;
  replyTemplate?: string;
  action: GroupRuleAction;
  active?: boolean;
}

export interface GroupRuleView {
  id: string;
  name: string;
  groupId: string | null;
  kind: GroupRuleKind;
  match: GroupRuleMatch;
  pattern: string;
  replyTemplate: string;
  action: GroupRuleAction;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

type RuleRow = {
  id: string; name: string; group_id: string | null; kind: GroupRuleKind; match: GroupRuleMatch; pattern: string;
  reply_template: string; action: GroupRuleAction; active: boolean; created_at: Date; updated_at: Date;
};

const view = (r: RuleRow): GroupRuleView => ({
  id: r.id, name: r.name, groupId: r.group_id, kind: r.kind, match: r.match, pattern: r.pattern, replyTemplate: r.reply_template,
  action: r.action, active: r.active, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

async function checkRule(db: Db, tenantId: string, input: GroupRuleInput): Promise<void> {
  const pattern = input.pattern ?? '';
  const problem = patternProblem(input.match, pattern);
  if (problem) throw invalid('pattern', problem.message, problem);
  const action = actionProblem(input.kind, input.action, input.match);
  if (action) throw invalid('action', action.message, action);
  if (input.kind === 'auto_reply' && (input.replyTemplate ?? '').trim() === '') throw invalid('replyTemplate', 'an auto-reply needs the reply text', { code: 'reply_needed', params: {} });
  if (input.groupId) {
    const group = await db.selectFrom('customer_groups').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.groupId).executeTakeFirst();
    if (!group) throw invalid('groupId', 'no such group', { code: 'unknown_group', params: {} });
  }
}

export async function listGroupRules(db: Db, tenantId: string, groupId?: string): Promise<GroupRuleView[]> {
  let q = db.selectFrom('group_rules').selectAll().where('tenant_id', '=', tenantId);
  if (groupId) q = q.where((eb) => eb.or([eb('group_id', '=', groupId), eb('group_id', 'is', null)]));
  return (await q.orderBy('created_at', 'desc').execute()).map(view);
}

export async function createGroupRule(db: Db, tenantId: string, input: GroupRuleInput): Promise<GroupRuleView> {
  await checkRule(db, tenantId, input);
  const row = await db.insertInto('group_rules').values({
    tenant_id: tenantId, id: newId(), name: input.name, group_id: input.groupId ?? null, kind: input.kind, match: input.match,
    pattern: input.match === 'any_link' ? '' : input.pattern ?? '', reply_template: input.replyTemplate ?? '', action: input.action, active: input.active ?? true,
  }).returningAll().executeTakeFirstOrThrow();
  return view(row);
}

export async function updateGroupRule(db: Db, tenantId: string, id: string, patch: Partial<GroupRuleInput>): Promise<GroupRuleView> {
  const old = await db.selectFrom('group_rules').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!old) throw notFound('rule');
  const next: GroupRuleInput = {
    name: patch.name ?? old.name, groupId: patch.groupId === undefined ? old.group_id : patch.groupId, kind: patch.kind ?? old.kind,
    match: patch.match ?? old.match, pattern: patch.pattern ?? old.pattern, replyTemplate: patch.replyTemplate ?? old.reply_template,
    action: patch.action ?? old.action, active: patch.active ?? old.active,
  };
  await checkRule(db, tenantId, next);
  const row = await db.updateTable('group_rules').set({
    name: next.name, group_id: next.groupId ?? null, kind: next.kind, match: next.match, pattern: next.match === 'any_link' ? '' : next.pattern ?? '',
    reply_template: next.replyTemplate ?? '', action: next.action, active: next.active ?? true, updated_at: new Date(),
  }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return view(row);
}

export async function deleteGroupRule(db: Db, tenantId: string, id: string): Promise<void> {
  const result = await db.deleteFrom('group_rules').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('rule');
}

// Compiled rules by id and version: a batch recompiles only rules changed since the last one.
const compiled = new Map<string, CompiledRule>();

/** The tenant's active rules, compiled, for ingestion. */
export async function activeRules(db: Db, tenantId: string): Promise<CompiledRule[]> {
  const rows = await sql<RuleRow>`select * from group_rules where tenant_id = ${tenantId} and active`.execute(db);
  return rows.rows.flatMap((r) => {
    const key = `${r.id}:${r.updated_at.getTime()}`;
    let rule = compiled.get(key);
    if (!rule) {
      if (patternProblem(r.match, r.pattern)) return [];
      rule = compileRule({ id: r.id, name: r.name, groupId: r.group_id, kind: r.kind, match: r.match, pattern: r.pattern, replyTemplate: r.reply_template, action: r.action });
      if (compiled.size > 10_000) compiled.clear();
      compiled.set(key, rule);
    }
    return [rule];
  });
}

export interface ModerationEntry {
  id: string;
  groupId: string;
  groupName: string;
  ruleId: string | null;
  ruleName: string | null;
  customerId: string | null;
  customerName: string | null;
  action: GroupRuleAction;
  detail: Record<string, unknown>;
  at: string;
}

export async function moderationLog(db: Db, tenantId: string, filter: { groupId?: string; limit: number }): Promise<ModerationEntry[]> {
  let q = db.selectFrom('group_moderation_log as l')
    .innerJoin('customer_groups as g', (j) => j.onRef('g.tenant_id', '=', 'l.tenant_id').onRef('g.id', '=', 'l.group_id'))
    .leftJoin('group_rules as r', (j) => j.onRef('r.tenant_id', '=', 'l.tenant_id').onRef('r.id', '=', 'l.rule_id'))
    .leftJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'l.tenant_id').onRef('c.id', '=', 'l.customer_id'))
    .select(['l.id', 'l.group_id', 'g.name as group_name', 'l.rule_id', 'r.name as rule_name', 'l.customer_id', 'c.name as customer_name', 'l.action', 'l.detail', 'l.at'])
    .where('l.tenant_id', '=', tenantId);
  if (filter.groupId) q = q.where('l.group_id', '=', filter.groupId);
  const rows = await q.orderBy('l.at', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id, groupId: r.group_id, groupName: r.group_name, ruleId: r.rule_id, ruleName: r.rule_name, customerId: r.customer_id,
    customerName: r.customer_name, action: r.action, detail: r.detail, at: r.at.toISOString(),
  }));
}
