// The demo world's randomness and its purchase model. Pure: no IO, every draw from one seeded
// generator, so a seed and an end date always give the same world.
//
// THE MODEL (all rates per week; money in yuan until it becomes fen at the end)
//
// Window. The world runs from `months` calendar months before the end date's local midnight up
//   to that midnight (the end date itself has no orders, so nothing is in the future).
// Acquisition. Customer i joins at t0_i. Joining intensity over the window is
//   growth(day) · weekday(day) · hour(h): it grows by MONTHLY_GROWTH a month, Tuesdays (会员日,
//   国民水果日) weigh TUESDAY_LIFT against other days, and hours follow HOUR_WEIGHTS (store hours,
//   peaks at lunch and in the evening). The joining times are drawn as sorted order statistics so
//   customers are generated in time order (ids arrive in index order, which loads fastest).
// Purchases (BG/NBD, Fader, Hardie & Lee 2005). Each customer draws
//   λ ~ Gamma(shape PURCHASE_SHAPE_R, rate PURCHASE_RATE_ALPHA)   purchases per week while active,
//   p ~ Beta(DROPOUT_A, DROPOUT_B)                               chance to drop out after a purchase.
//   The first purchase is at acquisition (t0). Repeat purchases are an inhomogeneous Poisson
//   process of intensity λ·w(t), where w(t) = weekday(t)·hour(t) in the tenant's zone, scaled so
//   w averages 1 over a week (so λ stays "per week"); it is simulated by thinning (candidates at
//   rate λ·max w, each kept with chance w(t)/max w). After every repeat purchase the customer
//   drops out with probability p, as in BG/NBD (the first purchase carries no dropout: a BG/NBD
//   customer with no repeat purchase is alive for the whole window). Consequence used in the tests:
//   P(no repeat purchase within T weeks of acquisition) = (α/(α+T))^r.
// Spend (Gamma-Gamma, Fader, Hardie & Lee 2005b). Each customer draws ν ~ Gamma(SPEND_SHAPE_Q,
//   rate SPEND_SCALE_GAMMA); each order's paid amount is z ~ Gamma(SPEND_SHAPE_P, rate ν) yuan, so a
//   customer's mean ticket is p/ν and the population mean ticket is p·γ/(q−1).
//   On Tuesdays MEMBER_DAY_COUPON_SHARE of store and mini-program orders use the member-day price
//   (9折): the list total is paid/0.9 and the difference is discount_fen, so the paid amount keeps
//   the Gamma-Gamma law. The basket (order_items) is drawn from the catalog, season-weighted, so
//   its lines sum exactly to the list total.
// Everything else (home store, guide, channel, refunds, identities) is a categorical draw with the
//   shares named below.
import { idAt } from '../ids.ts';

// ---- model parameters -------------------------------------------------------------------------

/**
 * λ ~ Gamma(r, α): mean r/α ≈ 0.32 purchases a week, very uneven (shape < 1): about 9% of customers
 * buy weekly or more, and over a 12-month window about 39% never come back after the first order
 * (with the dropout below: about 5 orders per customer on average, median 2, top 1% above 40).
 */
export const PURCHASE_SHAPE_R = 0.35;
export const PURCHASE_RATE_ALPHA = 1.1;
/** p ~ Beta(a, b): mean dropout a/(a+b) = 0.1 per repeat purchase. */
export const DROPOUT_A = 0.8;
export const DROPOUT_B = 7.2;
/** Gamma-Gamma spend: population mean ticket p·γ/(q−1) = 6·25/3 = ¥50 paid. */
export const SPEND_SHAPE_P = 6;
export const SPEND_SHAPE_Q = 4;
export const SPEND_SCALE_GAMMA = 25;
/** Tuesday's weight against any other day (百果园: Tuesday sales +30%). */
export const TUESDAY_LIFT = 1.3;
/** New customers per month grow by this factor month over month. */
export const MONTHLY_GROWTH = 1.04;
export const MEMBER_DAY_COUPON_SHARE = 0.5;
export const MEMBER_DAY_PRICE = 0.9;
export const REFUNDED_SHARE = 0.012;
export const PARTIALLY_REFUNDED_SHARE = 0.025;
export const GUIDE_SHARE = 0.85;
export const HOME_STORE_SHARE = 0.88;

