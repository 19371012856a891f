import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { BREAKDOWNS, GRANULARITIES } from '../../core/analytics/analytics.rules.ts';
import { resolveAnalyticsRange } from '../../core/analytics/analytics.rules.ts';
import { breakdownCsv, cohortsCsv, funnelCsv, ltvCsv, repurchaseCsv, trendsCsv, CSV_COLUMNS } from '../../core/analytics/analytics.csv.ts';
import { cohorts, ltv, repurchase } from '../../core/analytics/cohorts.service.ts';
import { readAnalytics, scopeOf, type Scope } from '../../core/analytics/filters.service.ts';
import { funnel } from '../../core/analytics/funnel.service.ts';
import { breakdown, trends } from '../../core/analytics/trends.service.ts';
import { localDate } from '../../core/time.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, Fen, Id, protectedErrors } from '../schemas.ts';

const Filters = z.object({
  from: CalendarDate.optional().describe('first calendar date in the tenant time zone, inclusive (default: the 1st of the month 11 months ago)'),
  to: CalendarDate.optional().describe('last calendar date, inclusive (default: today); at most 5 years after from'),
  storeId: Id.optional(),
  segmentId: Id.optional().describe('customers in the segment now'),
  format: z.enum(['json', 'csv']).default('json').describe('csv: a download of the same figures, UTF-8 with a BOM; money columns in yuan'),
});
const Rate = z.number().nullable().describe('share 0..1, 4 decimals; null when the base is empty');
const Range = z.object({ from: z.string(), to: z.string() });
const Csv = z.any().describe('text/csv, UTF-8 with a BOM');
const count = z.number().int();

const Window = z.object({ days: count, eligible: count, repurchased: count, rate: Rate });
const schemas = {
  trends: z.object({ range: Range, granularity: z.enum(GRANULARITIES), points: z.array(z.object({
    bucket: z.string().describe('YYYY-MM-DD (day; the Monday of a week) or YYYY-MM'),
    gmvFen: Fen, orders: count, averageTicketFen: Fen, buyers: count,
    newBuyers: count.describe('buyers whose first order ever falls in the bucket'),
    activeCustomers: count.describe('customers who ordered or had an interaction event in the bucket'),
  })) }),
  repurchase: z.object({ range: Range, firstTimeBuyers: count, windows: z.array(Window), byMonth: z.array(z.object({ month: z.string(), firstTimeBuyers: count, windows: z.array(Window) })) }),
  cohorts: z.object({ range: Range, cohorts: z.array(z.object({ month: z.string(), size: count, cells: z.array(z.object({ customers: count, rate: Rate }).nullable()) })) }),
  funnel: z.object({ range: Range, steps: z.array(z.object({ step: z.enum(['acquired', 'retained7', 'retained30', 'active', 'converted', 'referred']), count, base: count, rate: Rate, fromPrevious: Rate })) }),
  breakdown: z.object({ range: Range, by: z.enum(BREAKDOWNS), rows: z.array(z.object({
    key: z.string().nullable(), name: z.string(), gmvFen: Fen, orders: count, buyers: count, averageTicketFen: Fen,
    repurchase30: Window.omit({ days: true }),
  })) }),
  ltv: z.object({ range: Range, rows: z.array(z.object({ month: z.string(), customers: count, cumulativeFen: z.array(Fen.nullable()) })) }),
};

const FILTER_DOC = 'Filters: from/to are calendar dates in the tenant time zone, inclusive (default: the 12 calendar months up to today; at most 5 years); '
  + 'storeId (see each view for what it applies to); segmentId keeps customers in the segment now; format=csv downloads the same figures. '
  + 'A counted order is one not fully refunded; GMV is paid − refunded over counted orders (as on the home dashboard).';

function sendCsv(reply: FastifyReply, name: string, body: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(body);
}

