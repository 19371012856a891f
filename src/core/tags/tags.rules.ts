// The rule-tag language, its validation, the order rule tags are evaluated in, and the rule of
// exclusive tag groups. Pure: no IO.
//
// A rule is stored as JSON in tags.rule:
//   { all?: Rule[], any?: Rule[], not?: Rule }   all of `all`, at least one of `any`, and not `not`
//   | { metric: 'spent_fen' | 'order_count' | 'order_days', windowDays?: 1..3650, op, value }
//   | { lastOrderWithinDays: n } | { noOrderWithinDays: n }
//   | { hasTag: tagId } | { identity: kind } | { sourceChannel: text } | { storeId: uuid }
// A metric without windowDays is all time (the customer's order aggregates); with windowDays it is
// computed from the orders of the last n days, the window ending at the evaluation instant.
import type { IdentityKind } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { YuchiError, type ErrorDetail } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';

export const METRICS = ['spent_fen', 'order_count', 'order_days'] as const;
export type Metric = (typeof METRICS)[number];
export const COMPARISONS = ['>=', '>', '<=', '<', '='] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const IDENTITY_KINDS: readonly IdentityKind[] = ['unionid', 'openid', 'external_userid', 'phone', 'member_no'];

export const MAX_WINDOW_DAYS = 3650;
const MAX_DEPTH = 6;
const MAX_CONDITIONS = 50;

export type Condition =
  | { metric: Metric; windowDays?: number; op: Comparison; value: number }
  | { lastOrderWithinDays: number }
  | { noOrderWithinDays: number }
  | { hasTag: string }
  | { identity: IdentityKind }
  | { sourceChannel: string }
  | { storeId: string };

export interface RuleGroup {
  all?: TagRule[];
  any?: TagRule[];
  not?: TagRule;
}

export type TagRule = RuleGroup | Condition;

