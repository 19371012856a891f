// Groups (社群): the registry, members and their history, messages, weekly health with its
// classification; auto-invite rules; keyword auto-reply and moderation rules with their log.
// Reading needs customers:read (a guide sees the groups they own), changing groups:write.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { createGroup, getGroup, groupMembers, groupMessages, listGroups, memberHistory, updateGroup } from '../../core/groups/groups.service.ts';
import { recomputeGroupHealth } from '../../core/groups/health.service.ts';
import { createInviteRule, listInviteRules, runInviteRule, setInviteRuleActive } from '../../core/groups/invites.service.ts';
import { createGroupRule, deleteGroupRule, listGroupRules, moderationLog, updateGroupRule } from '../../core/groups/rules.service.ts';
import { deleteGroupWelcome, GroupWelcomeInput, listGroupWelcomes, saveGroupWelcome } from '../../core/groups/welcome.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, Id, IdParams, Instant, PageQuery, pageOf, protectedErrors } from '../schemas.ts';

const Kind = z.enum(['value', 'interest', 'group_buy', 'vip', 'service', 'other']);
const HealthClass = z.enum(['value', 'chicken_rib', 'dead', 'spam']);
const Shape = z.enum(['mesh', 'hub_and_spoke', 'unknown']);
const Health = z.object({
  class: HealthClass.describe('value 价值群, chicken_rib 鸡肋群, dead 死亡群, spam 垃圾群'), shape: Shape, week: z.string().describe('ISO week (Monday) judged'),
  reasons: z.array(z.unknown()).describe('[{ code, values }]: the figures and thresholds behind the verdict'),
  actions: z.array(z.unknown()).describe('revive | dissolve | split | clean_spam | spark_conversation'), computedAt: Instant,
});
const Ref = z.object({ id: z.string(), name: z.string() });
const GroupSummary = z.object({
  id: z.string(), chatId: z.string(), name: z.string(), kind: Kind, purpose: z.string(), status: z.enum(['active', 'dissolved']),
  capacity: z.number().int(), members: z.number().int(), owner: Ref.nullable(), store: Ref.nullable(), seriesOf: z.string().nullable(),
  createdAt: Instant, dissolvedAt: Instant.nullable(), health: Health.nullable(),
  trend: z.array(z.object({ week: z.string(), messages: z.number().int(), activeMembers: z.number().int() })),
});
const Week = z.object({
  week: z.string(), members: z.number().int(), joins: z.number().int(), leaves: z.number().int(), messages: z.number().int(),
  staffMessages: z.number().int(), ownerMessages: z.number().int(), activeMembers: z.number().int(), replies: z.number().int(),
  memberReplies: z.number().int(), staffReplies: z.number().int(), memberLinks: z.number().int(), flaggedMessages: z.number().int(),
});
const GroupDetail = GroupSummary.extend({ weeks: z.array(Week) });

const NewGroup = z.object({
  name: z.string().trim().min(1).max(100),
  kind: Kind,
  purpose: z.string().max(500).optional(),
  capacity: z.number().int().min(2).max(500).optional().describe('WeCom customer groups hold at most 500'),
  ownerStaffId: Id.nullable().optional(),
  storeId: Id.nullable().optional(),
  chatId: z.string().trim().min(1).max(128).optional().describe('WeCom chat id; left out, the group waits as pending:<id> until bound'),
  seriesOf: Id.nullable().optional(),
}).strict();
const GroupPatch = NewGroup.partial().extend({ status: z.enum(['active', 'dissolved']).optional().describe('dissolved: the group is finished') }).strict();

const InviteRule = z.object({
  id: z.string(), name: z.string(), tagId: z.string().nullable(), segmentId: z.string().nullable(), kind: Kind, storeId: z.string().nullable(),
  active: z.boolean(), createdAt: Instant, lastRunAt: Instant.nullable(),
});
const NewInviteRule = z.object({
  name: z.string().trim().min(1).max(100), tagId: Id.nullable().optional(), segmentId: Id.nullable().optional(), kind: Kind,
  storeId: Id.nullable().optional(), active: z.boolean().optional(),
}).strict();

