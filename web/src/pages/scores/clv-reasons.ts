// Why a scoring run left the CLV columns empty, in the reader's language: the server's reason code
// (src/core/clv/clv.reasons.ts) with its values; the reason of a server without codes as it came.
import type { ClvOverview } from '../../api-scores.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import { detailText } from '../../labels.ts';

export const CLV_REASONS = ['no_buyers', 'too_few_repeaters', 'too_few_spend_repeaters', 'spend_mean_infinite', 'fit_not_converged', 'horizon_too_long', 'clv_not_fitted'] as const;

export function clvReasonText(t: Translate, model: Pick<NonNullable<ClvOverview['model']>, 'reason' | 'reasonWorded'>): string {
  const worded = model.reasonWorded;
  if (!worded) return model.reason ?? '';
  return detailText(t, { path: 'clv', message: model.reason ?? '', ...worded }, CLV_REASONS, (code) => `clv.refusal.${code}`);
}
