// Membership tiers: the rules (replaced as a whole, checked for gaps and overlaps), and the
// recompute that places customers in them — ONE statement for the whole tenant (nightly, on
// demand) or for the buyers of an order batch, so both paths agree by construction. Changes are
// recorded in tier_changes and as tier_changed events; reaching a tier grants its coupons.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError } from '../errors.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { newId } from '../ids.ts';
import { newEventId } from '../tags/tag-changes.ts';
import { checkTiers } from './membership.rules.ts';
import { getSettings } from './settings.service.ts';

export interface TierInput {
  name: string;
  minValue: number;
  maxValue: number | null;
  benefits: string;
  memberPricePercent: number | null;
  couponTemplateIds: string[];
}

export interface Tier extends TierInput {
  id: string;
  level: number;
  members: number;
}

export async function listTiers(db: Db, tenantId: string): Promise<Tier[]> {
  const rows = await sql<{ id: string; level: number; name: string; min_value: number; max_value: number | null; benefits: string; member_price_percent: number | null; coupon_template_ids: string[]; members: number }>`
    select t.*, (select count(*)::int from customer_tiers ct where ct.tenant_id = t.tenant_id and ct.tier_id = t.id) as members
      from membership_tiers t where t.tenant_id = ${tenantId} order by t.level`.execute(db);
  // Customers never placed are in the lowest tier.
  const total = rows.rows.length > 0
    ? (await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${tenantId}`.execute(db)).rows[0]?.n ?? 0
    : 0;
  const placed = rows.rows.reduce((s, r) => s + r.members, 0);
  return rows.rows.map((r, i) => ({
    id: r.id, level: r.level, name: r.name, minValue: r.min_value, maxValue: r.max_value, benefits: r.benefits,
    memberPricePercent: r.member_price_percent, couponTemplateIds: r.coupon_template_ids,
    members: i === 0 ? r.members + Math.max(0, total - placed) : r.members,
  }));
}

/** Replaces the tiers (lowest first). A level keeps its id, so customers keep their tier row. */
export async function replaceTiers(db: Db, tenantId: string, tiers: TierInput[]): Promise<Tier[]> {
  const details = checkTiers(tiers, 'body.tiers', (await getSettings(db, tenantId)).tierBasis);
  const templates = [...new Set(tiers.flatMap((t) => t.couponTemplateIds))];
  if (templates.length > 0) {
    const known = new Set((await db.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', 'in', templates).execute()).map((r) => r.id));
    tiers.forEach((t, i) => t.couponTemplateIds.forEach((id, j) => {
      if (!known.has(id)) details.push({ path: `body.tiers.${i}.couponTemplateIds.${j}`, message: `no coupon template ${id}`, code: 'unknown_coupon_template' });
    }));
  }
  if (details.length > 0) throw new YuchiError('invalid', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  await inTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('membership_tiers').select(['id', 'level']).where('tenant_id', '=', tenantId).forUpdate().execute();
    const idOf = new Map(existing.map((r) => [r.level, r.id]));
    await trx.deleteFrom('membership_tiers').where('tenant_id', '=', tenantId).where('level', '>=', tiers.length).execute();
    for (const [level, t] of tiers.entries()) {
      const values = { name: t.name, min_value: t.minValue, max_value: t.maxValue, benefits: t.benefits, member_price_percent: t.memberPricePercent, coupon_template_ids: t.couponTemplateIds };
      await trx.insertInto('membership_tiers').values({ tenant_id: tenantId, id: idOf.get(level) ?? newId(), level, ...values })
        .onConflict((oc) => oc.columns(['tenant_id', 'level']).doUpdateSet(values)).execute();
    }
    // Customers in a removed tier are placed again by the next recompute.
    await sql`delete from customer_tiers ct where ct.tenant_id = ${tenantId}
               and not exists (select 1 from membership_tiers t where t.tenant_id = ct.tenant_id and t.id = ct.tier_id)`.execute(trx);
  });
  return listTiers(db, tenantId);
}

export interface RecomputeResult {
  changed: number;
  couponsIssued: number;
}

/**
 * Places customers in the tier their qualifying value falls in: paid minus refunded over the last
 * N months (spend), or points earned less reversed in that window (points). Writes only the
 * customers whose tier changed. Without `customerIds`, every customer of the tenant.
 */
export async function recomputeTiers(db: Db, tenantId: string, options: { customerIds?: string[]; cause: 'order' | 'recompute'; now?: Date; basis?: 'spend' | 'points' }): Promise<RecomputeResult> {
  return inTransaction(db, async (trx) => {
    const s = (await sql<{ tier_basis: 'spend' | 'points'; tier_window_months: number }>`
      select coalesce(s.tier_basis, 'spend') as tier_basis, coalesce(s.tier_window_months, 12) as tier_window_months
        from tenants t left join membership_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(trx)).rows[0];
    if (!s) return { changed: 0, couponsIssued: 0 };
    const now = options.now ?? new Date();
    const ids = options.customerIds;
    const only = (column: string): RawBuilder<unknown> => (ids ? sql`and ${sql.ref(column)} = any(${ids}::uuid[])` : sql``);
    const since = sql`${now}::timestamptz - make_interval(months => ${s.tier_window_months})`;
    const values = (options.basis ?? s.tier_basis) === 'spend'
      ? sql`select o.customer_id, sum(o.paid_fen - o.refunded_fen)::bigint as value from orders o
             where o.tenant_id = ${tenantId} and o.customer_id is not null and o.ordered_at >= ${since} and o.ordered_at <= ${now} ${only('o.customer_id')}
             group by o.customer_id`
      : sql`select l.customer_id, sum(l.points)::bigint as value from points_ledger l
             where l.tenant_id = ${tenantId} and l.kind in ('earn', 'reverse') and l.created_at >= ${since} ${only('l.customer_id')}
             group by l.customer_id`;
    const changed = await sql<{ customer_id: string; tier_id: string; level: number; from_level: number; coupon_template_ids: string[] }>`
      with tiers as (select * from membership_tiers where tenant_id = ${tenantId}),
      base as (select id, level from tiers order by level limit 1),
      v as (${values}),
      q as (
        select c.id as customer_id, coalesce(v.value, 0) as value
          from customers c left join v on v.customer_id = c.id
         where c.tenant_id = ${tenantId} ${only('c.id')}
      ),
      placed as (
        select q.customer_id, q.value, t.id as tier_id, t.level, t.name, t.coupon_template_ids,
               coalesce(ct.tier_id, base.id) as from_id, coalesce(f.level, base.level) as from_level, coalesce(f.name, '') as from_name
          from q join tiers t on q.value >= t.min_value and (t.max_value is null or q.value < t.max_value)
          cross join base
          left join customer_tiers ct on ct.tenant_id = ${tenantId} and ct.customer_id = q.customer_id
          left join tiers f on f.id = coalesce(ct.tier_id, base.id)
      ),
      moved as (select * from placed where tier_id <> from_id),
      upserted as (
        insert into customer_tiers (tenant_id, customer_id, tier_id, qualifying_value, since)
        select ${tenantId}, customer_id, tier_id, value, ${now} from moved
        on conflict (tenant_id, customer_id) do update set tier_id = excluded.tier_id, qualifying_value = excluded.qualifying_value, since = excluded.since
      ),
      changes as (
        insert into tier_changes (tenant_id, id, customer_id, from_tier_id, to_tier_id, qualifying_value, cause, changed_at)
        select ${tenantId}, ${newEventId}, customer_id, from_id, tier_id, value, ${options.cause}, ${now} from moved
        returning id, customer_id
      ),
      timeline as (
        insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
        select ${tenantId}, ${newEventId}, 'yuchi:tier_changed:' || c.id, 'tier_changed', m.customer_id, ${now}, 'yuchi', 'membership',
               jsonb_build_object('fromTierId', m.from_id, 'fromTier', m.from_name, 'toTierId', m.tier_id, 'toTier', m.name,
                                  'fromLevel', m.from_level, 'toLevel', m.level, 'qualifyingValue', m.value, 'cause', ${options.cause}::text)
          from moved m join changes c on c.customer_id = m.customer_id
      )
      select customer_id, tier_id, level, from_level, coupon_template_ids from moved`.execute(trx);
    const couponsIssued = await grantTierCoupons(trx, tenantId, changed.rows.filter((r) => r.level > r.from_level && r.coupon_template_ids.length > 0));
    return { changed: changed.rows.length, couponsIssued };
  });
}