const CONDITION_KEYS = ['metric', 'lastOrderWithinDays', 'noOrderWithinDays', 'hasTag', 'identity', 'sourceChannel', 'storeId'] as const;
const GROUP_KEYS = ['all', 'any', 'not'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const DAYS = { minimum: 1, maximum: MAX_WINDOW_DAYS };
const isDayCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_WINDOW_DAYS;

/** Reads a rule from untrusted JSON, or throws YuchiError('invalid') listing every problem by path. */
export function parseRule(input: unknown, path = 'rule'): TagRule {
  const errors: ErrorDetail[] = [];
  let conditions = 0;
  // Each problem carries a code and its values, for the console to word (the message stays the API's English).
  const fail = (at: string, message: string, code: string, params: NonNullable<ErrorDetail['params']> = {}): undefined => {
    errors.push({ path: at, message, code, params });
    return undefined;
  };

  const parseCondition = (node: Record<string, unknown>, at: string, key: (typeof CONDITION_KEYS)[number]): Condition | undefined => {
    conditions += 1;
    const allowed = key === 'metric' ? ['metric', 'windowDays', 'op', 'value'] : [key];
    for (const k of Object.keys(node)) if (!allowed.includes(k)) fail(`${at}.${k}`, `is not allowed with ${key}`, 'unrecognized_keys', { keys: k });
    const v = node[key];
    switch (key) {
      case 'metric': {
        const { windowDays, op, value } = node;
        if (!isOneOf(METRICS, v)) return fail(`${at}.metric`, `must be one of ${METRICS.join(', ')}`, 'invalid_value', { options: METRICS.join(', ') });
        if (windowDays !== undefined && !isDayCount(windowDays)) return fail(`${at}.windowDays`, `must be a whole number of days, 1–${MAX_WINDOW_DAYS}`, 'day_count', DAYS);
        if (!isOneOf(COMPARISONS, op)) return fail(`${at}.op`, `must be one of ${COMPARISONS.join(', ')}`, 'invalid_value', { options: COMPARISONS.join(', ') });
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return fail(`${at}.value`, 'must be a whole number ≥ 0', 'whole_number_min', { minimum: 0 });
        return windowDays === undefined ? { metric: v, op, value } : { metric: v, windowDays, op, value };
      }
      case 'lastOrderWithinDays':
        return isDayCount(v) ? { lastOrderWithinDays: v } : fail(`${at}.${key}`, `must be a whole number of days, 1–${MAX_WINDOW_DAYS}`, 'day_count', DAYS);
      case 'noOrderWithinDays':
        return isDayCount(v) ? { noOrderWithinDays: v } : fail(`${at}.${key}`, `must be a whole number of days, 1–${MAX_WINDOW_DAYS}`, 'day_count', DAYS);
      case 'hasTag':
        return typeof v === 'string' && UUID_PATTERN.test(v) ? { hasTag: v.toLowerCase() } : fail(`${at}.hasTag`, 'must be a tag id (UUID)', 'invalid_format', { format: 'uuid' });
      case 'identity':
        return isOneOf(IDENTITY_KINDS, v) ? { identity: v } : fail(`${at}.identity`, `must be one of ${IDENTITY_KINDS.join(', ')}`, 'invalid_value', { options: IDENTITY_KINDS.join(', ') });
      case 'sourceChannel':
        return typeof v === 'string' && v.trim().length > 0 && v.length <= 60 ? { sourceChannel: v.trim() } : fail(`${at}.sourceChannel`, 'must be 1–60 characters', 'name_length', { minimum: 1, maximum: 60 });
      case 'storeId':
        return typeof v === 'string' && UUID_PATTERN.test(v) ? { storeId: v.toLowerCase() } : fail(`${at}.storeId`, 'must be a store id (UUID)', 'invalid_format', { format: 'uuid' });
    }
  };

  const parseList = (v: unknown, at: string, depth: number): TagRule[] | undefined => {
    if (!Array.isArray(v) || v.length === 0) return fail(at, 'must be a non-empty list of rules', 'rules_needed');
    const out: TagRule[] = [];
    v.forEach((item, i) => {
      const r = parseNode(item, `${at}[${i}]`, depth + 1);
      if (r) out.push(r);
    });
    return out.length === v.length ? out : undefined;
  };

  const parseNode = (node: unknown, at: string, depth: number): TagRule | undefined => {
    if (depth > MAX_DEPTH) return fail(at, `rules nest at most ${MAX_DEPTH} deep`, 'rule_too_deep', { maximum: MAX_DEPTH });
    if (!isObject(node)) return fail(at, 'must be an object', 'not_object');
    const conditionKeys = CONDITION_KEYS.filter((k) => k in node);
    const groupKeys = GROUP_KEYS.filter((k) => k in node);
    if (conditionKeys.length > 1) return fail(at, `give one condition per object, not ${conditionKeys.join(' and ')}`, 'one_condition_each');
    const only = conditionKeys[0];
    if (only !== undefined) {
      if (groupKeys.length > 0) return fail(at, `a condition (${only}) cannot also have ${groupKeys.join(', ')}`, 'one_condition_each');
      return parseCondition(node, at, only);
    }
    if (groupKeys.length === 0) {
      return fail(at, `must have one of ${[...GROUP_KEYS, ...CONDITION_KEYS].join(', ')}`, 'not_a_rule');
    }
    for (const k of Object.keys(node)) if (!isOneOf(GROUP_KEYS, k)) fail(`${at}.${k}`, 'is not allowed in a group (all, any, not)', 'unrecognized_keys', { keys: k });
    const group: RuleGroup = {};
    let ok = true;
    if ('all' in node) {
      const all = parseList(node.all, `${at}.all`, depth);
      if (all) group.all = all;
      else ok = false;
    }
    if ('any' in node) {
      const any = parseList(node.any, `${at}.any`, depth);
      if (any) group.any = any;
      else ok = false;
    }
    if ('not' in node) {
      const not = parseNode(node.not, `${at}.not`, depth + 1);
      if (not) group.not = not;
      else ok = false;
    }
    return ok ? group : undefined;
  };

  const rule = parseNode(input, path, 0);
  if (conditions > MAX_CONDITIONS) fail(path, `a rule may hold at most ${MAX_CONDITIONS} conditions`, 'too_many_conditions', { maximum: MAX_CONDITIONS });
  const first = errors[0];
  if (first || !rule) {
    throw new YuchiError('invalid', first ? `${first.path}: ${first.message}` : `${path}: is not a rule`, errors);
  }
  return rule;
}

function isGroup(rule: TagRule): rule is RuleGroup {
  return 'all' in rule || 'any' in rule || 'not' in rule;
}

/** Every condition of a rule with its path, depth first, for reference checks and compilation. */
export function conditionsOf(rule: TagRule, path = 'rule'): { condition: Condition; path: string }[] {
  if (!isGroup(rule)) return [{ condition: rule, path }];
  return [
    ...(rule.all ?? []).flatMap((r, i) => conditionsOf(r, `${path}.all[${i}]`)),
    ...(rule.any ?? []).flatMap((r, i) => conditionsOf(r, `${path}.any[${i}]`)),
    ...(rule.not ? conditionsOf(rule.not, `${path}.not`) : []),
  ];
}

/** Walks a rule bottom-up: a group's parts are folded into one value by `group`. */
export function foldRule<T>(rule: TagRule, leaf: (c: Condition) => T, group: (parts: { all: T[]; any: T[]; not: T | undefined }) => T): T {
  if (!isGroup(rule)) return leaf(rule);
  return group({
    all: (rule.all ?? []).map((r) => foldRule(r, leaf, group)),
    any: (rule.any ?? []).map((r) => foldRule(r, leaf, group)),
    not: rule.not ? foldRule(rule.not, leaf, group) : undefined,
  });
}

/** The tags a rule asks about through hasTag. */
export function referencedTags(rule: TagRule): string[] {
  const ids = conditionsOf(rule).flatMap(({ condition }) => ('hasTag' in condition ? [condition.hasTag] : []));
  return [...new Set(ids)];
}

/** The day windows a rule needs order figures for, ascending. */
export function windowsOf(rule: TagRule): number[] {
  const days = conditionsOf(rule).flatMap(({ condition: c }) => {
    if ('metric' in c) return c.windowDays === undefined ? [] : [c.windowDays];
    if ('lastOrderWithinDays' in c) return [c.lastOrderWithinDays];
    if ('noOrderWithinDays' in c) return [c.noOrderWithinDays];
    return [];
  });
  return [...new Set(days)].sort((a, b) => a - b);
}

/** A rule tag as the evaluation order needs it. Tags come in creation order. */
export interface RuleTagNode {
  id: string;
  name: string;
  groupId: string;
  exclusive: boolean;
  rule: TagRule;
}

/**
 * What a rule tag waits for: the tags its rule asks about (hasTag) and, in an exclusive group, the
 * rule tags of the group defined before it — the first-defined rule tag that holds wins the group,
 * so a later one holds only where no earlier one does.
 */
export function ruleDependencies(tags: readonly RuleTagNode[]): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  tags.forEach((tag, i) => {
    const earlier = tag.exclusive ? tags.slice(0, i).filter((t) => t.groupId === tag.groupId).map((t) => t.id) : [];
    deps.set(tag.id, [...new Set([...referencedTags(tag.rule), ...earlier])]);
  });
  return deps;
}