/** Relative order intensity per local hour 0–23: closed at night, lunch and evening peaks. */
export const HOUR_WEIGHTS: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 0.15, 0.5, 0.7, 0.9, 1.4, 1.6, 1.1, 0.7, 0.7, 0.9, 1.4, 1.9, 2.0, 1.6, 1.0, 0.35, 0,
];

/**
 * The numbers of the model above that make one business look like itself: how often its customers
 * buy and drop out, what they spend, its busy days, hours and months, and how fast it grows. The
 * fruit chain's are the constants above (FRUIT_SHAPE); the operating-model demos bring their own
 * (demo.models.ts).
 */
export interface PurchaseShape {
  purchaseShapeR: number;
  purchaseRateAlpha: number;
  dropoutA: number;
  dropoutB: number;
  spendShapeP: number;
  spendShapeQ: number;
  spendScaleGamma: number;
  tuesdayLift: number;
  monthlyGrowth: number;
  hourWeights: readonly number[];
  /** Relative purchase and joining intensity per calendar month 1–12 (index 0 = January); empty = flat. */
  monthWeights: readonly number[];
}

export const FRUIT_SHAPE: PurchaseShape = {
  purchaseShapeR: PURCHASE_SHAPE_R,
  purchaseRateAlpha: PURCHASE_RATE_ALPHA,
  dropoutA: DROPOUT_A,
  dropoutB: DROPOUT_B,
  spendShapeP: SPEND_SHAPE_P,
  spendShapeQ: SPEND_SHAPE_Q,
  spendScaleGamma: SPEND_SCALE_GAMMA,
  tuesdayLift: TUESDAY_LIFT,
  monthlyGrowth: MONTHLY_GROWTH,
  hourWeights: HOUR_WEIGHTS,
  monthWeights: [],
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * DAY_MS;
const DAYS_PER_MONTH = 30.436875;

// ---- generator --------------------------------------------------------------------------------

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 32-bit), seeded through splitmix32:
 * 128 bits of state, and only the 32-bit integer arithmetic JavaScript does fast.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError('seed must be a non-negative safe integer');
    let state = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32() ^ high;
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < 12; i++) this.uint32(); // leave the seeding's neighbourhood
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on the open interval (0, 1): never 0, so logarithms are safe. */
  float(): number {
    return (this.uint32() + 0.5) / 4_294_967_296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Marsaglia's polar method; the second value of each pair is kept for the next call. */
  standardNormal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    for (;;) {
      const u = 2 * this.float() - 1;
      const v = 2 * this.float() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      this.spareNormal = v * f;
      return u * f;
    }
  }
}

// ---- samplers ---------------------------------------------------------------------------------

export function uniform(rng: Random, low: number, high: number): number {
  return low + (high - low) * rng.float();
}

export function normal(rng: Random, mean: number, sd: number): number {
  return mean + sd * rng.standardNormal();
}

