// A member's points and tier as operators and tills see them, and the two things done to them
// by hand or at the counter: an adjustment with its reason, and a redemption for a reward.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound, type ErrorDetail } from '../errors.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { offsetOf, type Page, type PageRequest } from '../paging.ts';
import { addCredits, addDebits, lockBalances, type EntryKind } from './ledger.service.ts';
import { expiryOf } from './membership.rules.ts';

export interface LedgerEntry {
  id: string;
  kind: EntryKind;
  points: number;
  orderId: string | null;
  orderNo: string | null;
  rewardId: string | null;
  rewardName: string | null;
  quantity: number | null;
  reason: string;
  actor: string;
  at: string;
}

export interface MemberPoints {
  customer: { id: string; name: string };
  balance: number;
  /** Points leaving soonest: the first open lot's date and what expires then. */
  nextExpiry: { at: string; points: number } | null;
  tier: { id: string; name: string; level: number; since: string | null; benefits: string; memberPricePercent: number | null } | null;
  nextTier: { name: string; minValue: number } | null;
}

/** Refusals a till can act on: the reason is the error code. */
export class PointsRefusal extends YuchiError {
  constructor(reason: 'insufficient_points' | 'reward_out_of_stock' | 'reward_paused', message: string, path: string, params: ErrorDetail['params'] = {}) {
    // The detail carries the reason and its values, so the console words it in its own language.
    super('conflict', message, [{ path, message, code: reason, params }], reason);
    this.name = 'PointsRefusal';
  }
}

/** The customer, if this actor may see them (a guide: only their own). */
async function customerOf(db: Db, tenantId: string, customerId: string, guideId?: string): Promise<{ id: string; name: string }> {
  const row = await sql<{ id: string; name: string }>`
    select id, name from customers where tenant_id = ${tenantId} and id = ${customerId}
       ${guideId ? sql`and guide_id = ${guideId}` : sql``}`.execute(db);
  const c = row.rows[0];
  if (!c) throw notFound('customer');
  return c;
}

export async function memberPoints(db: Db, tenantId: string, customerId: string, guideId?: string): Promise<MemberPoints> {
  const customer = await customerOf(db, tenantId, customerId, guideId);
  const row = (await sql<{ balance: number | null; expiry_at: Date | null; expiry_points: number | null; tier: { id: string; name: string; level: number; benefits: string; member_price_percent: number | null; since: string | null } | null; next: { name: string; min_value: number } | null }>`
    with cur as (
      select t.id, t.name, t.level, t.benefits, t.member_price_percent, ct.since
        from membership_tiers t left join customer_tiers ct on ct.tenant_id = t.tenant_id and ct.customer_id = ${customerId}
       where t.tenant_id = ${tenantId} and (t.id = ct.tier_id or (ct.tier_id is null and t.level = (select min(level) from membership_tiers where tenant_id = ${tenantId})))
       order by ct.tier_id is null limit 1
    ),
    soon as (
      select expires_at, sum(remaining)::int as points from points_lots
       where tenant_id = ${tenantId} and customer_id = ${customerId} and remaining > 0 and expires_at is not null
       group by expires_at order by expires_at limit 1
    )
    select (select balance from points_balances where tenant_id = ${tenantId} and customer_id = ${customerId}) as balance,
           (select expires_at from soon) as expiry_at, (select points from soon) as expiry_points,
           (select to_jsonb(cur) from cur) as tier,
           (select jsonb_build_object('name', n.name, 'min_value', n.min_value) from membership_tiers n
             where n.tenant_id = ${tenantId} and n.level > (select level from cur) order by n.level limit 1) as next`.execute(db)).rows[0];
  return {
    customer,
    balance: row?.balance ?? 0,
    nextExpiry: row?.expiry_at && row.expiry_points ? { at: new Date(row.expiry_at).toISOString(), points: row.expiry_points } : null,
    tier: row?.tier ? {
      id: row.tier.id, name: row.tier.name, level: row.tier.level, since: row.tier.since ? new Date(row.tier.since).toISOString() : null,
      benefits: row.tier.benefits, memberPricePercent: row.tier.member_price_percent,
    } : null,
    nextTier: row?.next ? { name: row.next.name, minValue: Number(row.next.min_value) } : null,
  };
}

