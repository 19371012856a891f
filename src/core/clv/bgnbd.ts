// BG/NBD ("beta-geometric / negative binomial"): Fader, Hardie & Lee (2005), "Counting Your
// Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2).
// While alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out
// with probability p ~ Beta(a, b). The likelihood depends on (x, t_x, T) only, so customers with
// the same history are fitted as one weighted row.
import { invalid } from '../errors.ts';
import type { RecencyFrequency } from './clv.rules.ts';
import { minimise, requireConverged, type Evaluation } from './optimize.ts';
import { digamma, logGamma } from './special.ts';
import { NumberIndex } from './number-index.ts';

export interface BgNbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParameters {
  logLikelihood: number;
  customers: number;
  repeaters: number;
  iterations: number;
  method: string;
}

/** Fewer customers with a repeat purchase than this leave the four parameters unidentified. */
export const MIN_REPEATERS = 10;

/**
 * Customers with identical (x, t_x, T) merged into one row with a weight. Rows point into the
 * distinct x values and the distinct times, so the logarithms and Γ terms are taken once per
 * distinct value rather than once per row.
 */
export interface RepeatBuyingTable {
  weight: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  distinctX: Float64Array;
  /** How many customers have each distinct x. */
  distinctXWeight: Float64Array;
  distinctTime: Float64Array;
  customers: number;
  repeaters: number;
}

function checkHistory(s: RecencyFrequency, i: number): void {
  if (!Number.isInteger(s.x) || s.x < 0) throw invalid(`summaries[${i}].x`, `expected a whole number of repeat purchases, got ${s.x}`);
  if (!Number.isFinite(s.T) || s.T < 0) throw invalid(`summaries[${i}].T`, `expected weeks of zero or more, got ${s.T}`);
  if (!Number.isFinite(s.tx) || s.tx < 0 || s.tx > s.T) throw invalid(`summaries[${i}].tx`, `expected weeks between 0 and T (${s.T}), got ${s.tx}`);
  if (s.x === 0 && s.tx !== 0) throw invalid(`summaries[${i}].tx`, 'must be 0 when there is no repeat purchase');
}

/** Index of each distinct value, numbered in order of first appearance. */
class Distinct {
  private readonly index = new NumberIndex();
  readonly values: number[] = [];
  readonly counts: number[] = [];
  of(value: number): number {
    const at = this.index.of(value);
    if (at === this.values.length) {
      this.values.push(value);
      this.counts.push(0);
    }
    this.counts[at] = (this.counts[at] ?? 0) + 1;
    return at;
  }
}

export function compressHistories(summaries: readonly RecencyFrequency[]): RepeatBuyingTable {
  // Histories built from calendar days have t_x and T in whole days, and a million customers
  // then share far fewer distinct histories; other histories are kept one row each.
  let dayBased = true;
  let maxDay = 0;
  let maxX = 0;
  summaries.forEach((s, i) => {
    checkHistory(s, i);
    const dT = Math.round(s.T * 7);
    if (Math.abs(s.T * 7 - dT) > 1e-7 || Math.abs(s.tx * 7 - Math.round(s.tx * 7)) > 1e-7) dayBased = false;
    maxDay = Math.max(maxDay, dT);
    maxX = Math.max(maxX, s.x);
  });
  const span = maxDay + 1;
  if ((maxX + 1) * span * span >= Number.MAX_SAFE_INTEGER) dayBased = false;

  const rowOf = new NumberIndex(dayBased ? 1024 : 16);
  const xs = new Distinct();
  const times = new Distinct();
  const weight: number[] = [];
  const xIndex: number[] = [];
  const txIndex: number[] = [];
  const TIndex: number[] = [];
  let repeaters = 0;
  for (const s of summaries) {
    if (s.x > 0) repeaters++;
    const key = dayBased ? (s.x * span + Math.round(s.tx * 7)) * span + Math.round(s.T * 7) : -1;
    const row = dayBased ? rowOf.get(key) : -1;
    if (row >= 0) {
      weight[row] = (weight[row] ?? 0) + 1;
      xs.of(s.x);
      continue;
    }
    if (dayBased) rowOf.of(key); // numbered weight.length: rows are numbered as they are added
    weight.push(1);
    xIndex.push(xs.of(s.x));
    txIndex.push(times.of(s.tx));
    TIndex.push(times.of(s.T));
  }
  return {
    weight: Float64Array.from(weight),
    xIndex: Int32Array.from(xIndex),
    txIndex: Int32Array.from(txIndex),
    TIndex: Int32Array.from(TIndex),
    distinctX: Float64Array.from(xs.values),
    distinctXWeight: Float64Array.from(xs.counts),
    distinctTime: Float64Array.from(times.values),
    customers: summaries.length,
    repeaters,
  };
}