const RuleKind = z.enum(['auto_reply', 'banned_word', 'link']);
const RuleMatch = z.enum(['keyword', 'regex', 'any_link']);
const RuleAction = z.enum(['reply', 'flag', 'remove']);
const GroupRule = z.object({
  id: z.string(), name: z.string(), groupId: z.string().nullable(), kind: RuleKind, match: RuleMatch, pattern: z.string(), replyTemplate: z.string(),
  action: RuleAction, active: z.boolean(), createdAt: Instant, updatedAt: Instant,
});
const NewGroupRule = z.object({
  name: z.string().trim().min(1).max(100),
  groupId: Id.nullable().optional().describe('left out: every group of the tenant'),
  kind: RuleKind, match: RuleMatch,
  pattern: z.string().max(1000).optional().describe('keywords separated by commas or spaces, or a regular expression (at most 200 characters, no nested repetition)'),
  replyTemplate: z.string().max(1000).optional().describe('auto-reply text; {nickname} and {group} are filled in'),
  action: RuleAction, active: z.boolean().optional(),
}).strict();

const GroupWelcome = z.object({
  id: z.string(), groupId: z.string().nullable(), groupKind: Kind.nullable(), text: z.string(), enabled: z.boolean(),
  wecomTemplateId: z.string().nullable().describe('WeCom group welcome material (入群欢迎语素材) made from it'), wecomDetail: z.string().nullable(), updatedAt: Instant,
});

