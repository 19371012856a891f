// The guide's day: the workbench, finishing tasks, completion per guide and day, the prompt at
// the till, and handing customers to another guide (transfer, resigned-staff inheritance).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly } from '../../core/access/access.rules.ts';
import { invalid } from '../../core/errors.ts';
import { finishTask, taskCompletion } from '../../core/tasks/task-work.service.ts';
import { posPrompt } from '../../core/workbench/pos-prompt.service.ts';
import { resignStaff, transferCustomers } from '../../core/workbench/transfers.service.ts';
import { workbench, workbenchStaff } from '../../core/workbench/workbench.service.ts';
import { nextDate, startOfLocalDay } from '../../core/time.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, ErrorResponse, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';

const Task = z.object({
  id: z.string(), kind: z.string(), title: z.string(), detail: z.record(z.string(), z.unknown()), dueAt: Instant,
  status: z.enum(['open', 'done', 'skipped', 'expired']), overdue: z.boolean(), staffId: z.string().nullable(),
  customer: z.object({ id: z.string(), name: z.string() }).nullable(), groupId: z.string().nullable(), doneAt: Instant.nullable(), doneBy: z.string().nullable(),
});
const ListedCustomer = z.object({ id: z.string(), name: z.string(), note: z.string() });
const Workbench = z.object({
  staff: z.object({ id: z.string(), name: z.string(), storeId: z.string().nullable() }),
  date: CalendarDate,
  tasks: z.array(Task).describe('open tasks due today (local day), overdue ones included'),
  progress: z.object({ done: z.number().int(), skipped: z.number().int(), open: z.number().int() }),
  birthdaysToday: z.array(ListedCustomer), birthdaysThisWeek: z.array(ListedCustomer),
  atRisk: z.array(ListedCustomer).describe('valuable customers (RFM monetary 4–5) the model gives under 50% chance of staying'),
  newFriends: z.array(ListedCustomer).describe('friends added in the last 24 hours, to welcome'),
  notInGroup: z.array(ListedCustomer).describe('bought in store in the last 30 days, in no active group'),
});
const PosAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('add_friend'), code: z.object({ id: z.string(), name: z.string(), landingPath: z.string() }).nullable() }),
  z.object({ kind: z.literal('invite_to_group'), group: z.object({ id: z.string(), name: z.string(), members: z.number().int() }) }),
  z.object({ kind: z.literal('offer_coupon'), coupon: z.object({ code: z.string(), name: z.string(), validTo: Instant }).nullable(), template: z.object({ id: z.string(), name: z.string() }).nullable() }),
]);

/** The prompt at the till's answer; its serializer is plain JSON (see the route). */
export const PosPromptAnswer = z.object({
  customer: z.object({ id: z.string(), name: z.string(), isFriend: z.boolean(), inGroup: z.boolean() }).nullable(),
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  actions: z.array(PosAction),
});

export function workbenchRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['workbench'];

  r.get('/api/v1/workbench', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'A guide\'s day: today\'s tasks and the lists to work from',
      description: 'A guide sees their own; operators and admins name the staff member with staffId.',
      querystring: z.object({ staffId: Id.optional() }), response: { 200: Workbench, ...protectedErrors },
    },
  }, async (request) => workbench(db, actorOf(request), request.query.staffId));

  for (const [action, outcome] of [['complete', 'done'], ['skip', 'skipped']] as const) {
    r.post(`/api/v1/tasks/:id/${action}`, {
      config: { permission: 'customers:read' },
      schema: { tags, summary: outcome === 'done' ? 'Mark a task done' : 'Skip a task', params: IdParams, response: { 200: Task, 409: ErrorResponse, ...protectedErrors } },
    }, async (request) => finishTask(db, actorOf(request), request.params.id, outcome));
  }

  r.get('/api/v1/tasks/completion', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'Tasks done, skipped and still open per guide per local day',
      querystring: z.object({ from: CalendarDate, to: CalendarDate, staffId: Id.optional() }),
      response: { 200: z.object({ items: z.array(z.object({ staffId: z.string(), staffName: z.string(), day: z.string(), done: z.number().int(), skipped: z.number().int(), open: z.number().int() })) }), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const q = request.query;
    if (q.from > q.to) throw invalid('query.from', 'must not be after to', { code: 'range_reversed', params: { from: q.from, to: q.to } });
    const staffId = actor.role === 'guide' ? (await workbenchStaff(db, actor, q.staffId)).id : q.staffId;
    const range = { from: startOfLocalDay(q.from, actor.timezone), to: startOfLocalDay(nextDate(q.to), actor.timezone) };
    return { items: await taskCompletion(db, actor.tenantId, actor.timezone, range, staffId) };
  });

  r.get('/api/v1/pos/prompt', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'What the guide at the till should do now for this customer',
      description: 'Actions, most important first: add_friend (with the store\'s code), invite_to_group (a store group with room), offer_coupon (one they hold, or the welcome coupon). An unknown customer gets add_friend.',
      querystring: z.object({ phone: z.string().max(32).optional(), memberNo: z.string().min(1).max(64).optional(), storeId: Id.optional().describe('the till\'s store; else the caller\'s staff store, else the customer\'s') }),
      response: { 200: PosPromptAnswer, ...protectedErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query;
    const answer = await posPrompt(db, actor.tenantId, { phone: q.phone, memberNo: q.memberNo }, { storeId: q.storeId ?? null, staffId: actor.staffId, ownOnly: ownCustomersOnly(actor) });
    // The answer is built field by field in PosPromptAnswer's shape and key order from typed
    // values, so it is written as it is: encoding it through the schema again cost the checkout
    // path CPU and garbage for the same bytes (a test holds the two to the same bytes).
    reply.type('application/json; charset=utf-8').serializer(JSON.stringify);
    return answer;
  });

  r.post('/api/v1/customers/transfer', {
    config: { permission: 'customers:transfer' },
    schema: {
      tags, summary: 'Hand customers to another guide',
      description: 'WeCom allows a customer at most 2 transfers in 90 days: a customer beyond that (or already served by the new guide) is refused with the reason and left unchanged; the others move. Each move is on the customer\'s timeline.',
      body: z.object({ customerIds: z.array(Id).min(1).max(1000), toStaffId: Id, reason: z.string().trim().min(1).max(200) }),
      response: {
        200: z.object({
          transferred: z.array(z.object({ customerId: z.string(), fromStaffId: z.string().nullable() })),
          refused: z.array(z.object({
            customerId: z.string(), reason: z.enum(['not_found', 'already_owner', 'transfer_limit']), message: z.string(),
            possibleFrom: CalendarDate.nullable().describe('transfer_limit: the first day (UTC) another transfer is allowed'),
          })),
        }),
        ...protectedErrors,
      },
    },
  }, async (request) => transferCustomers(db, actorOf(request), request.body));

  r.post('/api/v1/staff/:id/resign', {
    config: { permission: 'org:write' },
    schema: {
      tags, summary: 'A staff member leaves: their customers and open tasks go to a successor',
      params: IdParams, body: z.object({ successorStaffId: Id }),
      response: { 200: z.object({ inherited: z.number().int() }), 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => resignStaff(db, actorOf(request), request.params.id, request.body.successorStaffId));
}
