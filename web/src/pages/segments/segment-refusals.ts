// A refused segment definition in the reader's language, naming the condition by its field as the
// builder shows it (「累计消费（元）」：不能小于 0) rather than by its path (definition.all[1].value).
import type { ErrorDetail } from '../../api.ts';
import type { SegmentNode } from '../../api-segments.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { pathParts } from '../../labels.ts';
import { reasonText } from '../../refusal-text.ts';
import { isFen } from './segment-draft.ts';

const SEGMENT_REFUSALS = [
  'not_condition_key', 'unknown_field', 'bad_operator', 'takes_no_value', 'not_a_node', 'too_deep', 'empty_group', 'too_many_conditions',
  'unknown_tag', 'unknown_group', 'self_reference', 'unknown_segment', 'segment_cycle', 'bounds_reversed',
] as const;

/** The condition a path points into (following all/any/not and list positions), if it reaches one. */
function conditionAt(definition: SegmentNode | undefined, parts: readonly string[]): { field: string } | undefined {
  let node: unknown = definition;
  for (const part of parts.slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    if ('field' in node && typeof node.field === 'string') return { field: node.field };
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown>)[part];
  }
  return typeof node === 'object' && node !== null && 'field' in node && typeof node.field === 'string' ? { field: node.field } : undefined;
}

export function segmentRefusalText(t: Translate, d: ErrorDetail, definition: SegmentNode | undefined): string {
  const condition = conditionAt(definition, pathParts(d.path));
  const params: NonNullable<ErrorDetail['params']> = { ...d.params };
  // amounts are typed in yuan and sent in fen
  if (condition && isFen(condition.field)) {
    for (const name of ['minimum', 'maximum']) {
      const v = params[name];
      if (typeof v === 'number') params[name] = v / 100;
    }
  }
  const reason = reasonText(t, { ...d, params }, { codes: SEGMENT_REFUSALS, keyOf: (code) => `segments.refusal.${code}` });
  if (!condition) return reason;
  return t('segments.refusal.condition', { field: t(`segments.field.${condition.field}` as MessageKey), reason });
}