export function exponential(rng: Random, rate: number): number {
  return -Math.log(rng.float()) / rate;
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 through the U^(1/shape) boost. */
export function gamma(rng: Random, shape: number, rate = 1): number {
  if (!(shape > 0) || !(rate > 0)) throw new RangeError('gamma needs shape > 0 and rate > 0');
  if (shape < 1) return gamma(rng, shape + 1, rate) * Math.pow(rng.float(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.standardNormal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng.float();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return (d * v) / rate;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

export function beta(rng: Random, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

/** Poisson(mean): Knuth's product method for small means, Hörmann's PTRS (1993) above 30. */
export function poisson(rng: Random, mean: number): number {
  if (mean < 0) throw new RangeError('poisson needs mean ≥ 0');
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = rng.float();
    while (product > limit) {
      k++;
      product *= rng.float();
    }
    return k;
  }
  const sq = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * sq;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.float() - 0.5;
    const v = rng.float();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  if (k < 20) {
    let sum = 0;
    for (let i = 2; i <= k; i++) sum += Math.log(i);
    return sum;
  }
  const x = k + 1; // Stirling's series for ln Γ(x), ample at x ≥ 20
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** Choice among items with fixed weights: cumulative table and binary search. */
export class WeightedChoice<T> {
  private readonly cumulative: Float64Array;

  constructor(readonly items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) throw new RangeError('need one weight per item');
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    weights.forEach((w, i) => {
      if (!(w >= 0)) throw new RangeError('weights must be ≥ 0');
      sum += w;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new RangeError('weights must not all be 0');
  }

  pick(rng: Random): T {
    const target = rng.float() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    const item = this.items[low];
    if (item === undefined) throw new RangeError('empty choice');
    return item;
  }
}

// ---- time in the tenant's zone ----------------------------------------------------------------

const QUARTER_MS = 15 * 60_000;

/**
 * UTC ↔ the tenant's wall clock. Offsets come from Intl (the IANA database, as PostgreSQL's
 * `at time zone` uses) and are cached per quarter hour over the window: zone transitions fall on
 * quarter hours, and millions of look-ups through Intl would dominate the generator's time.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly origin: number;
  private readonly offsets: Int32Array;

  constructor(readonly timeZone: string, fromMs: number, toMs: number) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    this.origin = Math.floor((fromMs - 2 * DAY_MS) / HOUR_MS) * HOUR_MS;
    const hours = Math.ceil((toMs + 2 * DAY_MS - this.origin) / HOUR_MS);
    this.offsets = new Int32Array(hours * 4);
    let next = this.intlOffset(this.origin);
    for (let h = 0; h < hours; h++) {
      const here = next;
      next = this.intlOffset(this.origin + (h + 1) * HOUR_MS);
      for (let q = 0; q < 4; q++) {
        this.offsets[h * 4 + q] = here === next || q === 0 ? here : this.intlOffset(this.origin + h * HOUR_MS + q * QUARTER_MS);
      }
    }
  }

  private intlOffset(utcMs: number): number {
    const whole = Math.floor(utcMs / 1000) * 1000;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const part of this.format.formatToParts(new Date(whole))) {
      const n = Number(part.value);
      if (part.type === 'year') y = n;
      else if (part.type === 'month') mo = n;
      else if (part.type === 'day') d = n;
      else if (part.type === 'hour') h = n;
      else if (part.type === 'minute') mi = n;
      else if (part.type === 'second') s = n;
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) - whole;
  }

  offsetMs(utcMs: number): number {
    const slot = Math.floor((utcMs - this.origin) / QUARTER_MS);
    return slot >= 0 && slot < this.offsets.length ? (this.offsets[slot] ?? 0) : this.intlOffset(utcMs);
  }

  /** The wall-clock time as if it were UTC: its date and hour fields are the local ones. */
  local(utcMs: number): number {
    return utcMs + this.offsetMs(utcMs);
  }

  /** Days since 1970-01-01 in the local calendar (what `(t at time zone z)::date` gives). */
  localDay(utcMs: number): number {
    return Math.floor(this.local(utcMs) / DAY_MS);
  }

  /** The instant a local wall-clock time happens (two passes settle days when the offset changes). */
  utcOf(localMs: number): number {
    const guess = localMs - this.offsetMs(localMs);
    return localMs - this.offsetMs(guess);
  }

  /** The instant local midnight of a YYYY-MM-DD date begins. */
  midnight(date: string): number {
    return this.utcOf(Date.parse(`${date}T00:00:00Z`));
  }

  /** The local calendar date (YYYY-MM-DD) of an instant. */
  dateOf(utcMs: number): string {
    return new Date(this.localDay(utcMs) * DAY_MS).toISOString().slice(0, 10);
  }
}

/** 0 = Sunday … 2 = Tuesday (1970-01-01 was a Thursday). */
export function weekdayOfDay(localDay: number): number {
  return (((localDay + 4) % 7) + 7) % 7;
}

/**
 * w(t): weekday × hour intensity in the tenant's zone, averaging 1 over a week, times the month's
 * weight where the shape has seasons (weights averaging 1 over the year, so λ stays "per week").
 */
export class WeeklyRhythm {
  readonly max: number;
  private readonly table: Float64Array; // [weekday * 24 + hour]
  private readonly months: Float64Array | undefined; // [month 0–11], only for seasonal shapes

  constructor(private readonly clock: ZoneClock, shape: PurchaseShape = FRUIT_SHAPE) {
    const hourSum = shape.hourWeights.reduce((s, w) => s + w, 0);
    const weekSum = 6 + shape.tuesdayLift;
    this.table = new Float64Array(7 * 24);
    let max = 0;
    for (let day = 0; day < 7; day++) {
      for (let hour = 0; hour < 24; hour++) {
        const w = ((day === 2 ? shape.tuesdayLift : 1) * 7) / weekSum * (((shape.hourWeights[hour] ?? 0) * 24) / hourSum);
        this.table[day * 24 + hour] = w;
        max = Math.max(max, w);
      }
    }
    this.months = seasonal(shape);
    this.max = this.months ? max * Math.max(...this.months) : max;
  }

  at(utcMs: number): number {
    const local = this.clock.local(utcMs);
    const day = Math.floor(local / DAY_MS);
    const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
    const w = this.table[weekdayOfDay(day) * 24 + hour] ?? 0;
    return this.months ? w * (this.months[new Date(local).getUTCMonth()] ?? 1) : w;
  }
}

/** The month weights scaled to average 1, or undefined for a flat year. */
function seasonal(shape: PurchaseShape): Float64Array | undefined {
  if (shape.monthWeights.length === 0) return undefined;
  if (shape.monthWeights.length !== 12) throw new RangeError('monthWeights needs 12 values');
  const mean = shape.monthWeights.reduce((s, w) => s + w, 0) / 12;
  return Float64Array.from(shape.monthWeights, (w) => w / mean);
}

// ---- acquisition ------------------------------------------------------------------------------

/**
 * Joining times in increasing order, drawn as the order statistics of `count` independent draws
 * from the joining density, one at a time in O(1) memory: the largest of k uniforms is U^(1/k),
 * so walking down from the top gives them sorted (descending; mirrored here to ascend).
 */
export class AcquisitionSchedule {
  private readonly dayStarts: number[] = []; // local midnight (as local ms) of each day
  private readonly cumulative: Float64Array;
  private readonly hours: WeightedChoice<number>;
  private remaining: number;
  private top = 1;

  constructor(private readonly clock: ZoneClock, private readonly startMs: number, private readonly endMs: number, count: number, shape: PurchaseShape = FRUIT_SHAPE) {
    const firstDay = clock.localDay(startMs);
    const lastDay = clock.localDay(endMs - 1);
    const days = lastDay - firstDay + 1;
    this.cumulative = new Float64Array(days);
    this.hours = new WeightedChoice(shape.hourWeights.map((_, h) => h), shape.hourWeights);
    const months = seasonal(shape);
    const growthPerDay = Math.log(shape.monthlyGrowth) / DAYS_PER_MONTH;
    let sum = 0;
    for (let i = 0; i < days; i++) {
      this.dayStarts.push((firstDay + i) * DAY_MS);
      const weight = Math.exp(growthPerDay * i) * (weekdayOfDay(firstDay + i) === 2 ? shape.tuesdayLift : 1);
      sum += months ? weight * (months[new Date((firstDay + i) * DAY_MS).getUTCMonth()] ?? 1) : weight;
      this.cumulative[i] = sum;
    }
    for (let i = 0; i < days; i++) this.cumulative[i] = (this.cumulative[i] ?? 0) / sum;
    this.remaining = count;
  }

  /** The next joining instant (UTC ms); hours follow HOUR_WEIGHTS within the day. */
  next(rng: Random): number {
    if (this.remaining <= 0) throw new RangeError('no customers left to schedule');
    this.top *= Math.pow(rng.float(), 1 / this.remaining);
    this.remaining--;
    const u = 1 - this.top;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? 1) > u) high = mid;
      else low = mid + 1;
    }
    const hour = this.hours.pick(rng);
    const local = (this.dayStarts[low] ?? 0) + hour * HOUR_MS + Math.floor(rng.float() * HOUR_MS);
    return Math.min(Math.max(this.clock.utcOf(local), this.startMs), this.endMs - 1);
  }
}

// ---- purchases --------------------------------------------------------------------------------

export interface CustomerTraits {
  /** λ: purchases per week while active. */
  purchasesPerWeek: number;
  /** p: chance of dropping out after each repeat purchase. */
  dropout: number;
  /** ν: rate of the customer's order-value gamma; mean ticket = spendShapeP / ν yuan. */
  spendRate: number;
}

export function drawTraits(rng: Random, shape: PurchaseShape = FRUIT_SHAPE): CustomerTraits {
  return {
    purchasesPerWeek: gamma(rng, shape.purchaseShapeR, shape.purchaseRateAlpha),
    dropout: beta(rng, shape.dropoutA, shape.dropoutB),
    spendRate: gamma(rng, shape.spendShapeQ, shape.spendScaleGamma),
  };
}

/** Purchase instants from acquisition (the first) until the customer drops out or the window ends. */
export function purchaseTimes(rng: Random, traits: CustomerTraits, acquiredMs: number, endMs: number, rhythm: WeeklyRhythm): number[] {
  const times = [acquiredMs];
  const candidateRatePerMs = (traits.purchasesPerWeek * rhythm.max) / WEEK_MS;
  if (!(candidateRatePerMs > 0)) return times;
  let t = acquiredMs;
  for (;;) {
    t += exponential(rng, candidateRatePerMs);
    if (t >= endMs) return times;
    if (rng.float() * rhythm.max >= rhythm.at(t)) continue;
    times.push(Math.floor(t));
    if (rng.chance(traits.dropout)) return times;
  }
}

/** The paid amount of one order, in fen (at least ¥1). */
export function orderValueFen(rng: Random, traits: CustomerTraits, shape: PurchaseShape = FRUIT_SHAPE): number {
  return Math.max(100, Math.round(gamma(rng, shape.spendShapeP, traits.spendRate) * 100));
}

// ---- baskets ----------------------------------------------------------------------------------

export interface Sku {
  sku: string;
  name: string;
  /** Price in fen of one piece, or of one 斤 (500 g) when sold by weight. */
  priceFen: number;
  byWeight: boolean;
  /** How often it is bought, relative to other SKUs, when in season. */
  popularity: number;
  /** Months (1–12) in season; empty = all year. Out of season it sells at a tenth of the rate. */
  season: readonly number[];
}

export interface BasketLine {
  sku: Sku;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

const SMALLEST_WEIGHED_FEN = 300;

/** Each month's SKU choice, season-weighted: all SKUs, and the ones sold by weight. */
export class Assortment {
  private readonly all: WeightedChoice<Sku>[] = [];
  private readonly weighed: WeightedChoice<Sku>[] = [];
  /** A catalogue with nothing sold by weight (formula, printers, shoes) fills baskets with whole pieces. */
  private readonly piecesOnly: boolean;
  private readonly byPrice: readonly Sku[];

  constructor(catalog: readonly Sku[]) {
    const byWeight = catalog.filter((s) => s.byWeight);
    this.piecesOnly = byWeight.length === 0;
    this.byPrice = [...catalog].sort((a, b) => a.priceFen - b.priceFen || (a.sku < b.sku ? -1 : 1));
    for (let month = 1; month <= 12; month++) {
      const weight = (s: Sku): number => s.popularity * (s.season.length === 0 || s.season.includes(month) ? 1 : 0.1);
      this.all.push(new WeightedChoice(catalog, catalog.map(weight)));
      if (!this.piecesOnly) this.weighed.push(new WeightedChoice(byWeight, byWeight.map(weight)));
    }
  }

  /**
   * Whole pieces at list price worth at least totalFen: a few picked by season and popularity
   * while they fit, then pieces by price until what is left is covered. What the lines come to
   * above totalFen is the order's discount (满减, 活动价), so the paid amount keeps its law.
   */
  pieces(rng: Random, totalFen: number, month: number): BasketLine[] {
    const all = this.all[month - 1];
    if (!all) throw new RangeError(`month ${month} is not 1–12`);
    const lines: BasketLine[] = [];
    const add = (sku: Sku, quantity: number): void => {
      const same = lines.find((l) => l.sku === sku);
      if (same) {
        same.quantity += quantity;
        same.amountFen = same.quantity * same.unitPriceFen;
      } else {
        lines.push({ sku, quantity, unitPriceFen: sku.priceFen, amountFen: quantity * sku.priceFen });
      }
    };
    let remaining = totalFen;
    const wanted = Math.min(5, 1 + poisson(rng, 0.6));
    for (let tries = 0; lines.length < wanted - 1 && tries < 2 * wanted; tries++) {
      const sku = all.pick(rng);
      if (sku.priceFen > remaining) continue;
      const quantity = Math.min(1 + poisson(rng, 0.3), Math.floor(remaining / sku.priceFen));
      add(sku, quantity);
      remaining -= quantity * sku.priceFen;
    }
    while (remaining > 0) {
      // one piece that covers the rest unless that gives away more than a tenth of the order; else
      // the dearest piece that fits, and go on
      const cover = this.byPrice.find((s) => s.priceFen >= remaining);
      const fits = this.byPrice.findLast((s) => s.priceFen <= remaining);
      const next = cover && (cover.priceFen - remaining <= totalFen / 10 || !fits) ? cover : (fits ?? this.byPrice[this.byPrice.length - 1]);
      if (!next) throw new RangeError('empty catalogue');
      add(next, 1);
      remaining -= next.priceFen;
    }
    return lines;
  }

  /**
   * Lines summing exactly to totalFen (at least totalFen for a catalogue of whole pieces only, see
   * pieces()). Bigger orders have more lines; packaged goods are whole
   * pieces; fruit sold by weight takes what is left (one weighing is one line: quantity 1, its
   * price the line's amount), which is how a 散称 fruit till prints it.
   */
  basket(rng: Random, totalFen: number, month: number): BasketLine[] {
    if (this.piecesOnly) return this.pieces(rng, totalFen, month);
    const all = this.all[month - 1];
    const weighed = this.weighed[month - 1];
    if (!all || !weighed) throw new RangeError(`month ${month} is not 1–12`);
    const lines: BasketLine[] = [];
    let remaining = totalFen;
    const wanted = Math.min(8, 1 + poisson(rng, 0.55 * Math.sqrt(totalFen / 1000)));
    for (let tries = 0; lines.length < wanted - 1 && tries < 2 * wanted; tries++) {
      const room = remaining - SMALLEST_WEIGHED_FEN;
      if (room < SMALLEST_WEIGHED_FEN) break;
      const sku = all.pick(rng);
      if (sku.byWeight) {
        const amount = Math.max(SMALLEST_WEIGHED_FEN, Math.round(room * uniform(rng, 0.2, 0.6)));
        lines.push({ sku, quantity: 1, unitPriceFen: amount, amountFen: amount });
        remaining -= amount;
      } else if (sku.priceFen <= room) {
        const quantity = Math.min(1 + poisson(rng, 0.2), Math.floor(room / sku.priceFen));
        lines.push({ sku, quantity, unitPriceFen: sku.priceFen, amountFen: quantity * sku.priceFen });
        remaining -= quantity * sku.priceFen;
      }
    }
    if (remaining > 0) {
      const last = lines.findLast((l) => l.sku.byWeight);
      if (remaining < SMALLEST_WEIGHED_FEN && last) {
        last.amountFen += remaining;
        last.unitPriceFen = last.amountFen;
      } else {
        lines.push({ sku: weighed.pick(rng), quantity: 1, unitPriceFen: remaining, amountFen: remaining });
      }
    }
    return lines;
  }
}

// ---- people and identifiers -------------------------------------------------------------------

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `length` characters of [A-Za-z0-9-_], five per 32-bit draw. */
export function urlSafeText(rng: Random, length: number): string {
  let text = '';
  while (text.length < length) {
    let bits = rng.uint32();
    for (let i = 0; i < 5 && text.length < length; i++, bits >>>= 6) text += URL_SAFE[bits & 63];
  }
  return text;
}

/** WeCom's id for a customer outside the company: `wm` + 30 url-safe characters. */
export function externalUserId(rng: Random): string {
  return 'wm' + urlSafeText(rng, 30);
}

/** A WeChat unionid: 28 characters beginning with `o`. */
export function unionId(rng: Random): string {
  return 'o' + urlSafeText(rng, 27);
}

/** A mini-program openid: one app's openids share their first characters, as WeChat's do. */
export function openId(rng: Random, appPrefix: string): string {
  return appPrefix + urlSafeText(rng, 28 - appPrefix.length);
}

const random16 = new Uint8Array(16);

/** A UUIDv7 at `msecs` whose random bits come from the generator. */
export function deterministicId(rng: Random, msecs: number): string {
  for (let i = 0; i < 16; i += 4) {
    const bits = rng.uint32();
    random16[i] = bits & 0xff;
    random16[i + 1] = (bits >>> 8) & 0xff;
    random16[i + 2] = (bits >>> 16) & 0xff;
    random16[i + 3] = bits >>> 24;
  }
  return idAt(msecs, random16);
}

/** Mainland mobile number segments (号段); all match 1[3-9]\d{9}. */
export const MOBILE_PREFIXES: readonly string[] = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '145', '147', '150', '151',
  '152', '153', '155', '156', '157', '158', '159', '166', '170', '173', '175', '176', '177', '178',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '191', '198', '199',
];

/**
 * Mobile numbers unique by construction: index i goes through a keyed 4-round Feistel
 * permutation of 32-bit integers, cycle-walked into [0, prefixes × 10^8). A permutation never
 * repeats, so a million customers need no set of numbers already used.
 */
export class MobileNumbers {
  private readonly keys: number[];
  private readonly size = MOBILE_PREFIXES.length * 100_000_000;

  constructor(rng: Random) {
    this.keys = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()];
  }

  private permute(x: number): number {
    let left = x >>> 16;
    let right = x & 0xffff;
    for (const key of this.keys) {
      let z = Math.imul(right ^ key, 0x9e3779b1);
      z ^= z >>> 15;
      z = Math.imul(z, 0x85ebca77);
      z ^= z >>> 13;
      const next = left ^ (z & 0xffff);
      left = right;
      right = next;
    }
    return ((left << 16) | right) >>> 0;
  }

  at(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError('mobile number index out of range');
    let v = this.permute(index);
    while (v >= this.size) v = this.permute(v);
    const prefix = MOBILE_PREFIXES[Math.floor(v / 100_000_000)] ?? '138';
    return prefix + String(v % 100_000_000).padStart(8, '0');
  }
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢沈姚钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔';
// Rough frequency: the first surnames are far more common (王, 李, 张 ≈ 7% each).
const SURNAME_CHOICE = new WeightedChoice([...SURNAMES], [...SURNAMES].map((_, i) => 1 / (i + 4)));
const FEMALE_CHARS = [...'芳娜敏静丽艳娟霞秀英玲桂兰婷雪慧琳颖佳欣怡晓梦雨洁倩琪萍红燕莉思嘉诗涵子馨宇'];
const MALE_CHARS = [...'伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆子轩晨博文志建国家豪嘉'];

export type Gender = 'male' | 'female' | 'unknown';

/** A plausible Chinese name: a surname and one or two given-name characters. */
export function personName(rng: Random, gender: Gender): string {
  const pool = gender === 'female' ? FEMALE_CHARS : gender === 'male' ? MALE_CHARS : rng.chance(0.5) ? FEMALE_CHARS : MALE_CHARS;
  const given = (): string => pool[rng.below(pool.length)] ?? '';
  const surname = SURNAME_CHOICE.pick(rng);
  const first = given();
  if (!rng.chance(0.7)) return surname + first;
  let second = given();
  while (second === first) second = given(); // 军军 reads as a nickname, not a registered name
  return surname + first + second;
}