/** Total log-likelihood and its gradient with respect to (r, α, a, b). */
export function bgnbdLogLikelihood(params: BgNbdParameters, table: RepeatBuyingTable): { value: number; gradient: [number, number, number, number] } {
  const { r, alpha, a, b } = params;
  let ll = 0;
  let dr = 0;
  let dalpha = 0;
  let da = 0;
  let db = 0;
  // Terms in x alone: ln Γ(r+x)/Γ(r) + ln B(a, b+x)/B(a, b).
  const lgR = logGamma(r);
  const lgB = logGamma(b);
  const lgAB = logGamma(a + b);
  const psiR = digamma(r);
  const psiB = digamma(b);
  const psiAB = digamma(a + b);
  const xCount = table.distinctX.length;
  const logBX1 = new Float64Array(xCount); // ln(b + x − 1), used per row
  for (let k = 0; k < xCount; k++) {
    const x = table.distinctX[k] ?? 0;
    const w = table.distinctXWeight[k] ?? 0;
    if (x === 0) continue;
    logBX1[k] = Math.log(b + x - 1);
    const psiABX = digamma(a + b + x);
    ll += w * (logGamma(r + x) - lgR + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x));
    dr += w * (digamma(r + x) - psiR);
    da += w * (psiAB - psiABX);
    db += w * (psiAB + digamma(b + x) - psiB - psiABX);
  }
  const n = table.customers;
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  ll += n * r * logAlpha;
  dr += n * logAlpha;
  dalpha += (n * r) / alpha;
  const timeCount = table.distinctTime.length;
  const logShifted = new Float64Array(timeCount); // ln(α + t)
  const invShifted = new Float64Array(timeCount); // 1 / (α + t)
  for (let k = 0; k < timeCount; k++) {
    const shifted = alpha + (table.distinctTime[k] ?? 0);
    logShifted[k] = Math.log(shifted);
    invShifted[k] = 1 / shifted;
  }
  // The rest: ln[(α+T)^-(r+x) + [x>0] a/(b+x−1) (α+t_x)^-(r+x)], summed in log space.
  const { weight, xIndex, txIndex, TIndex, distinctX } = table;
  for (let i = 0; i < weight.length; i++) {
    const xk = xIndex[i] ?? 0;
    const x = distinctX[xk] ?? 0;
    const w = weight[i] ?? 0;
    const tk = TIndex[i] ?? 0;
    const logAlphaT = logShifted[tk] ?? 0;
    const rx = r + x;
    const late = -rx * logAlphaT;
    if (x === 0) {
      ll += w * late;
      dr -= w * logAlphaT;
      dalpha -= w * rx * (invShifted[tk] ?? 0);
      continue;
    }
    const sk = txIndex[i] ?? 0;
    const logAlphaTx = logShifted[sk] ?? 0;
    const early = logA - (logBX1[xk] ?? 0) - rx * logAlphaTx;
    // Shares of the two terms in the sum, computed without overflow.
    let total: number;
    let shareLate: number;
    let shareEarly: number;
    if (early > late) {
      const e = Math.exp(late - early);
      total = early + Math.log1p(e);
      shareEarly = 1 / (1 + e);
      shareLate = e * shareEarly;
    } else {
      const e = Math.exp(early - late);
      total = late + Math.log1p(e);
      shareLate = 1 / (1 + e);
      shareEarly = e * shareLate;
    }
    ll += w * total;
    dr -= w * (shareLate * logAlphaT + shareEarly * logAlphaTx);
    dalpha -= w * rx * (shareLate * (invShifted[tk] ?? 0) + shareEarly * (invShifted[sk] ?? 0));
    da += (w * shareEarly) / a;
    db -= (w * shareEarly) / (b + x - 1);
  }
  return { value: ll, gradient: [dr, dalpha, da, db] };
}

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/** Maximum-likelihood BG/NBD parameters. Throws YuchiError('invalid') when they cannot be found. */
export function fitBgNbd(summaries: readonly RecencyFrequency[]): BgNbdFit {
  const table = compressHistories(summaries);
  if (table.repeaters < MIN_REPEATERS) {
    throw invalid('summaries', `only ${table.repeaters} of ${table.customers} customers have a repeat purchase; the BG/NBD model needs at least ${MIN_REPEATERS} to be identified`,
      { code: 'too_few_repeaters', params: { repeaters: table.repeaters, customers: table.customers, minimum: MIN_REPEATERS } });
  }
  // Start from r = 1 and the rate that ignores drop-out, λ ≈ Σx / ΣT; α is searched relative to
  // that scale so the optimiser sees comparable coordinates whatever the data's time scale.
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < table.weight.length; i++) {
    const w = table.weight[i] ?? 0;
    sumX += (table.distinctX[table.xIndex[i] ?? 0] ?? 0) * w;
    sumT += (table.distinctTime[table.TIndex[i] ?? 0] ?? 0) * w;
  }
  const alphaScale = Math.min(Math.max(sumT / Math.max(sumX, 1e-9), 1e-3), 1e6);
  const unpack = (phi: Float64Array): BgNbdParameters => ({
    r: Math.exp(phi[0] ?? 0), alpha: alphaScale * Math.exp(phi[1] ?? 0), a: Math.exp(phi[2] ?? 0), b: Math.exp(phi[3] ?? 0),
  });
  // Minimise the mean negative log-likelihood over log parameters: unconstrained and well scaled.
  const objective = (phi: Float64Array): Evaluation => {
    const params = unpack(phi);
    const { value, gradient } = bgnbdLogLikelihood(params, table);
    const scale = -1 / table.customers;
    return {
      value: value * scale,
      gradient: Float64Array.of(gradient[0] * params.r * scale, gradient[1] * params.alpha * scale, gradient[2] * params.a * scale, gradient[3] * params.b * scale),
    };
  };
  const found = minimise(objective, Float64Array.of(0, 0, 0, Math.log(3)));
  requireConverged(found, objective, { model: 'BG/NBD', names: NAMES, path: 'summaries', data: 'the purchase histories' });
  const params = unpack(found.point);
  return { ...params, logLikelihood: -found.value * table.customers, customers: table.customers, repeaters: table.repeaters, iterations: found.iterations, method: found.method };
}

