// The segment (人群) definition language and its checks. Pure: no IO.
//
// A definition is JSON:
//   { all: [node, ...] } | { any: [node, ...] } | { not: node } | condition
// A condition is `{ field, op, value }` plus, for some fields, more keys:
//   attributes      gender, city, source_channel, birthday_month, days_until_birthday, created_at
//   order figures   order_count, order_days, total_spent_fen, average_ticket_fen, first_order_at, last_order_at
//   org             store_id, guide_id
//   tags            { field: 'tags', op: has_any|has_all|has_none, value: [tagId] }
//   identities      { field: 'identity', op: has|has_not, value: kind }
//   events          { field: 'event', type: 'group_joined', withinDays?: 30, properties?: {k: v}, op: gte, value: 2 }
//   groups          { field: 'group', op: in|not_in, value: groupId } | { field: 'group', op: in_any|in_none }
//   scores          rfm_cell, r_score, f_score, m_score, lifecycle_stage, value_tier, p_alive,
//                   churn_probability (1 − p_alive), clv_fen — a customer without scores matches none
//   other segments  { field: 'segment', op: in|not_in, value: segmentId } (no cycles)
//   holdouts        { field: 'random_bucket', salt: 'spring', op: between, value: [0, 9] }
// Times: `within_days`/`not_within_days` N (relative to the evaluation instant, calendar days in
// the tenant's zone), `before`/`after` a date, `between` [date, date] inclusive, `exists`/`not_exists`.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import { issueDetail } from '../zod-details.ts';
import { UUID_PATTERN } from '../ids.ts';
import { FIELDS, IDENTITY_KINDS, OPERATORS, type FieldSpec } from './segments.fields.ts';

export { FIELDS, OPERATORS };

export interface SegmentCondition {
  field: string;
  op: string;
  value?: unknown;
  /** event conditions: the event type, the window and property equality filters */
  type?: string;
  withinDays?: number;
  properties?: Record<string, string | number | boolean>;
  /** random_bucket: the salt that makes one holdout independent of another */
  salt?: string;
}

export type SegmentNode = { all: SegmentNode[] } | { any: SegmentNode[] } | { not: SegmentNode } | SegmentCondition;

export const MAX_DEPTH = 8;
export const MAX_CONDITIONS = 100;
export const MAX_WINDOW_DAYS = 3650;
const MAX_LIST = 200;

const CalendarDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: 'is not a calendar date', params: { code: 'invalid_format', format: 'date' } });
const Uuid = z.string().regex(UUID_PATTERN, 'must be an id (UUID)');
const Days = z.number().int('must be a whole number of days').min(1).max(MAX_WINDOW_DAYS);
const Text = z.string().min(1).max(200);
const EventType = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be an event type like group_joined');

/** The keys a condition may have; anything else is an unknown field. */
const ConditionShape = z.strictObject({
  field: z.string(),
  op: z.string(),
  value: z.unknown().optional(),
  type: z.unknown().optional(),
  withinDays: z.unknown().optional(),
  properties: z.unknown().optional(),
  salt: z.unknown().optional(),
});

function numberSchema(spec: FieldSpec): z.ZodNumber {
  let n = z.number();
  if (spec.integer) n = n.int('must be a whole number');
  if (spec.min !== undefined) n = n.min(spec.min);
  if (spec.max !== undefined) n = n.max(spec.max);
  return n;
}

function pairOf<T extends z.ZodType>(item: T) {
  return z.tuple([item, item]).refine((p) => (p[0] as number | string) <= (p[1] as number | string), { message: 'the first bound must not exceed the second', params: { code: 'bounds_reversed' } });
}