export function groupRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/group-welcomes', {
    schema: { tags: ['groups'], summary: 'Group welcome messages (入群欢迎语), per group or per group kind', response: { 200: z.object({ items: z.array(GroupWelcome) }), ...protectedErrors } },
    config: { permission: 'customers:read' },
  }, async (req) => ({ items: await listGroupWelcomes(db, actorOf(req).tenantId) }));

  r.put('/api/v1/group-welcomes', {
    schema: { tags: ['groups'], summary: 'Set the welcome of a group or a group kind; sent once per member when they join (by WeCom itself where WeCom is set up)', body: GroupWelcomeInput, response: { 200: GroupWelcome, ...protectedErrors } },
    config: { permission: 'groups:write' },
  }, async (req) => saveGroupWelcome(db, actorOf(req).tenantId, req.body, actorOf(req).name));

  r.delete('/api/v1/group-welcomes/:id', {
    schema: { tags: ['groups'], summary: 'Remove a group welcome', params: IdParams, response: { 204: z.null(), ...protectedErrors } },
    config: { permission: 'groups:write' },
  }, async (req, reply) => { await deleteGroupWelcome(db, actorOf(req).tenantId, req.params.id); return reply.code(204).send(null); });

  r.get('/api/v1/groups', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['groups'], summary: 'Groups with members, health and weekly trend',
      querystring: PageQuery.extend({
        storeId: Id.optional(), ownerId: Id.optional(), kind: Kind.optional(), status: z.enum(['active', 'dissolved']).optional(),
        healthClass: HealthClass.optional(), q: z.string().max(100).optional(),
      }),
      response: { 200: pageOf(GroupSummary), ...protectedErrors },
    },
  }, async (request) => listGroups(db, actorOf(request), request.query));

  r.post('/api/v1/groups', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Register a group', body: NewGroup, response: { 201: GroupDetail, 409: ErrorResponse, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createGroup(db, actorOf(request), request.body)));

  r.post('/api/v1/groups/health/recompute', {
    config: { permission: 'groups:write' },
    schema: {
      tags: ['groups'], summary: 'Recompute weekly health of every group and classify each on its last complete week',
      body: z.object({ weeks: z.number().int().min(1).max(26).default(2) }).strict(),
      response: { 200: z.object({ groups: z.number().int(), weeks: z.number().int(), weekRows: z.number().int(), classified: z.number().int(), fromWeek: z.string(), judgedWeek: z.string() }), ...protectedErrors },
    },
  }, async (request) => recomputeGroupHealth(db, actorOf(request).tenantId, { weeks: request.body.weeks }));

  r.get('/api/v1/groups/:id', {
    config: { permission: 'customers:read' },
    schema: { tags: ['groups'], summary: 'One group with its last 13 weeks', params: IdParams, response: { 200: GroupDetail, ...protectedErrors } },
  }, async (request) => getGroup(db, actorOf(request), request.params.id));

  r.patch('/api/v1/groups/:id', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Change kind, purpose, capacity, owner, bind the chat id, or dissolve', params: IdParams, body: GroupPatch, response: { 200: GroupDetail, 409: ErrorResponse, ...protectedErrors } },
  }, async (request) => updateGroup(db, actorOf(request), request.params.id, request.body));

  r.get('/api/v1/groups/:id/members', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['groups'], summary: 'Members, newest first, with their messages in the last 90 days', params: IdParams,
      querystring: PageQuery.extend({ status: z.enum(['current', 'left', 'all']).default('current') }),
      response: { 200: pageOf(z.object({ customerId: z.string(), name: z.string(), joinedAt: Instant, leftAt: Instant.nullable(), messages90d: z.number().int() })), ...protectedErrors },
    },
  }, async (request) => groupMembers(db, actorOf(request), request.params.id, request.query));

  r.get('/api/v1/groups/:id/member-history', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['groups'], summary: 'Joins and leaves, newest first', params: IdParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(z.object({ customerId: z.string(), name: z.string(), action: z.enum(['joined', 'left']), at: Instant })) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await memberHistory(db, actorOf(request), request.params.id, request.query.limit) }));

  r.get('/api/v1/groups/:id/messages', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['groups'], summary: 'Messages said in the group, newest first', params: IdParams, querystring: PageQuery,
      response: {
        200: pageOf(z.object({
          eventId: z.string(), at: Instant,
          sender: z.object({ kind: z.enum(['customer', 'staff']), id: z.string(), name: z.string(), isOwner: z.boolean() }),
          replyTo: z.object({ kind: z.enum(['customer', 'staff']), id: z.string(), name: z.string() }).nullable(),
          text: z.string(), hasLink: z.boolean(), flagged: z.boolean(),
        })),
        ...protectedErrors,
      },
    },
  }, async (request) => groupMessages(db, actorOf(request), request.params.id, request.query));

  r.get('/api/v1/group-invite-rules', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['groups'], summary: 'Auto-invite rules', response: { 200: z.object({ items: z.array(InviteRule) }), ...protectedErrors } },
  }, async (request) => ({ items: await listInviteRules(db, actorOf(request).tenantId) }));

  r.post('/api/v1/group-invite-rules', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Invite customers of a tag or segment into groups of a kind at their store', body: NewInviteRule, response: { 201: InviteRule, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createInviteRule(db, actorOf(request).tenantId, request.body)));

  r.patch('/api/v1/group-invite-rules/:id', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Pause or resume a rule', params: IdParams, body: z.object({ active: z.boolean() }).strict(), response: { 200: InviteRule, ...protectedErrors } },
  }, async (request) => setInviteRuleActive(db, actorOf(request).tenantId, request.params.id, request.body.active));

  r.post('/api/v1/group-invite-rules/:id/run', {
    config: { permission: 'groups:write' },
    schema: {
      tags: ['groups'], summary: 'Create invitation tasks now; full groups roll over to the next of their series', params: IdParams,
      response: { 200: z.object({ ruleId: z.string(), invited: z.number().int(), unrouted: z.number().int(), groupsCreated: z.array(Ref) }), ...protectedErrors },
    },
  }, async (request) => runInviteRule(db, actorOf(request).tenantId, request.params.id));

  r.get('/api/v1/group-rules', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['groups'], summary: 'Auto-reply and moderation rules (of a group: its own and the tenant-wide ones)', querystring: z.object({ groupId: Id.optional() }), response: { 200: z.object({ items: z.array(GroupRule) }), ...protectedErrors } },
  }, async (request) => ({ items: await listGroupRules(db, actorOf(request).tenantId, request.query.groupId) }));

  r.post('/api/v1/group-rules', {
    config: { permission: 'groups:write' },
    schema: {
      tags: ['groups'], summary: 'Add an auto-reply or moderation rule',
      description: 'An invalid regular expression, one longer than 200 characters, or one that could backtrack catastrophically is refused (400) with the reason.',
      body: NewGroupRule, response: { 201: GroupRule, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createGroupRule(db, actorOf(request).tenantId, request.body)));

  r.patch('/api/v1/group-rules/:id', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Change a rule', params: IdParams, body: NewGroupRule.partial().strict(), response: { 200: GroupRule, ...protectedErrors } },
  }, async (request) => updateGroupRule(db, actorOf(request).tenantId, request.params.id, request.body));

  r.delete('/api/v1/group-rules/:id', {
    config: { permission: 'groups:write' },
    schema: { tags: ['groups'], summary: 'Delete a rule', params: IdParams, response: { 204: z.null(), ...protectedErrors } },
  }, async (request, reply) => {
    await deleteGroupRule(db, actorOf(request).tenantId, request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/group-moderation-log', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['groups'], summary: 'What auto-reply and moderation did, newest first', querystring: z.object({ groupId: Id.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: {
        200: z.object({ items: z.array(z.object({
          id: z.string(), groupId: z.string(), groupName: z.string(), ruleId: z.string().nullable(), ruleName: z.string().nullable(), customerId: z.string().nullable(),
          customerName: z.string().nullable(), action: RuleAction, detail: z.record(z.string(), z.unknown()), at: Instant,
        })) }),
        ...protectedErrors,
      },
    },
  }, async (request) => ({ items: await moderationLog(db, actorOf(request).tenantId, request.query) }));
}
