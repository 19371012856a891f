// Tags: groups and tags (manual and rule), tagging customers one by one or a filtered list at
// once, pre-tags by identity, and recomputing a rule tag on demand.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { bulkTagCustomers, listCustomerTags, tagCustomer, untagCustomer } from '../../core/tags/customer-tags.service.ts';
import { visibleCustomerIds } from '../../core/customers/customers.service.ts';
import { UUID_PATTERN } from '../../core/ids.ts';
import { createPreTags, listPreTags, MAX_PRETAG_VALUES } from '../../core/tags/pretags.service.ts';
import { evaluateRuleTag } from '../../core/tags/rules.service.ts';
import { createTag, createTagGroup, deleteTag, deleteTagGroup, getTag, listTagGroups, listTags, updateTag, updateTagGroup } from '../../core/tags/tags.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, Id, IdentityKind, IdParams, Instant, PageQuery, pageOf, protectedErrors } from '../schemas.ts';
import { CustomerFilterBody } from './customers.ts';

const RULE_DOC = 'A rule: `{ all?: [rule], any?: [rule], not?: rule }` or a condition — `{ metric: spent_fen|order_count|order_days, windowDays?: 1..3650, op: >=|>|<=|<|=, value }`, '
  + '`{ lastOrderWithinDays: n }`, `{ noOrderWithinDays: n }`, `{ hasTag: tagId }`, `{ identity: kind }`, `{ sourceChannel }`, `{ storeId }`. '
  + 'Without windowDays a metric is all time. Example (VIP): `{ "metric": "spent_fen", "windowDays": 90, "op": ">=", "value": 200000 }`.';

const TagKind = z.enum(['manual', 'rule']);

const Tag = z.object({
  id: z.string(), groupId: z.string(), groupName: z.string(), name: z.string(), code: z.string().nullable(), color: z.string(),
  kind: TagKind, rule: z.unknown().nullable().describe(RULE_DOC), customerCount: z.number().int(), createdAt: Instant,
});

const TagGroup = z.object({
  id: z.string(), name: z.string(), description: z.string(), exclusive: z.boolean().describe('a customer holds at most one tag of the group'),
  sort: z.number().int(), createdAt: Instant, tags: z.array(Tag),
});

const NewTagGroup = z.object({
  name: z.string().max(50),
  description: z.string().max(200).optional(),
  exclusive: z.boolean().optional(),
  sort: z.number().int().min(-1000).max(1000).optional(),
});

const NewTag = z.object({
  groupId: z.string(),
  name: z.string().max(50),
  code: z.string().max(20).nullable().optional().describe('codebook code, e.g. 高姿 "3" or "D"'),
  color: z.string().max(20).optional(),
  kind: TagKind.optional().describe('rule when a rule is given'),
  rule: z.unknown().optional().describe(RULE_DOC),
});

const TagPatch = NewTag.omit({ kind: true }).partial().extend({ rule: z.unknown().optional().describe(RULE_DOC) });

const CustomerTag = z.object({
  tagId: z.string(), name: z.string(), groupId: z.string(), groupName: z.string(), color: z.string(), kind: TagKind,
  source: z.enum(['manual', 'rule', 'form', 'pretag', 'import', 'api', 'event']), addedBy: z.string().nullable(), addedAt: Instant,
});
const CustomerTags = z.object({ items: z.array(CustomerTag) });

const TagIds = z.array(z.string().max(64)).max(50);

const PreTag = z.object({
  kind: IdentityKind, value: z.string(), tagId: z.string(), tagName: z.string(), createdBy: z.string().nullable(), createdAt: Instant,
  appliedAt: Instant.nullable(), appliedCustomerId: z.string().nullable(),
});

const TagParams = z.object({ id: z.string().describe('customer UUID'), tagId: z.string().describe('tag UUID') });

