// Membership: points rules, tiers, the reward catalogue, a member's points and ledger,
// adjustments and redemptions, the member day and its lift.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly } from '../../core/access/access.rules.ts';
import { MAX_MULTIPLIER } from '../../core/membership/membership.rules.ts';
import { expirePoints } from '../../core/membership/ledger.service.ts';
import { issueMemberDayCoupons, memberDayLift } from '../../core/membership/member-day.service.ts';
import { adjustPoints, ledgerPage, memberPoints, redeemReward } from '../../core/membership/points.service.ts';
import { createReward, listRewards, updateReward } from '../../core/membership/rewards.service.ts';
import { getSettings, saveSettings } from '../../core/membership/settings.service.ts';
import { listTiers, recomputeTiers, replaceTiers } from '../../core/membership/tiers.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, ErrorResponse, Id, IdParams, Instant, PageQuery, pageOf, protectedErrors } from '../schemas.ts';

const Pct = z.number().int().min(0).max(MAX_MULTIPLIER);
const Weekday = z.number().int().min(1).max(7).describe('ISO weekday: 1 Monday .. 7 Sunday');

const Settings = z.object({
  pointsEnabled: z.boolean(),
  pointsPerYuan: z.number().int().min(0).max(1000).describe('points for each ¥1 paid'),
  channelMultipliers: z.partialRecord(z.enum(['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other']), Pct).describe('percent: 150 is ×1.5'),
  storeMultipliers: z.record(z.string(), Pct).describe('store id → percent'),
  skuMultipliers: z.record(z.string().min(1).max(64), Pct).describe('sku → percent, on the line\'s share of the paid amount'),
  memberDayMultiplier: z.number().int().min(100).max(MAX_MULTIPLIER),
  expiryMonths: z.number().int().min(1).max(120).nullable().describe('points expire at the end of the Nth month after the month earned; null: never'),
  tierBasis: z.enum(['spend', 'points']),
  tierWindowMonths: z.number().int().min(1).max(60),
  memberDayWeekdays: z.array(Weekday).max(7),
  memberDayTemplateId: Id.nullable(),
});

const TierBody = z.object({
  name: z.string().min(1).max(50),
  minValue: z.number().int().min(0).describe('fen of spend, or points'),
  maxValue: z.number().int().min(1).nullable().describe('exclusive; null for the top tier'),
  benefits: z.string().max(1000).default(''),
  memberPricePercent: z.number().int().min(1).max(100).nullable().default(null).describe('share paid: 95 is 9.5折'),
  couponTemplateIds: z.array(Id).max(10).default([]).describe('granted once on reaching the tier'),
});
const Tier = TierBody.required().extend({ id: z.string(), level: z.number().int(), members: z.number().int() });

const RewardBody = z.object({
  name: z.string().min(1).max(100),
  kind: z.enum(['coupon', 'goods']),
  couponTemplateId: Id.nullable().default(null),
  sku: z.string().min(1).max(64).nullable().default(null),
  pointsPrice: z.number().int().min(1).max(10_000_000),
  stock: z.number().int().min(0).nullable().default(null).describe('null: no cap'),
  status: z.enum(['active', 'paused']).default('active'),
});
const Reward = RewardBody.required().extend({ id: z.string(), redeemed: z.number().int(), left: z.number().int().nullable(), createdAt: Instant });

const Member = z.object({
  customer: z.object({ id: z.string(), name: z.string() }),
  balance: z.number().int(),
  nextExpiry: z.object({ at: Instant, points: z.number().int() }).nullable(),
  tier: z.object({ id: z.string(), name: z.string(), level: z.number().int(), since: Instant.nullable(), benefits: z.string(), memberPricePercent: z.number().int().nullable() }).nullable(),
  nextTier: z.object({ name: z.string(), minValue: z.number().int() }).nullable(),
});
const Entry = z.object({
  id: z.string(), kind: z.enum(['earn', 'redeem', 'expire', 'adjust', 'reverse']), points: z.number().int(), orderId: z.string().nullable(), orderNo: z.string().nullable(),
  rewardId: z.string().nullable(), rewardName: z.string().nullable(), quantity: z.number().int().nullable(), reason: z.string(), actor: z.string(), at: Instant,
});
const CustomerParams = z.object({ customerId: Id });
const refusals = { ...protectedErrors, 409: ErrorResponse };

