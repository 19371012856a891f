// SOP calendars (plans with daily and weekly slots), ready-made templates, generated runs, and the
// script library (话术库).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { createPlan, deletePlan, getPlan, groupChoices, inputOf, listPlans, updatePlan } from '../../core/sop/plans.service.ts';
import { listRuns } from '../../core/sop/runs.service.ts';
import { createScript, deleteScript, getScript, listScripts, recordScriptUse, SCRIPT_SCENARIOS, scriptUsage, updateScript } from '../../core/sop/scripts.service.ts';
import { applyTemplate, getTemplate, listTemplates } from '../../core/sop/templates.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';

const GroupKind = z.enum(['value', 'interest', 'group_buy', 'vip', 'service', 'other']);
const Target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('groups'), groupIds: z.array(Id).min(1).max(10_000) }).describe('the listed groups'),
  z.object({ kind: z.literal('group_kind'), groupKind: GroupKind }).describe('every active group of this kind, including groups made later'),
]);
const Content = z.object({
  text: z.string().min(1).max(2000),
  images: z.array(z.url()).max(9).optional(),
  links: z.array(z.object({ title: z.string().min(1).max(100), url: z.url() })).max(5).optional(),
  couponTemplateId: Id.nullable().optional().describe('a coupon template the guide offers or the post carries'),
});
const Slot = z.object({
  id: Id.optional().describe('an existing slot of the plan, to keep its id (its runs keep deduplicating)'),
  weekday: z.number().int().min(1).max(7).nullable().describe('null: every day; 1 = Monday … 7 = Sunday'),
  time: z.string().describe('HH:MM, in the tenant\'s time zone'),
  durationMinutes: z.number().int().min(5).max(720).optional().describe('default 30; two slots reaching one group may not overlap'),
  title: z.string().min(1).max(100),
  content: Content,
  ownerStaffId: Id.nullable().optional().describe('null: the group\'s owner'),
  mode: z.enum(['task', 'auto']).describe('task: handed to the guide to post and confirm; auto: sent through the WeCom channel'),
});
const PlanBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  target: Target,
  status: z.enum(['active', 'paused']).optional(),
  slots: z.array(Slot).max(100),
});
const SlotView = Slot.extend({ id: z.string(), durationMinutes: z.number().int(), ownerStaffId: z.string().nullable(), content: z.object({
  text: z.string(), images: z.array(z.string()).optional(), links: z.array(z.object({ title: z.string(), url: z.string() })).optional(), couponTemplateId: z.string().nullable().optional(),
}) });
const Plan = z.object({
  id: z.string(), name: z.string(), description: z.string(),
  target: z.union([z.object({ kind: z.literal('groups'), groupIds: z.array(z.string()) }), z.object({ kind: z.literal('group_kind'), groupKind: GroupKind })]),
  status: z.enum(['active', 'paused']), templateKey: z.string().nullable(), slots: z.array(SlotView), createdAt: Instant, updatedAt: Instant,
});
const Template = z.object({
  key: z.string(), name: z.string(), model: z.string(), summary: z.string(), groupKind: GroupKind,
  slots: z.array(z.object({ weekday: z.number().nullable(), time: z.string(), durationMinutes: z.number().optional(), title: z.string(), text: z.string(), mode: z.enum(['task', 'auto']), lever: z.string().optional() })),
});
const Run = z.object({
  id: z.string(), planId: z.string(), planName: z.string(), slotId: z.string(), slotTitle: z.string().nullable(), groupId: z.string(), groupName: z.string(),
  localDate: z.string(), dueAt: Instant, mode: z.enum(['task', 'auto']), outcome: z.string(), reason: z.string().nullable(), staffId: z.string().nullable(),
  staffName: z.string().nullable(), taskStatus: z.string().nullable(), state: z.enum(['done', 'missed', 'pending']),
});
const ScriptBody = z.object({
  title: z.string().min(1).max(100),
  scenario: z.string().min(1).max(30).describe(`e.g. ${SCRIPT_SCENARIOS.join(', ')}`),
  body: z.string().min(1).max(2000),
  tagIds: z.array(Id).max(20).optional().describe('the tags this script answers (高姿: the questionnaire\'s tag picks the script)'),
});
const Script = z.object({
  id: z.string(), title: z.string(), scenario: z.string(), body: z.string(), tags: z.array(z.object({ id: z.string(), name: z.string() })),
  useCount: z.number().int(), usedByMe: z.number().int(), matchedTags: z.number().int(), updatedAt: Instant,
});
const KeyParams = z.object({ key: z.string().max(100) });

