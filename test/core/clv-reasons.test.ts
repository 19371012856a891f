// Why a scoring run left CLV empty: the run keeps the refusal's message, and clvReasonOf reads back
// the code and values the refusal itself carries — checked here on refusals the clv module really
// raises, so a reworded message cannot drift from its code unnoticed.
import { describe, expect, it } from 'vitest';
import { fitBgNbd, expectedPurchases } from '../../src/core/clv/bgnbd.ts';
import { clvReasonOf } from '../../src/core/clv/clv.reasons.ts';
import { fitGammaGamma, populationMeanSpend } from '../../src/core/clv/gammagamma.ts';
import { requireConverged } from '../../src/core/clv/optimize.ts';
import { YuchiError } from '../../src/core/errors.ts';

function refusal(run: () => unknown): YuchiError {
  try {
    run();
  } catch (err) {
    if (err instanceof YuchiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('clvReasonOf', () => {
  const raised: [string, () => unknown][] = [
    ['too few repeaters for BG/NBD', () => fitBgNbd([{ x: 1, tx: 3, T: 10 }, { x: 0, tx: 0, T: 8 }, { x: 2, tx: 5, T: 9 }])],
    ['too few repeaters with a spend', () => fitGammaGamma([{ x: 1, spend: 30 }, { x: 2, spend: 45 }])],
    ['a spend model without a mean', () => populationMeanSpend({ p: 2, q: 0.8, gamma: 10 })],
    ['a fit that ran off', () => requireConverged(
      { point: Float64Array.of(20, 0), value: 1, gradientNorm: 0, iterations: 3, evaluations: 3, converged: false, method: 'bfgs', reason: 'ran past the bound', divergedIndex: 0 },
      () => ({ value: 1, gradient: Float64Array.of(0, 0) }), { model: 'Gamma-Gamma', names: ['p', 'q'], path: 'repeaters', data: 'the spend data' })],
    ['a horizon the series cannot reach', () => expectedPurchases({ r: 0.25, alpha: 4.4, a: 5, b: 2.4 }, { x: 0, tx: 0, T: 38 }, 1e12)],
  ];
  for (const [what, run] of raised) {
    it(`${what}: the stored message reads back as the refusal's code and values`, () => {
      const err = refusal(run);
      const detail = err.details[0];
      expect(detail?.code).toBeTruthy();
      expect(clvReasonOf(err.message)).toEqual({ code: detail?.code, params: detail?.params });
    });
  }

  it('words a run without buyers, and leaves any other message as not fitted', () => {
    expect(clvReasonOf('no customer has ordered yet')).toEqual({ code: 'no_buyers', params: {} });
    expect(clvReasonOf('something else went wrong')).toEqual({ code: 'clv_not_fitted', params: {} });
  });
});