export async function ledgerPage(db: Db, tenantId: string, customerId: string, page: PageRequest, guideId?: string): Promise<Page<LedgerEntry>> {
  await customerOf(db, tenantId, customerId, guideId);
  const rows = await sql<{ id: string; kind: EntryKind; points: number; order_id: string | null; order_no: string | null; reward_id: string | null; reward_name: string | null; quantity: number | null; reason: string; actor: string; created_at: Date; total: number }>`
    select l.id, l.kind, l.points, l.order_id, o.order_no, l.reward_id, r.name as reward_name, l.quantity, l.reason, l.actor, l.created_at,
           count(*) over ()::int as total
      from points_ledger l
      left join orders o on o.tenant_id = l.tenant_id and o.id = l.order_id
      left join points_rewards r on r.tenant_id = l.tenant_id and r.id = l.reward_id
     where l.tenant_id = ${tenantId} and l.customer_id = ${customerId}
     order by l.created_at desc, l.id desc
     limit ${page.pageSize} offset ${offsetOf(page)}`.execute(db);
  const total = rows.rows[0]?.total ?? (page.page === 1 ? 0 : (await sql<{ n: number }>`select count(*)::int as n from points_ledger where tenant_id = ${tenantId} and customer_id = ${customerId}`.execute(db)).rows[0]?.n ?? 0);
  return {
    items: rows.rows.map((r) => ({
      id: r.id, kind: r.kind, points: r.points, orderId: r.order_id, orderNo: r.order_no, rewardId: r.reward_id, rewardName: r.reward_name,
      quantity: r.quantity, reason: r.reason, actor: r.actor, at: r.created_at.toISOString(),
    })),
    page: page.page, pageSize: page.pageSize, total,
  };
}

/**
 * An operator's adjustment: points added (a new lot, expiring like earned points) or taken away
 * (never below zero). The reason is required and kept on the entry. Idempotent by request key.
 */
