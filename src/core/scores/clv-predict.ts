// Per-customer CLV predictions from the models of core/clv. The scoring run stores g(x, T) below
// per distinct (x, T) (scoring_forecasts), and the customer_scores view multiplies it by each
// customer's P(alive) and expected spend when read (migration 0044); predictClvColumns gives the
// same numbers in Node, in typed columns. Both are core/clv's predict(), reached with far fewer
// series evaluations: in BG/NBD, E[purchases in (T, T+t] | x, t_x, T] = P(alive | x, t_x, T) · g(x, T, t) (Fader, Hardie & Lee
// 2005, eq. 10: t_x enters only through P(alive)), and the discounted count is linear in it. So
// g — the costly hypergeometric series, integrated over the horizon when discounting — is taken
// once per distinct (x, T), of which a million buyers have tens of thousands, instead of once per
// distinct (x, t_x, T), of which they have hundreds of thousands.
import { discountedExpectedPurchases, expectedPurchases, probabilityAlive, type BgNbdParameters } from '../clv/bgnbd.ts';
import type { CustomerSummary } from '../clv/clv.rules.ts';
import { expectedSpend, populationMeanSpend, type GammaGammaParameters } from '../clv/gammagamma.ts';
import { weeklyDiscountRate } from '../clv/predict.ts';

export interface ClvColumns {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedSpend: Float64Array;
  clv: Float64Array;
}

export function predictClvColumns(
  customers: readonly CustomerSummary[],
  models: { bgnbd: BgNbdParameters; gammaGamma: GammaGammaParameters },
  options: { weeks: number; annualDiscountRate: number },
): ClvColumns {
  const n = customers.length;
  const out: ClvColumns = { pAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), expectedSpend: new Float64Array(n), clv: new Float64Array(n) };
  new ClvPredictor(models, options).predict(customers, 0, n, out);
  return out;
}

/**
 * g(x, T), computed once per distinct (x, T) and kept; predictions for ranges of customers, any
 * split giving the numbers of one call over all of them. Fails on construction when spend has no
 * finite mean.
 */
export class ClvPredictor {
  private readonly weeklyRate: number;
  // g(x, T) per unit of P(alive): plain and discounted; keyed by x, then T (numbers, no strings to build).
  private readonly perAlive = new Map<number, Map<number, { purchases: number; discounted: number }>>();

  constructor(private readonly models: { bgnbd: BgNbdParameters; gammaGamma: GammaGammaParameters }, private readonly options: { weeks: number; annualDiscountRate: number }) {
    this.weeklyRate = weeklyDiscountRate(options.annualDiscountRate);
    populationMeanSpend(models.gammaGamma); // fails early when spend has no finite mean
  }

  /**
   * g(x, T): expected purchases over the horizon per unit of P(alive), plain and discounted, for x
   * repeat purchases and T weeks since the first (the same for every t_x).
   */
  forecast(x: number, T: number): { purchases: number; discounted: number } {
    const { models, perAlive, weeklyRate } = this;
    const { weeks } = this.options;
    let byT = perAlive.get(x);
    if (byT === undefined) {
      byT = new Map();
      perAlive.set(x, byT);
    }
    let g = byT.get(T);
    if (g === undefined) {
      // Any t_x gives the same g; t_x = T (x > 0) keeps P(alive) far from zero, so the division is exact to rounding.
      const reference = { x, tx: x > 0 ? T : 0, T };
      const alive = probabilityAlive(models.bgnbd, reference);
      const purchases = expectedPurchases(models.bgnbd, reference, weeks) / alive;
      const discounted = weeklyRate > 0 ? discountedExpectedPurchases(models.bgnbd, reference, weeks, weeklyRate) / alive : purchases;
      g = { purchases, discounted };
      byT.set(T, g);
    }
    return g;
  }

  /** Customers from..to−1 into the same places of `out`. */
  predict(customers: readonly CustomerSummary[], from: number, to: number, out: ClvColumns): void {
    const { models } = this;
    for (let i = from; i < to; i++) {
      const c = customers[i];
      if (!c) continue;
      const g = this.forecast(c.x, c.T);
      const alive = probabilityAlive(models.bgnbd, c);
      const spend = expectedSpend(models.gammaGamma, c.x, c.spend);
      out.pAlive[i] = alive;
      out.expectedPurchases[i] = alive * g.purchases;
      out.expectedSpend[i] = spend;
      out.clv[i] = alive * g.discounted * spend;
    }
  }
}
