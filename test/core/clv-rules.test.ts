// The pieces under the CLV models: calendar days, per-customer summaries, special functions and
// the optimiser, each against values worked out by hand or known in closed form.
import { describe, expect, it } from 'vitest';
import { calendarDay, formatCalendarDay, summariseTransactions } from '../../src/core/clv/clv.rules.ts';
import { minimiseBfgs, minimiseNelderMead, requireConverged } from '../../src/core/clv/optimize.ts';
import { digamma, logGamma } from '../../src/core/clv/special.ts';
import { YuchiError } from '../../src/core/errors.ts';

const EULER_GAMMA = 0.5772156649015329;

describe('calendarDay', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['1997-01-01', 9862], // 27 years of 365 days + 7 leap days (72, 76, 80, 84, 88, 92, 96)
    ['2000-03-01', 11017], // 30 years with 7 leap days, then January and a leap February
    ['1997-09-30T23:59:59+08:00', 9862 + 272], // the date as written, whatever the offset
    ['1997-09-30T16:00:00Z', 9862 + 272],
    ['1997-09-30 08:15', 9862 + 272],
  ])('%s is day %i', (text, day) => {
    expect(calendarDay(text)).toBe(day);
  });

  it.each(['', '1997', '1997-13-01', '1997-02-29', '1900-02-29', '1997-04-31', '97-01-01', '1997/01/01', '1997-01-01X', '1997-01-01T25:00', 'tomorrow'])(
    'rejects %j',
    (text) => {
      expect(calendarDay(text)).toBeNull();
    },
  );

  it('round-trips with formatCalendarDay', () => {
    for (const day of [-1000, 0, 9862, 11016, 20000, 50000]) expect(calendarDay(formatCalendarDay(day))).toBe(day);
  });
});

describe('summariseTransactions', () => {
  const rows = [
    // Ann: two orders on her first day, two on one later day, one three weeks in, one after the end.
    { customerId: 'ann', orderedAt: '2024-03-01', amount: 10 },
    { customerId: 'ann', orderedAt: '2024-03-22T09:00:00+08:00', amount: 30 },
    { customerId: 'ann', orderedAt: '2024-03-08', amount: 20 },
    { customerId: 'ann', orderedAt: '2024-03-01T18:00:00+08:00', amount: 5 },
    { customerId: 'ann', orderedAt: '2024-03-08', amount: 4 },
    { customerId: 'ann', orderedAt: '2024-05-01', amount: 99 },
    // Bo: one order only.
    { customerId: 'bo', orderedAt: '2024-03-15', amount: 12.5 },
    // Cy: first order after the calibration end, so not a customer of the period.
    { customerId: 'cy', orderedAt: '2024-04-02', amount: 7 },
  ];

  it('counts purchase days, weeks and the mean repeat-day spend', () => {
    const s = summariseTransactions(rows, '2024-03-29');
    expect(s.customers).toEqual([
      // Repeat days 03-08 (20 + 4) and 03-22 (30): x = 2, t_x = 21 days, T = 28 days, spend = 54 / 2.
      { customerId: 'ann', x: 2, tx: 3, T: 4, spend: 27 },
      { customerId: 'bo', x: 0, tx: 0, T: 2, spend: null },
    ]);
    expect(s.repeaters).toBe(1);
    expect(s.rowsUsed).toBe(6);
  });

  it('includes orders on the calibration end day itself', () => {
    const s = summariseTransactions(rows, '2024-03-22');
    expect(s.customers[0]).toEqual({ customerId: 'ann', x: 2, tx: 3, T: 3, spend: 27 });
  });

  it('names the row and field of bad input', () => {
    const bad = (row: { customerId: string; orderedAt: string; amount: number }, path: string): void => {
      try {
        summariseTransactions([rows[0] ?? row, row], '2024-03-29');
        expect.unreachable('should have thrown');
      } catch (err) {
        expect(err).toBeInstanceOf(YuchiError);
        if (err instanceof YuchiError) expect(err.details[0]?.path).toBe(path);
      }
    };
    bad({ customerId: 'x', orderedAt: '2024-02-30', amount: 1 }, 'rows[1].orderedAt');
    bad({ customerId: 'x', orderedAt: '2024-02-03', amount: -1 }, 'rows[1].amount');
    bad({ customerId: 'x', orderedAt: '2024-02-03', amount: Number.NaN }, 'rows[1].amount');
    bad({ customerId: '', orderedAt: '2024-02-03', amount: 1 }, 'rows[1].customerId');
  });

  it('refuses a calibration end before every order, or that is not a date', () => {
    expect(() => summariseTransactions(rows, '2024-02-29')).toThrow(/2024-02-29 is earlier than every order \(the first is on 2024-03-01\)/);
    expect(() => summariseTransactions(rows, '2024-3-29')).toThrow(/calibrationEnd: expected a date/);
    expect(() => summariseTransactions([], '2024-03-29')).toThrow(/no orders/);
  });

  it('sorts a long history of one customer correctly', () => {
    // 60 orders in reverse order, one every other day, 1 yuan each, plus a second order on each day.
    const long = Array.from({ length: 60 }, (_, i) => ({ customerId: 'z', orderedAt: formatCalendarDay(19_000 + 2 * (59 - i)), amount: 1 }));
    const doubled = [...long, ...long];
    const s = summariseTransactions(doubled, formatCalendarDay(19_200));
    expect(s.customers[0]).toEqual({ customerId: 'z', x: 59, tx: 118 / 7, T: 200 / 7, spend: 2 });
  });
});

