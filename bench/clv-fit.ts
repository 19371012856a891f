// Fits BG/NBD + Gamma-Gamma on synthetic customers drawn from known parameters and prints how
// long summarising and fitting take, with the recovered parameters beside the true ones.
//   node --import tsx bench/clv-fit.ts [--customers 1000000] [--seed 20240601] [--predict-weeks 52]
import { summariseTransactions, formatCalendarDay, type TransactionRow } from '../src/core/clv/clv.rules.ts';
import { fitBgNbd } from '../src/core/clv/bgnbd.ts';
import { fitGammaGamma } from '../src/core/clv/gammagamma.ts';
import { predict } from '../src/core/clv/predict.ts';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a number, got ${process.argv[at + 1]}`);
  return value;
}

const CUSTOMERS = argument('customers', 1_000_000);
const SEED = argument('seed', 20240601);
const PREDICT_WEEKS = argument('predict-weeks', 52);
// CDNOW-like: first purchases spread over the first 12 weeks, calibration ends after week 39.
const TRUE_BGNBD = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
const TRUE_SPEND = { p: 6, q: 4, gamma: 15 };
const COHORT_DAYS = 84;
const START_DAY = 9862; // 1997-01-01
const END_DAY = START_DAY + 272; // 1997-09-30

/** xoshiro128** seeded through splitmix32: fast, and the same draws on every machine. */
function generator(seed: number): () => number {
  let z = seed >>> 0;
  const splitmix = (): number => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
    return (t ^ (t >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = (): number => {
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = (d << 11) | (d >>> 21);
    return result;
  };
  // 53 random bits in (0, 1).
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
}

const uniform = generator(SEED);

function normal(): number {
  return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Gamma(shape, rate) by Marsaglia & Tsang, boosted for shape < 1. */
function gamma(shape: number, rate: number): number {
  if (shape < 1) return gamma(shape + 1, rate) * Math.pow(uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

function beta(a: number, b: number): number {
  const x = gamma(a, 1);
  return x / (x + gamma(b, 1));
}

// Orders as columns; rows are handed to the summariser one at a time, as a reader would. The exact
// continuous-time history of each customer is kept too, to separate what day rounding does to
// the estimates from what the fit does.
interface Simulated {
  customer: Int32Array;
  day: Int32Array;
  amount: Float64Array;
  length: number;
  exact: { x: number; tx: number; T: number }[];
  exactSpend: { x: number; spend: number }[];
}

function simulate(): Simulated {
  let capacity = CUSTOMERS * 3;
  let customer = new Int32Array(capacity);
  let day = new Int32Array(capacity);
  let amount = new Float64Array(capacity);
  let length = 0;
  const exact: Simulated['exact'] = [];
  const exactSpend: Simulated['exactSpend'] = [];
  const push = (c: number, d: number, v: number): void => {
    if (length === capacity) {
      capacity *= 2;
      const grow = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => { fresh.set(old); return fresh; };
      customer = grow(customer, new Int32Array(capacity));
      day = grow(day, new Int32Array(capacity));
      amount = grow(amount, new Float64Array(capacity));
    }
    customer[length] = c;
    day[length] = d;
    amount[length] = v;
    length++;
  };
  for (let c = 0; c < CUSTOMERS; c++) {
    const first = START_DAY + Math.floor(uniform() * COHORT_DAYS);
    const weeks = (END_DAY - first) / 7;
    const lambda = gamma(TRUE_BGNBD.r, TRUE_BGNBD.alpha);
    const dropout = beta(TRUE_BGNBD.a, TRUE_BGNBD.b);
    const scale = gamma(TRUE_SPEND.q, TRUE_SPEND.gamma);
    push(c, first, Math.round(gamma(TRUE_SPEND.p, scale) * 100) / 100);
    // Repeat purchases at rate λ while alive; after each one the customer leaves with chance p.
    let t = 0;
    let x = 0;
    let tx = 0;
    let repeatSpend = 0;
    for (;;) {
      t += -Math.log(uniform()) / lambda;
      if (t > weeks) break;
      const value = gamma(TRUE_SPEND.p, scale);
      push(c, first + Math.floor(t * 7), Math.round(value * 100) / 100);
      x++;
      tx = t;
      repeatSpend += value;
      if (uniform() < dropout) break;
    }
    exact.push({ x, tx, T: weeks });
    if (x > 0) exactSpend.push({ x, spend: repeatSpend / x });
  }
  return { customer, day, amount, length, exact, exactSpend };
}

function* rows(orders: ReturnType<typeof simulate>): Generator<TransactionRow> {
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `C${String(i).padStart(7, '0')}`);
  const dates = new Map<number, string>();
  for (let i = 0; i < orders.length; i++) {
    const d = orders.day[i] ?? 0;
    let date = dates.get(d);
    if (date === undefined) {
      date = formatCalendarDay(d);
      dates.set(d, date);
    }
    yield { customerId: ids[orders.customer[i] ?? 0] ?? '', orderedAt: date, amount: orders.amount[i] ?? 0 };
  }
}

const show = (v: number): string => v.toPrecision(4).padStart(9);

/** Runs a step, printing its wall time and the process CPU time it used (the machine may be shared). */
function timed<T>(label: string, step: () => T, detail: (result: T) => string): { result: T; wall: number } {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = step();
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpuBefore);
  const cpu = (used.user + used.system) / 1e6;
  console.log(`${label.padEnd(16)} ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU  ${detail(result)}`);
  return { result, wall };
}

console.log(`clv-fit bench: ${CUSTOMERS.toLocaleString('en')} synthetic customers, seed ${SEED}`);
console.log(`  true BG/NBD r=${TRUE_BGNBD.r} alpha=${TRUE_BGNBD.alpha} a=${TRUE_BGNBD.a} b=${TRUE_BGNBD.b}; Gamma-Gamma p=${TRUE_SPEND.p} q=${TRUE_SPEND.q} gamma=${TRUE_SPEND.gamma}`);
console.log(`  first purchases over ${COHORT_DAYS} days from ${formatCalendarDay(START_DAY)}, calibration end ${formatCalendarDay(END_DAY)}`);

const orders = timed('simulate', simulate, (o) => `(${o.length.toLocaleString('en')} orders; not part of the figures below)`).result;
const summaries = timed('summarise', () => summariseTransactions(rows(orders), formatCalendarDay(END_DAY)),
  (s) => `(${s.rowsUsed.toLocaleString('en')} order rows -> ${s.customers.length.toLocaleString('en')} customers, ${s.repeaters.toLocaleString('en')} repeaters)`).result;
const bgnbdStep = timed('fit BG/NBD', () => fitBgNbd(summaries.customers), (f) => `(${f.iterations} iterations, ${f.method})`);
const spendStep = timed('fit Gamma-Gamma', () => fitGammaGamma(summaries.customers.flatMap((c) => (c.x > 0 && c.spend !== null && c.spend > 0 ? [{ x: c.x, spend: c.spend }] : []))),
  (f) => `(${f.repeaters.toLocaleString('en')} repeaters, ${f.iterations} iterations, ${f.method})`);
const bgnbd = bgnbdStep.result;
const spend = spendStep.result;
console.log(`fit total        ${(bgnbdStep.wall + spendStep.wall).toFixed(2)} s wall`);

// The same customers' exact histories, before calendar days merge same-day purchases and round
// recency down: what is left between these and the truth is sampling error.
const exact = timed('fit exact', () => ({ bgnbd: fitBgNbd(orders.exact), spend: fitGammaGamma(orders.exactSpend) }), () => '(continuous-time histories, no day-based compression)').result;
console.log('parameter      true  recovered  from exact histories');
for (const [name, truth, found, fromExact] of [
  ['r', TRUE_BGNBD.r, bgnbd.r, exact.bgnbd.r], ['alpha', TRUE_BGNBD.alpha, bgnbd.alpha, exact.bgnbd.alpha],
  ['a', TRUE_BGNBD.a, bgnbd.a, exact.bgnbd.a], ['b', TRUE_BGNBD.b, bgnbd.b, exact.bgnbd.b],
  ['p', TRUE_SPEND.p, spend.p, exact.spend.p], ['q', TRUE_SPEND.q, spend.q, exact.spend.q], ['gamma', TRUE_SPEND.gamma, spend.gamma, exact.spend.gamma],
] as const) {
  console.log(`  ${name.padEnd(7)} ${show(truth)} ${show(found)} ${show(fromExact)}`);
}
console.log(`log-likelihood BG/NBD ${bgnbd.logLikelihood.toFixed(1)}, Gamma-Gamma ${spend.logLikelihood.toFixed(1)}`);

if (PREDICT_WEEKS > 0) {
  timed(`predict ${PREDICT_WEEKS} weeks`, () => predict(summaries.customers, { bgnbd, gammaGamma: spend }, { weeks: PREDICT_WEEKS }),
    (p) => `(mean CLV ${(p.reduce((s, c) => s + c.clv, 0) / p.length).toFixed(2)})`);
}
