import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  addMonths, bucketOf, bucketsOf, funnelSteps, monthReached, monthsBetween, rate, resolveAnalyticsRange, toCsv, weekOf, windowElapsed,
} from '../../src/core/analytics/analytics.rules.ts';
import { YuchiError } from '../../src/core/errors.ts';

function pathOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof YuchiError ? err.details[0]?.path : undefined;
  }
  return undefined;
}

describe('analytics.rules', () => {
  it('resolves the range: default 12 calendar months, inclusive dates, at most 5 years', () => {
    expect(resolveAnalyticsRange({}, '2026-06-15')).toEqual({ from: '2025-07-01', to: '2026-06-15' });
    expect(resolveAnalyticsRange({ to: '2026-02-10' }, '2026-06-15')).toEqual({ from: '2025-03-01', to: '2026-02-10' });
    expect(resolveAnalyticsRange({ from: '2021-06-15', to: '2026-06-15' }, '2026-06-15').from).toBe('2021-06-15');
    expect(pathOf(() => resolveAnalyticsRange({ from: '2021-06-13', to: '2026-06-15' }, '2026-06-15'))).toBe('query.from');
    expect(pathOf(() => resolveAnalyticsRange({ from: '2026-02-29' }, '2026-06-15'))).toBe('query.from');
    expect(pathOf(() => resolveAnalyticsRange({ to: 'yesterday' }, '2026-06-15'))).toBe('query.to');
    expect(pathOf(() => resolveAnalyticsRange({ from: '2026-06-16', to: '2026-06-15' }, '2026-06-15'))).toBe('query.from');
  });

  it('names buckets by date, ISO-week Monday or month, with no gaps', () => {
    expect(weekOf('2026-03-01')).toBe('2026-02-23'); // a Sunday belongs to the week before
    expect(weekOf('2026-03-02')).toBe('2026-03-02');
    expect(bucketOf('2026-03-15', 'month')).toBe('2026-03');
    expect(bucketsOf({ from: '2026-02-27', to: '2026-03-02' }, 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(bucketsOf({ from: '2026-02-27', to: '2026-03-10' }, 'week')).toEqual(['2026-02-23', '2026-03-02', '2026-03-09']);
    expect(bucketsOf({ from: '2025-11-30', to: '2026-02-01' }, 'month')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('counts months and windows', () => {
    expect(addMonths('2025-11', 3)).toBe('2026-02');
    expect(monthsBetween('2025-11', '2026-02-14')).toBe(3);
    expect(monthReached('2026-01', 5, '2026-06-01')).toBe(true);
    expect(monthReached('2026-01', 6, '2026-06-30')).toBe(false);
    // A 30-day window from 1 May ends with 31 May; it has elapsed once that day is over.
    expect(windowElapsed('2026-05-01', 30, '2026-05-31')).toBe(false);
    expect(windowElapsed('2026-05-01', 30, '2026-06-01')).toBe(true);
  });

  it('builds funnel steps with rates against the base and the previous step', () => {
    const steps = funnelSteps({ acquired: 200, retained7: 90, eligible7: 100, retained30: 40, eligible30: 50, active: 60, converted: 30, referred: 0 });
    expect(steps.map((s) => [s.step, s.count, s.base, s.rate, s.fromPrevious])).toEqual([
      ['acquired', 200, 200, 1, null],
      ['retained7', 90, 100, 0.9, 0.45],
      ['retained30', 40, 50, 0.8, 0.4444],
      ['active', 60, 200, 0.3, 1.5],
      ['converted', 30, 200, 0.15, 0.5],
      ['referred', 0, 200, 0, 0],
    ]);
    expect(rate(1, 0)).toBeNull();
  });

  it('writes CSV for Excel: BOM, yuan columns, quoting', () => {
    const text = toCsv(['name', 'gmvFen', 'rate'], [{ name: '福田店, "旗舰"', gmvFen: 123456, rate: 0.25 }, { name: 'x', gmvFen: -5, rate: null }]);
    expect(text.startsWith('\uFEFFname,gmvYuan,rate\r\n')).toBe(true);
    expect(parse(text, { bom: true, columns: true })).toEqual([
      { name: '福田店, "旗舰"', gmvYuan: '1234.56', rate: '0.25' },
      { name: 'x', gmvYuan: '-0.05', rate: '' },
    ]);
  });
});
