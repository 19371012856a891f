// Gamma-Gamma spend model: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", after
// Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR.
// A purchase's value is Gamma(p, ν); across customers ν ~ Gamma(q, γ). Fitted on customers with
// at least one repeat purchase, from their number of repeat purchases x and mean value m_x.
import { invalid } from '../errors.ts';
import { minimise, requireConverged, type Evaluation } from './optimize.ts';
import { digamma, logGamma } from './special.ts';

export interface GammaGammaParameters {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParameters {
  logLikelihood: number;
  repeaters: number;
  iterations: number;
  method: string;
}

export interface RepeatSpend {
  /** Repeat purchases, one or more. */
  x: number;
  /** Mean value of those repeat purchases, more than zero. */
  spend: number;
}

export const MIN_SPEND_REPEATERS = 10;

interface SpendTable {
  x: Float64Array;
  /** x · m_x: the customer's total repeat spend. */
  total: Float64Array;
  distinctX: Float64Array;
  distinctXWeight: Float64Array;
  /** Σ x ln m_x, Σ ln m_x and Σ x ln x: the parts of the likelihood that need no parameters. */
  sumXLogM: number;
  sumLogM: number;
  sumXLogX: number;
}

function tabulate(repeaters: readonly RepeatSpend[]): SpendTable {
  const x = new Float64Array(repeaters.length);
  const total = new Float64Array(repeaters.length);
  const perX = new Map<number, number>();
  let sumXLogM = 0;
  let sumLogM = 0;
  let sumXLogX = 0;
  repeaters.forEach((c, i) => {
    if (!Number.isInteger(c.x) || c.x < 1) throw invalid(`repeaters[${i}].x`, `expected one or more repeat purchases, got ${c.x}`);
    if (!Number.isFinite(c.spend) || c.spend <= 0) throw invalid(`repeaters[${i}].spend`, `expected a mean spend above zero, got ${c.spend}`);
    x[i] = c.x;
    total[i] = c.x * c.spend;
    perX.set(c.x, (perX.get(c.x) ?? 0) + 1);
    const logM = Math.log(c.spend);
    sumXLogM += c.x * logM;
    sumLogM += logM;
    sumXLogX += c.x * Math.log(c.x);
  });
  return { x, total, distinctX: Float64Array.from(perX.keys()), distinctXWeight: Float64Array.from(perX.values()), sumXLogM, sumLogM, sumXLogX };
}

/**
 * Σ ln f(m_x | x) with f = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^(px−1) x^(px) / (γ + x m_x)^(px+q),
 * and its gradient with respect to (p, q, γ).
 */
function spendLogLikelihood(params: GammaGammaParameters, t: SpendTable): { value: number; gradient: [number, number, number] } {
  const { p, q, gamma } = params;
  const n = t.x.length;
  const lgQ = logGamma(q);
  const psiQ = digamma(q);
  let ll = n * (q * Math.log(gamma) - lgQ) + p * (t.sumXLogM + t.sumXLogX) - t.sumLogM;
  let dp = t.sumXLogM + t.sumXLogX;
  let dq = n * (Math.log(gamma) - psiQ);
  let dgamma = (n * q) / gamma;
  for (let k = 0; k < t.distinctX.length; k++) {
    const x = t.distinctX[k] ?? 0;
    const w = t.distinctXWeight[k] ?? 0;
    const px = p * x;
    ll += w * (logGamma(px + q) - logGamma(px));
    const psiPXQ = digamma(px + q);
    dp += w * x * (psiPXQ - digamma(px));
    dq += w * psiPXQ;
  }
  for (let i = 0; i < n; i++) {
    const x = t.x[i] ?? 0;
    const shifted = gamma + (t.total[i] ?? 0);
    const logShifted = Math.log(shifted);
    const shape = p * x + q;
    ll -= shape * logShifted;
    dp -= x * logShifted;
    dq -= logShifted;
    dgamma -= shape / shifted;
  }
  return { value: ll, gradient: [dp, dq, dgamma] };
}

/** Total log-likelihood and its gradient with respect to (p, q, γ). */
export function gammaGammaLogLikelihood(params: GammaGammaParameters, repeaters: readonly RepeatSpend[]): { value: number; gradient: [number, number, number] } {
  return spendLogLikelihood(params, tabulate(repeaters));
}

const NAMES = ['p', 'q', 'gamma'] as const;

/** Maximum-likelihood Gamma-Gamma parameters. Throws YuchiError('invalid') when they cannot be found. */
export function fitGammaGamma(repeaters: readonly RepeatSpend[]): GammaGammaFit {
  const table = tabulate(repeaters);
  const n = repeaters.length;
  if (n < MIN_SPEND_REPEATERS) {
    throw invalid('repeaters', `only ${n} customers have a repeat purchase with a spend above zero; the Gamma-Gamma model needs at least ${MIN_SPEND_REPEATERS}`,
      { code: 'too_few_spend_repeaters', params: { repeaters: n, minimum: MIN_SPEND_REPEATERS } });
  }
  // γ is searched relative to the mean spend, so the currency unit (yuan or fen) does not matter;
  // the start makes the population mean p·γ/(q−1) equal the observed one.
  let mean = 0;
  for (const c of repeaters) mean += c.spend / n;
  const unpack = (phi: Float64Array): GammaGammaParameters => ({ p: Math.exp(phi[0] ?? 0), q: Math.exp(phi[1] ?? 0), gamma: mean * Math.exp(phi[2] ?? 0) });
  const objective = (phi: Float64Array): Evaluation => {
    const params = unpack(phi);
    const { value, gradient } = spendLogLikelihood(params, table);
    const scale = -1 / n;
    return { value: value * scale, gradient: Float64Array.of(gradient[0] * params.p * scale, gradient[1] * params.q * scale, gradient[2] * params.gamma * scale) };
  };
  const found = minimise(objective, Float64Array.of(Math.log(2), Math.log(3), 0));
  requireConverged(found, objective, { model: 'Gamma-Gamma', names: NAMES, path: 'repeaters', data: 'the spend data' });
  return { ...unpack(found.point), logLikelihood: -found.value * n, repeaters: n, iterations: found.iterations, method: found.method };
}

/** Mean value of a purchase across all customers, p·γ/(q−1); infinite when q ≤ 1. */
export function populationMeanSpend(params: GammaGammaParameters): number {
  if (params.q <= 1) {
    throw invalid('gammaGamma.q', `q = ${params.q} is not above 1, so the model gives spend no finite mean and cannot predict it`,
      { code: 'spend_mean_infinite', params: { q: params.q } });
  }
  return (params.p * params.gamma) / (params.q - 1);
}

/**
 * E(M | x, m_x): a weighted mean of the population mean and the customer's own mean,
 * p (γ + x m_x) / (p x + q − 1); the population mean when the customer has no repeat purchase.
 */
export function expectedSpend(params: GammaGammaParameters, x: number, spend: number | null): number {
  const population = populationMeanSpend(params);
  if (x === 0 || spend === null) return population;
  return (params.p * (params.gamma + x * spend)) / (params.p * x + params.q - 1);
}
