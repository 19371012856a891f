// Playbooks: the four models' set-ups, previewed, applied in one step, tracked and undone.
// Reads need analytics:read; applying and undoing playbooks:write.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { MODELS } from '../../core/diagnosis/diagnosis.rules.ts';
import { KPI_STEPS } from '../../core/playbooks/playbooks.content.ts';
import { playbookHealth } from '../../core/playbooks/playbooks.health.ts';
import { applyPlaybook, getApplication, listApplications, previewPlaybook, undoApplication } from '../../core/playbooks/playbooks.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, IdParams, Instant, protectedErrors } from '../schemas.ts';

const Model = z.enum(MODELS);
const Targets = z.partialRecord(z.enum(KPI_STEPS), z.number()).describe('KPI targets: shares 0–1, friends per store per week, member-day lift as a ratio');
const Preview = z.object({
  model: Model, name: z.string(), summary: z.string(), plan: z.array(z.string()), targets: Targets,
  items: z.array(z.object({
    kind: z.string(), key: z.string(), name: z.string(), finalName: z.string().describe('the name it will get; a suffix when the tenant already uses the name'),
    clash: z.boolean(), description: z.string(),
    action: z.enum(['create', 'create_paused', 'create_draft', 'keep_existing', 'skip'])
      .describe('create; create_paused (a code whose staff have no WeCom QR on file, an SOP plan overlapping a running one); create_draft (a journey sending through a channel not configured); keep_existing (the tenant\'s own membership rules stay); skip (no active staff to answer a code)'),
    note: z.enum(['no_active_staff', 'needs_staff_qr', 'sop_overlap', 'channel_not_configured', 'membership_exists', 'tiers_exist']).nullable().describe('why the item is not simply created'),
    noteDetail: z.string().describe('figures: a code\'s rotation size; an SOP plan\'s group kind and its active groups ("interest:3"); a journey\'s missing channels; the existing tiers'),
  })),
});
const Application = z.object({
  id: z.string(), model: Model, name: z.string(), status: z.enum(['applied', 'undone']), appliedBy: z.string(), appliedAt: Instant,
  undoneAt: Instant.nullable(), targets: Targets,
  objects: z.array(z.object({
    kind: z.string(), key: z.string(), objectId: z.string(), name: z.string(),
    outcome: z.string().nullable().describe('after an undo: removed, ended, paused, archived, disabled, kept or gone'), outcomeReason: z.string().nullable(),
  })),
});
const Health = z.object({
  applicationId: z.string(), measuredAt: Instant,
  kpis: z.array(z.object({ key: z.enum(KPI_STEPS), value: z.number().nullable(), target: z.number(), sample: z.number().int(), met: z.boolean().nullable() })),
  weakest: z.object({ key: z.enum(KPI_STEPS), advice: z.string() }).nullable(),
});
const ModelParams = z.object({ model: Model });

export function playbookRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/playbooks', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['playbooks'], summary: 'The four playbooks, each as it would apply to this tenant', response: { 200: z.array(Preview), ...protectedErrors } },
  }, async (request) => {
    const { tenantId } = actorOf(request);
    return Promise.all(MODELS.map((m) => previewPlaybook(db, tenantId, m)));
  });

  r.get('/api/v1/playbooks/:model', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['playbooks'], summary: 'Preview a playbook: what it creates, and the names it will use', params: ModelParams, response: { 200: Preview, ...protectedErrors } },
  }, async (request) => previewPlaybook(db, actorOf(request).tenantId, request.params.model));

  r.post('/api/v1/playbooks/:model/apply', {
    config: { permission: 'playbooks:write' },
    schema: {
      tags: ['playbooks'], summary: 'Apply a playbook: everything or nothing',
      description: 'A name the tenant already uses gets a suffix （2）, （3）…; nothing existing is changed: membership rules or tiers the tenant already has are kept (the preview says so). Every object made is recorded against the application. Journeys are published, or left as drafts when they send through a channel the tenant has not configured.',
      params: ModelParams, response: { 201: Application, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await applyPlaybook(db, actorOf(request), request.params.model)));

  r.get('/api/v1/playbook-applications', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['playbooks'], summary: 'Playbooks applied to this tenant, newest first', response: { 200: z.array(Application), ...protectedErrors } },
  }, async (request) => listApplications(db, actorOf(request).tenantId));

  r.get('/api/v1/playbook-applications/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['playbooks'], summary: 'One application with its objects', params: IdParams, response: { 200: Application, ...protectedErrors } },
  }, async (request) => getApplication(db, actorOf(request).tenantId, request.params.id));

  r.post('/api/v1/playbook-applications/:id/undo', {
    config: { permission: 'playbooks:write' },
    schema: {
      tags: ['playbooks'], summary: 'Undo an application',
      description: 'Segments archived; rule tags deleted (their group kept if operators added tags to it); coupon templates deleted, or ended when coupons were issued or something kept still names them; price rules deleted; acquisition codes deleted, or paused when scanned or friends were added through them; SOP plans deleted, or paused when posts were made; journeys deleted, or archived when customers entered; membership settings removed, or disabled (points off) when points were earned, kept when operators changed them; the tier ladder removed, or kept when customers are placed in it. Each object says what became of it. A second undo: 409 already_undone.',
      params: IdParams, response: { 200: Application, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => undoApplication(db, actorOf(request), request.params.id));

  r.get('/api/v1/playbook-applications/:id/health', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['playbooks'], summary: 'The playbook\'s KPIs against its targets, and the step to fix',
      description: 'Funnel order: new friends per store per week (last 28 days); 7-day friend retention and group join rate (adds 7–35 days old); 7-day group retention (joins 7–35 days old); first order within 14 days of the add (adds 14–42 days old); a second purchase day within 30 days of the first order (first orders 30–60 days old); member-day lift (average GMV of the tenant member days (Tuesday when none are set) over other days, the last 8 full weeks). A value over fewer than 20 cases is null. `weakest` is the first KPI below target.',
      params: IdParams, response: { 200: Health, ...protectedErrors },
    },
  }, async (request) => playbookHealth(db, actorOf(request).tenantId, request.params.id));
}
