// The analytics area's calls (GET /api/v1/analytics/...), on the console's shared `call`.
import { apiUrl, call, type Query, type Signal } from './api.ts';

export interface AnalyticsFilters {
  from?: string | undefined;
  to?: string | undefined;
  storeId?: string | undefined;
  segmentId?: string | undefined;
}

export type Granularity = 'day' | 'week' | 'month';
export type BreakdownBy = 'store' | 'guide' | 'channel' | 'source';
export interface Range { from: string; to: string }

export interface TrendPoint {
  bucket: string;
  gmvFen: number;
  orders: number;
  averageTicketFen: number;
  buyers: number;
  newBuyers: number;
  activeCustomers: number;
}
export interface RepurchaseWindow { days: number; eligible: number; repurchased: number; rate: number | null }
export interface Repurchase {
  range: Range;
  firstTimeBuyers: number;
  windows: RepurchaseWindow[];
  byMonth: { month: string; firstTimeBuyers: number; windows: RepurchaseWindow[] }[];
}
export interface CohortRow { month: string; size: number; cells: ({ customers: number; rate: number | null } | null)[] }
export type FunnelStepKey = 'acquired' | 'retained7' | 'retained30' | 'active' | 'converted' | 'referred';
export interface FunnelStep { step: FunnelStepKey; count: number; base: number; rate: number | null; fromPrevious: number | null }
export interface BreakdownRow {
  key: string | null;
  name: string;
  gmvFen: number;
  orders: number;
  buyers: number;
  averageTicketFen: number;
  repurchase30: { eligible: number; repurchased: number; rate: number | null };
}
export interface LtvRow { month: string; customers: number; cumulativeFen: (number | null)[] }

const q = (filters: AnalyticsFilters, extra: Query = {}): Query => ({ ...filters, ...extra });

export const analyticsApi = {
  trends: (filters: AnalyticsFilters, granularity: Granularity, opts: Signal = {}) =>
    call<{ range: Range; granularity: Granularity; points: TrendPoint[] }>('GET', '/analytics/trends', { ...opts, query: q(filters, { granularity }) }),
  repurchase: (filters: AnalyticsFilters, opts: Signal = {}) => call<Repurchase>('GET', '/analytics/repurchase', { ...opts, query: q(filters) }),
  cohorts: (filters: AnalyticsFilters, opts: Signal = {}) => call<{ range: Range; cohorts: CohortRow[] }>('GET', '/analytics/cohorts', { ...opts, query: q(filters) }),
  funnel: (filters: AnalyticsFilters, opts: Signal = {}) => call<{ range: Range; steps: FunnelStep[] }>('GET', '/analytics/funnel', { ...opts, query: q(filters) }),
  breakdown: (filters: AnalyticsFilters, by: BreakdownBy, opts: Signal = {}) =>
    call<{ range: Range; by: BreakdownBy; rows: BreakdownRow[] }>('GET', '/analytics/breakdown', { ...opts, query: q(filters, { by }) }),
  ltv: (filters: AnalyticsFilters, opts: Signal = {}) => call<{ range: Range; rows: LtvRow[] }>('GET', '/analytics/ltv', { ...opts, query: q(filters) }),
  /** The CSV download of a view, for a link the browser follows. */
  csvUrl: (view: string, filters: AnalyticsFilters, extra: Query = {}) => apiUrl(`/analytics/${view}`, q(filters, { ...extra, format: 'csv' })),
};