/** The schema of `value` for a field and operator; undefined when the operator takes no value. */
function valueSchema(spec: FieldSpec, op: string): z.ZodType | undefined {
  switch (spec.kind) {
    case 'choice': {
      const one = z.enum(spec.choices as [string, ...string[]]);
      return op === 'in' || op === 'not_in' ? z.array(one).min(1).max(MAX_LIST) : one;
    }
    case 'text':
      return op === 'in' || op === 'not_in' ? z.array(Text).min(1).max(MAX_LIST) : Text;
    case 'number':
      return op === 'between' ? pairOf(numberSchema(spec)) : numberSchema(spec);
    case 'time':
      if (op === 'exists' || op === 'not_exists') return undefined;
      if (op === 'within_days' || op === 'not_within_days') return Days;
      return op === 'between' ? pairOf(CalendarDay) : CalendarDay;
    case 'ref':
      if (op === 'exists' || op === 'not_exists') return undefined;
      return op === 'in' || op === 'not_in' ? z.array(Uuid).min(1).max(MAX_LIST) : Uuid;
    case 'tags':
      return z.array(Uuid).min(1).max(50);
    case 'identity':
      return z.enum(IDENTITY_KINDS);
    case 'event':
      return z.number().int('must be a whole number').min(0).max(1_000_000);
    case 'group':
      return op === 'in' || op === 'not_in' ? Uuid : undefined;
    case 'segment':
      return Uuid;
    case 'bucket':
      return pairOf(z.number().int('must be a whole number').min(0).max(99));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function issuesAt(path: string, error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => issueDetail(path + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''), i));
}

export type DefinitionCheck = { ok: true; definition: SegmentNode } | { ok: false; errors: ErrorDetail[] };

