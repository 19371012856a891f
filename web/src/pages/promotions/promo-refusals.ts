// The promotions forms' refusals in the reader's language, on the field that caused them. Money
// goes over the wire in fen and is typed in yuan, so a bound in fen is shown in yuan.
import type { FormInstance } from 'antd';
import type { ErrorDetail } from '../../api.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import { detailText, pathParts } from '../../labels.ts';
import type { MessageKey } from '../../i18n/zh-CN.ts';

const PROMO_REFUSALS = [
  'ends_before_start', 'validity_either', 'needed_for_kind', 'off_above_threshold', 'bundle_needs_skus',
  'ladder_same_quantity', 'ladder_not_deeper', 'unknown_store', 'price_above_original', 'stock_below_issued',
] as const;

const KIND_LABELS: Record<string, MessageKey> = {
  amount: 'promo.kind.amount', percent: 'promo.kind.percent', threshold: 'promo.kind.threshold', free_item: 'promo.kind.free_item',
};

const FEN_PARAMS = ['minimum', 'maximum', 'thresholdFen', 'originalPriceFen'];

/** A fen amount's refusal (an …Fen field or a member price) speaks in yuan, as the form does. */
function inYuan(d: ErrorDetail): ErrorDetail {
  const parts = pathParts(d.path);
  const fen = /Fen$/.test(parts.at(-1) ?? '') || parts.includes('prices');
  const params: NonNullable<ErrorDetail['params']> = { ...d.params };
  for (const name of FEN_PARAMS) {
    const v = params[name];
    if (typeof v === 'number' && (fen || name.endsWith('Fen'))) params[name] = v / 100;
  }
  return { ...d, params };
}

export function promoRefusalText(t: Translate, d: ErrorDetail): string {
  const shown = inYuan(d);
  const kind = shown.params?.kind;
  if (typeof kind === 'string' && KIND_LABELS[kind]) shown.params = { ...shown.params, kind: t(KIND_LABELS[kind]) };
  return detailText(t, shown, PROMO_REFUSALS, (code) => `promo.refusal.${code}`);
}

type FieldName = string | (string | number)[];

/**
 * Puts each refusal under the form field `fieldOf` names for its path; returns the texts of those
 * with no field on the form, for a toast, named by `labelOf` when it knows the path.
 */
export function showRefusals<V>(
  form: FormInstance<V>, t: Translate, details: readonly ErrorDetail[],
  fieldOf: (parts: string[]) => FieldName | undefined, labelOf: (parts: string[]) => string | undefined = () => undefined,
): string[] {
  const placed: { name: FieldName; errors: string[] }[] = [];
  const elsewhere: string[] = [];
  for (const d of details) {
    const parts = pathParts(d.path);
    const name = fieldOf(parts);
    const label = labelOf(parts);
    if (name === undefined) elsewhere.push(label ? t('refusal.named', { field: label, reason: promoRefusalText(t, d) }) : promoRefusalText(t, d));
    else placed.push({ name, errors: [promoRefusalText(t, d)] });
  }
  form.setFields(placed as Parameters<FormInstance<V>['setFields']>[0]);
  return elsewhere;
}
