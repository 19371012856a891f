// BG/NBD and Gamma-Gamma against the published CDNOW estimates, and their conditional
// expectations against values integrated numerically here, independently of the closed forms.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood, compressHistories, discountedExpectedPurchases, expectedPurchases, fitBgNbd, probabilityAlive,
  type BgNbdFit, type BgNbdParameters,
} from '../../src/core/clv/bgnbd.ts';
import { summariseTransactions, type CustomerSummaries, type RecencyFrequency } from '../../src/core/clv/clv.rules.ts';
import { expectedSpend, fitGammaGamma, gammaGammaLogLikelihood, populationMeanSpend, type GammaGammaFit } from '../../src/core/clv/gammagamma.ts';
import { fitClvModels, predict, weeklyDiscountRate } from '../../src/core/clv/predict.ts';
import { YuchiError } from '../../src/core/errors.ts';

const CDNOW_SAMPLE = new URL('../data/cdnow/sample-transactions.csv', import.meta.url);

function readCdnow(): { customerId: string; orderedAt: string; amount: number }[] {
  const [, ...lines] = readFileSync(CDNOW_SAMPLE, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [customerId = '', orderedAt = '', amount = ''] = line.split(',');
    return { customerId, orderedAt, amount: Number(amount) };
  });
}

/** ∫₀¹ f(p, 1−p) dp by tanh-sinh quadrature: exact to ~1e-12 even with endpoint singularities. */
function integrateUnit(f: (p: number, q: number) => number): number {
  const h = 1 / 64;
  let sum = 0;
  for (let k = -288; k <= 288; k++) {
    const t = k * h;
    const u = (Math.PI / 2) * Math.sinh(t);
    const p = 1 / (1 + Math.exp(-2 * u));
    const q = 1 / (1 + Math.exp(2 * u));
    const c = Math.cosh(u);
    const w = ((Math.PI / 4) * Math.cosh(t)) / (c * c);
    if (p === 0 || q === 0 || !(w > 0)) continue;
    sum += w * f(p, q);
  }
  return sum * h;
}

/** ∫₀^∞ g(y) dy through y = scale·p/(1−p). */
function integrateHalfLine(g: (y: number) => number, scale: number): number {
  return integrateUnit((p, q) => (g((scale * p) / q) * scale) / (q * q));
}

/** E over p ~ Beta(a, b) of f(p), normalised numerically. */
function betaMean(a: number, b: number, f: (p: number) => number): number {
  const density = (p: number, q: number): number => Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log(q));
  return integrateUnit((p, q) => f(p) * density(p, q)) / integrateUnit(density);
}

/** P(alive) by Bayes with every integral taken numerically (λ ~ Gamma(r, α), p ~ Beta(a, b)). */
function aliveByIntegration(m: BgNbdParameters, c: RecencyFrequency): number {
  const { r, alpha, a, b } = m;
  const lambdaPart = (until: number): number =>
    integrateHalfLine((l) => Math.exp((r + c.x - 1) * Math.log(l) - l * (alpha + until)), (r + c.x) / (alpha + c.T));
  const betaPart = (f: (p: number, q: number) => number): number => integrateUnit((p, q) => f(p, q) * Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log(q)));
  const alive = lambdaPart(c.T) * betaPart((_, q) => q ** c.x);
  const gone = c.x > 0 ? lambdaPart(c.tx) * betaPart((p, q) => p * q ** (c.x - 1)) : 0;
  return alive / (alive + gone);
}

/**
 * Expected purchases in (T, T+t]: alive with the probability above, then λ | data ~ Gamma(r+x, α+T)
 * and p | data ~ Beta(a, b+x), and E[purchases | λ, p] = (1 − e^(−λpt)) / p; λ integrates out exactly.
 */
function purchasesByIntegration(m: BgNbdParameters, c: RecencyFrequency, t: number): number {
  const shape = m.r + c.x;
  const rate = m.alpha + c.T;
  const perP = (p: number): number => -Math.expm1(-shape * Math.log1p((p * t) / rate)) / p;
  return aliveByIntegration(m, c) * betaMean(m.a, m.b + c.x, perP);
}

