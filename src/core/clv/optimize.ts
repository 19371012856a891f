// A small unconstrained minimiser for smooth low-dimensional objectives: BFGS with a strong-Wolfe
// line search, and Nelder-Mead as a fallback when the gradient path stalls. The models pass log
// parameters, so "unconstrained" is enough and a parameter running off to 0 or ∞ shows up as a
// coordinate growing without bound.
import { YuchiError } from '../errors.ts';

export interface Evaluation {
  value: number;
  gradient: Float64Array;
}

export type SmoothObjective = (point: Float64Array) => Evaluation;

export interface MinimiseOptions {
  /** Converged when every gradient component is at most this (in objective units). */
  gradientTolerance?: number;
  maxIterations?: number;
  /** A coordinate beyond ±bound is treated as diverging (a log parameter past ±25 by default). */
  bound?: number;
}

export interface Minimum {
  point: Float64Array;
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  method: 'bfgs' | 'nelder-mead+bfgs';
  /** Why it stopped, in words, when it did not converge. */
  reason: string;
  /** The coordinate that ran past the bound, if that is why it stopped. */
  divergedIndex: number | null;
}

const DEFAULTS = { gradientTolerance: 1e-9, maxIterations: 500, bound: 25 };
// A gradient this small is accepted when progress stalls in the last digits of the objective.
const ACCEPTABLE_GRADIENT = 1e-6;
const MAX_STEP = 4;

function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += (u[i] ?? 0) * (v[i] ?? 0);
  return s;
}

function maxAbs(u: Float64Array): number {
  let m = 0;
  for (const v of u) m = Math.max(m, Math.abs(v));
  return m;
}

function along(x: Float64Array, d: Float64Array, step: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] ?? 0) + step * (d[i] ?? 0);
  return out;
}

interface LinePoint {
  step: number;
  point: Float64Array;
  value: number;
  gradient: Float64Array;
  slope: number;
}

/** Nocedal & Wright, Algorithms 3.5 and 3.6; a non-finite value counts as "too far". */
function strongWolfeSearch(
  f: SmoothObjective, x: Float64Array, value: number, slope0: number, d: Float64Array, count: () => void,
): LinePoint | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const probe = (step: number): LinePoint => {
    count();
    const point = along(x, d, step);
    const e = f(point);
    const finite = Number.isFinite(e.value) && e.gradient.every(Number.isFinite);
    return { step, point, value: finite ? e.value : Number.POSITIVE_INFINITY, gradient: e.gradient, slope: finite ? dot(e.gradient, d) : Number.NaN };
  };
  const sufficient = (p: LinePoint): boolean => p.value <= value + c1 * p.step * slope0;
  const curvature = (p: LinePoint): boolean => Math.abs(p.slope) <= -c2 * slope0;
  // Near the optimum of a sum over a million customers the decrease the Armijo test asks for falls
  // below the rounding noise of the sum. There the slope is the better witness (Hager & Zhang's
  // approximate Wolfe conditions): accept a point whose value is level within the noise and whose
  // slope has flattened.
  const noise = 1e-12 * Math.max(1, Math.abs(value));
  const approximate = (p: LinePoint): boolean => p.value <= value + noise && curvature(p);
  let best: LinePoint | null = null;
  const remember = (p: LinePoint): void => {
    if (sufficient(p) && p.value < value && (best === null || p.value < best.value)) best = p;
  };

  const zoom = (lo: LinePoint, hi: LinePoint): LinePoint | null => {
    for (let i = 0; i < 40; i++) {
      let step = 0.5 * (lo.step + hi.step);
      if (Number.isFinite(hi.value) && Number.isFinite(lo.slope)) {
        // Quadratic through lo (value, slope) and hi (value), kept inside the bracket.
        const h = hi.step - lo.step;
        const denom = 2 * (hi.value - lo.value - lo.slope * h);
        if (denom > 0) {
          const trial = lo.step - (lo.slope * h * h) / denom;
          const a = Math.min(lo.step, hi.step);
          const b = Math.max(lo.step, hi.step);
          const margin = 0.1 * (b - a);
          if (trial > a + margin && trial < b - margin) step = trial;
        }
      }
      const p = probe(step);
      remember(p);
      if (approximate(p)) return p;
      if (!sufficient(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvature(p)) return p;
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.step - lo.step) < 1e-14 * Math.max(1, lo.step)) break;
    }
    return best;
  };

  const maxStep = MAX_STEP / Math.max(maxAbs(d), 1e-300);
  const origin: LinePoint = { step: 0, point: x, value, gradient: new Float64Array(x.length), slope: slope0 };
  let previous = origin;
  let step = Math.min(1, maxStep);
  for (let i = 0; i < 30; i++) {
    const p = probe(step);
    remember(p);
    if (approximate(p)) return p;
    if (!sufficient(p) || (i > 0 && p.value >= previous.value)) return zoom(previous, p);
    if (curvature(p)) return p;
    if (p.slope >= 0) return zoom(p, previous);
    previous = p;
    if (step >= maxStep) return p;
    step = Math.min(2 * step, maxStep);
  }
  return best;
}