/** Reads a definition from untrusted JSON, listing every problem by its path (`definition.all[2].op`). */
export function checkDefinition(input: unknown, path = 'definition'): DefinitionCheck {
  const errors: ErrorDetail[] = [];
  let conditions = 0;
  const fail = (at: string, message: string, code: string, params: ErrorDetail['params'] = {}): undefined => {
    errors.push({ path: at, message, code, params });
    return undefined;
  };

  const readCondition = (node: Record<string, unknown>, at: string): SegmentCondition | undefined => {
    conditions += 1;
    const shape = ConditionShape.safeParse(node);
    if (!shape.success) {
      for (const issue of shape.error.issues) {
        if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fail(`${at}.${key}`, 'is not a condition key', 'not_condition_key', { key });
        else errors.push(...issuesAt(at, new z.ZodError([issue])));
      }
      return undefined;
    }
    const { field, op } = shape.data;
    const spec = FIELDS[field];
    if (!spec) return fail(`${at}.field`, `unknown field "${field}"`, 'unknown_field', { field });
    const ops = OPERATORS[spec.kind];
    if (!ops.includes(op)) return fail(`${at}.op`, `"${op}" is not an operator for ${field} (one of ${ops.join(', ')})`, 'bad_operator', { op });
    const condition: SegmentCondition = { field, op };
    const schema = valueSchema(spec, op);
    if (schema) {
      const value = schema.safeParse(shape.data.value);
      if (!value.success) errors.push(...issuesAt(`${at}.value`, value.error));
      else condition.value = value.data;
    } else if (shape.data.value !== undefined) {
      fail(`${at}.value`, `${op} takes no value`, 'takes_no_value', { op });
    }
    const extra = (key: 'type' | 'withinDays' | 'properties' | 'salt', allowed: boolean) => {
      if (!allowed && shape.data[key] !== undefined) fail(`${at}.${key}`, `is not a key of a ${field} condition`, 'not_condition_key', { key });
    };
    extra('type', spec.kind === 'event');
    extra('withinDays', spec.kind === 'event');
    extra('properties', spec.kind === 'event');
    extra('salt', spec.kind === 'bucket');
    if (spec.kind === 'event') {
      const type = EventType.safeParse(shape.data.type);
      if (!type.success) errors.push(...issuesAt(`${at}.type`, type.error));
      else condition.type = type.data;
      if (shape.data.withinDays !== undefined) {
        const days = Days.safeParse(shape.data.withinDays);
        if (!days.success) errors.push(...issuesAt(`${at}.withinDays`, days.error));
        else condition.withinDays = days.data;
      }
      if (shape.data.properties !== undefined) {
        const props = z.record(z.string().min(1).max(64), z.union([z.string().max(200), z.number(), z.boolean()])).safeParse(shape.data.properties);
        if (!props.success) errors.push(...issuesAt(`${at}.properties`, props.error));
        else if (Object.keys(props.data).length > 10) fail(`${at}.properties`, 'at most 10 property filters', 'too_big', { origin: 'array', maximum: 10, inclusive: 'true' });
        else condition.properties = props.data;
      }
    }
    if (spec.kind === 'bucket') {
      const salt = z.string().min(1).max(50).safeParse(shape.data.salt ?? '');
      if (!salt.success) errors.push(...issuesAt(`${at}.salt`, salt.error));
      else condition.salt = salt.data;
    }
    return condition;
  };

  const read = (node: unknown, at: string, depth: number): SegmentNode | undefined => {
    if (!isObject(node)) return fail(at, 'must be an object: { all }, { any }, { not } or a condition', 'not_a_node');
    if (depth > MAX_DEPTH) return fail(at, `nested deeper than ${MAX_DEPTH} levels`, 'too_deep', { max: MAX_DEPTH });
    const groupKeys = (['all', 'any', 'not'] as const).filter((k) => k in node);
    if (groupKeys.length === 0) return readCondition(node, at);
    const [key] = groupKeys;
    if (groupKeys.length > 1 || Object.keys(node).length > 1) return fail(at, 'a group has exactly one key: all, any or not', 'not_a_node');
    if (key === 'not') {
      const inner = read(node.not, `${at}.not`, depth + 1);
      return inner ? { not: inner } : undefined;
    }
    const list = key === 'all' ? node.all : node.any;
    if (!Array.isArray(list) || list.length === 0) return fail(`${at}.${key}`, 'must be a non-empty list', 'empty_group');
    const children: SegmentNode[] = [];
    list.forEach((child, i) => {
      const parsed = read(child, `${at}.${key}[${i}]`, depth + 1);
      if (parsed) children.push(parsed);
    });
    return key === 'all' ? { all: children } : { any: children };
  };

  const definition = read(input, path, 1);
  if (conditions > MAX_CONDITIONS) fail(path, `more than ${MAX_CONDITIONS} conditions`, 'too_many_conditions', { max: MAX_CONDITIONS });
  if (errors.length > 0 || !definition) return { ok: false, errors: errors.length > 0 ? errors : [{ path, message: 'is invalid' }] };
  return { ok: true, definition };
}

/** Calls `visit` for every condition with its path. */
export function eachCondition(node: SegmentNode, visit: (c: SegmentCondition, path: string) => void, path = 'definition'): void {
  if ('all' in node) node.all.forEach((n, i) => eachCondition(n, visit, `${path}.all[${i}]`));
  else if ('any' in node) node.any.forEach((n, i) => eachCondition(n, visit, `${path}.any[${i}]`));
  else if ('not' in node) eachCondition(node.not, visit, `${path}.not`);
  else visit(node, path);
}

export interface References {
  tagIds: string[];
  segmentIds: string[];
  groupIds: string[];
}

export function referencesOf(node: SegmentNode): References {
  const refs = { tagIds: new Set<string>(), segmentIds: new Set<string>(), groupIds: new Set<string>() };
  eachCondition(node, (c) => {
    if (c.field === 'tags' && Array.isArray(c.value)) for (const id of c.value) refs.tagIds.add(String(id).toLowerCase());
    if (c.field === 'segment') refs.segmentIds.add(String(c.value).toLowerCase());
    if (c.field === 'group' && typeof c.value === 'string') refs.groupIds.add(c.value.toLowerCase());
  });
  return { tagIds: [...refs.tagIds], segmentIds: [...refs.segmentIds], groupIds: [...refs.groupIds] };
}

