// Fission (裂变 / 二级分销): partners and codes, reward rules, attribution, the downline tree, the
// settlement report and the superuser leaderboard. Thin routes over src/core/referral.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { fenToYuan, toCsv } from '../../core/group-selling/solitaires.rules.ts';
import { GroupSellingRefusal } from '../../core/group-selling/group-selling.errors.ts';
import { attributeByRequest } from '../../core/referral/attribution.service.ts';
import { downline, superusers } from '../../core/referral/network.service.ts';
import { createExternalPartner, createReferralCode, disableReferralCode, getRewardRules, listPartners, setRewardRules } from '../../core/referral/referral.service.ts';
import { settlement } from '../../core/referral/rewards.service.ts';
import { runReferralSweep } from '../../core/referral/sweep.service.ts';
import { YuchiError } from '../../core/errors.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Fen, Id, Instant, protectedErrors } from '../schemas.ts';
import { refusalErrors } from './promotion-schemas.ts';

const Partner = z.object({
  id: z.string(), kind: z.enum(['customer', 'external']), customerId: z.string().nullable(), name: z.string(), phone: z.string().nullable(),
  codes: z.array(z.string()), referred: z.number().int(), createdAt: Instant,
});
const RuleKind = z.enum(['percent_first_order', 'percent_window', 'points', 'coupon']);
const Rule = z.object({
  level: z.union([z.literal(1), z.literal(2)]), kind: RuleKind, percentBp: z.number().int().nullable().optional().describe('basis points of the paid amount: 500 = 5%'),
  windowDays: z.number().int().nullable().optional(), points: z.number().int().nullable().optional(), couponTemplateId: Id.nullable().optional(),
});
const RuleView = z.object({ level: z.union([z.literal(1), z.literal(2)]), kind: RuleKind, percentBp: z.number().int().nullable(), windowDays: z.number().int().nullable(), points: z.number().int().nullable(), couponTemplateId: z.string().nullable() });
interface TreeNode { customerId: string; name: string; attributedAt: string; spentFen: number; children: TreeNode[] }
const Node: z.ZodType<TreeNode> = z.lazy(() => z.object({ customerId: z.string(), name: z.string(), attributedAt: Instant, spentFen: Fen, children: z.array(Node) }));
const Settlement = z.object({
  partnerId: z.string(), partnerKind: z.enum(['customer', 'external']), customerId: z.string().nullable(), name: z.string(), referredLevel1: z.number().int(), referredLevel2: z.number().int(),
  orders: z.number().int(), gmvFen: Fen, rewardLevel1Fen: Fen, rewardLevel2Fen: Fen, points: z.number().int(), clawedBackFen: Fen, payableFen: Fen,
});
const Csv = z.any().describe('text/csv, UTF-8 with a BOM');