export function minimiseBfgs(f: SmoothObjective, start: Float64Array, options: MinimiseOptions = {}): Minimum {
  const { gradientTolerance, maxIterations, bound } = { ...DEFAULTS, ...options };
  const n = start.length;
  let evaluations = 1;
  let x: Float64Array = Float64Array.from(start);
  let { value, gradient } = f(x);
  const result = (iterations: number, converged: boolean, reason: string, divergedIndex: number | null = null): Minimum => ({
    point: x, value, gradientNorm: maxAbs(gradient), iterations, evaluations, converged, method: 'bfgs', reason, divergedIndex,
  });
  if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) return result(0, false, 'the objective is not finite at the starting point');

  const identity = (): Float64Array[] => Array.from({ length: n }, (_, i) => { const row = new Float64Array(n); row[i] = 1; return row; });
  let h = identity();
  let fresh = true;
  for (let k = 0; k < maxIterations; k++) {
    if (maxAbs(gradient) <= gradientTolerance) return result(k, true, 'converged');
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = -dot(h[i] ?? new Float64Array(n), gradient);
    let slope = dot(gradient, d);
    if (!(slope < 0)) {
      h = identity();
      fresh = true;
      for (let i = 0; i < n; i++) d[i] = -(gradient[i] ?? 0);
      slope = dot(gradient, d);
    }
    const p = strongWolfeSearch(f, x, value, slope, d, () => { evaluations++; });
    if (p === null) {
      if (!fresh) {
        h = identity();
        fresh = true;
        continue;
      }
      const ok = maxAbs(gradient) <= ACCEPTABLE_GRADIENT;
      return result(k, ok, ok ? 'converged' : 'no step along the search direction improves the fit');
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (p.point[i] ?? 0) - (x[i] ?? 0);
      y[i] = (p.gradient[i] ?? 0) - (gradient[i] ?? 0);
    }
    const previousValue = value;
    x = p.point;
    value = p.value;
    gradient = p.gradient;
    const far = x.findIndex((v) => Math.abs(v) > bound);
    if (far >= 0) return result(k + 1, false, 'a parameter grows without bound', far);

    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (fresh) {
        // Scale the first inverse-Hessian guess to the observed curvature.
        const scale = sy / dot(y, y);
        h = identity().map((row) => row.map((v) => v * scale));
      }
      fresh = false;
      const rho = 1 / sy;
      const hy = h.map((row) => dot(row, y));
      const yhy = dot(y, hy);
      // H ← H − ρ(s·(Hy)ᵀ + (Hy)·sᵀ) + (ρ²·yᵀHy + ρ)·s·sᵀ
      for (let i = 0; i < n; i++) {
        const row = h[i];
        if (!row) continue;
        for (let j = 0; j < n; j++) {
          const si = s[i] ?? 0;
          const sj = s[j] ?? 0;
          row[j] = (row[j] ?? 0) - rho * (si * (hy[j] ?? 0) + (hy[i] ?? 0) * sj) + (rho * rho * yhy + rho) * si * sj;
        }
      }
    }
    const stalled = Math.abs(previousValue - value) <= 1e-15 * Math.max(1, Math.abs(value)) && maxAbs(s) <= 1e-10;
    if (stalled) {
      const ok = maxAbs(gradient) <= ACCEPTABLE_GRADIENT;
      return result(k + 1, ok, ok ? 'converged' : 'progress stalled');
    }
  }
  const ok = maxAbs(gradient) <= ACCEPTABLE_GRADIENT;
  return result(maxIterations, ok, ok ? 'converged' : `no convergence after ${maxIterations} iterations`);
}

