// 接龙, 拼团 and 拼单: thin routes over src/core/group-selling. Refusals answer 409/422 with the reason as the code.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly } from '../../core/access/access.rules.ts';
import { fenToYuan, toCsv } from '../../core/group-selling/solitaires.rules.ts';
import {
  cancelSolitaire, changeSolitaireEntry, closeSolitaire, createSolitaire, getSolitaire, joinSolitaire, listSolitaires, pickupList, solitaireGroups,
} from '../../core/group-selling/solitaires.service.ts';
import { cancelGroupBuy, getGroupBuy, joinGroupBuy, listGroupBuys, openGroupBuy } from '../../core/group-selling/group-buys.service.ts';
import { addToSharedCart, checkoutSharedCart, getSharedCart, openSharedCart, removeFromSharedCart } from '../../core/group-selling/shared-carts.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';
import { refusalErrors } from './promotion-schemas.ts';

const Status = z.enum(['open', 'closed', 'cancelled']);
const SolitaireFields = {
  id: z.string(), groupId: z.string(), groupName: z.string(), title: z.string(), sku: z.string(), itemName: z.string(), priceFen: Fen, stock: z.number().int(),
  taken: z.number().int(), remaining: z.number().int(), perCustomerLimit: z.number().int(), storeId: z.string(), storeName: z.string(), deadlineAt: Instant,
  status: Status, closedAt: Instant.nullable(), participants: z.number().int(), createdAt: Instant,
};
const Solitaire = z.object(SolitaireFields);
const SolitaireDetail = z.object({
  ...SolitaireFields,
  entries: z.array(z.object({ no: z.number().int(), customerId: z.string(), nickname: z.string(), quantity: z.number().int(), amountFen: Fen, orderNo: z.string().nullable(), joinedAt: Instant })),
  text: z.string().describe('the numbered 接龙 text to paste in the group'),
});
const PickupLine = z.object({
  storeId: z.string(), storeName: z.string(), solitaireId: z.string(), title: z.string(), itemName: z.string(), no: z.number().int(), customerId: z.string(),
  nickname: z.string(), phone: z.string().nullable(), quantity: z.number().int(), amountFen: Fen, orderNo: z.string().nullable(), closedAt: Instant.nullable(),
});
const GroupBuy = z.object({
  id: z.string(), shareToken: z.string(), leaderCustomerId: z.string(), leaderName: z.string(), sku: z.string(), itemName: z.string(), priceFen: Fen, originalPriceFen: Fen,
  targetSize: z.number().int(), joined: z.number().int(), storeId: z.string().nullable(), expiresAt: Instant, status: z.enum(['open', 'succeeded', 'cancelled']),
  finishedAt: Instant.nullable(), createdAt: Instant,
  members: z.array(z.object({ seat: z.number().int(), customerId: z.string(), name: z.string(), paidFen: Fen, refundedFen: Fen, orderNo: z.string().nullable(), joinedAt: Instant })),
});
const SharedCart = z.object({
  id: z.string(), shareToken: z.string(), initiatorCustomerId: z.string(), storeId: z.string().nullable(), status: z.enum(['open', 'paid', 'cancelled']),
  orderNo: z.string().nullable(), totalFen: Fen, createdAt: Instant, paidAt: Instant.nullable(),
  lines: z.array(z.object({ id: z.string(), customerId: z.string(), name: z.string(), sku: z.string(), itemName: z.string(), quantity: z.number().int(), unitPriceFen: Fen, amountFen: Fen, lineNo: z.number().int().nullable() })),
});
const TokenParams = z.object({ token: z.string().min(8).max(32) });
const Csv = z.any().describe('text/csv, UTF-8 with a BOM');