const DaySales = z.object({ date: z.string(), memberDay: z.boolean(), gmvFen: z.number().int(), orders: z.number().int(), customers: z.number().int() });
const Average = z.object({ days: z.number().int(), gmvFen: z.number().int(), orders: z.number(), customers: z.number() });
const Lift = z.object({
  from: z.string(), to: z.string(), weekdays: z.array(z.number().int()), days: z.array(DaySales),
  memberDays: Average, otherDays: Average,
  ratio: z.object({ gmv: z.number().nullable(), orders: z.number().nullable(), customers: z.number().nullable() }),
  weeks: z.array(z.object({ weekStart: z.string(), memberDayGmvFen: z.number().int(), otherDayAvgGmvFen: z.number().int(), ratio: z.number().nullable() })),
});

export function membershipRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['membership'];

  r.get('/api/v1/membership/settings', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Points, tier and member-day rules', response: { 200: Settings, ...protectedErrors } },
  }, async (request) => {
    const { timezone: _zone, saved: _saved, ...settings } = await getSettings(db, actorOf(request).tenantId);
    return settings;
  });

  r.put('/api/v1/membership/settings', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Replace the points, tier and member-day rules', body: Settings, response: { 200: Settings, ...protectedErrors } },
  }, async (request) => saveSettings(db, actorOf(request).tenantId, request.body));

  r.get('/api/v1/membership/tiers', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Tiers, lowest first, with their member counts', response: { 200: z.object({ items: z.array(Tier) }), ...protectedErrors } },
  }, async (request) => ({ items: await listTiers(db, actorOf(request).tenantId) }));

  r.put('/api/v1/membership/tiers', {
    config: { permission: 'promotions:write' },
    schema: {
      tags, summary: 'Replace the tiers', description: 'Lowest first; [minValue, maxValue) ranges from 0 with no gap or overlap, the top tier open-ended. A gap or overlap is refused naming the tier\'s field.',
      body: z.object({ tiers: z.array(TierBody).min(1).max(20) }), response: { 200: z.object({ items: z.array(Tier) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await replaceTiers(db, actorOf(request).tenantId, request.body.tiers) }));

  r.post('/api/v1/membership/tiers/recompute', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Place every customer in their tier now', response: { 200: z.object({ changed: z.number().int(), couponsIssued: z.number().int() }), ...protectedErrors } },
  }, async (request) => recomputeTiers(db, actorOf(request).tenantId, { cause: 'recompute' }));

  r.get('/api/v1/membership/rewards', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'What points buy', response: { 200: z.object({ items: z.array(Reward) }), ...protectedErrors } },
  }, async (request) => ({ items: await listRewards(db, actorOf(request).tenantId) }));

  r.post('/api/v1/membership/rewards', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Add a reward to the catalogue', body: RewardBody, response: { 201: Reward, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createReward(db, actorOf(request).tenantId, request.body)));

  r.put('/api/v1/membership/rewards/:id', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Change a reward', params: IdParams, body: RewardBody, response: { 200: Reward, ...refusals } },
  }, async (request) => updateReward(db, actorOf(request).tenantId, request.params.id, request.body));

  r.get('/api/v1/membership/members/:customerId', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'A member\'s balance and tier', params: CustomerParams, response: { 200: Member, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return memberPoints(db, actor.tenantId, request.params.customerId, ownCustomersOnly(actor));
  });

  r.get('/api/v1/membership/members/:customerId/ledger', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'A member\'s points ledger, newest first', params: CustomerParams, querystring: PageQuery, response: { 200: pageOf(Entry), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return ledgerPage(db, actor.tenantId, request.params.customerId, request.query, ownCustomersOnly(actor));
  });

  r.post('/api/v1/membership/members/:customerId/adjust', {
    config: { permission: 'promotions:write' },
    schema: {
      tags, summary: 'Add or take away points, with the reason',
      description: 'Taking away more than the balance is refused (409 insufficient_points) and changes nothing. Idempotent by requestKey.',
      params: CustomerParams,
      body: z.object({ points: z.number().int().min(-10_000_000).max(10_000_000), reason: z.string().max(200), requestKey: z.string().min(1).max(100) }),
      response: { 200: z.object({ balance: z.number().int(), duplicate: z.boolean() }), ...refusals },
    },
  }, async (request) => {
    const actor = actorOf(request);
    return adjustPoints(db, actor.tenantId, request.params.customerId, request.body, actorLabel(actor));
  });

  r.post('/api/v1/membership/members/:customerId/redeem', {
    config: { permission: 'orders:write' },
    schema: {
      tags, summary: 'Spend points on a reward',
      description: 'Refusals (409, reason as error.code): insufficient_points, reward_out_of_stock, reward_paused, stock_exhausted / template_not_active (the coupon\'s template). Nothing changes on a refusal. Idempotent by requestKey.',
      params: CustomerParams,
      body: z.object({ rewardId: Id, quantity: z.number().int().min(1).max(100).default(1), requestKey: z.string().min(1).max(100) }),
      response: {
        200: z.object({
          entryId: z.string(), reward: z.object({ id: z.string(), name: z.string(), kind: z.enum(['coupon', 'goods']) }), quantity: z.number().int(), points: z.number().int(),
          balance: z.number().int(), coupons: z.array(z.object({ code: z.string(), validTo: Instant })), duplicate: z.boolean(),
        }),
        ...refusals, 422: ErrorResponse,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    return redeemReward(db, actor.tenantId, request.params.customerId, request.body, actorLabel(actor));
  });

  r.post('/api/v1/membership/points/expire', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Expire the points whose time has come (the nightly task does this)', response: { 200: z.object({ entries: z.number().int(), points: z.number().int() }), ...protectedErrors } },
  }, async (request) => expirePoints(db, actorOf(request).tenantId, new Date()));

  r.get('/api/v1/membership/member-day/lift', {
    config: { permission: 'analytics:read' },
    schema: {
      tags, summary: 'Sales on member days against other days',
      description: 'GMV (paid less refunded), orders and buying customers per local day; averages, their ratio, and per ISO week. weekdays defaults to the tenant\'s member days.',
      querystring: z.object({ from: CalendarDate, to: CalendarDate, weekdays: z.string().regex(/^[1-7](,[1-7])*$/, 'must be ISO weekdays like 2 or 2,6').optional() }),
      response: { 200: Lift, ...protectedErrors },
    },
  }, async (request) => {
    const { from, to, weekdays } = request.query;
    return memberDayLift(db, actorOf(request).tenantId, { from, to, weekdays: weekdays?.split(',').map(Number) });
  });

  r.post('/api/v1/membership/member-day/issue', {
    config: { permission: 'promotions:write' },
    schema: {
      tags, summary: 'Issue a member day\'s coupon now (the worker does it at the start of the day)', description: 'Once per date: a second call reports already_issued.',
      body: z.object({ date: CalendarDate }),
      response: { 200: z.object({ date: z.string(), ran: z.boolean(), skippedBecause: z.enum(['not_member_day', 'no_template', 'already_issued']).nullable(), issued: z.number().int(), skipped: z.number().int() }), ...refusals },
    },
  }, async (request) => issueMemberDayCoupons(db, actorOf(request).tenantId, request.body.date));
}