export function tagRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/tag-groups', {
    config: { permission: 'customers:read' },
    schema: { tags: ['tags'], summary: 'Tag groups with their tags', response: { 200: z.object({ items: z.array(TagGroup) }), ...protectedErrors } },
  }, async (request) => ({ items: await listTagGroups(db, actorOf(request).tenantId) }));

  r.post('/api/v1/tag-groups', {
    config: { permission: 'tags:write' },
    schema: { tags: ['tags'], summary: 'Create a tag group', body: NewTagGroup, response: { 201: TagGroup, 409: ErrorResponse, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createTagGroup(db, actorOf(request).tenantId, request.body)));

  r.patch('/api/v1/tag-groups/:id', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Rename, reorder or make a tag group exclusive',
      description: 'Making a group exclusive is refused (409) while a customer holds two of its tags.',
      params: IdParams, body: NewTagGroup.partial(), response: { 200: TagGroup, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => updateTagGroup(db, actorOf(request).tenantId, request.params.id, request.body));

  r.delete('/api/v1/tag-groups/:id', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Delete a tag group and its tags',
      description: 'Takes the tags off every customer (each on the timeline); refused (409) while a rule or a questionnaire uses one of them.',
      params: IdParams, response: { 204: z.null(), 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => {
    await deleteTagGroup(db, actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/tags', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['tags'], summary: 'List tags', querystring: z.object({ groupId: Id.optional(), kind: TagKind.optional() }),
      response: { 200: z.object({ items: z.array(Tag) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await listTags(db, actorOf(request).tenantId, request.query) }));

  r.post('/api/v1/tags', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Create a tag (manual, or a rule tag evaluated at once)', description: RULE_DOC,
      body: NewTag, response: { 201: Tag, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createTag(db, actorOf(request), request.body)));

  r.patch('/api/v1/tags/:id', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Rename, recolour, move a tag or change its rule',
      description: 'A changed rule is evaluated at once, with the rule tags that depend on it. ' + RULE_DOC,
      params: IdParams, body: TagPatch, response: { 200: Tag, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => updateTag(db, actorOf(request), request.params.id, request.body));

  r.delete('/api/v1/tags/:id', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Delete a tag', description: 'Takes it off every customer (each on the timeline); refused (409) while a rule or a questionnaire uses it.',
      params: IdParams, response: { 204: z.null(), 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => {
    await deleteTag(db, actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/tags/:id/evaluate', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Recompute a rule tag for every customer now',
      params: IdParams, response: { 200: z.object({ tagId: z.string(), added: z.number().int(), removed: z.number().int() }), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const tag = await getTag(db, actor.tenantId, request.params.id);
    if (tag.kind !== 'rule') throw invalid('id', `${tag.name} is a manual tag; only rule tags are evaluated`, { code: 'manual_not_evaluated', params: { tag: tag.name } });
    return evaluateRuleTag(db, actor.tenantId, tag.id);
  });

  r.get('/api/v1/customers/:id/tags', {
    config: { permission: 'customers:read' },
    schema: { tags: ['tags'], summary: "A customer's tags", params: IdParams, response: { 200: CustomerTags, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const id = request.params.id;
    const visible = UUID_PATTERN.test(id) ? await visibleCustomerIds(db, actor).where('c.id', '=', id).executeTakeFirst() : undefined;
    if (!visible) throw notFound('customer');
    return { items: await listCustomerTags(db, actor.tenantId, visible.id) };
  });

  r.post('/api/v1/customers/:id/tags', {
    config: { permission: 'customers:tag' },
    schema: {
      tags: ['tags'], summary: 'Tag a customer',
      description: 'A tag of an exclusive group replaces the customer\'s other tag of that group. Rule tags cannot be added by hand. A guide may tag only their own customers.',
      params: IdParams, body: z.object({ tagIds: TagIds.min(1) }), response: { 200: CustomerTags, ...protectedErrors },
    },
  }, async (request) => ({ items: await tagCustomer(db, actorOf(request), request.params.id, request.body.tagIds) }));

  r.delete('/api/v1/customers/:id/tags/:tagId', {
    config: { permission: 'customers:tag' },
    schema: { tags: ['tags'], summary: 'Take a tag off a customer', params: TagParams, response: { 200: CustomerTags, ...protectedErrors } },
  }, async (request) => ({ items: await untagCustomer(db, actorOf(request), request.params.id, request.params.tagId) }));

  r.post('/api/v1/customers/tags/bulk', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Add and remove tags on every customer of a filtered list',
      description: 'The filter is the customer list\'s (GET /api/v1/customers), as JSON. One transaction; audited. matched: customers of the filter; changed: those whose tags changed.',
      body: z.object({ filter: CustomerFilterBody, add: TagIds.optional(), remove: TagIds.optional() }),
      response: { 200: z.object({ matched: z.number().int(), changed: z.number().int() }), ...protectedErrors },
    },
  }, async (request) => bulkTagCustomers(db, actorOf(request), request.body));

  r.post('/api/v1/pre-tags', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Pre-tag people by phone, unionid or another identity before they are seen',
      description: 'Each value gets each tag when a customer with that identity appears; values that already belong to a customer are tagged now.',
      body: z.object({ kind: IdentityKind, values: z.array(z.string().max(200)).min(1).max(MAX_PRETAG_VALUES), tagIds: TagIds.min(1) }),
      response: { 201: z.object({ created: z.number().int(), applied: z.number().int().describe('pre-tags applied at once to existing customers') }), ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createPreTags(db, actorOf(request), request.body)));

  r.get('/api/v1/pre-tags', {
    config: { permission: 'tags:write' },
    schema: {
      tags: ['tags'], summary: 'Pre-tags, newest first',
      querystring: PageQuery.extend({ tagId: Id.optional(), kind: IdentityKind.optional(), pending: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(PreTag), ...protectedErrors },
    },
  }, async (request) => {
    const { page, pageSize, pending, ...filter } = request.query;
    return listPreTags(db, actorOf(request).tenantId, { ...filter, pending: pending === undefined ? undefined : pending === 'true' }, { page, pageSize });
  });
}