export function groupSellingRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['接龙 solitaires'];

  r.get('/api/v1/solitaires', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: '接龙 with their progress (a guide: those of their own groups)', querystring: z.object({ status: Status.optional(), groupId: Id.optional() }), response: { 200: z.object({ items: z.array(Solitaire) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    return { items: await listSolitaires(db, actor.tenantId, { ...request.query, ...(own ? { ownerStaffId: own } : {}) }) };
  });

  r.post('/api/v1/solitaires', {
    config: { permission: 'solitaires:write' },
    schema: {
      tags, summary: 'Post a 接龙 in a customer group',
      body: z.object({
        groupId: Id, title: z.string().min(1).max(100), sku: z.string().min(1).max(64), itemName: z.string().min(1).max(100), priceFen: Fen.min(0),
        stock: z.number().int().min(1).max(100_000), perCustomerLimit: z.number().int().min(1).max(100_000).optional(), storeId: Id,
        deadlineAt: z.iso.datetime({ offset: true }),
      }),
      response: { 201: SolitaireDetail, ...protectedErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    return reply.status(201).send(await createSolitaire(db, actor.tenantId, request.body, { actor: actorLabel(actor), ...(own ? { staffId: own } : {}) }));
  });

  r.get('/api/v1/solitaires/pickups', {
    config: { permission: 'orders:read' },
    schema: {
      tags, summary: 'Pickup lists per store: entries of closed 接龙 (JSON or CSV)',
      querystring: z.object({ storeId: Id.optional(), solitaireId: Id.optional(), from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(), format: z.enum(['json', 'csv']).default('json') }),
      response: { 200: z.union([z.object({ items: z.array(PickupLine) }), Csv]), ...protectedErrors },
    },
  }, async (request, reply) => {
    const { format, ...filter } = request.query;
    const lines = await pickupList(db, actorOf(request).tenantId, filter);
    if (format === 'json') return { items: lines };
    const csv = toCsv(['门店 store', '接龙 title', '商品 item', '序号 no', '昵称 nickname', '手机 phone', '数量 quantity', '金额 amount (yuan)', '订单号 order'],
      lines.map((l) => [l.storeName, l.title, l.itemName, l.no, l.nickname, l.phone ?? '', l.quantity, fenToYuan(l.amountFen), l.orderNo ?? '']));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="pickups.csv"').send(csv);
  });

  r.get('/api/v1/solitaires/groups', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Groups a 接龙 can be posted in (a guide: their own)', response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), storeId: z.string().nullable(), members: z.number().int() })) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await solitaireGroups(db, actor.tenantId, ownCustomersOnly(actor)) };
  });

  r.get('/api/v1/solitaires/:id', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'One 接龙 with its entries and the text to paste', params: IdParams, response: { 200: SolitaireDetail, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return getSolitaire(db, actor.tenantId, request.params.id, ownCustomersOnly(actor));
  });

  r.post('/api/v1/solitaires/:id/entries', {
    config: { permission: 'solitaires:write' },
    schema: {
      tags, summary: 'A group member joins with a quantity',
      description: 'Refusals: 409 deadline_passed, closed, sold_out, limit_reached, already_joined; 422 not_group_member.',
      params: IdParams, body: z.object({ customer: Id, quantity: z.number().int().min(1).max(100_000), nickname: z.string().max(30).optional() }),
      response: { 201: SolitaireDetail, ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    const { customer, quantity, nickname } = request.body;
    return reply.status(201).send(await joinSolitaire(db, actor.tenantId, request.params.id, { customerId: customer, quantity, ...(nickname !== undefined ? { nickname } : {}) }, own ? { ownerStaffId: own } : {}));
  });

  r.put('/api/v1/solitaires/:id/entries/:customerId', {
    config: { permission: 'solitaires:write' },
    schema: {
      tags, summary: 'Change a member\'s quantity until the deadline (0 takes the name off)',
      params: z.object({ id: z.string(), customerId: Id }), body: z.object({ quantity: z.number().int().min(0).max(100_000) }),
      response: { 200: SolitaireDetail, ...refusalErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    return changeSolitaireEntry(db, actor.tenantId, request.params.id, request.params.customerId, request.body.quantity, own ? { ownerStaffId: own } : {});
  });

  r.post('/api/v1/solitaires/:id/close', {
    config: { permission: 'solitaires:write' },
    schema: { tags, summary: 'Close now: every entry becomes an order (channel group_buy) at the pickup store; closing twice records nothing twice', params: IdParams, response: { 200: SolitaireDetail, ...refusalErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    return closeSolitaire(db, actor.tenantId, request.params.id, { actor: actorLabel(actor), ...(own ? { ownerStaffId: own } : {}) });
  });

  r.post('/api/v1/solitaires/:id/cancel', {
    config: { permission: 'solitaires:write' },
    schema: { tags, summary: 'Cancel an open 接龙 (no orders)', params: IdParams, response: { 200: SolitaireDetail, ...refusalErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const own = ownCustomersOnly(actor);
    return cancelSolitaire(db, actor.tenantId, request.params.id, own ? { ownerStaffId: own } : {});
  });

  const gbTags = ['拼团 group buys'];
  r.get('/api/v1/group-buys', {
    config: { permission: 'orders:read' },
    schema: { tags: gbTags, summary: 'Group buys with their members', querystring: z.object({ status: z.enum(['open', 'succeeded', 'cancelled']).optional() }), response: { 200: z.object({ items: z.array(GroupBuy) }), ...protectedErrors } },
  }, async (request) => ({ items: await listGroupBuys(db, actorOf(request).tenantId, request.query) }));

  r.post('/api/v1/group-buys', {
    config: { permission: 'orders:write' },
    schema: {
      tags: gbTags, summary: 'A leader opens a group buy (the leader takes the first seat)',
      body: z.object({
        leader: Id, sku: z.string().min(1).max(64), itemName: z.string().min(1).max(100), priceFen: Fen.min(0), originalPriceFen: Fen.min(0),
        targetSize: z.number().int().min(2).max(100), timeLimitMinutes: z.number().int().min(1).max(60 * 24 * 30), storeId: Id.nullable().optional(), paid: z.boolean().default(true),
      }),
      response: { 201: GroupBuy, ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { leader, ...rest } = request.body;
    return reply.status(201).send(await openGroupBuy(db, actor.tenantId, { leaderCustomerId: leader, ...rest }, { actor: actorLabel(actor) }));
  });

  r.get('/api/v1/group-buys/:id', {
    config: { permission: 'orders:read' },
    schema: { tags: gbTags, summary: 'One group buy', params: IdParams, response: { 200: GroupBuy, ...protectedErrors } },
  }, async (request) => getGroupBuy(db, actorOf(request).tenantId, { id: request.params.id }));

  r.get('/api/v1/group-buys/shared/:token', {
    config: { permission: 'orders:read' },
    schema: { tags: gbTags, summary: 'The group buy a share link points to', params: TokenParams, response: { 200: GroupBuy, ...protectedErrors } },
  }, async (request) => getGroupBuy(db, actorOf(request).tenantId, { token: request.params.token }));

  r.post('/api/v1/group-buys/shared/:token/join', {
    config: { permission: 'orders:write' },
    schema: {
      tags: gbTags, summary: 'Join through the share link; the seat that fills the group records everyone\'s orders',
      description: 'Refusals: 409 group_full, already_joined, deadline_passed, closed.',
      params: TokenParams, body: z.object({ customer: Id, paid: z.boolean().default(true) }),
      response: { 201: GroupBuy, ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await joinGroupBuy(db, actor.tenantId, request.params.token, { customerId: request.body.customer, paid: request.body.paid }, { actor: actorLabel(actor) }));
  });

  r.post('/api/v1/group-buys/:id/cancel', {
    config: { permission: 'promotions:write' },
    schema: { tags: gbTags, summary: 'Cancel an open group buy; those who paid get a group_buy_refunded event', params: IdParams, response: { 200: GroupBuy, ...refusalErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return cancelGroupBuy(db, actor.tenantId, request.params.id, { actor: actorLabel(actor), reason: 'cancelled' });
  });

  const cartTags = ['拼单 shared carts'];
  r.post('/api/v1/shared-carts', {
    config: { permission: 'orders:write' },
    schema: { tags: cartTags, summary: 'Start a 拼单: a cart others add their items to', body: z.object({ initiator: Id, storeId: Id.nullable().optional() }), response: { 201: SharedCart, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await openSharedCart(db, actor.tenantId, { initiatorCustomerId: request.body.initiator, storeId: request.body.storeId ?? null }));
  });

  r.get('/api/v1/shared-carts/:token', {
    config: { permission: 'orders:read' },
    schema: { tags: cartTags, summary: 'A shared cart with each line\'s participant', params: TokenParams, response: { 200: SharedCart, ...protectedErrors } },
  }, async (request) => getSharedCart(db, actorOf(request).tenantId, { token: request.params.token }));

  r.post('/api/v1/shared-carts/:token/items', {
    config: { permission: 'orders:write' },
    schema: {
      tags: cartTags, summary: 'A participant adds an item',
      params: TokenParams, body: z.object({ customer: Id, sku: z.string().min(1).max(64), name: z.string().max(100).default(''), quantity: z.number().int().min(1).max(1000), unitPriceFen: Fen.min(0) }),
      response: { 201: SharedCart, ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { customer, ...item } = request.body;
    return reply.status(201).send(await addToSharedCart(db, actor.tenantId, request.params.token, { customerId: customer, ...item }));
  });

  r.delete('/api/v1/shared-carts/:token/items/:lineId', {
    config: { permission: 'orders:write' },
    schema: { tags: cartTags, summary: 'Take a line out (its participant or the initiator)', params: z.object({ token: z.string(), lineId: Id }), querystring: z.object({ customer: Id }), response: { 200: SharedCart, ...refusalErrors } },
  }, async (request) => removeFromSharedCart(db, actorOf(request).tenantId, request.params.token, request.params.lineId, request.query.customer));

  r.post('/api/v1/shared-carts/:token/checkout', {
    config: { permission: 'orders:write' },
    schema: { tags: cartTags, summary: 'The initiator pays: one order (channel group_buy) with every participant\'s lines', params: TokenParams, body: z.object({ customer: Id }), response: { 200: SharedCart, ...refusalErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return checkoutSharedCart(db, actor.tenantId, request.params.token, { customerId: request.body.customer }, { actor: actorLabel(actor) });
  });
}
