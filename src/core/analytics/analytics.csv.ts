// The CSV download of each analytics view: the same figures as the JSON, one row per bucket,
// month, step or group, with English header keys (money columns in yuan, see toCsv).
import { MONTHS_AFTER, toCsv, type CsvValue, type FunnelStep } from './analytics.rules.ts';
import type { CohortRow, LtvRow, RepurchaseFigures } from './cohorts.service.ts';
import type { BreakdownRow, TrendPoint } from './trends.service.ts';

const months = (prefix: string, suffix: string): string[] => Array.from({ length: MONTHS_AFTER }, (_, k) => `${prefix}${k}${suffix}`);

export const CSV_COLUMNS = {
  trends: ['bucket', 'gmvFen', 'orders', 'averageTicketFen', 'buyers', 'newBuyers', 'activeCustomers'],
  repurchase: ['firstOrderMonth', 'firstTimeBuyers', 'eligible7', 'repurchased7', 'rate7', 'eligible30', 'repurchased30', 'rate30', 'eligible90', 'repurchased90', 'rate90'],
  cohorts: ['cohortMonth', 'size', ...Array.from({ length: MONTHS_AFTER }, (_, k) => [`m${k}Customers`, `m${k}Rate`]).flat()],
  funnel: ['step', 'count', 'base', 'rate', 'fromPrevious'],
  breakdown: ['key', 'name', 'gmvFen', 'orders', 'buyers', 'averageTicketFen', 'repurchase30Eligible', 'repurchase30Repurchased', 'repurchase30Rate'],
  ltv: ['acquisitionMonth', 'customers', ...months('m', 'CumulativeFen')],
} as const;

export function trendsCsv(points: TrendPoint[]): string {
  return toCsv([...CSV_COLUMNS.trends], points.map((p) => ({ ...p })));
}

export function repurchaseCsv(r: RepurchaseFigures): string {
  const row = (month: string, buyers: number, windows: RepurchaseFigures['windows']): Record<string, CsvValue> => {
    const out: Record<string, CsvValue> = { firstOrderMonth: month, firstTimeBuyers: buyers };
    for (const w of windows) {
      out[`eligible${w.days}`] = w.eligible;
      out[`repurchased${w.days}`] = w.repurchased;
      out[`rate${w.days}`] = w.rate;
    }
    return out;
  };
  return toCsv([...CSV_COLUMNS.repurchase], [...r.byMonth.map((m) => row(m.month, m.firstTimeBuyers, m.windows)), row('total', r.firstTimeBuyers, r.windows)]);
}

export function cohortsCsv(rows: CohortRow[]): string {
  return toCsv([...CSV_COLUMNS.cohorts], rows.map((r) => {
    const out: Record<string, CsvValue> = { cohortMonth: r.month, size: r.size };
    r.cells.forEach((cell, k) => {
      out[`m${k}Customers`] = cell?.customers ?? null;
      out[`m${k}Rate`] = cell?.rate ?? null;
    });
    return out;
  }));
}

export function funnelCsv(steps: FunnelStep[]): string {
  return toCsv([...CSV_COLUMNS.funnel], steps.map((s) => ({ ...s })));
}

export function breakdownCsv(rows: BreakdownRow[]): string {
  return toCsv([...CSV_COLUMNS.breakdown], rows.map((r) => ({
    key: r.key, name: r.name, gmvFen: r.gmvFen, orders: r.orders, buyers: r.buyers, averageTicketFen: r.averageTicketFen,
    repurchase30Eligible: r.repurchase30.eligible, repurchase30Repurchased: r.repurchase30.repurchased, repurchase30Rate: r.repurchase30.rate,
  })));
}

export function ltvCsv(rows: LtvRow[]): string {
  return toCsv([...CSV_COLUMNS.ltv], rows.map((r) => {
    const out: Record<string, CsvValue> = { acquisitionMonth: r.month, customers: r.customers };
    r.cumulativeFen.forEach((v, k) => { out[`m${k}CumulativeFen`] = v; });
    return out;
  }));
}
