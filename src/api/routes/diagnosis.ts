// The operating-model diagnosis: what the tenant's orders measure, and a diagnosis from the
// questionnaire. Reads need analytics:read; running one playbooks:write.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { DiagnosisAnswers, MODELS } from '../../core/diagnosis/diagnosis.rules.ts';
import { footprintOf, latestDiagnosis, measureOrders, runDiagnosis } from '../../core/diagnosis/diagnosis.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, Instant, protectedErrors } from '../schemas.ts';

const RULES = `Model (seeds 000, 002): frequency f = log10(purchasesPerYear / 4) and ticket p = log10(averageTicketFen / 20000) place the business on the quadrant; each model's fit combines soft steps of f and p with expertise and social appeal: 知识专家 expert = high f × high p × expertise; 专属顾问 advisor = low f × high p × expertise, less when social; 购物参谋 shopping = high f × low p, less with expertise; 兴趣同好 interest = high p × social. Shares sum to 1; the runner-up's margin says how close it is. Frequency, ticket and repurchase come from the last 365 days of orders when there are at least 30 buyers and 60 days of history (repurchase: 180 days); otherwise from the answers. Maturity (seed 001): the answered level, capped by what Yuchi sees running once it holds data. Warnings (seed 004): repurchase below 20% a year (critical below 10%), no complete solution, no dedicated staff (critical for advisor and expert models), a weak fit (below 0.25). Verdict: not_recommended with a critical warning or three warnings, caution with any, else go.`;

const Measured = z.object({
  purchasesPerYear: z.number().nullable(), averageTicketFen: z.number().nullable(), repurchaseRate: z.number().nullable(),
  buyers: z.number().int(), days: z.number().int().describe('days of order history in the last year'),
});
const Footprint = z.object({
  friends: z.number().int(), groups: z.number().int(), ruleTags: z.number().int(), promotions: z.number().int(), segments: z.number().int(),
  scored: z.boolean(), membership: z.boolean(), automation: z.boolean(),
});
const Model = z.enum(MODELS);
const Sourced = z.object({ value: z.number(), source: z.enum(['answered', 'measured']) });
const Result = z.object({
  model: Model,
  scores: z.array(z.object({ model: Model, share: z.number(), fit: z.number() })),
  runnerUp: z.object({ model: Model, share: z.number(), margin: z.number() }),
  reasons: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.number(), z.string()])) })),
  inputs: z.object({
    purchasesPerYear: Sourced, averageTicketFen: Sourced, repurchaseRate: Sourced,
    expertise: z.string(), social: z.string(), solution: z.string(), serviceStaff: z.number().int(), stores: z.number().int().nullable(),
  }),
  position: z.object({ frequency: z.number(), ticket: z.number() }).describe('decades from the dividing lines (4 a year, ¥200)'),
  maturity: z.object({
    level: z.enum(['junior', 'intermediate', 'senior']), answered: z.enum(['junior', 'intermediate', 'senior']),
    next: z.array(z.object({ item: z.string(), done: z.boolean() })),
  }),
  warnings: z.array(z.object({
    code: z.string(), severity: z.enum(['warning', 'critical']), params: z.record(z.string(), z.union([z.number(), z.string()])), suggestions: z.array(z.string()),
  })),
  verdict: z.enum(['go', 'caution', 'not_recommended']),
});
const View = z.object({ id: z.string(), createdAt: Instant, createdBy: z.string(), answers: DiagnosisAnswers, measured: Measured.nullable(), result: Result });

export function diagnosisRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/diagnosis/measured', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['playbooks'], summary: 'What the tenant\'s orders measure, and what Yuchi already runs for it',
      description: 'The questionnaire pre-fills from this; null measures need answers.',
      response: { 200: z.object({ measured: Measured, footprint: Footprint }), ...protectedErrors },
    },
  }, async (request) => {
    const { tenantId } = actorOf(request);
    return { measured: await measureOrders(db, tenantId), footprint: await footprintOf(db, tenantId) };
  });

  r.post('/api/v1/diagnoses', {
    config: { permission: 'playbooks:write' },
    schema: {
      tags: ['playbooks'], summary: 'Diagnose the operating model, maturity and risks',
      description: `Incomplete answers: 422 incomplete_answers naming each missing answer. ${RULES}`,
      body: z.object({ answers: DiagnosisAnswers }), response: { 201: View, 422: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await runDiagnosis(db, actor.tenantId, request.body.answers, actor.name));
  });

  r.get('/api/v1/diagnoses/latest', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['playbooks'], summary: 'The latest diagnosis', description: RULES, response: { 200: View, ...protectedErrors } },
  }, async (request) => latestDiagnosis(db, actorOf(request).tenantId));
}
