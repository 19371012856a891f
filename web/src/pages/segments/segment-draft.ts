// The builder's model: the definition being edited, kept in the server's own shape. Groups are
// `{ all }` / `{ any }`, optionally wrapped in `{ not }`; the field and operator lists are the
// server's (segments.fields.ts), so the pickers offer exactly what the API accepts.
import { FIELDS, OPERATORS, type FieldSpec } from '../../../../src/core/segments/segments.fields.ts';
import type { SegmentCondition, SegmentNode } from '../../api-segments.ts';
import type { MessageKey } from '../../i18n/zh-CN.ts';

export { FIELDS, OPERATORS, type FieldSpec };

export interface DraftGroup {
  mode: 'all' | 'any';
  negated: boolean;
  children: DraftNode[];
}

export type DraftNode = { group: DraftGroup } | { condition: SegmentCondition };

export const FIELD_GROUPS: { label: MessageKey; fields: string[] }[] = [
  { label: 'segments.field.group.attributes', fields: ['gender', 'city', 'source_channel', 'birthday_month', 'days_until_birthday', 'created_at', 'store_id', 'guide_id'] },
  { label: 'segments.field.group.orders', fields: ['order_count', 'order_days', 'total_spent_fen', 'average_ticket_fen', 'first_order_at', 'last_order_at'] },
  { label: 'segments.field.group.behaviour', fields: ['tags', 'event', 'group', 'identity'] },
  { label: 'segments.field.group.scores', fields: ['rfm_cell', 'r_score', 'f_score', 'm_score', 'lifecycle_stage', 'value_tier', 'p_alive', 'churn_probability', 'clv_fen'] },
  { label: 'segments.field.group.other', fields: ['segment', 'random_bucket'] },
];

/** Money fields are stored in fen and edited in yuan. */
export const isFen = (field: string): boolean => field.endsWith('_fen');

export function operatorsOf(field: string): readonly string[] {
  const spec = FIELDS[field];
  return spec ? OPERATORS[spec.kind] : [];
}

/** A sensible starting value for a field and operator, so a new row previews at once where it can. */
export function defaultValue(field: string, op: string): unknown {
  const spec = FIELDS[field];
  if (!spec) return undefined;
  if (['exists', 'not_exists', 'in_any', 'in_none'].includes(op)) return undefined;
  if (op === 'within_days' || op === 'not_within_days') return 30;
  if (spec.kind === 'choice') return op === 'in' || op === 'not_in' ? [spec.choices?.[0]] : spec.choices?.[0];
  if (spec.kind === 'number') {
    const lo = spec.min ?? 0;
    return op === 'between' ? [lo, spec.max !== undefined ? Math.min(spec.max, lo + 1) : lo + 1] : spec.min === undefined || spec.min < 1 ? (spec.integer ? 1 : 0.5) : spec.min;
  }
  if (spec.kind === 'event') return 1;
  if (spec.kind === 'bucket') return [0, 9];
  if (spec.kind === 'identity') return 'phone';
  return undefined;
}

export function newCondition(field: string): SegmentCondition {
  const op = operatorsOf(field)[0] ?? 'eq';
  const condition: SegmentCondition = { field, op };
  const value = defaultValue(field, op);
  if (value !== undefined) condition.value = value;
  if (field === 'event') { condition.type = 'group_joined'; condition.withinDays = 30; condition.op = 'gte'; }
  if (field === 'random_bucket') condition.salt = 'holdout';
  return condition;
}

export const emptyGroup = (): DraftGroup => ({ mode: 'all', negated: false, children: [{ condition: newCondition('gender') }] });

/** A stored definition as the builder's tree: the root is always a group. */
export function toDraft(node: SegmentNode): DraftGroup {
  const asGroup = (n: SegmentNode, negated: boolean): DraftGroup => {
    if ('all' in n) return { mode: 'all', negated, children: n.all.map(toChild) };
    if ('any' in n) return { mode: 'any', negated, children: n.any.map(toChild) };
    if ('not' in n) return asGroup(n.not, !negated);
    return { mode: 'all', negated, children: [{ condition: n }] };
  };
  const toChild = (n: SegmentNode): DraftNode => ('all' in n || 'any' in n || 'not' in n ? { group: asGroup(n, false) } : { condition: n });
  return asGroup(node, false);
}

export function fromDraft(group: DraftGroup): SegmentNode {
  const children = group.children.map((c) => ('group' in c ? fromDraft(c.group) : c.condition));
  const inner: SegmentNode = group.mode === 'all' ? { all: children } : { any: children };
  return group.negated ? { not: inner } : inner;
}