export function referralRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['referral'];

  r.get('/api/v1/referral/partners', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Referral partners (customers and external distributors) with their codes', querystring: z.object({ customer: Id.optional() }), response: { 200: z.object({ items: z.array(Partner) }), ...protectedErrors } },
  }, async (request) => ({ items: await listPartners(db, actorOf(request).tenantId, request.query.customer ? { customerId: request.query.customer } : {}) }));

  r.post('/api/v1/referral/partners', {
    config: { permission: 'referral:write' },
    schema: { tags, summary: 'Add an external distributor', body: z.object({ name: z.string().min(1).max(50), phone: z.string().max(20).nullable().optional() }), response: { 201: Partner, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createExternalPartner(db, actorOf(request).tenantId, request.body)));

  r.post('/api/v1/referral/codes', {
    config: { permission: 'referral:write' },
    schema: {
      tags, summary: 'Give a customer or a partner a referral code (chosen or generated)',
      body: z.object({ customer: Id.optional(), partnerId: Id.optional(), code: z.string().regex(/^[A-Za-z0-9_-]{4,32}$/, 'must be 4-32 letters, digits, - or _').optional() }),
      response: { 201: z.object({ code: z.string(), partner: Partner }), ...refusalErrors },
    },
  }, async (request, reply) => {
    const { customer, partnerId, code } = request.body;
    return reply.status(201).send(await createReferralCode(db, actorOf(request).tenantId, { ...(customer ? { customerId: customer } : {}), ...(partnerId ? { partnerId } : {}), ...(code ? { code } : {}) }));
  });

  r.post('/api/v1/referral/codes/:code/disable', {
    config: { permission: 'referral:write' },
    schema: { tags, summary: 'Disable a code (later contacts naming it are refused)', params: z.object({ code: z.string() }), response: { 204: z.null(), ...protectedErrors } },
  }, async (request, reply) => {
    await disableReferralCode(db, actorOf(request).tenantId, request.params.code);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/referral/rules', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Reward rules per level', response: { 200: z.object({ rules: z.array(RuleView) }), ...protectedErrors } },
  }, async (request) => ({ rules: await getRewardRules(db, actorOf(request).tenantId) }));

  r.put('/api/v1/referral/rules', {
    config: { permission: 'referral:write' },
    schema: {
      tags, summary: 'Set the reward rules (one per level)',
      description: 'Refused with 422 invalid_reward_rules when a field is missing or the levels together pay more than the order.',
      body: z.object({ rules: z.array(Rule).max(2) }), response: { 200: z.object({ rules: z.array(RuleView) }), ...refusalErrors },
    },
  }, async (request) => ({ rules: await setRewardRules(db, actorOf(request).tenantId, request.body.rules) }));

  r.post('/api/v1/referral/attributions', {
    config: { permission: 'events:write' },
    schema: {
      tags, summary: 'Attribute a customer to a code now (a sign-up with a code)',
      description: 'Contacts whose contact_added event names a code (state or referralCode) are attributed by the worker without this call. '
        + 'Refusals (logged): 422 self_referral, cycle, same_phone, same_device, existing_customer, code_disabled; 409 already_referred; 404 unknown code.',
      body: z.object({ customer: Id, code: z.string().min(1).max(64), deviceId: z.string().max(128).optional(), phone: z.string().max(20).optional() }),
      response: { 201: z.object({ level1PartnerId: z.string(), level2PartnerId: z.string().nullable() }), ...refusalErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { customer, code, deviceId, phone } = request.body;
    const o = await attributeByRequest(db, actor.tenantId, { customerId: customer, code, ...(deviceId ? { deviceId } : {}), ...(phone ? { phone } : {}) }, actorLabel(actor));
    if (o.outcome === 'skipped') throw new YuchiError('not_found', `no referral code ${code}, or already attributed to it`, [{ path: 'body.code', message: 'unknown code or already attributed', code: 'unknown_referral_code', params: {} }]);
    if (o.outcome === 'refused') {
      throw o.reason === 'self_referral'
        ? new GroupSellingRefusal('self_referral', o.message, 'body.customer')
        : new YuchiError(o.reason === 'already_referred' ? 'conflict' : 'unprocessable', o.message, [{ path: 'body.customer', message: o.message, code: o.reason, params: {} }], o.reason);
    }
    return reply.status(201).send({ level1PartnerId: o.level1PartnerId, level2PartnerId: o.level2PartnerId });
  });

  r.get('/api/v1/referral/refusals', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'Refused attributions with their reason (anti-abuse log)',
      response: { 200: z.object({ items: z.array(z.object({ eventId: z.string(), customerId: z.string().nullable(), code: z.string(), reason: z.string(), message: z.string(), at: Instant })) }), ...protectedErrors },
    },
  }, async (request) => {
    const rows = await db.selectFrom('referral_refusals').selectAll().where('tenant_id', '=', actorOf(request).tenantId).orderBy('at', 'desc').limit(500).execute();
    return { items: rows.map((x) => ({ eventId: x.event_id, customerId: x.customer_id, code: x.code, reason: x.reason, message: x.message, at: x.at.toISOString() })) };
  });

  r.post('/api/v1/referral/run', {
    config: { permission: 'referral:write' },
    schema: { tags, summary: 'Run attribution, rewards and clawbacks now (the worker does it every minute)', response: { 200: z.object({ accepted: z.number().int(), refused: z.number().int(), credited: z.number().int(), clawedBack: z.number().int() }), ...protectedErrors } },
  }, async (request) => runReferralSweep(db, actorOf(request).tenantId));

  r.get('/api/v1/referral/tree/:customerId', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'A customer\'s downline, two levels deep', params: z.object({ customerId: Id }),
      response: { 200: z.object({ customerId: z.string(), name: z.string(), partnerId: z.string().nullable(), upline: z.object({ customerId: z.string().nullable(), name: z.string() }).nullable(), level1: z.number().int(), level2: z.number().int(), children: z.array(Node) }), ...protectedErrors },
    },
  }, async (request) => downline(db, actorOf(request).tenantId, request.params.customerId));

  r.get('/api/v1/referral/settlement', {
    config: { permission: 'analytics:read' },
    schema: {
      tags, summary: 'Settlement per referrer for a period [from, to): referred, orders, GMV, rewards per level, clawed back, payable (JSON or CSV)',
      querystring: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), format: z.enum(['json', 'csv']).default('json') }),
      response: { 200: z.union([z.object({ items: z.array(Settlement) }), Csv]), ...protectedErrors },
    },
  }, async (request, reply) => {
    const { from, to, format } = request.query;
    if (Date.parse(from) >= Date.parse(to)) throw new YuchiError('invalid', 'querystring.to: must be after from', [{ path: 'querystring.to', message: 'must be after from', code: 'range_reversed', params: { from, to } }]);
    const items = await settlement(db, actorOf(request).tenantId, new Date(from), new Date(to));
    if (format === 'json') return { items };
    const csv = toCsv(
      ['推荐人 referrer', '类型 kind', '一级推荐 referred L1', '二级推荐 referred L2', '订单 orders', 'GMV (yuan)', '一级奖励 reward L1 (yuan)', '二级奖励 reward L2 (yuan)', '积分 points', '扣回 clawed back (yuan)', '应付 payable (yuan)'],
      items.map((s) => [s.name, s.partnerKind, s.referredLevel1, s.referredLevel2, s.orders, fenToYuan(s.gmvFen), fenToYuan(s.rewardLevel1Fen), fenToYuan(s.rewardLevel2Fen), s.points, fenToYuan(s.clawedBackFen), fenToYuan(s.payableFen)]),
    );
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="referral-settlement.csv"').send(csv);
  });

  r.get('/api/v1/referral/superusers', {
    config: { permission: 'analytics:read' },
    schema: {
      tags, summary: 'Superusers (超级用户): customers ranked by own spend + referred spend + group activity',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), activityDays: z.coerce.number().int().min(1).max(365).default(90) }),
      response: {
        200: z.object({ items: z.array(z.object({ rank: z.number().int(), customerId: z.string(), name: z.string(), valueFen: Fen, ownSpentFen: Fen, level1SpentFen: Fen, level2SpentFen: Fen, referredLevel1: z.number().int(), referredLevel2: z.number().int(), groupActions: z.number().int() })) }),
        ...protectedErrors,
      },
    },
  }, async (request) => ({ items: await superusers(db, actorOf(request).tenantId, request.query) }));
}
