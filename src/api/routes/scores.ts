// Customer layering: scoring settings and runs (RFM, lifecycle, value tiers, predicted CLV and
// churn), and the analytics read from the scores. Reads need analytics:read; settings and runs
// scores:write. Guides have neither.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { ScoringSettings } from '../../core/scores/scores.rules.ts';
import { getScoringRun, getScoringSettings, listScoringRuns, requestScoringRun, saveScoringSettings } from '../../core/scores/scores.service.ts';
import { atRiskCustomers, clvOverview, lifecycleOverview, rfmMovement, rfmOverview } from '../../core/scores/scores-analytics.service.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, IdParams, Instant, PageQuery, pageOf, protectedErrors } from '../schemas.ts';

const RULES = `Rules (src/core/scores/scores.rules.ts). RFM: buyers with an order in the last rfm.windowDays days (tenant calendar) get R, F, M scores 1–5 by quintiles of the tenant's buyers — R on days since the last order (more recent = higher), F on distinct purchase days in the window, M on spend in the window (paid − refunded). A score is 1 + the number of quintile cut points (20/40/60/80th percentiles, taken as occurring values) the value is above: equal values always share a score. A score ≥ rfm.highScore is high. Cells: 重要价值 important_value R↑F↑M↑, 重要发展 important_develop R↑F↓M↑, 重要保持 important_keep R↓F↑M↑, 重要挽留 important_retain R↓F↓M↑, 一般价值 general_value R↑F↑M↓, 一般发展 general_develop R↑F↓M↓, 一般保持 general_keep R↓F↑M↓, 一般挽留 general_retain R↓F↓M↓. Lifecycle, the first that holds: prospect (潜客) never ordered; new (新客) first order ≤ newDays ago; returned (回流) an order ≤ returnedDays ago whose previous purchase day was more than activeDays earlier; active (活跃) last order ≤ activeDays ago; dormant (沉睡) ≤ churnDays ago; churned (流失) beyond. Thresholds must satisfy newDays ≤ activeDays < churnDays and returnedDays ≤ activeDays. Value tier: the highest tier whose minSpentFen the lifetime spend reaches; tiers start at 0 and rise strictly. CLV: BG/NBD + Gamma-Gamma fitted on the tenant's buyers, time unit week, calibration end = today in the tenant zone, clv.horizonWeeks ahead, discounted at clv.annualDiscountRate.`;

const RunView = z.object({
  id: z.string(), trigger: z.enum(['nightly', 'manual']), status: z.enum(['queued', 'running', 'done', 'failed']), requestedBy: z.string(),
  createdAt: Instant, startedAt: Instant.nullable(), finishedAt: Instant.nullable(), calibrationEnd: z.string().nullable(),
  customers: z.number().int().nullable(), buyers: z.number().int().nullable(), repeaters: z.number().int().nullable(),
  rowsWritten: z.number().int().nullable().describe('customers whose stored scores or purchase history changed (predictions are computed when read)'),
  fitMs: z.number().int().nullable(), clvReason: z.string().nullable().describe('why CLV columns were left empty, if they were'),
  phases: z.object({ read: z.number(), snapshot: z.number(), fit: z.number(), predict: z.number(), write: z.number() }).nullable().describe('milliseconds per phase, in the order they run (the snapshot is written during the fit: its figure is the time it held the run up)'),
  error: z.string().nullable(),
});

const Filter = z.object({ storeId: Id.optional() });
const MonthRange = z.object({
  from: z.string().optional().describe('YYYY-MM; with to. Default: the two latest snapshot months'),
  to: z.string().optional().describe('YYYY-MM'),
});
const MovementView = z.object({ from: z.string(), to: z.string(), items: z.array(z.object({ from: z.string(), to: z.string(), customers: z.number().int() })) });

const RfmView = z.object({
  buyers: z.number().int().describe('customers with an order in the RFM window'),
  customers: z.number().int(),
  grid: z.array(z.object({ r: z.number().int(), f: z.number().int(), customers: z.number().int(), averageMonetaryFen: Fen })),
  cells: z.array(z.object({ cell: z.string(), name: z.string(), customers: z.number().int(), share: z.number(), monetaryFen: Fen })),
});

