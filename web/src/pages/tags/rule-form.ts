// A rule tag's rule as the editor shows it: "all" or "any" of a list of conditions, one per row.
// Rules the rows cannot show (nesting, "not") are edited as JSON instead. Spending is typed in
// yuan and stored in fen. Pure: converts and describes, no IO.
import type { Comparison, IdentityKind, Metric, RuleCondition, TagRule } from '../../api.ts';
import { formatCount, formatMoney } from '../../format.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { identityKindLabel } from '../../labels.ts';

export const METRICS: readonly Metric[] = ['spent_fen', 'order_count', 'order_days'];
export const COMPARISONS: readonly Comparison[] = ['>=', '>', '<=', '<', '='];
/** How a comparison reads on screen. */
export const OP_SIGNS: Record<Comparison, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '=': '=' };
export const ROW_KINDS = ['spent_fen', 'order_count', 'order_days', 'lastOrderWithinDays', 'noOrderWithinDays', 'hasTag', 'identity', 'sourceChannel', 'storeId'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

export interface RuleRow {
  kind: RowKind;
  /** Metrics: the window in days; empty = all time. */
  windowDays?: number | undefined;
  op?: Comparison | undefined;
  /** Metrics: the threshold (yuan for spending). Recency rows: the number of days. */
  value?: number | undefined;
  /** hasTag: a tag id; identity: a kind; sourceChannel: the text; storeId: a store id. */
  ref?: string | undefined;
}

export interface RuleForm {
  match: 'all' | 'any';
  rows: RuleRow[];
}

export const ROW_LABELS: Record<RowKind, MessageKey> = {
  spent_fen: 'rule.spent',
  order_count: 'rule.orderCount',
  order_days: 'rule.orderDays',
  lastOrderWithinDays: 'rule.orderedWithin',
  noOrderWithinDays: 'rule.notOrderedWithin',
  hasTag: 'rule.hasTag',
  identity: 'rule.identity',
  sourceChannel: 'rule.sourceChannel',
  storeId: 'rule.store',
};

const isMetric = (kind: RowKind): kind is Metric => (METRICS as readonly string[]).includes(kind);

function rowOf(c: RuleCondition): RuleRow {
  if ('metric' in c) {
    return { kind: c.metric, windowDays: c.windowDays, op: c.op, value: c.metric === 'spent_fen' ? c.value / 100 : c.value };
  }
  if ('lastOrderWithinDays' in c) return { kind: 'lastOrderWithinDays', value: c.lastOrderWithinDays };
  if ('noOrderWithinDays' in c) return { kind: 'noOrderWithinDays', value: c.noOrderWithinDays };
  if ('hasTag' in c) return { kind: 'hasTag', ref: c.hasTag };
  if ('identity' in c) return { kind: 'identity', ref: c.identity };
  if ('sourceChannel' in c) return { kind: 'sourceChannel', ref: c.sourceChannel };
  return { kind: 'storeId', ref: c.storeId };
}

function isCondition(rule: TagRule): rule is RuleCondition {
  return !('all' in rule) && !('any' in rule) && !('not' in rule);
}

/** The rows of a rule, or undefined when it is more than one flat list (edit it as JSON). */
export function ruleToForm(rule: TagRule): RuleForm | undefined {
  if (isCondition(rule)) return { match: 'all', rows: [rowOf(rule)] };
  if (rule.not || (rule.all && rule.any)) return undefined;
  const list = rule.all ?? rule.any ?? [];
  if (!list.every(isCondition)) return undefined;
  return { match: rule.any ? 'any' : 'all', rows: list.filter(isCondition).map(rowOf) };
}

export function emptyRow(kind: RowKind = 'spent_fen'): RuleRow {
  return isMetric(kind) ? { kind, op: '>=' } : { kind };
}

const days = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 3650;

/** The rule the rows state, or the first row that is not filled in (by index, with the reason). */
export function formToRule(form: RuleForm): { rule: TagRule } | { row: number; problem: MessageKey } {
  const conditions: RuleCondition[] = [];
  for (const [i, row] of form.rows.entries()) {
    const fail = (problem: MessageKey) => ({ row: i, problem });
    if (isMetric(row.kind)) {
      if (row.windowDays !== undefined && !days(row.windowDays)) return fail('rule.badWindow');
      if (!row.op) return fail('rule.needOp');
      if (row.value === undefined || row.value < 0) return fail('rule.needValue');
      const value = row.kind === 'spent_fen' ? Math.round(row.value * 100) : row.value;
      if (!Number.isInteger(value)) return fail('rule.needWhole');
      conditions.push(row.windowDays === undefined ? { metric: row.kind, op: row.op, value } : { metric: row.kind, windowDays: row.windowDays, op: row.op, value });
    } else if (row.kind === 'lastOrderWithinDays' || row.kind === 'noOrderWithinDays') {
      if (!days(row.value)) return fail('rule.badWindow');
      conditions.push(row.kind === 'lastOrderWithinDays' ? { lastOrderWithinDays: row.value } : { noOrderWithinDays: row.value });
    } else {
      const ref = row.ref?.trim();
      if (!ref) return fail(row.kind === 'hasTag' ? 'rule.needTag' : row.kind === 'storeId' ? 'rule.needStore' : row.kind === 'identity' ? 'rule.needIdentity' : 'rule.needChannel');
      if (row.kind === 'hasTag') conditions.push({ hasTag: ref });
      else if (row.kind === 'storeId') conditions.push({ storeId: ref });
      else if (row.kind === 'sourceChannel') conditions.push({ sourceChannel: ref });
      else {
        const kind = IDENTITY_KINDS.find((k) => k === ref);
        if (!kind) return fail('rule.needIdentity');
        conditions.push({ identity: kind });
      }
    }
  }
  const [only] = conditions;
  if (!only) return { row: 0, problem: 'rule.needRow' };
  if (conditions.length === 1) return { rule: only };
  return { rule: form.match === 'any' ? { any: conditions } : { all: conditions } };
}

export const IDENTITY_KINDS: readonly IdentityKind[] = ['phone', 'unionid', 'openid', 'external_userid', 'member_no'];

export interface Names {
  tagName: (id: string) => string | undefined;
  storeName: (id: string) => string | undefined;
}

function describeCondition(c: RuleCondition, t: Translate, names: Names): string {
  if ('metric' in c) {
    const value = c.metric === 'spent_fen' ? formatMoney(c.value) : formatCount(c.value);
    // Mid-sentence, so lower case (no change in Chinese): "total orders", "spend in the last 90 days".
    const what = t(ROW_LABELS[c.metric]).toLowerCase();
    const scoped = c.windowDays === undefined ? t('rule.total', { what }) : t('rule.lastDays', { days: c.windowDays, what });
    return `${scoped} ${OP_SIGNS[c.op]} ${value}`;
  }
  if ('lastOrderWithinDays' in c) return t('rule.orderedWithinN', { days: c.lastOrderWithinDays });
  if ('noOrderWithinDays' in c) return t('rule.notOrderedWithinN', { days: c.noOrderWithinDays });
  if ('hasTag' in c) return t('rule.hasTagN', { tag: names.tagName(c.hasTag) ?? c.hasTag.slice(0, 8) });
  if ('identity' in c) return t('rule.identityN', { kind: identityKindLabel(t, c.identity) });
  if ('sourceChannel' in c) return t('rule.sourceChannelN', { channel: c.sourceChannel });
  return t('rule.storeN', { store: names.storeName(c.storeId) ?? c.storeId.slice(0, 8) });
}

/** One line for a rule: 近 90 天消费金额 >= ¥2,000.00 且 订单数 >= 1; nested rules as JSON. */
export function describeRule(rule: TagRule, t: Translate, names: Names): string {
  const form = ruleToForm(rule);
  if (!form) return JSON.stringify(rule);
  const conditions = form.rows.map((row) => formToRule({ match: 'all', rows: [row] }));
  const parts = conditions.map((r) => ('rule' in r && isCondition(r.rule) ? describeCondition(r.rule, t, names) : ''));
  return parts.join(form.match === 'any' ? t('rule.or') : t('rule.and'));
}