/** ∫₀ᴺ e^(−δs) dE(s) with dE/ds = P(alive) E_p[(r+x)/(α+T) (1 + ps/(α+T))^−(r+x+1)], by Simpson in s. */
function discountedByIntegration(m: BgNbdParameters, c: RecencyFrequency, weeks: number, delta: number): number {
  const shape = m.r + c.x;
  const rate = m.alpha + c.T;
  const rateAt = (s: number): number => betaMean(m.a, m.b + c.x, (p) => (shape / rate) * Math.exp(-(shape + 1) * Math.log1p((p * s) / rate)));
  const steps = 200;
  const h = weeks / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const s = i * h;
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * Math.exp(-delta * s) * rateAt(s);
  }
  return aliveByIntegration(m, c) * (sum * h) / 3;
}

const relative = (value: number, reference: number): number => Math.abs(value - reference) / Math.max(Math.abs(reference), 1e-300);

describe('CDNOW sample, calibration to 1997-09-30', () => {
  let summaries: CustomerSummaries;
  let bgnbd: BgNbdFit;
  let spend: GammaGammaFit;

  beforeAll(() => {
    summaries = summariseTransactions(readCdnow(), '1997-09-30');
    bgnbd = fitBgNbd(summaries.customers);
    spend = fitGammaGamma(summaries.customers.flatMap((c) => (c.x > 0 && c.spend !== null ? [{ x: c.x, spend: c.spend }] : [])));
  });

  it('has the 2,357 customers of the sample, 946 of them with a repeat purchase', () => {
    expect(summaries.customers).toHaveLength(2357);
    expect(summaries.repeaters).toBe(946);
  });

  it('recovers the published BG/NBD estimates to their rounding', () => {
    // Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2):
    // r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    expect(Math.abs(bgnbd.r - 0.243)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(bgnbd.alpha - 4.414)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(bgnbd.a - 0.793)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(bgnbd.b - 2.426)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(bgnbd.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.05);
  });

  it('recovers the published Gamma-Gamma estimates to their rounding', () => {
    // Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note, brucehardie.com),
    // fitted on the 946 customers of this sample with a repeat purchase in the 39-week calibration
    // period, on the mean value of their repeat transactions: p = 6.25, q = 3.74, γ = 15.44.
    // CLVTools' correctness test (tests/testthat/test_correctness_gg.R) checks the same figures.
    expect(spend.repeaters).toBe(946);
    expect(Math.abs(spend.p - 6.25)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(spend.q - 3.74)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(spend.gamma - 15.44)).toBeLessThanOrEqual(0.005);
  });

  it('fits the same through fitClvModels', () => {
    const models = fitClvModels(summaries.customers);
    expect(models).toMatchObject({ customers: 2357, repeaters: 946, zeroSpendRepeaters: 0 });
    expect(models.bgnbd.r).toBeCloseTo(bgnbd.r, 8);
    expect(models.gammaGamma.gamma).toBeCloseTo(spend.gamma, 8);
  });

  it('has analytic gradients that match finite differences', () => {
    const table = compressHistories(summaries.customers);
    const at = { r: 0.3, alpha: 3.7, a: 1.1, b: 2.9 };
    const { gradient } = bgnbdLogLikelihood(at, table);
    (['r', 'alpha', 'a', 'b'] as const).forEach((name, i) => {
      const h = 1e-6 * at[name];
      const up = bgnbdLogLikelihood({ ...at, [name]: at[name] + h }, table).value;
      const down = bgnbdLogLikelihood({ ...at, [name]: at[name] - h }, table).value;
      expect(relative(gradient[i] ?? 0, (up - down) / (2 * h))).toBeLessThan(1e-6);
    });
    const repeaters = summaries.customers.flatMap((c) => (c.x > 0 && c.spend !== null ? [{ x: c.x, spend: c.spend }] : []));
    const spendAt = { p: 5, q: 4.2, gamma: 12 };
    const spendGradient = gammaGammaLogLikelihood(spendAt, repeaters).gradient;
    (['p', 'q', 'gamma'] as const).forEach((name, i) => {
      const h = 1e-6 * spendAt[name];
      const up = gammaGammaLogLikelihood({ ...spendAt, [name]: spendAt[name] + h }, repeaters).value;
      const down = gammaGammaLogLikelihood({ ...spendAt, [name]: spendAt[name] - h }, repeaters).value;
      expect(relative(spendGradient[i] ?? 0, (up - down) / (2 * h))).toBeLessThan(1e-6);
    });
  });

  it('predicts every customer, with the population mean spend for those without a repeat purchase', () => {
    const predictions = predict(summaries.customers, { bgnbd, gammaGamma: spend }, { weeks: 39 });
    expect(predictions).toHaveLength(2357);
    const mean = populationMeanSpend(spend);
    expect(mean).toBeCloseTo((spend.p * spend.gamma) / (spend.q - 1), 10);
    for (const p of predictions) {
      expect(Number.isFinite(p.clv)).toBe(true);
      expect(p.clv).toBeCloseTo(p.expectedPurchases * p.expectedSpend, 10);
      if (p.x === 0) expect(p.expectedSpend).toBe(mean);
    }
    const ann = predictions.find((p) => p.customerId === '00004');
    // 00004 bought on 1997-01-01, 01-18 (29.73) and 08-02 (14.96): x = 2, t_x = 213 days, T = 272 days.
    expect(ann).toMatchObject({ x: 2, tx: 213 / 7, T: 272 / 7 });
    expect(ann?.expectedSpend).toBeCloseTo((spend.p * (spend.gamma + 29.73 + 14.96)) / (2 * spend.p + spend.q - 1), 10);
  });
});

