// Why a scoring run left the CLV columns empty, as a code and the values its sentence needs, so the
// console words it in the reader's language. A run keeps the refusal's code and values with its
// message (scoring_runs.clv_reason_code / clv_reason_params, migration 0040); for runs stored
// before, this reads the message (clv_reason) back by the shapes the clv module gives it. The CLI
// keeps printing the message itself.
import type { ErrorDetail } from '../errors.ts';

export type ClvReason = Required<Pick<ErrorDetail, 'code' | 'params'>>;

const SHAPES: { pattern: RegExp; code: string; params: (m: RegExpExecArray) => ClvReason['params'] }[] = [
  { pattern: /^no customer has ordered yet/, code: 'no_buyers', params: () => ({}) },
  {
    pattern: /^summaries: only (\d+) of (\d+) customers have a repeat purchase; the BG\/NBD model needs at least (\d+)/,
    code: 'too_few_repeaters', params: (m) => ({ repeaters: Number(m[1]), customers: Number(m[2]), minimum: Number(m[3]) }),
  },
  {
    pattern: /^repeaters: only (\d+) customers have a repeat purchase with a spend above zero; the Gamma-Gamma model needs at least (\d+)/,
    code: 'too_few_spend_repeaters', params: (m) => ({ repeaters: Number(m[1]), minimum: Number(m[2]) }),
  },
  { pattern: /^gammaGamma\.q: q = (\S+) is not above 1/, code: 'spend_mean_infinite', params: (m) => ({ q: Number(m[1]) }) },
  { pattern: /^the (.+?) fit did not converge/, code: 'fit_not_converged', params: (m) => ({ model: m[1] ?? '' }) },
  { pattern: /^weeks: a horizon of (\S+) weeks is too long/, code: 'horizon_too_long', params: (m) => ({ weeks: Number(m[1]) }) },
];

/** The reason a stored CLV message gives; one the console cannot word finer reads as `clv_not_fitted`. */
export function clvReasonOf(message: string): ClvReason {
  for (const shape of SHAPES) {
    const m = shape.pattern.exec(message);
    if (m) return { code: shape.code, params: shape.params(m) };
  }
  return { code: 'clv_not_fitted', params: {} };
}