describe('special functions', () => {
  it('logGamma matches ln((n−1)!) and ln √π', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n++) {
      expect(logGamma(n)).toBeCloseTo(logFactorial, 10);
      logFactorial += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1.5)).toBeCloseTo(0.5 * Math.log(Math.PI) - Math.log(2), 13);
  });

  it('logGamma near zero follows −ln x − γx + ζ(2)x²/2', () => {
    for (const x of [1e-4, 1e-6, 1e-9]) expect(logGamma(x)).toBeCloseTo(-Math.log(x) - EULER_GAMMA * x + (Math.PI ** 2 / 12) * x * x, 11);
  });

  it('digamma matches −γ + H(n−1), ψ(½) = −γ − 2 ln 2, and the recurrence', () => {
    let harmonic = 0;
    for (let n = 1; n <= 200; n++) {
      expect(digamma(n)).toBeCloseTo(-EULER_GAMMA + harmonic, 12);
      harmonic += 1 / n;
    }
    expect(digamma(0.5)).toBeCloseTo(-EULER_GAMMA - 2 * Math.log(2), 12);
    for (const x of [1e-3, 0.37, 2.5, 11.2, 1234.5]) expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 9);
  });

  it('digamma is the derivative of logGamma', () => {
    for (const x of [0.05, 0.8, 3.3, 47, 900]) {
      const h = 1e-5 * Math.max(1, x);
      expect(digamma(x)).toBeCloseTo((logGamma(x + h) - logGamma(x - h)) / (2 * h), 5);
    }
  });

  it('is NaN outside the positive reals', () => {
    expect(logGamma(0)).toBeNaN();
    expect(digamma(-1)).toBeNaN();
  });
});

describe('optimiser', () => {
  const rosenbrock = (p: Float64Array): { value: number; gradient: Float64Array } => {
    const x = p[0] ?? 0;
    const y = p[1] ?? 0;
    return {
      value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      gradient: Float64Array.of(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
    };
  };

  it('BFGS finds the Rosenbrock minimum at (1, 1)', () => {
    const found = minimiseBfgs(rosenbrock, Float64Array.of(-1.2, 1));
    expect(found.converged).toBe(true);
    expect(found.point[0]).toBeCloseTo(1, 6);
    expect(found.point[1]).toBeCloseTo(1, 6);
  });

  it('Nelder-Mead finds the minimum of a shifted quadratic', () => {
    const found = minimiseNelderMead((p) => ((p[0] ?? 0) - 3) ** 2 + 10 * ((p[1] ?? 0) + 2) ** 2 + ((p[2] ?? 0) - 0.5) ** 2, Float64Array.of(0, 0, 0));
    expect(found.point[0]).toBeCloseTo(3, 4);
    expect(found.point[1]).toBeCloseTo(-2, 4);
    expect(found.point[2]).toBeCloseTo(0.5, 4);
  });

  it('refuses a "minimum" that is a coordinate running off', () => {
    // e^(−x) has no minimum: x runs to +∞ while the gradient fades below any tolerance.
    const fading = (p: Float64Array): { value: number; gradient: Float64Array } => ({ value: Math.exp(-(p[0] ?? 0)), gradient: Float64Array.of(-Math.exp(-(p[0] ?? 0))) });
    const found = minimiseBfgs(fading, Float64Array.of(0));
    expect(() => requireConverged(found, fading, { model: 'test', names: ['x'], path: 'x', data: 'the data' })).toThrow(/the test fit did not converge: x runs off to infinity/);
  });

  it('refuses a minimum in which one coordinate makes no difference', () => {
    const flat = (p: Float64Array): { value: number; gradient: Float64Array } => ({ value: ((p[0] ?? 0) - 1) ** 2, gradient: Float64Array.of(2 * ((p[0] ?? 0) - 1), 0) });
    const found = minimiseBfgs(flat, Float64Array.of(0, 0));
    expect(found.converged).toBe(true);
    expect(() => requireConverged(found, flat, { model: 'test', names: ['x', 'y'], path: 'x', data: 'the data' })).toThrow(/does not change with y/);
  });
});