const MODELS: BgNbdParameters[] = [
  { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, // CDNOW
  { r: 0.5, alpha: 2, a: 1, b: 3 }, // a = 1: the closed form's removable singularity
  { r: 2, alpha: 10, a: 1 + 1e-9, b: 0.6 },
  { r: 0.3, alpha: 5, a: 3.5, b: 8 },
  { r: 1.2, alpha: 0.8, a: 0.4, b: 0.7 },
];
const HISTORIES: RecencyFrequency[] = [
  { x: 0, tx: 0, T: 38.86 },
  { x: 0, tx: 0, T: 0 },
  { x: 1, tx: 1.71, T: 38.86 },
  { x: 2, tx: 30.43, T: 38.86 },
  { x: 7, tx: 35, T: 39 },
];

describe('BG/NBD conditional expectations', () => {
  it('P(alive) agrees with Bayes by numerical integration', () => {
    for (const m of MODELS) for (const c of HISTORIES) expect(relative(probabilityAlive(m, c), aliveByIntegration(m, c))).toBeLessThan(1e-8);
  });

  it('expected purchases agree with numerical integration over λ and p', () => {
    for (const m of MODELS) {
      for (const c of HISTORIES) {
        for (const weeks of [1, 39, 104, 520]) {
          expect(relative(expectedPurchases(m, c, weeks), purchasesByIntegration(m, c, weeks))).toBeLessThan(1e-7);
        }
      }
    }
  });

  it('discounted expected purchases agree with integrating the discounted purchase rate', () => {
    const delta = weeklyDiscountRate(0.15);
    expect(delta).toBeCloseTo(Math.log(1.15) / (365.25 / 7), 15);
    for (const m of [MODELS[0], MODELS[4]]) {
      if (!m) continue;
      for (const c of [HISTORIES[0], HISTORIES[3]]) {
        if (!c) continue;
        const value = discountedExpectedPurchases(m, c, 52, delta);
        expect(relative(value, discountedByIntegration(m, c, 52, delta))).toBeLessThan(1e-7);
        expect(value).toBeLessThan(expectedPurchases(m, c, 52));
      }
    }
    expect(discountedExpectedPurchases(MODELS[0] ?? { r: 1, alpha: 1, a: 1, b: 1 }, HISTORIES[3] ?? { x: 0, tx: 0, T: 1 }, 52, 0))
      .toBe(expectedPurchases(MODELS[0] ?? { r: 1, alpha: 1, a: 1, b: 1 }, HISTORIES[3] ?? { x: 0, tx: 0, T: 1 }, 52));
  });

  it('P(alive) is 1 without a repeat purchase, falls as T grows and rises with recency', () => {
    for (const m of MODELS) {
      for (const T of [0, 5, 40, 400]) expect(probabilityAlive(m, { x: 0, tx: 0, T })).toBe(1);
      for (const x of [1, 3, 10]) {
        let previous = Number.POSITIVE_INFINITY;
        for (const T of [20, 25, 30, 40, 60, 100]) {
          const alive = probabilityAlive(m, { x, tx: 20, T });
          expect(alive).toBeLessThan(previous);
          previous = alive;
        }
        expect(probabilityAlive(m, { x, tx: 15, T: 30 })).toBeGreaterThan(probabilityAlive(m, { x, tx: 5, T: 30 }));
      }
    }
  });

  it('expected purchases grow with the horizon and are 0 over no time', () => {
    for (const m of MODELS) {
      for (const c of HISTORIES) {
        expect(expectedPurchases(m, c, 0)).toBe(0);
        let previous = 0;
        for (const weeks of [0.5, 1, 4, 13, 26, 52, 104, 260]) {
          const e = expectedPurchases(m, c, weeks);
          expect(e).toBeGreaterThan(previous);
          previous = e;
        }
      }
    }
  });
});

describe('Gamma-Gamma', () => {
  const params = { p: 6.25, q: 3.74, gamma: 15.44 };

  it('expected spend agrees with the posterior mean of p/ν by numerical integration', () => {
    for (const [x, m] of [[1, 10], [2, 22.35], [7, 80], [30, 15]] as const) {
      const shape = params.p * x + params.q;
      const rate = params.gamma + x * m;
      // The posterior ν^(shape−1) e^(−ν·rate), scaled to 1 at its mode so large shapes do not overflow.
      const mode = shape - 1;
      const weight = (nu: number): number => Math.exp(mode * Math.log((nu * rate) / mode) - (nu * rate - mode));
      const posteriorMean = integrateHalfLine((nu) => (params.p / nu) * weight(nu), shape / rate) / integrateHalfLine(weight, shape / rate);
      expect(relative(expectedSpend(params, x, m), posteriorMean)).toBeLessThan(1e-9);
    }
    expect(expectedSpend(params, 0, null)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
  });

  it('has the likelihood of the mean of x Gamma(p, ν) values with ν ~ Gamma(q, γ), by integration', () => {
    for (const [x, m] of [[1, 12], [3, 40.5], [12, 7.25]] as const) {
      const { p, q, gamma } = params;
      // Density of the mean m of x purchases given ν is x·Gamma(xm; px, ν); mix it over ν numerically.
      const logGammaDensity = (v: number, shape: number, rate: number): number => shape * Math.log(rate) + (shape - 1) * Math.log(v) - rate * v - lnGamma(shape);
      const mixed = integrateHalfLine((nu) => x * Math.exp(logGammaDensity(x * m, p * x, nu) + logGammaDensity(nu, q, gamma)), q / gamma);
      expect(gammaGammaLogLikelihood(params, [{ x, spend: m }]).value).toBeCloseTo(Math.log(mixed), 8);
    }
  });

  it('cannot predict spend when q ≤ 1 leaves it no finite mean', () => {
    expect(() => expectedSpend({ p: 2, q: 0.9, gamma: 10 }, 3, 20)).toThrow(/q = 0.9 is not above 1/);
  });
});

/** ln Γ by Stirling's series after shifting the argument above 30, independent of the code under test. */
function lnGamma(x: number): number {
  let shift = 0;
  while (x < 30) {
    shift -= Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + inv / 12 - inv ** 3 / 360 + inv ** 5 / 1260;
}

describe('fits that cannot be identified', () => {
  it('says how many repeaters there are when there are too few', () => {
    const few = [...Array.from({ length: 50 }, () => ({ x: 0, tx: 0, T: 20 })), ...Array.from({ length: 4 }, (_, i) => ({ x: 1 + i, tx: 10, T: 20 }))];
    expect(() => fitBgNbd(few)).toThrow(/only 4 of 54 customers have a repeat purchase; the BG\/NBD model needs at least 10/);
    expect(() => fitGammaGamma([{ x: 1, spend: 3 }, { x: 2, spend: 5 }])).toThrow(/only 2 customers .* the Gamma-Gamma model needs at least 10/);
  });

  it('refuses histories that carry no sign of customers dropping out', () => {
    // Everyone buys every week up to the end: no heterogeneity and no drop-out to estimate.
    const regular = Array.from({ length: 200 }, () => ({ x: 25, tx: 25, T: 25 }));
    expect(() => fitBgNbd(regular)).toThrow(YuchiError);
    expect(() => fitBgNbd(regular)).toThrow(/the BG\/NBD fit did not converge/);
  });

  it('refuses spend that never varies', () => {
    const same = Array.from({ length: 100 }, (_, i) => ({ x: 1 + (i % 4), spend: 10 }));
    expect(() => fitGammaGamma(same)).toThrow(/the Gamma-Gamma fit did not converge: .*(runs off|does not change)/);
  });

  it('names the field of a malformed summary', () => {
    expect(() => fitBgNbd([{ x: 1.5, tx: 1, T: 2 }])).toThrow(/summaries\[0\]\.x/);
    expect(() => fitBgNbd([{ x: 1, tx: 3, T: 2 }])).toThrow(/summaries\[0\]\.tx/);
    expect(() => fitGammaGamma([{ x: 1, spend: 0 }])).toThrow(/repeaters\[0\]\.spend/);
  });
});