/** Nelder-Mead on the values alone (adaptive coefficients of Gao & Han for small dimensions). */
export function minimiseNelderMead(
  value: (point: Float64Array) => number, start: Float64Array, options: { maxIterations?: number; step?: number } = {},
): { point: Float64Array; value: number; evaluations: number } {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 4000;
  const step = options.step ?? 0.5;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const evaluate = (p: Float64Array): number => {
    evaluations++;
    const v = value(p);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const simplex: { point: Float64Array; value: number }[] = [{ point: Float64Array.from(start), value: evaluate(start) }];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(start);
    p[i] = (p[i] ?? 0) + step;
    simplex.push({ point: p, value: evaluate(p) });
  }
  const blend = (a: Float64Array, b: Float64Array, t: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (a[i] ?? 0) + t * ((b[i] ?? 0) - (a[i] ?? 0));
    return out;
  };
  for (let it = 0; it < maxIterations; it++) {
    simplex.sort((u, v) => u.value - v.value);
    const bestV = simplex[0];
    const worst = simplex[n];
    const second = simplex[n - 1];
    if (!bestV || !worst || !second) break;
    let size = 0;
    for (const v of simplex) for (let i = 0; i < n; i++) size = Math.max(size, Math.abs((v.point[i] ?? 0) - (bestV.point[i] ?? 0)));
    if (size < 1e-10 || (Number.isFinite(worst.value) && worst.value - bestV.value <= 1e-14 * Math.max(1, Math.abs(bestV.value)))) break;
    const centroid = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] = (centroid[i] ?? 0) + (simplex[k]?.point[i] ?? 0) / n;
    const reflected = blend(centroid, worst.point, -alpha);
    const fr = evaluate(reflected);
    if (fr < bestV.value) {
      const expanded = blend(centroid, worst.point, -alpha * beta);
      const fe = evaluate(expanded);
      simplex[n] = fe < fr ? { point: expanded, value: fe } : { point: reflected, value: fr };
      continue;
    }
    if (fr < second.value) {
      simplex[n] = { point: reflected, value: fr };
      continue;
    }
    const outside = fr < worst.value;
    const contracted = blend(centroid, outside ? reflected : worst.point, gamma);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : worst.value)) {
      simplex[n] = { point: contracted, value: fc };
      continue;
    }
    for (let k = 1; k <= n; k++) {
      const v = simplex[k];
      if (!v) continue;
      const p = blend(bestV.point, v.point, delta);
      simplex[k] = { point: p, value: evaluate(p) };
    }
  }
  simplex.sort((u, v) => u.value - v.value);
  const best = simplex[0] ?? { point: Float64Array.from(start), value: Number.POSITIVE_INFINITY };
  return { point: best.point, value: best.value, evaluations };
}

/** BFGS first; if it stalls, Nelder-Mead from the best point reached and BFGS again to polish. */
export function minimise(f: SmoothObjective, start: Float64Array, options: MinimiseOptions = {}): Minimum {
  const first = minimiseBfgs(f, start, options);
  if (first.converged || first.divergedIndex !== null) return first;
  const from = Number.isFinite(first.value) ? first.point : start;
  const simplex = minimiseNelderMead((p) => f(p).value, from);
  const second = minimiseBfgs(f, simplex.point, options);
  const evaluations = first.evaluations + simplex.evaluations + second.evaluations;
  const iterations = first.iterations + second.iterations;
  const better = second.value <= first.value || !Number.isFinite(first.value) ? second : first;
  return { ...better, evaluations, iterations, method: 'nelder-mead+bfgs' };
}

// Log parameters (relative to the start's scale) beyond ±15, a factor of 3·10⁶, are a boundary
// the fit ran into rather than an estimate: several parameters can run off together along a ridge.
const LOG_PARAMETER_LIMIT = 15;
// A move of e⁴ (×55) in one parameter that leaves the mean log-likelihood unchanged to this
// precision means the data say nothing about that parameter: the fit has run to a boundary.
const FLAT_STEP = 4;
const FLAT_CHANGE = 1e-9;

/**
 * Throws YuchiError('invalid') naming the model, and the parameter at fault, unless the fit
 * converged to a proper interior optimum.
 */
export function requireConverged(
  found: Minimum, f: SmoothObjective, context: { model: string; names: readonly string[]; path: string; data: string },
): void {
  const fail = (reason: string): never => {
    throw new YuchiError('invalid', `the ${context.model} fit did not converge: ${reason}; ${context.data} do not pin the model down`, [{ path: context.path, message: reason, code: 'fit_not_converged', params: { model: context.model } }]);
  };
  const name = (i: number): string => context.names[i] ?? `parameter ${i + 1}`;
  if (found.divergedIndex !== null) {
    fail(`${name(found.divergedIndex)} runs off to ${(found.point[found.divergedIndex] ?? 0) > 0 ? 'infinity' : 'zero'}`);
  }
  if (!found.converged) fail(found.reason);
  found.point.forEach((v, i) => {
    if (Math.abs(v) > LOG_PARAMETER_LIMIT) fail(`${name(i)} runs off to ${v > 0 ? 'infinity' : 'zero'}`);
  });
  const tolerance = FLAT_CHANGE * Math.max(1, Math.abs(found.value));
  for (let i = 0; i < found.point.length; i++) {
    const flat = [FLAT_STEP, -FLAT_STEP].map((step) => {
      const moved = Float64Array.from(found.point);
      moved[i] = (moved[i] ?? 0) + step;
      const value = f(moved).value;
      return Number.isFinite(value) && value - found.value < tolerance;
    });
    if (flat[0] && flat[1]) fail(`the likelihood does not change with ${name(i)}`);
    if (flat[0]) fail(`${name(i)} runs off to infinity`);
    if (flat[1]) fail(`${name(i)} runs off to zero`);
  }
}