/** The earlier rule tags of the same exclusive group, which take precedence over `tag`. */
export function precedingInGroup(tags: readonly RuleTagNode[], tagId: string): string[] {
  const i = tags.findIndex((t) => t.id === tagId);
  const tag = tags[i];
  if (!tag || !tag.exclusive) return [];
  return tags.slice(0, i).filter((t) => t.groupId === tag.groupId).map((t) => t.id);
}

/**
 * Rule tags in an order where every tag comes after the rule tags it depends on, keeping creation
 * order otherwise. A cycle (which validation refuses, but a later change of groups could still
 * make) is reported, and its tags come last in creation order so a sweep still finishes.
 */
export function evaluationOrder(tags: readonly RuleTagNode[]): { order: string[]; cycle: string[] | undefined } {
  const ids = new Set(tags.map((t) => t.id));
  const deps = ruleDependencies(tags);
  const done = new Set<string>();
  const order: string[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const tag of tags) {
      if (done.has(tag.id)) continue;
      const waiting = (deps.get(tag.id) ?? []).some((d) => ids.has(d) && !done.has(d));
      if (!waiting) {
        done.add(tag.id);
        order.push(tag.id);
        progressed = true;
      }
    }
  }
  const rest = tags.filter((t) => !done.has(t.id)).map((t) => t.id);
  return { order: [...order, ...rest], cycle: rest.length > 0 ? findCycle(deps, rest) : undefined };
}

/** A dependency cycle through `start`'s tags, as a path that ends where it began (A → B → A). */
export function findCycle(deps: ReadonlyMap<string, readonly string[]>, starts: readonly string[]): string[] | undefined {
  for (const start of starts) {
    const path: string[] = [];
    const onPath = new Set<string>();
    const seen = new Set<string>();
    const visit = (id: string): string[] | undefined => {
      if (onPath.has(id)) return [...path.slice(path.indexOf(id)), id];
      if (seen.has(id)) return undefined;
      seen.add(id);
      onPath.add(id);
      path.push(id);
      for (const next of deps.get(id) ?? []) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
      path.pop();
      onPath.delete(id);
      return undefined;
    };
    const cycle = visit(start);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The rule tags that depend on `tagId`, directly or not, in evaluation order, starting with it. */
export function withDependents(tags: readonly RuleTagNode[], tagId: string): string[] {
  const deps = ruleDependencies(tags);
  const affected = new Set([tagId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, on] of deps) {
      if (!affected.has(id) && on.some((d) => affected.has(d))) {
        affected.add(id);
        grew = true;
      }
    }
  }
  return evaluationOrder(tags).order.filter((id) => affected.has(id));
}

/** A tag as the exclusive-group rule needs it. */
export interface GroupedTag {
  id: string;
  name: string;
  groupId: string;
  groupName: string;
  exclusive: boolean;
}

/**
 * An exclusive group holds at most one of its tags per customer, so one change may not add two
 * tags of the same exclusive group. Returns the first such pair, or undefined.
 */
export function exclusiveClash<T extends GroupedTag>(adding: readonly T[]): [T, T] | undefined {
  const byGroup = new Map<string, T>();
  for (const tag of adding) {
    if (!tag.exclusive) continue;
    const held = byGroup.get(tag.groupId);
    if (held && held.id !== tag.id) return [held, tag];
    byGroup.set(tag.groupId, tag);
  }
  return undefined;
}

/** How an actor is written in customer_tags.added_by, events.actor and audit_log.actor. */
export function actorLabel(actor: Actor): string {
  if (actor.userId) return `user:${actor.userId}`;
  if (actor.apiKeyId) return `api_key:${actor.apiKeyId}`;
  return 'system';
}
