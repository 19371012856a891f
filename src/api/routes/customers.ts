import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { getCustomer, listCustomers } from '../../core/customers/customers.service.ts';
import { listOrders } from '../../core/orders/orders.service.ts';
import { getProfile } from '../../core/customers/profile.service.ts';
import { actorOf } from '../auth.ts';
import { Id, IdParams, PageQuery, pageOf, protectedErrors } from '../schemas.ts';
import { Order } from './orders.ts';
import { CustomerProfile, CustomerSummary } from '../customer-schemas.ts';



/** Several ids as `a,b` or as a repeated parameter. */
const IdList = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(Id).max(50));
const DayCount = z.number().int().min(1).max(3650);

/** The customer list's filter in a query string; bulk tagging and export take the same filter. */
export const CustomerFilterQuery = z.object({
  q: z.string().max(100).optional(),
  storeId: Id.optional(),
  guideId: Id.optional(),
  tagIds: IdList.optional().describe('holds every one of these tags (comma-separated ids)'),
  anyTagIds: IdList.optional().describe('holds at least one of these tags (comma-separated ids)'),
  minSpentFen: z.coerce.number().int().min(0).optional().describe('all-time spending at least this (fen)'),
  maxSpentFen: z.coerce.number().int().min(0).optional().describe('all-time spending at most this (fen)'),
  lastOrderWithinDays: z.coerce.number().pipe(DayCount).optional().describe('ordered within the last n days'),
  noOrderWithinDays: z.coerce.number().pipe(DayCount).optional().describe('no order within the last n days (including never)'),
  segmentId: Id.optional().describe('a member of this segment (人群) now'),
});

/** The same filter in a JSON body (bulk tagging). */
export const CustomerFilterBody = z.object({
  q: z.string().max(100).optional(),
  storeId: Id.optional(),
  guideId: Id.optional(),
  tagIds: z.array(Id).max(50).optional(),
  anyTagIds: z.array(Id).max(50).optional(),
  minSpentFen: z.number().int().min(0).optional(),
  maxSpentFen: z.number().int().min(0).optional(),
  lastOrderWithinDays: DayCount.optional(),
  noOrderWithinDays: DayCount.optional(),
  segmentId: Id.optional(),
}).strict();

export function customerRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/customers', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: 'List customers, newest first',
      description: 'q matches a name prefix, or exactly a phone, member number, WeCom external_userid, unionid or openid. Filters combine (all must hold). Guides see only their own customers.',
      querystring: PageQuery.extend(CustomerFilterQuery.shape),
      response: { 200: pageOf(CustomerSummary), ...protectedErrors },
    },
  }, async (request) => {
    const { page, pageSize, ...filter } = request.query;
    return listCustomers(db, actorOf(request), filter, { page, pageSize });
  });

  r.get('/api/v1/customers/:id', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: 'The customer 360: identities, attributes, order aggregates, tags, groups, WeCom contacts, consents',
      description: 'An id merged into another profile returns the survivor\'s profile with mergedFrom. Guides see only their own customers.',
      params: IdParams,
      response: { 200: CustomerProfile, ...protectedErrors },
    },
  }, async (request) => getProfile(db, actorOf(request), request.params.id));

  r.get('/api/v1/customers/:id/orders', {
    config: { permission: 'orders:read' },
    schema: {
      tags: ['customers'], summary: "A customer's orders, newest first", params: IdParams, querystring: PageQuery,
      response: { 200: pageOf(Order), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const customer = await getCustomer(db, actor, request.params.id); // 404 when not visible
    return listOrders(db, actor, { customerId: customer.id }, request.query);
  });
}
