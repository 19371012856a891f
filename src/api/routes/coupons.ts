// Coupon templates, issuance (to listed customers, or in bulk to a tag or segment), redemption at
// checkout and its reversal.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly } from '../../core/access/access.rules.ts';
import { createIssueJob, listIssueJobs } from '../../core/coupons/issue-jobs.service.ts';
import { issueCoupons } from '../../core/coupons/issue.service.ts';
import { listCoupons, redeemCoupon, reverseCoupon } from '../../core/coupons/redeem.service.ts';
import { createTemplate, getTemplate, listTemplates, setTemplateStatus, updateTemplate } from '../../core/coupons/templates.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';
import { CartItem, PromotionChannel, refusalErrors } from './promotion-schemas.ts';

const CouponKind = z.enum(['amount', 'percent', 'threshold', 'free_item']).describe('amount 立减, percent 折扣, threshold 满减, free_item 赠品');
const TemplateStatus = z.enum(['draft', 'active', 'paused', 'ended']);

const TemplateBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  kind: CouponKind,
  amountOffFen: Fen.positive().nullable().optional().describe('amount and threshold kinds'),
  percent: z.number().int().min(1).max(99).nullable().optional().describe('share paid: 90 is 9折'),
  maxDiscountFen: Fen.positive().nullable().optional().describe('cap of a percentage coupon'),
  thresholdFen: Fen.min(0).optional().describe('eligible items must reach this (满 X)'),
  freeSku: z.string().min(1).max(64).nullable().optional(),
  freeItemName: z.string().max(100).nullable().optional(),
  freeItemValueFen: Fen.min(0).nullable().optional(),
  validFrom: z.iso.datetime({ offset: true }).nullable().optional(),
  validTo: z.iso.datetime({ offset: true }).nullable().optional().describe('absolute end; or validDays'),
  validDays: z.number().int().min(1).max(3650).nullable().optional().describe('relative: N calendar days in the tenant zone, the issue day counting as the first'),
  storeIds: z.array(Id).max(1000).optional().describe('empty: every store'),
  skus: z.array(z.string().min(1).max(64)).max(1000).optional().describe('empty: every SKU'),
  channels: z.array(PromotionChannel).optional().describe('empty: every channel'),
  stackWithPriceRules: z.boolean().optional(),
  stackWithCoupons: z.boolean().optional(),
  perCustomerLimit: z.number().int().min(1).max(1000).optional(),
  totalStock: z.number().int().min(0).nullable().optional().describe('null: no cap'),
  status: TemplateStatus.optional(),
});

const Template = TemplateBody.required().extend({
  id: z.string(),
  description: z.string(),
  storeIds: z.array(z.string()),
  channels: z.array(z.string()),
  validFrom: Instant.nullable(),
  validTo: Instant.nullable(),
  createdAt: Instant,
  stats: z.object({ issued: z.number().int(), redeemed: z.number().int(), redemptionRate: z.number(), gmvFen: Fen.describe('paid total of the orders that redeemed') }),
});

const Issued = z.object({ customerId: z.string(), code: z.string(), validFrom: Instant, validTo: Instant });
const IssueResult = z.object({
  issued: z.array(Issued),
  duplicates: z.array(Issued).describe('already issued under this request key'),
  skipped: z.array(z.object({ customerId: z.string(), reason: z.enum(['limit_reached', 'stock_exhausted']) })),
});

const IssueJob = z.object({
  id: z.string(), templateId: z.string(), targetKind: z.enum(['tag', 'segment']), targetId: z.string(), requestKey: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']), issued: z.number().int(), skipped: z.number().int(), error: z.string().nullable(), createdAt: Instant, finishedAt: Instant.nullable(),
});

const Coupon = z.object({
  id: z.string(), code: z.string(), customer: z.object({ id: z.string(), name: z.string() }), template: z.object({ id: z.string(), name: z.string() }),
  status: z.enum(['issued', 'redeemed', 'void']), source: z.string(), issuedAt: Instant, validFrom: Instant, validTo: Instant, redeemedAt: Instant.nullable(),
  orderNo: z.string().nullable(), discountFen: Fen.nullable(),
});

const Redemption = z.object({
  code: z.string(), couponId: z.string(), customerId: z.string(), template: z.object({ id: z.string(), name: z.string() }), orderNo: z.string(),
  discountFen: Fen, payableFen: Fen, gift: z.object({ code: z.string(), sku: z.string(), name: z.string(), valueFen: Fen }).nullable(), redeemedAt: Instant,
});

const CodeParams = z.object({ code: z.string().min(1).max(32) });
const REFUSALS = 'Refusals answer 409 (the coupon\'s state: coupon_already_redeemed, coupon_void, stock_exhausted, template_not_active ...) or 422 (the request does not qualify: coupon_unknown, coupon_expired, coupon_not_yet_valid, coupon_wrong_store, coupon_wrong_channel, coupon_threshold_not_met, coupon_no_eligible_items, coupon_wrong_customer), with the reason as error.code; nothing is changed.';

