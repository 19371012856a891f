// Per-customer CLV predictions from the models of core/clv. The scoring run stores g(x, T) below
// per distinct (x, T) (scoring_forecasts), and the customer_scores view multiplies it by each
// customer's P(alive) and expected spend when read (migration 0044). That is core/clv's predict(),
// reached with far fewer series evaluations: in BG/NBD, E[purchases in (T, T+t] | x, t_x, T] = P(alive | x, t_x, T) · g(x, T, t) (Fader, Hardie & Lee
// 2005, eq. 10: t_x enters only through P(alive)), and the discounted count is linear in it. So
// g — the costly hypergeometric series, integrated over the horizon when discounting — is taken
// once per distinct (x, T), of which a million buyers have tens of thousands, instead of once per
// distinct (x, t_x, T), of which they have hundreds of thousands.
import { discountedExpectedPurchases, expectedPurchases, probabilityAlive, type BgNbdParameters } from '../clv/bgnbd.ts';
import { populationMeanSpend, type GammaGammaParameters } from '../clv/gammagamma.ts';
import { weeklyDiscountRate } from '../clv/predict.ts';

/** g(x, T) under fitted models. Fails on construction when spend has no finite mean. */
export class ClvPredictor {
  private readonly weeklyRate: number;

  constructor(private readonly models: { bgnbd: BgNbdParameters; gammaGamma: GammaGammaParameters }, private readonly options: { weeks: number; annualDiscountRate: number }) {
    this.weeklyRate = weeklyDiscountRate(options.annualDiscountRate);
    populationMeanSpend(models.gammaGamma); // fails early when spend has no finite mean
  }

  /**
   * g(x, T): expected purchases over the horizon per unit of P(alive), plain and discounted, for x
   * repeat purchases and T weeks since the first (the same for every t_x).
   */
  forecast(x: number, T: number): { purchases: number; discounted: number } {
    const { models, weeklyRate } = this;
    const { weeks } = this.options;
    // Any t_x gives the same g; t_x = T (x > 0) keeps P(alive) far from zero, so the division is exact to rounding.
    const reference = { x, tx: x > 0 ? T : 0, T };
    const alive = probabilityAlive(models.bgnbd, reference);
    const purchases = expectedPurchases(models.bgnbd, reference, weeks) / alive;
    const discounted = weeklyRate > 0 ? discountedExpectedPurchases(models.bgnbd, reference, weeks, weeklyRate) / alive : purchases;
    return { purchases, discounted };
  }
}