/** P(still active at T | x, t_x, T). A customer without a repeat purchase is alive by assumption. */
export function probabilityAlive(params: BgNbdParameters, c: RecencyFrequency): number {
  if (c.x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a / (b + c.x - 1)) + (r + c.x) * (Math.log(alpha + c.T) - Math.log(alpha + c.tx));
  return 1 / (1 + Math.exp(logOdds));
}

const MAX_SERIES_TERMS = 1_000_000;

/**
 * Expected purchases in the next `weeks` weeks after T (FHL 2005, eq. 10). The Gauss
 * hypergeometric function there is taken through Euler's transformation,
 * 2F1(r+x, b+x; c; z) = (1−z)^(a−1−r−x) 2F1(a+b−1−r, a−1; c; z) with c = a+b+x−1, whose series
 * converges fast and lets the removable singularity at a = 1 cancel analytically.
 */
export function expectedPurchases(params: BgNbdParameters, c: RecencyFrequency, weeks: number): number {
  if (!(weeks >= 0) || !Number.isFinite(weeks)) throw invalid('weeks', `expected a number of weeks of zero or more, got ${weeks}`);
  if (weeks === 0) return 0;
  const { r, alpha, a, b } = params;
  const x = c.x;
  const z = weeks / (alpha + c.T + weeks);
  const logRest = -Math.log1p(weeks / (alpha + c.T)); // ln(1 − z)
  const head = a + b - 1 - r;
  const cc = a + b + x - 1;
  // c · Σ_{n≥1} (head)_n (a)_{n−1} / ((c)_n n!) zⁿ, with the c cancelled into the first term.
  let term = head * z;
  let sum = term;
  for (let n = 1; term !== 0; n++) {
    if (n > MAX_SERIES_TERMS) throw invalid('weeks', `a horizon of ${weeks} weeks is too long to evaluate for this customer`, { code: 'horizon_too_long', params: { weeks } });
    const ratio = ((head + n) * (a + n - 1) * z) / ((cc + n) * (n + 1));
    term *= ratio;
    sum += term;
    if (Math.abs(ratio) < 1 && Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  const first = a === 1 ? -logRest : -Math.expm1((a - 1) * logRest) / (a - 1);
  const expected = cc * first - Math.exp((a - 1) * logRest) * sum;
  return expected * probabilityAlive(params, c);
}

// Ten-point Gauss-Legendre on [-1, 1].
const GL_NODES = [0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717];
const GL_WEIGHTS = [0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881];

/**
 * Expected purchases in the next `weeks` weeks, each discounted continuously at `weeklyRate`
 * to T: ∫₀ᴺ e^(−δs) dE(s) = e^(−δN) E(N) + δ ∫₀ᴺ e^(−δs) E(s) ds, by Gauss-Legendre on panels of
 * at most 13 weeks (E is smooth, so ten nodes a panel is far more than enough).
 */
export function discountedExpectedPurchases(params: BgNbdParameters, c: RecencyFrequency, weeks: number, weeklyRate: number): number {
  if (!(weeklyRate >= 0) || !Number.isFinite(weeklyRate)) throw invalid('weeklyRate', `expected a rate of zero or more, got ${weeklyRate}`);
  const atEnd = expectedPurchases(params, c, weeks);
  if (weeklyRate === 0 || weeks === 0) return atEnd;
  const panels = Math.max(1, Math.ceil(weeks / 13));
  const width = weeks / panels;
  let integral = 0;
  for (let k = 0; k < panels; k++) {
    const mid = (k + 0.5) * width;
    for (let j = 0; j < GL_NODES.length; j++) {
      const offset = (GL_NODES[j] ?? 0) * width * 0.5;
      const w = (GL_WEIGHTS[j] ?? 0) * width * 0.5;
      for (const s of [mid - offset, mid + offset]) integral += w * Math.exp(-weeklyRate * s) * expectedPurchases(params, c, s);
    }
  }
  return Math.exp(-weeklyRate * weeks) * atEnd + weeklyRate * integral;
}