export function analyticsRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const scope = async (request: FastifyRequest, query: z.infer<typeof Filters>): Promise<Scope> => {
    const actor = actorOf(request);
    const today = localDate(new Date(), actor.timezone);
    const range = resolveAnalyticsRange(query, today);
    return scopeOf(db, actor, { range, storeId: query.storeId, segmentId: query.segmentId }, today);
  };
  const base = <Q extends z.ZodObject, R extends z.ZodType>(summary: string, description: string, querystring: Q, response: R) => ({
    config: { permission: 'analytics:read' as const },
    schema: { tags: ['analytics'], summary, description: `${description}\n\n${FILTER_DOC}`, querystring, response: { 200: z.union([response, Csv]), ...protectedErrors } },
  });

  r.get('/api/v1/analytics/trends', base('GMV, orders, average ticket, buyers, new and active customers by day, week or month',
    `Orders at the filtered store. New buyers: first order ever in the bucket (at the filtered store). Active: ordered, or had an interaction event (message_received, message_sent, group_joined, form_submitted, page_viewed, store_visited; customers of the filtered home store). CSV columns: ${CSV_COLUMNS.trends.join(', ')}.`,
    Filters.extend({ granularity: z.enum(GRANULARITIES).default('month') }), schemas.trends), async (request, reply) => {
    const s = await scope(request, request.query);
    const points = await readAnalytics(db, (trx) => trends(trx, s, request.query.granularity));
    return request.query.format === 'csv' ? sendCsv(reply, 'trends', trendsCsv(points)) : { range: s.range, granularity: request.query.granularity, points };
  });

  r.get('/api/v1/analytics/repurchase', base('Repurchase within 7 / 30 / 90 days of the first order',
    `Customers whose first order ever falls in the range (first order at the filtered store); repurchased = a counted order on a later calendar day within N days. Only customers whose window has fully elapsed (first day + N before today) are counted (eligible). Also by month of first order. CSV columns: ${CSV_COLUMNS.repurchase.join(', ')} (last row: total).`,
    Filters, schemas.repurchase), async (request, reply) => {
    const s = await scope(request, request.query);
    const figures = await readAnalytics(db, (trx) => repurchase(trx, s));
    return request.query.format === 'csv' ? sendCsv(reply, 'repurchase', repurchaseCsv(figures)) : { range: s.range, ...figures };
  });

  r.get('/api/v1/analytics/cohorts', base('Monthly cohort retention matrix',
    `Cohort = month of first order (in the range; first order at the filtered store). Cell k (0..11) = cohort members with a counted order in the k-th month after, with their share of the cohort; null for months not begun. CSV columns: ${CSV_COLUMNS.cohorts.slice(0, 4).join(', ')} … m11Rate.`,
    Filters, schemas.cohorts), async (request, reply) => {
    const s = await scope(request, request.query);
    const rows = await readAnalytics(db, (trx) => cohorts(trx, s));
    return request.query.format === 'csv' ? sendCsv(reply, 'cohorts', cohortsCsv(rows)) : { range: s.range, cohorts: rows };
  });

  r.get('/api/v1/analytics/funnel', base('AARRR funnel of WeCom contacts',
    `Among customers first added as a WeCom friend in the range (customers of the filtered home store): acquired; retained7/retained30 = still a friend N days after being added (base: those added at least N days ago); active = interaction event after being added; converted = counted order after being added; referred = named as referrerCustomerId on a contact_added or referral event after being added. rate = count ÷ base, fromPrevious = count ÷ the previous step's count. CSV columns: ${CSV_COLUMNS.funnel.join(', ')}.`,
    Filters, schemas.funnel), async (request, reply) => {
    const s = await scope(request, request.query);
    const steps = await readAnalytics(db, (trx) => funnel(trx, s));
    return request.query.format === 'csv' ? sendCsv(reply, 'funnel', funnelCsv(steps)) : { range: s.range, steps };
  });

  r.get('/api/v1/analytics/breakdown', base('GMV, orders, buyers, average ticket and 30-day repurchase by store, guide, channel or source',
    `store / channel: of the order (repurchase: of the first order); guide: the buyer's own guide (customers.guide_id); source: the buyer's acquisition source (customers.source_channel). key null = none. Sorted by GMV. CSV columns: ${CSV_COLUMNS.breakdown.join(', ')}.`,
    Filters.extend({ by: z.enum(BREAKDOWNS) }), schemas.breakdown), async (request, reply) => {
    const s = await scope(request, request.query);
    const rows = await readAnalytics(db, (trx) => breakdown(trx, s, request.query.by));
    return request.query.format === 'csv' ? sendCsv(reply, `breakdown-${request.query.by}`, breakdownCsv(rows)) : { range: s.range, by: request.query.by, rows };
  });

  r.get('/api/v1/analytics/ltv', base('LTV by acquisition month',
    `Acquisition month = month the customer was created (first known) in the range (customers of the filtered home store). cumulativeFen[k] = average cumulative GMV per acquired customer by the end of month k (orders before acquisition count in month 0); null for months not begun. CSV columns: acquisitionMonth, customers, m0CumulativeYuan … m11CumulativeYuan.`,
    Filters, schemas.ltv), async (request, reply) => {
    const s = await scope(request, request.query);
    const rows = await readAnalytics(db, (trx) => ltv(trx, s));
    return request.query.format === 'csv' ? sendCsv(reply, 'ltv', ltvCsv(rows)) : { range: s.range, rows };
  });
}
