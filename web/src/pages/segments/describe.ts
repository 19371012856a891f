// A definition in words, for the version history: "性别 等于 女 且 (标签 有任一 VIP 或 …)".
import type { SegmentNode } from '../../api-segments.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { FIELDS, isFen } from './segment-draft.ts';

/** Display names of ids a definition refers to (tags, stores, staff, segments). */
export type NameOf = (id: string) => string | undefined;

export function describeDefinition(node: SegmentNode, t: Translate, nameOf: NameOf, nested = false): string {
  if ('all' in node || 'any' in node) {
    const children = 'all' in node ? node.all : node.any;
    const joiner = ` ${t('all' in node ? 'segments.describe.and' : 'segments.describe.or')} `;
    const text = children.map((c) => describeDefinition(c, t, nameOf, true)).join(joiner);
    return nested && children.length > 1 ? `(${text})` : text;
  }
  if ('not' in node) return `${t('segments.describe.not')} (${describeDefinition(node.not, t, nameOf)})`;
  const spec = FIELDS[node.field];
  const one = (v: unknown): string => {
    if (typeof v === 'number') return isFen(node.field) ? `¥${(v / 100).toLocaleString('en-US')}` : String(v);
    if (typeof v !== 'string') return String(v);
    if (spec?.kind === 'choice') return t(`segments.choice.${v}` as MessageKey);
    return nameOf(v) ?? v;
  };
  const value = node.value === undefined ? '' : Array.isArray(node.value)
    ? node.value.map(one).join(node.op === 'between' ? ' — ' : '、')
    : one(node.value);
  const parts = [t(`segments.field.${node.field}` as MessageKey)];
  if (node.field === 'event' && node.type) parts.push(node.type);
  if (node.field === 'random_bucket' && node.salt) parts.push(`[${node.salt}]`);
  parts.push(t(`segments.op.${node.op}` as MessageKey), value);
  if (node.op === 'within_days' || node.op === 'not_within_days') parts.push(t('segments.value.days'));
  if (node.field === 'event') {
    parts.push(t('segments.value.times'));
    if (node.withinDays) parts.push(`${t('segments.value.inLast')} ${node.withinDays} ${t('segments.value.days')}`);
    for (const [k, v] of Object.entries(node.properties ?? {})) parts.push(`${k}=${String(v)}`);
  }
  return parts.filter(Boolean).join(' ');
}
