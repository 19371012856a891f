// Flash sales (秒杀): create, watch, and buy (201 with the order, or 409 with the reason).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { buyFlashSale, cancelFlashSale, createFlashSale, getFlashSale, listFlashSales } from '../../core/flash-sales/flash-sales.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';
import { refusalErrors } from './promotion-schemas.ts';

const Sale = z.object({
  id: z.string(), name: z.string(), sku: z.string(), itemName: z.string(), priceFen: Fen, originalPriceFen: Fen, stock: z.number().int(), remaining: z.number().int(),
  perCustomerLimit: z.number().int(), storeId: z.string().nullable(), startsAt: Instant, endsAt: Instant, status: z.enum(['active', 'cancelled']),
  orders: z.number().int(), buyers: z.number().int(), createdAt: Instant,
});

export function flashSaleRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['flash sales'];

  r.get('/api/v1/flash-sales', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Flash sales with their progress', response: { 200: z.object({ items: z.array(Sale) }), ...protectedErrors } },
  }, async (request) => ({ items: await listFlashSales(db, actorOf(request).tenantId) }));

  r.post('/api/v1/flash-sales', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Create a flash sale',
      body: z.object({
        name: z.string().min(1).max(100), sku: z.string().min(1).max(64), itemName: z.string().min(1).max(100), priceFen: Fen.min(0), originalPriceFen: Fen.min(0),
        stock: z.number().int().min(1).max(10_000_000), perCustomerLimit: z.number().int().min(1).max(1000).optional(), storeId: Id.nullable().optional(),
        startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }),
      }),
      response: { 201: Sale, ...protectedErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createFlashSale(db, actor.tenantId, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/flash-sales/:id', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'One flash sale', params: IdParams, response: { 200: Sale, ...protectedErrors } },
  }, async (request) => getFlashSale(db, actorOf(request).tenantId, request.params.id));

  r.post('/api/v1/flash-sales/:id/cancel', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Stop a flash sale', params: IdParams, response: { 200: Sale, ...protectedErrors } },
  }, async (request) => cancelFlashSale(db, actorOf(request).tenantId, request.params.id));

  r.post('/api/v1/flash-sales/:id/orders', {
    config: { permission: 'orders:write' },
    schema: {
      tags,
      summary: 'Buy in a flash sale',
      description: 'Records a mini-program order at the sale price (the customer\'s aggregates and timeline included). Never oversold; nobody over the per-customer limit. '
        + 'Refusals: 409 sold_out, limit_reached, not_started, ended, sale_cancelled.',
      params: IdParams,
      body: z.object({ customer: Id, quantity: z.number().int().min(1).max(1000).default(1) }),
      response: {
        201: z.object({ orderId: z.string(), orderNo: z.string(), saleId: z.string(), customerId: z.string(), sku: z.string(), quantity: z.number().int(), unitPriceFen: Fen, paidFen: Fen, remaining: z.number().int(), orderedAt: Instant }),
        ...refusalErrors,
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const order = await buyFlashSale(db, actor.tenantId, request.params.id, { customerId: request.body.customer, quantity: request.body.quantity }, { actor: actorLabel(actor) });
    return reply.status(201).send(order);
  });
}
