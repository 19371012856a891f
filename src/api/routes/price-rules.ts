// Price rules (满减, bundle price, member price, discount ladders) and the checkout quote.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { createPriceRule, deletePriceRule, getPriceRule, listPriceRules, quoteCheckout, updatePriceRule } from '../../core/promotions/price-rules.service.ts';
import { MAX_QUOTE_COUPONS } from '../../core/promotions/pricing.rules.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';
import { CartItem, PromotionChannel } from './promotion-schemas.ts';

const Params = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('threshold'), thresholdFen: Fen, amountOffFen: Fen, repeat: z.boolean().default(false).describe('每满: again for every threshold reached') }).describe('满减: 满199减30'),
  z.object({ kind: z.literal('bundle'), quantity: z.number().int().min(1).max(1000), priceFen: Fen }).describe('bundle price over the rule\'s SKUs: 5 jin for ¥199'),
  z.object({ kind: z.literal('member_price'), prices: z.record(z.string(), Fen) }).describe('unit price per SKU for members (customers with a member number)'),
  z.object({ kind: z.literal('ladder'), steps: z.array(z.object({ minQuantity: z.number().int(), percent: z.number().int() })).max(20) }).describe('满2件9折, 满3件8折: percent paid from minQuantity items'),
]);

const RuleBody = z.object({
  name: z.string().min(1).max(100),
  params: Params,
  skus: z.array(z.string().min(1).max(64)).max(1000).optional().describe('empty: every SKU'),
  storeIds: z.array(Id).max(1000).optional(),
  channels: z.array(PromotionChannel).optional(),
  stackable: z.boolean().optional().describe('stackable rules apply together; an exclusive one only alone (the quote takes the better)'),
  validFrom: z.iso.datetime({ offset: true }).nullable().optional(),
  validTo: z.iso.datetime({ offset: true }).nullable().optional(),
  status: z.enum(['active', 'paused']).optional(),
});

const Rule = z.object({
  id: z.string(), name: z.string(), kind: z.enum(['threshold', 'bundle', 'member_price', 'ladder']), params: z.unknown(), skus: z.array(z.string()), storeIds: z.array(z.string()),
  channels: z.array(z.string()), stackable: z.boolean(), validFrom: Instant.nullable(), validTo: Instant.nullable(), status: z.enum(['active', 'paused']), createdAt: Instant,
});

const Adjustment = z.object({ source: z.enum(['price_rule', 'coupon']), id: z.string(), name: z.string(), code: z.string().optional(), discountFen: Fen });
const Quote = z.object({
  lines: z.array(z.object({
    lineNo: z.number().int(), sku: z.string(), name: z.string(), quantity: z.number().int(), unitPriceFen: Fen, amountFen: Fen, discountFen: Fen, payableFen: Fen,
    adjustments: z.array(Adjustment).describe('what each rule or coupon took off this line'),
  })),
  applied: z.array(Adjustment),
  gifts: z.array(z.object({ code: z.string(), sku: z.string(), name: z.string(), valueFen: Fen })),
  refusedCoupons: z.array(z.object({ code: z.string(), reason: z.string(), message: z.string() })),
  totalFen: Fen,
  discountFen: Fen,
  payableFen: Fen,
});

export function priceRuleRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['price rules'];

  r.get('/api/v1/price-rules', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Price rules', response: { 200: z.object({ items: z.array(Rule) }), ...protectedErrors } },
  }, async (request) => ({ items: await listPriceRules(db, actorOf(request).tenantId) }));

  r.post('/api/v1/price-rules', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Create a price rule', description: 'A rule that could make a price negative (满100减120) is refused.', body: RuleBody, response: { 201: Rule, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createPriceRule(db, actor.tenantId, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/price-rules/:id', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'One price rule', params: IdParams, response: { 200: Rule, ...protectedErrors } },
  }, async (request) => getPriceRule(db, actorOf(request).tenantId, request.params.id));

  r.put('/api/v1/price-rules/:id', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Replace a price rule', params: IdParams, body: RuleBody, response: { 200: Rule, ...protectedErrors } },
  }, async (request) => updatePriceRule(db, actorOf(request).tenantId, request.params.id, request.body));

  r.delete('/api/v1/price-rules/:id', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Delete a price rule', params: IdParams, response: { 204: z.null(), ...protectedErrors } },
  }, async (request, reply) => {
    await deletePriceRule(db, actorOf(request).tenantId, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/checkout/quote', {
    config: { permission: 'orders:write' },
    schema: {
      tags,
      summary: 'Price a cart: the best legal combination of price rules and coupons',
      description: 'Money in fen; percentages taken per line and rounded half up to the fen; order-level amounts spread over lines in proportion. '
        + 'Changes nothing (redeem coupons with POST /api/v1/coupons/redeem). Codes that are unknown, used, someone else\'s or not worth combining are listed in refusedCoupons with the reason.',
      body: z.object({
        customer: Id.optional().describe('member prices apply when the customer has a member number'),
        member: z.boolean().optional().describe('without a customer'),
        storeId: Id.nullable().optional(),
        channel: PromotionChannel,
        items: z.array(CartItem).min(1).max(500),
        couponCodes: z.array(z.string().min(1).max(32)).max(MAX_QUOTE_COUPONS).optional(),
      }),
      response: { 200: Quote, ...protectedErrors },
    },
  }, async (request) => {
    const { customer, ...rest } = request.body;
    return quoteCheckout(db, actorOf(request).tenantId, { ...rest, ...(customer ? { customerId: customer } : {}) });
  });
}