export function sopRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sop'];

  r.get('/api/v1/sop/plans', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'SOP plans with their slots', response: { 200: z.object({ items: z.array(Plan) }), ...protectedErrors } },
  }, async (request) => ({ items: await listPlans(db, actorOf(request).tenantId) }));

  r.post('/api/v1/sop/plans', {
    config: { permission: 'sop:write' },
    schema: {
      tags, summary: 'Create an SOP plan',
      description: 'Slots that overlap for any group the plan reaches (within the plan, or with another active plan for the same groups, listed or by kind) are refused with 409 slot_overlap naming each slot.',
      body: PlanBody, response: { 201: Plan, ...protectedErrors, 409: protectedErrors[400] },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createPlan(db, actor.tenantId, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/sop/plans/:id', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'One SOP plan', params: IdParams, response: { 200: Plan, ...protectedErrors } },
  }, async (request) => getPlan(db, actorOf(request).tenantId, request.params.id));

  r.put('/api/v1/sop/plans/:id', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'Replace an SOP plan and its slots', description: 'Slots sent with their id keep it; slots left out are removed.', params: IdParams, body: PlanBody, response: { 200: Plan, ...protectedErrors, 409: protectedErrors[400] } },
  }, async (request) => updatePlan(db, actorOf(request).tenantId, request.params.id, request.body));

  r.post('/api/v1/sop/plans/:id/status', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'Pause or resume a plan', description: 'Resuming checks overlaps again.', params: IdParams, body: z.object({ status: z.enum(['active', 'paused']) }), response: { 200: Plan, ...protectedErrors, 409: protectedErrors[400] } },
  }, async (request) => {
    const tenantId = actorOf(request).tenantId;
    const plan = await getPlan(db, tenantId, request.params.id);
    return updatePlan(db, tenantId, plan.id, { ...inputOf(plan), status: request.body.status });
  });

  r.delete('/api/v1/sop/plans/:id', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'Delete an SOP plan (its runs go with it; tasks already made stay)', params: IdParams, response: { 204: z.null(), ...protectedErrors } },
  }, async (request, reply) => {
    await deletePlan(db, actorOf(request).tenantId, request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/sop/groups', {
    config: { permission: 'sop:write' },
    schema: {
      tags, summary: 'Active groups to pick for a plan', querystring: z.object({ q: z.string().max(50).optional() }),
      response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), kind: GroupKind, ownerName: z.string().nullable() })) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await groupChoices(db, actorOf(request).tenantId, request.query.q) }));

  r.get('/api/v1/sop/templates', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'Ready-made SOP templates (the four operating models, the weekly plan, the eight levers)', response: { 200: z.object({ items: z.array(Template) }), ...protectedErrors } },
  }, async () => ({ items: [...listTemplates()] }));

  r.get('/api/v1/sop/templates/:key', {
    config: { permission: 'sop:write' },
    schema: { tags, summary: 'Preview one template', params: KeyParams, response: { 200: Template, ...protectedErrors } },
  }, async (request) => getTemplate(request.params.key));

  r.post('/api/v1/sop/templates/:key/apply', {
    config: { permission: 'sop:write' },
    schema: {
      tags, summary: 'Make a plan from a template',
      description: 'Without a target the plan reaches the template\'s group kind. A name already taken gets a suffix (「名称 (2)」); nothing is overwritten.',
      params: KeyParams,
      body: z.object({ target: Target.optional(), name: z.string().min(1).max(90).optional(), status: z.enum(['active', 'paused']).optional() }),
      response: { 201: Plan, ...protectedErrors, 409: protectedErrors[400] },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await applyTemplate(db, actor.tenantId, request.params.key, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/sop/runs', {
    config: { permission: 'sop:write' },
    schema: {
      tags, summary: 'Generated SOP work: done, missed or pending',
      querystring: z.object({ from: CalendarDate, to: CalendarDate, planId: Id.optional(), state: z.enum(['done', 'missed', 'pending']).optional(), limit: z.coerce.number().int().min(1).max(2000).optional() }),
      response: { 200: z.object({ items: z.array(Run), summary: z.object({ done: z.number().int(), missed: z.number().int(), pending: z.number().int() }) }), ...protectedErrors },
    },
  }, async (request) => listRuns(db, actorOf(request).tenantId, request.query, new Date()));

  r.get('/api/v1/scripts', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['scripts'], summary: 'The script library (话术库)',
      description: 'With customerId, scripts for that customer\'s tags come first (more matched tags first), then general scripts, then scripts for other tags; a guide may ask only about their own customers.',
      querystring: z.object({ q: z.string().max(100).optional(), scenario: z.string().max(30).optional(), tagId: Id.optional(), customerId: Id.optional() }),
      response: { 200: z.object({ items: z.array(Script), scenarios: z.array(z.string()) }), ...protectedErrors },
    },
  }, async (request) => {
    const items = await listScripts(db, actorOf(request), request.query);
    return { items, scenarios: [...new Set([...SCRIPT_SCENARIOS, ...items.map((s) => s.scenario)])] };
  });

  r.post('/api/v1/scripts', {
    config: { permission: 'sop:write' },
    schema: { tags: ['scripts'], summary: 'Add a script', body: ScriptBody, response: { 201: Script, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createScript(db, actorOf(request), request.body)));

  r.get('/api/v1/scripts/usage', {
    config: { permission: 'sop:write' },
    schema: { tags: ['scripts'], summary: 'Copies per script and guide', response: { 200: z.object({ items: z.array(z.object({ scriptId: z.string(), usedBy: z.string(), staffId: z.string().nullable(), staffName: z.string().nullable(), uses: z.number().int() })) }), ...protectedErrors } },
  }, async (request) => ({ items: await scriptUsage(db, actorOf(request).tenantId) }));

  r.get('/api/v1/scripts/:id', {
    config: { permission: 'customers:read' },
    schema: { tags: ['scripts'], summary: 'One script', params: IdParams, response: { 200: Script, ...protectedErrors } },
  }, async (request) => getScript(db, actorOf(request), request.params.id));

  r.put('/api/v1/scripts/:id', {
    config: { permission: 'sop:write' },
    schema: { tags: ['scripts'], summary: 'Change a script', params: IdParams, body: ScriptBody, response: { 200: Script, ...protectedErrors } },
  }, async (request) => updateScript(db, actorOf(request), request.params.id, request.body));

  r.delete('/api/v1/scripts/:id', {
    config: { permission: 'sop:write' },
    schema: { tags: ['scripts'], summary: 'Delete a script', params: IdParams, response: { 204: z.null(), ...protectedErrors } },
  }, async (request, reply) => {
    await deleteScript(db, actorOf(request).tenantId, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/scripts/:id/used', {
    config: { permission: 'customers:read' },
    schema: { tags: ['scripts'], summary: 'Count a copy of a script by the caller', params: IdParams, response: { 200: z.object({ useCount: z.number().int(), usedByMe: z.number().int() }), ...protectedErrors } },
  }, async (request) => recordScriptUse(db, actorOf(request), request.params.id));
}