const ClvView = z.object({
  model: z.object({
    runId: z.string(), calibrationEnd: z.string().nullable(), fittedAt: Instant.nullable(), horizonWeeks: z.number().nullable(), annualDiscountRate: z.number().nullable(),
    customers: z.number().int().nullable(), repeaters: z.number().int().nullable(), reason: z.string().nullable(),
    reasonWorded: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])) }).nullable()
      .describe('the reason as a code (no_buyers, too_few_repeaters, too_few_spend_repeaters, spend_mean_infinite, fit_not_converged, horizon_too_long, clv_not_fitted) and its values'),
    bgnbd: z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number(), logLikelihood: z.number() }).nullable(),
    gammaGamma: z.object({ p: z.number(), q: z.number(), gamma: z.number(), logLikelihood: z.number() }).nullable(),
  }).nullable().describe('the latest finished run; null before the first'),
  clvHistogram: z.array(z.object({ fromFen: Fen, toFen: Fen.nullable(), customers: z.number().int() })),
  pAliveHistogram: z.array(z.object({ from: z.number(), to: z.number(), customers: z.number().int() })),
  totals: z.object({ customers: z.number().int(), clvFen: Fen, expectedPurchases: z.number() }),
});

const AtRisk = z.object({
  id: z.string(), name: z.string(), totalSpentFen: Fen, clvFen: Fen.nullable(), pAlive: z.number(), lifecycleStage: z.string(),
  valueTier: z.string().nullable(), rfmCell: z.string().nullable(), lastOrderAt: Instant.nullable(),
});

export function scoreRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/scoring/settings', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['analytics'], summary: 'Scoring settings (defaults until saved)', description: RULES, response: { 200: ScoringSettings, ...protectedErrors } },
  }, async (request) => getScoringSettings(db, actorOf(request).tenantId));

  r.put('/api/v1/scoring/settings', {
    config: { permission: 'scores:write' },
    schema: { tags: ['analytics'], summary: 'Save scoring settings', description: `Takes effect at the next run. ${RULES}`, body: ScoringSettings, response: { 200: ScoringSettings, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return saveScoringSettings(db, actor.tenantId, request.body, actorLabel(actor));
  });

  r.post('/api/v1/scoring/runs', {
    config: { permission: 'scores:write' },
    schema: { tags: ['analytics'], summary: 'Recompute every customer\'s scores now', description: 'Queues a run in the worker; poll GET /api/v1/scoring/runs/:id.', response: { 202: RunView, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(202).send(await requestScoringRun(db, actor.tenantId, actorLabel(actor)));
  });

  r.get('/api/v1/scoring/runs', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['analytics'], summary: 'The ten latest scoring runs, newest first', response: { 200: z.array(RunView), ...protectedErrors } },
  }, async (request) => listScoringRuns(db, actorOf(request).tenantId));

  r.get('/api/v1/scoring/runs/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['analytics'], summary: 'A scoring run: status, figures and fitted models', params: IdParams, response: { 200: RunView, ...protectedErrors } },
  }, async (request) => getScoringRun(db, actorOf(request).tenantId, request.params.id));

  r.get('/api/v1/analytics/rfm', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['analytics'], summary: 'RFM: the 5×5 R×F grid and the eight named cells', description: RULES, querystring: Filter, response: { 200: RfmView, ...protectedErrors } },
  }, async (request) => rfmOverview(db, actorOf(request).tenantId, request.query));

  r.get('/api/v1/analytics/rfm/movement', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['analytics'], summary: 'Customers moving between RFM cells from one month to another',
      description: 'Counts by (cell in `from`, cell in `to`) from the monthly snapshots (each month as of its last run); "none": no cell or no snapshot that month. null when no run has happened.',
      querystring: MonthRange.extend(Filter.shape), response: { 200: MovementView.nullable(), ...protectedErrors },
    },
  }, async (request) => rfmMovement(db, actorOf(request).tenantId, request.query, request.query));

  r.get('/api/v1/analytics/lifecycle', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['analytics'], summary: 'Customers per lifecycle stage, and the flow between stages month over month',
      description: RULES, querystring: MonthRange.extend(Filter.shape),
      response: { 200: z.object({ stages: z.array(z.object({ stage: z.string(), customers: z.number().int() })), flow: MovementView.nullable() }), ...protectedErrors },
    },
  }, async (request) => lifecycleOverview(db, actorOf(request).tenantId, request.query, request.query));

  r.get('/api/v1/analytics/clv', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['analytics'], summary: 'CLV: the fitted models, CLV and P(alive) distributions', querystring: Filter, response: { 200: ClvView, ...protectedErrors } },
  }, async (request) => clvOverview(db, actorOf(request).tenantId, request.query));

  r.get('/api/v1/analytics/clv/at-risk', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['analytics'], summary: 'Valuable customers at risk: high spend or CLV, low P(alive)',
      description: 'P(alive) below pAliveBelow, and a value tier above the first or a CLV in the top tenth; most spent first.',
      querystring: PageQuery.extend(Filter.shape).extend({ pAliveBelow: z.coerce.number().gt(0).max(1).default(0.3) }),
      response: { 200: pageOf(AtRisk), ...protectedErrors },
    },
  }, async (request) => atRiskCustomers(db, actorOf(request).tenantId, request.query));
}
