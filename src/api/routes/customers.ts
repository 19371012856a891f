import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { getCustomer, listCustomers } from '../../core/customers/customers.service.ts';
import { listOrders } from '../../core/orders/orders.service.ts';
import { actorOf } from '../auth.ts';
import { Fen, Gender, Id, IdentityKind, IdParams, Instant, PageQuery, pageOf, protectedErrors, Ref } from '../schemas.ts';
import { Order } from './orders.ts';

export const CustomerSummary = z.object({
  id: z.string(),
  name: z.string(),
  gender: Gender,
  phone: z.string().nullable(),
  memberNo: z.string().nullable(),
  city: z.string(),
  sourceChannel: z.string(),
  store: Ref.nullable(),
  guide: Ref.nullable(),
  orderCount: z.number().int(),
  orderDays: z.number().int().describe('distinct purchase days, in the tenant time zone'),
  totalSpentFen: Fen,
  firstOrderAt: Instant.nullable(),
  lastOrderAt: Instant.nullable(),
  createdAt: Instant,
});

const CustomerDetail = CustomerSummary.extend({
  birthday: z.string().nullable(),
  averageTicketFen: Fen,
  identities: z.array(z.object({ kind: IdentityKind, value: z.string(), createdAt: Instant })),
});

export function customerRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/customers', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: 'List customers, newest first',
      description: 'q matches a name prefix, or exactly a phone, member number, WeCom external_userid, unionid or openid. Guides see only their own customers.',
      querystring: PageQuery.extend({ q: z.string().max(100).optional(), storeId: Id.optional(), guideId: Id.optional() }),
      response: { 200: pageOf(CustomerSummary), ...protectedErrors },
    },
  }, async (request) => {
    const { page, pageSize, ...filter } = request.query;
    return listCustomers(db, actorOf(request), filter, { page, pageSize });
  });

  r.get('/api/v1/customers/:id', {
    config: { permission: 'customers:read' },
    schema: { tags: ['customers'], summary: 'One customer with identities and order aggregates', params: IdParams, response: { 200: CustomerDetail, ...protectedErrors } },
  }, async (request) => getCustomer(db, actorOf(request), request.params.id));

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
