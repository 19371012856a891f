// Both models fitted on one set of customer summaries, and per-customer predictions from them:
// chance of being still active, purchases and spend over a horizon, and their product, the CLV.
import { invalid } from '../errors.ts';
import { discountedExpectedPurchases, expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit, type BgNbdParameters } from './bgnbd.ts';
import type { CustomerSummary } from './clv.rules.ts';
import { expectedSpend, fitGammaGamma, populationMeanSpend, type GammaGammaFit, type GammaGammaParameters } from './gammagamma.ts';

export interface ClvModels {
  customers: number;
  repeaters: number;
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
  /** Repeaters left out of the spend model because their repeat purchases were worth nothing. */
  zeroSpendRepeaters: number;
}

/** BG/NBD on every customer; Gamma-Gamma on those with a repeat purchase worth more than zero. */
export function fitClvModels(customers: readonly CustomerSummary[]): ClvModels {
  const bgnbd = fitBgNbd(customers);
  const repeaters: { x: number; spend: number }[] = [];
  let zeroSpendRepeaters = 0;
  for (const c of customers) {
    if (c.x === 0 || c.spend === null) continue;
    if (c.spend > 0) repeaters.push({ x: c.x, spend: c.spend });
    else zeroSpendRepeaters++;
  }
  const gammaGamma = fitGammaGamma(repeaters);
  return { customers: bgnbd.customers, repeaters: bgnbd.repeaters, bgnbd, gammaGamma, zeroSpendRepeaters };
}

export interface PredictionOptions {
  /** Horizon after the calibration end, in weeks. */
  weeks: number;
  /** Annual discount rate (0.1 = 10 %); 0 leaves the CLV undiscounted. */
  annualDiscountRate?: number;
}

export interface CustomerPrediction {
  customerId: string;
  x: number;
  tx: number;
  T: number;
  pAlive: number;
  /** Purchases expected in the horizon. */
  expectedPurchases: number;
  /** Expected value of one purchase. */
  expectedSpend: number;
  /** expectedPurchases × expectedSpend; with a discount rate, each purchase discounted to the calibration end. */
  clv: number;
}

const WEEKS_PER_YEAR = 365.25 / 7;

/** Continuous weekly rate equivalent to an annual rate compounded once a year. */
export function weeklyDiscountRate(annualRate: number): number {
  if (!Number.isFinite(annualRate) || annualRate < 0) throw invalid('annualDiscountRate', `expected a rate of zero or more, got ${annualRate}`);
  return Math.log1p(annualRate) / WEEKS_PER_YEAR;
}

export function predict(
  customers: readonly CustomerSummary[],
  models: { bgnbd: BgNbdParameters; gammaGamma: GammaGammaParameters },
  options: PredictionOptions,
): CustomerPrediction[] {
  const { weeks } = options;
  if (!Number.isFinite(weeks) || weeks <= 0) throw invalid('weeks', `expected a number of weeks above zero, got ${weeks}`);
  const weeklyRate = weeklyDiscountRate(options.annualDiscountRate ?? 0);
  populationMeanSpend(models.gammaGamma); // fails early when spend has no finite mean
  // Customers with the same history get the same purchase forecast; the series is worth sharing.
  const byHistory = new Map<string, { purchases: number; discounted: number }>();
  return customers.map((c) => {
    const key = `${c.x}|${c.tx}|${c.T}`;
    let forecast = byHistory.get(key);
    if (forecast === undefined) {
      const purchases = expectedPurchases(models.bgnbd, c, weeks);
      const discounted = weeklyRate > 0 ? discountedExpectedPurchases(models.bgnbd, c, weeks, weeklyRate) : purchases;
      forecast = { purchases, discounted };
      byHistory.set(key, forecast);
    }
    const spend = expectedSpend(models.gammaGamma, c.x, c.spend);
    return {
      customerId: c.customerId,
      x: c.x,
      tx: c.tx,
      T: c.T,
      pAlive: probabilityAlive(models.bgnbd, c),
      expectedPurchases: forecast.purchases,
      expectedSpend: spend,
      clv: forecast.discounted * spend,
    };
  });
}
