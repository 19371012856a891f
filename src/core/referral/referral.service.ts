// Referral partners, their codes, and the tenant's reward rules.
// A partner is whoever brings people: a customer sharing their own code, or an external distributor.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, isUniqueViolation, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { GroupSellingRefusal } from '../group-selling/group-selling.errors.ts';
import { checkRewardRules, referralCode, type RewardKind, type RewardRule } from './referral.rules.ts';

export interface PartnerView {
  id: string;
  kind: 'customer' | 'external';
  customerId: string | null;
  name: string;
  phone: string | null;
  codes: string[];
  referred: number;
  createdAt: string;
}

export async function listPartners(db: Db, tenantId: string, filter: { id?: string; customerId?: string } = {}): Promise<PartnerView[]> {
  const rows = await sql<{ id: string; kind: 'customer' | 'external'; customer_id: string | null; name: string; phone: string | null; codes: string[]; referred: number; created_at: Date }>`
    select p.id, p.kind, p.customer_id, coalesce(nullif(p.name, ''), c.name, '') as name, p.phone, p.created_at,
           coalesce((select array_agg(k.code order by k.created_at) from referral_codes k where k.tenant_id = p.tenant_id and k.partner_id = p.id and k.disabled_at is null), '{}') as codes,
           (select count(*)::int from referrals r where r.tenant_id = p.tenant_id and r.level1_partner_id = p.id) as referred
      from referral_partners p left join customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
     where p.tenant_id = ${tenantId}
       and (${filter.id ?? null}::uuid is null or p.id = ${filter.id ?? null}::uuid)
       and (${filter.customerId ?? null}::uuid is null or p.customer_id = ${filter.customerId ?? null}::uuid)
     order by p.created_at desc limit 1000`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, kind: r.kind, customerId: r.customer_id, name: r.name, phone: r.phone, codes: r.codes, referred: r.referred, createdAt: r.created_at.toISOString() }));
}

/** A customer's partner row, made on first use (one per customer). */
async function partnerOfCustomer(db: Db, tenantId: string, customerId: string): Promise<string> {
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', customerId).executeTakeFirst();
  if (!customer) throw invalid('body.customer', `no customer ${customerId}`, { code: 'unknown_customer', params: {} });
  await sql`insert into referral_partners (tenant_id, id, kind, customer_id) values (${tenantId}, ${newId()}, 'customer', ${customerId})
            on conflict (tenant_id, customer_id) where customer_id is not null do nothing`.execute(db);
  const row = await db.selectFrom('referral_partners').select('id').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
  return row.id;
}

export async function createExternalPartner(db: Db, tenantId: string, input: { name: string; phone?: string | null }): Promise<PartnerView> {
  const id = newId();
  await db.insertInto('referral_partners').values({ tenant_id: tenantId, id, kind: 'external', name: input.name, phone: input.phone ?? null }).execute();
  const [p] = await listPartners(db, tenantId, { id });
  if (!p) throw notFound('partner');
  return p;
}

/** Gives a customer or a partner a code (a chosen one, or a readable random one). */
export async function createReferralCode(db: Db, tenantId: string, input: { customerId?: string; partnerId?: string; code?: string }): Promise<{ code: string; partner: PartnerView }> {
  if ((input.customerId === undefined) === (input.partnerId === undefined)) throw invalid('body', 'give exactly one of customer and partnerId', { code: 'customer_or_partner', params: {} });
  return inTransaction(db, async (trx) => {
    let partnerId = input.partnerId;
    if (input.customerId !== undefined) partnerId = await partnerOfCustomer(trx, tenantId, input.customerId);
    else {
      const p = await trx.selectFrom('referral_partners').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.partnerId ?? '').executeTakeFirst();
      if (!p) throw invalid('body.partnerId', `no partner ${input.partnerId ?? ''}`, { code: 'unknown_partner', params: {} });
    }
    const code = input.code ?? referralCode(randomBytes(8));
    try {
      await trx.insertInto('referral_codes').values({ tenant_id: tenantId, code, partner_id: partnerId ?? '' }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new GroupSellingRefusal('code_taken', `the code ${code} is taken`, 'body.code');
      throw err;
    }
    const [partner] = await listPartners(trx, tenantId, { id: partnerId ?? '' });
    if (!partner) throw notFound('partner');
    return { code, partner };
  });
}

export async function disableReferralCode(db: Db, tenantId: string, code: string): Promise<void> {
  const r = await sql`update referral_codes set disabled_at = coalesce(disabled_at, now()) where tenant_id = ${tenantId} and code = ${code} returning code`.execute(db);
  if (r.rows.length === 0) throw notFound('referral code');
}

export interface RewardRuleView {
  level: 1 | 2;
  kind: RewardKind;
  percentBp: number | null;
  windowDays: number | null;
  points: number | null;
  couponTemplateId: string | null;
}

export async function getRewardRules(db: Db, tenantId: string): Promise<RewardRuleView[]> {
  const rows = await db.selectFrom('referral_rules').selectAll().where('tenant_id', '=', tenantId).orderBy('level').execute();
  return rows.map((r) => ({ level: r.level === 2 ? 2 : 1, kind: r.kind, percentBp: r.percent_bp, windowDays: r.window_days, points: r.points, couponTemplateId: r.coupon_template_id }));
}

/** Replaces the tenant's rules (one per level); refused as a whole when any check fails. */
export async function setRewardRules(db: Db, tenantId: string, rules: RewardRule[]): Promise<RewardRuleView[]> {
  const details = checkRewardRules(rules);
  const templates = rules.flatMap((r, i) => (r.kind === 'coupon' && r.couponTemplateId ? [{ i, id: r.couponTemplateId }] : []));
  for (const t of templates) {
    const found = await db.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', '=', t.id).executeTakeFirst();
    if (!found) details.push({ path: `body.rules[${t.i}].couponTemplateId`, message: `no coupon template ${t.id}`, code: 'unknown_coupon_template' });
  }
  const first = details[0];
  if (first) throw new YuchiError('unprocessable', `${first.path}: ${first.message}`, details, 'invalid_reward_rules');
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('referral_rules').where('tenant_id', '=', tenantId).execute();
    if (rules.length === 0) return;
    await trx.insertInto('referral_rules').values(rules.map((r) => ({
      tenant_id: tenantId, level: r.level, kind: r.kind, percent_bp: r.kind.startsWith('percent') ? (r.percentBp ?? null) : null,
      window_days: r.kind === 'percent_window' ? (r.windowDays ?? null) : null, points: r.kind === 'points' ? (r.points ?? null) : null,
      coupon_template_id: r.kind === 'coupon' ? (r.couponTemplateId ?? null) : null,
    }))).execute();
  });
  return getRewardRules(db, tenantId);
}