export async function adjustPoints(db: Db, tenantId: string, customerId: string, input: { points: number; reason: string; requestKey: string }, actor: string): Promise<{ balance: number; duplicate: boolean }> {
  const reason = input.reason.trim();
  if (reason.length === 0) throw invalid('body.reason', 'an adjustment needs its reason', { code: 'reason_needed', params: {} });
  if (!Number.isInteger(input.points) || input.points === 0) throw invalid('body.points', 'must be a whole number of points, not 0', { code: 'points_not_whole', params: {} });
  return inTransaction(db, async (trx) => {
    await customerOf(trx, tenantId, customerId);
    const entryKey = `adjust:${input.requestKey}`;
    const settings = (await sql<{ expiry_months: number | null; timezone: string }>`
      select s.expiry_months, t.timezone from tenants t left join membership_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(trx)).rows[0];
    await ensureBalanceRow(trx, tenantId, customerId);
    const balances = await lockBalances(trx, tenantId, [customerId]);
    const before = balances.get(customerId) ?? 0;
    const seen = await trx.selectFrom('points_ledger').select('id').where('tenant_id', '=', tenantId).where('entry_key', '=', entryKey).executeTakeFirst();
    if (seen) return { balance: before, duplicate: true };
    if (input.points > 0) {
      const now = new Date();
      await addCredits(trx, tenantId, [{ customerId, kind: 'adjust', points: input.points, entryKey, reason, at: now, expiresAt: expiryOf(now, settings?.expiry_months ?? null, settings?.timezone ?? 'Asia/Shanghai') }], actor);
      return { balance: before + input.points, duplicate: false };
    }
    if (before + input.points < 0) {
      throw new PointsRefusal('insufficient_points', `the balance is ${before} points; taking ${-input.points} would leave it negative`, 'body.points', { balance: before, asked: -input.points });
    }
    await addDebits(trx, tenantId, [{ customerId, kind: 'adjust', points: -input.points, entryKey, reason }], actor);
    return { balance: before + input.points, duplicate: false };
  });
}

/** A balance row to lock, even for a customer who never had points. */
async function ensureBalanceRow(db: Db, tenantId: string, customerId: string): Promise<void> {
  await sql`insert into points_balances (tenant_id, customer_id, balance) values (${tenantId}, ${customerId}, 0) on conflict do nothing`.execute(db);
}

export interface Redemption {
  entryId: string;
  reward: { id: string; name: string; kind: 'coupon' | 'goods' };
  quantity: number;
  points: number;
  balance: number;
  coupons: { code: string; validTo: string }[];
  duplicate: boolean;
}

/**
 * Spends points on a reward. One transaction: the reward's stock (conditional update), the
 * balance (locked, checked), the ledger entry and the lots, and for a coupon reward the coupons
 * through issueCoupons. Any refusal leaves everything as it was. Idempotent by request key.
 */
export async function redeemReward(db: Db, tenantId: string, customerId: string, input: { rewardId: string; quantity: number; requestKey: string }, actor: string): Promise<Redemption> {
  return inTransaction(db, async (trx) => {
    await customerOf(trx, tenantId, customerId);
    const entryKey = `redeem:${input.requestKey}`;
    await ensureBalanceRow(trx, tenantId, customerId);
    const before = (await lockBalances(trx, tenantId, [customerId])).get(customerId) ?? 0;
    const seen = await sql<{ id: string; points: number; quantity: number; reward_id: string; name: string; kind: 'coupon' | 'goods' }>`
      select l.id, -l.points as points, l.quantity, l.reward_id, r.name, r.kind from points_ledger l join points_rewards r on r.tenant_id = l.tenant_id and r.id = l.reward_id
       where l.tenant_id = ${tenantId} and l.entry_key = ${entryKey}`.execute(trx);
    const prior = seen.rows[0];
    if (prior) {
      const coupons = await couponsOf(trx, tenantId, prior.id);
      return { entryId: prior.id, reward: { id: prior.reward_id, name: prior.name, kind: prior.kind }, quantity: prior.quantity, points: prior.points, balance: before, coupons, duplicate: true };
    }
    const reward = await trx.selectFrom('points_rewards').selectAll().where('tenant_id', '=', tenantId).where('id', '=', input.rewardId).executeTakeFirst();
    if (!reward) throw invalid('body.rewardId', `no reward ${input.rewardId}`, { code: 'unknown_reward', params: {} });
    if (reward.status !== 'active') throw new PointsRefusal('reward_paused', `reward ${reward.name} is paused`, 'body.rewardId', { reward: reward.name });
    const cost = reward.points_price * input.quantity;
    if (cost > before) throw new PointsRefusal('insufficient_points', `reward ${reward.name} × ${input.quantity} costs ${cost} points; the balance is ${before}`, 'body.quantity', { balance: before, asked: cost });
    const taken = await sql<{ id: string }>`
      update points_rewards set redeemed = redeemed + ${input.quantity}
       where tenant_id = ${tenantId} and id = ${reward.id} and (stock is null or redeemed + ${input.quantity} <= stock) returning id`.execute(trx);
    if (taken.rows.length === 0) throw new PointsRefusal('reward_out_of_stock', `reward ${reward.name} has ${(reward.stock ?? 0) - reward.redeemed} left; ${input.quantity} asked`, 'body.quantity', { reward: reward.name, left: (reward.stock ?? 0) - reward.redeemed, asked: input.quantity });
    const [entry] = await addDebits(trx, tenantId, [{ customerId, kind: 'redeem', points: cost, entryKey, rewardId: reward.id, quantity: input.quantity, reason: reward.name }], actor);
    if (!entry) throw new YuchiError('conflict', 'the same request is being redeemed right now; send it again', [{ path: 'body.requestKey', message: 'in progress', code: 'request_in_progress', params: {} }]);
    if (reward.kind === 'coupon' && reward.coupon_template_id) {
      for (let i = 0; i < input.quantity; i++) {
        const issued = await issueCoupons(trx, tenantId, reward.coupon_template_id, [customerId], { requestKey: `points:${entry.id}:${i}`, source: 'points', actor });
        const skipped = issued.skipped[0];
        if (skipped) throw new YuchiError('conflict', `the coupon of reward ${reward.name} cannot be issued to this customer: ${skipped.reason}`, [{ path: 'body.quantity', message: skipped.reason, code: `reward_coupon_${skipped.reason}`, params: { reward: reward.name } }], skipped.reason);
      }
    }
    return {
      entryId: entry.id, reward: { id: reward.id, name: reward.name, kind: reward.kind }, quantity: input.quantity, points: cost,
      balance: before - cost, coupons: await couponsOf(trx, tenantId, entry.id), duplicate: false,
    };
  });
}

async function couponsOf(db: Db, tenantId: string, entryId: string): Promise<{ code: string; validTo: string }[]> {
  const rows = await sql<{ code: string; valid_to: Date }>`
    select code, valid_to from coupons where tenant_id = ${tenantId} and source = 'points' and issue_key like ${`points:${entryId}:%`} order by issue_key`.execute(db);
  return rows.rows.map((r) => ({ code: r.code, validTo: r.valid_to.toISOString() }));
}