/**
 * A customer reaching a tier gets its coupons once (the request key is the tier's). A template
 * that cannot issue (paused, out of stock) is skipped without undoing the tier change.
 */
async function grantTierCoupons(db: Db, tenantId: string, reached: { customer_id: string; tier_id: string; coupon_template_ids: string[] }[]): Promise<number> {
  const byTier = new Map<string, { templates: string[]; customers: string[] }>();
  for (const r of reached) {
    const entry = byTier.get(r.tier_id) ?? { templates: r.coupon_template_ids, customers: [] };
    entry.customers.push(r.customer_id);
    byTier.set(r.tier_id, entry);
  }
  let issued = 0;
  for (const [tierId, { templates, customers }] of byTier) {
    for (const templateId of templates) {
      for (let i = 0; i < customers.length; i += 1000) {
        await sql`savepoint tier_coupons`.execute(db);
        try {
          const result = await issueCoupons(db, tenantId, templateId, customers.slice(i, i + 1000), { requestKey: `tier:${tierId}`, source: 'tier', actor: 'membership', partial: true });
          issued += result.issued.length;
          await sql`release savepoint tier_coupons`.execute(db);
        } catch (err) {
          if (!(err instanceof YuchiError)) throw err;
          await sql`rollback to savepoint tier_coupons`.execute(db);
        }
      }
    }
  }
  return issued;
}
