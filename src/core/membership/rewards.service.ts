// The catalogue of what points buy: coupons (issued from a template) and goods with a stock.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';

export interface RewardInput {
  name: string;
  kind: 'coupon' | 'goods';
  couponTemplateId: string | null;
  sku: string | null;
  pointsPrice: number;
  stock: number | null;
  status: 'active' | 'paused';
}

export interface Reward extends RewardInput {
  id: string;
  redeemed: number;
  left: number | null;
  createdAt: string;
}

interface RewardRow {
  id: string; name: string; kind: 'coupon' | 'goods'; coupon_template_id: string | null; sku: string | null;
  points_price: number; stock: number | null; redeemed: number; status: 'active' | 'paused'; created_at: Date;
}

const view = (r: RewardRow): Reward => ({
  id: r.id, name: r.name, kind: r.kind, couponTemplateId: r.coupon_template_id, sku: r.sku, pointsPrice: r.points_price,
  stock: r.stock, redeemed: r.redeemed, left: r.stock === null ? null : r.stock - r.redeemed, status: r.status, createdAt: r.created_at.toISOString(),
});

export async function listRewards(db: Db, tenantId: string): Promise<Reward[]> {
  const rows = await sql<RewardRow>`select * from points_rewards where tenant_id = ${tenantId} order by status, points_price, name`.execute(db);
  return rows.rows.map(view);
}

async function checkReward(db: Db, tenantId: string, input: RewardInput): Promise<void> {
  if (input.kind === 'coupon') {
    if (!input.couponTemplateId) throw invalid('body.couponTemplateId', 'a coupon reward needs its coupon template', { code: 'coupon_template_needed', params: {} });
    const t = await db.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.couponTemplateId).executeTakeFirst();
    if (!t) throw invalid('body.couponTemplateId', `no coupon template ${input.couponTemplateId}`, { code: 'unknown_coupon_template', params: {} });
  } else if (input.couponTemplateId) {
    throw invalid('body.couponTemplateId', 'goods carry no coupon template', { code: 'goods_no_coupon', params: {} });
  }
}

export async function createReward(db: Db, tenantId: string, input: RewardInput): Promise<Reward> {
  await checkReward(db, tenantId, input);
  const row = await sql<RewardRow>`
    insert into points_rewards (tenant_id, id, name, kind, coupon_template_id, sku, points_price, stock, status)
    values (${tenantId}, ${newId()}, ${input.name}, ${input.kind}, ${input.couponTemplateId}, ${input.sku}, ${input.pointsPrice}, ${input.stock}, ${input.status})
    returning *`.execute(db);
  const r = row.rows[0];
  if (!r) throw new Error('reward not inserted');
  return view(r);
}

export async function updateReward(db: Db, tenantId: string, id: string, input: RewardInput): Promise<Reward> {
  await checkReward(db, tenantId, input);
  const current = await db.selectFrom('points_rewards').select(['redeemed', 'kind']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!current) throw notFound('reward');
  if (input.stock !== null && input.stock < current.redeemed) throw invalid('body.stock', `${current.redeemed} were already redeemed; the stock cannot be below that`, { code: 'stock_below_redeemed', params: { redeemed: current.redeemed } });
  if (input.kind !== current.kind) throw invalid('body.kind', 'a reward cannot change kind; create another', { code: 'kind_fixed', params: {} });
  const row = await sql<RewardRow>`
    update points_rewards set name = ${input.name}, coupon_template_id = ${input.couponTemplateId}, sku = ${input.sku}, points_price = ${input.pointsPrice},
           stock = ${input.stock}, status = ${input.status}
     where tenant_id = ${tenantId} and id = ${id} and (${input.stock}::int is null or redeemed <= ${input.stock}::int)
     returning *`.execute(db);
  const r = row.rows[0];
  if (!r) throw new YuchiError('conflict', 'the reward was redeemed meanwhile past the new stock', [{ path: 'body.stock', message: 'below what was redeemed', code: 'stock_below_redeemed', params: { redeemed: input.stock ?? 0 } }]);
  return view(r);
}