export interface KnownIds {
  tagIds: ReadonlySet<string>;
  groupIds: ReadonlySet<string>;
  /** Every segment of the tenant (archived too) with its definition, for references and cycles. */
  segments: ReadonlyMap<string, SegmentNode>;
}

/**
 * Unknown tag, group or segment ids, and a cycle through segment references (the segment being
 * saved is `selfId`, absent for a preview or a new segment), each by the path that names it.
 */
export function checkReferences(node: SegmentNode, known: KnownIds, selfId?: string, path = 'definition'): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  eachCondition(node, (c, at) => {
    if (c.field === 'tags' && Array.isArray(c.value)) {
      c.value.forEach((id, i) => {
        if (!known.tagIds.has(String(id).toLowerCase())) errors.push({ path: `${at}.value[${i}]`, message: `unknown tag ${String(id)}`, code: 'unknown_tag' });
      });
    }
    if (c.field === 'group' && typeof c.value === 'string' && !known.groupIds.has(c.value.toLowerCase())) {
      errors.push({ path: `${at}.value`, message: `unknown customer group ${c.value}`, code: 'unknown_group' });
    }
    if (c.field === 'segment') {
      const id = String(c.value).toLowerCase();
      if (selfId && id === selfId.toLowerCase()) errors.push({ path: `${at}.value`, message: 'a segment cannot refer to itself', code: 'self_reference' });
      else if (!known.segments.has(id)) errors.push({ path: `${at}.value`, message: `unknown segment ${id}`, code: 'unknown_segment' });
      else {
        const cycle = selfId ? cycleThrough(selfId.toLowerCase(), id, known.segments) : undefined;
        if (cycle) errors.push({ path: `${at}.value`, message: `segments would refer to each other in a cycle: ${cycle.join(' → ')}`, code: 'segment_cycle' });
      }
    }
  }, path);
  return errors;
}

/** The chain start → ... → selfId when `start` (a segment referred to) leads back to selfId. */
function cycleThrough(selfId: string, start: string, segments: ReadonlyMap<string, SegmentNode>): string[] | undefined {
  const seen = new Set<string>();
  const walk = (id: string, chain: string[]): string[] | undefined => {
    if (id === selfId) return [selfId, ...chain];
    if (seen.has(id)) return undefined;
    seen.add(id);
    const def = segments.get(id);
    if (!def) return undefined;
    for (const next of referencesOf(def).segmentIds) {
      const found = walk(next, [...chain, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

const RELATIVE_TIME_OPS = new Set(['within_days', 'not_within_days']);

/**
 * Whether membership can change with no write to the customer: relative-time conditions, birthdays
 * coming closer, event windows, and scores (rewritten by the scoring run) — here or in a segment
 * referred to. Such segments are re-evaluated by the scheduled sweep.
 */
export function needsSweep(node: SegmentNode, segments: ReadonlyMap<string, SegmentNode>, depth = 0): boolean {
  let found = false;
  eachCondition(node, (c) => {
    const spec = FIELDS[c.field];
    if (!spec || found) return;
    if (spec.source === 'scores' || RELATIVE_TIME_OPS.has(c.op) || c.field === 'days_until_birthday') found = true;
    else if (spec.kind === 'event' && c.withinDays !== undefined) found = true;
    else if (spec.kind === 'segment' && depth < MAX_DEPTH) {
      const other = segments.get(String(c.value).toLowerCase());
      if (other && needsSweep(other, segments, depth + 1)) found = true;
    }
  });
  return found;
}

/** The holdout bucket 0..99 of a customer: the same as the SQL in segments.sql.ts (md5 of id:salt). */
export function randomBucket(customerId: string, salt: string): number {
  const hex = createHash('md5').update(`${customerId}:${salt}`).digest('hex').slice(0, 8);
  return parseInt(hex, 16) % 100;
}