export function couponRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['coupons'];

  r.get('/api/v1/coupon-templates', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Coupon templates with issuance figures', response: { 200: z.object({ items: z.array(Template) }), ...protectedErrors } },
  }, async (request) => ({ items: await listTemplates(db, actorOf(request).tenantId) }));

  r.post('/api/v1/coupon-templates', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Create a coupon template', body: TemplateBody, response: { 201: Template, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createTemplate(db, actor.tenantId, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/coupon-templates/:id', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'One coupon template', params: IdParams, response: { 200: Template, ...protectedErrors } },
  }, async (request) => getTemplate(db, actorOf(request).tenantId, request.params.id));

  r.put('/api/v1/coupon-templates/:id', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Replace a template\'s terms', description: 'Coupons already issued keep their own validity window.', params: IdParams, body: TemplateBody, response: { 200: Template, 409: refusalErrors[409], ...protectedErrors } },
  }, async (request) => updateTemplate(db, actorOf(request).tenantId, request.params.id, request.body));

  r.post('/api/v1/coupon-templates/:id/status', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Activate, pause or end a template', params: IdParams, body: z.object({ status: TemplateStatus }), response: { 200: Template, ...protectedErrors } },
  }, async (request) => setTemplateStatus(db, actorOf(request).tenantId, request.params.id, request.body.status));

  r.post('/api/v1/coupon-templates/:id/issue', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Issue coupons to customers',
      description: 'One coupon per listed customer, each with its own code, and `coupon_received` on their timeline. Idempotent by requestKey: a re-sent request returns the coupons it made as duplicates. '
        + 'All or nothing: customers at the per-customer limit are skipped, but more customers than the stock left is refused (409 stock_exhausted).',
      params: IdParams,
      body: z.object({ customers: z.array(Id).min(1).max(1000), requestKey: z.string().min(1).max(100) }),
      response: { 200: IssueResult, ...refusalErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    return issueCoupons(db, actor.tenantId, request.params.id, request.body.customers, { requestKey: `api:${request.body.requestKey}`, source: 'api', actor: actorLabel(actor) });
  });

  r.post('/api/v1/coupon-templates/:id/issue-jobs', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Issue coupons to everyone with a tag or in a segment (background job)',
      description: 'Runs in the worker; what stock is left is given out, members at the limit are skipped. The same requestKey returns the same job.',
      params: IdParams,
      body: z.object({ targetKind: z.enum(['tag', 'segment']), targetId: Id, requestKey: z.string().min(1).max(100) }),
      response: { 202: IssueJob, 200: IssueJob, ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { job, created } = await createIssueJob(db, actor.tenantId, request.params.id, request.body, actorLabel(actor));
    return reply.status(created ? 202 : 200).send(job);
  });

  r.get('/api/v1/coupon-templates/:id/issue-jobs', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Bulk issues of a template, newest first', params: IdParams, response: { 200: z.object({ items: z.array(IssueJob) }), ...protectedErrors } },
  }, async (request) => ({ items: await listIssueJobs(db, actorOf(request).tenantId, request.params.id) }));

  r.get('/api/v1/coupons', {
    config: { permission: 'customers:read' },
    schema: {
      tags,
      summary: 'Coupons held, newest first (at most 100)',
      querystring: z.object({ templateId: Id.optional(), customerId: Id.optional(), status: z.enum(['issued', 'redeemed', 'void']).optional() }),
      response: { 200: z.object({ items: z.array(Coupon) }), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const owner = ownCustomersOnly(actor);
    return { items: await listCoupons(db, actor.tenantId, { ...request.query, ...(owner ? { ownerStaffId: owner } : {}) }) };
  });

  r.post('/api/v1/coupons/redeem', {
    config: { permission: 'orders:write' },
    schema: {
      tags,
      summary: 'Redeem a coupon at checkout',
      description: `Checks the coupon against the order, takes its discount and marks it redeemed with the order number, atomically: a coupon is never redeemed twice. Without items the order counts as one line of totalFen. Re-sending the same code with the same orderNo returns the same redemption. ${REFUSALS}`,
      body: z.object({
        code: z.string().min(1).max(32),
        customer: Id.describe('the customer id holding the coupon'),
        order: z.object({ orderNo: z.string().min(1).max(64), storeId: Id.nullable().optional(), channel: PromotionChannel, items: z.array(CartItem).max(500).optional(), totalFen: Fen.min(0) }),
      }),
      response: { 200: Redemption, ...refusalErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { code, customer, order } = request.body;
    return redeemCoupon(db, actor.tenantId, { code, customerId: customer, order }, { actor: actorLabel(actor), source: 'api' });
  });

  r.post('/api/v1/coupons/:code/reverse', {
    config: { permission: 'orders:write' },
    schema: {
      tags,
      summary: 'Give a redeemed coupon back (the order was refunded)',
      description: 'With orderNo, only if the coupon was redeemed with that order (409 coupon_order_mismatch otherwise). A coupon not redeemed: 409 coupon_not_redeemed.',
      params: CodeParams,
      body: z.object({ orderNo: z.string().min(1).max(64).optional() }).default({}),
      response: { 200: z.object({ code: z.string(), status: z.literal('issued'), orderNo: z.string() }), ...refusalErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    return reverseCoupon(db, actor.tenantId, request.params.code, request.body, { actor: actorLabel(actor), source: 'api' });
  });
}
