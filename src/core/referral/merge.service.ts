// When two profiles prove to be one person (src/core/ingest/merge.service.ts), the 接龙 entries,
// 拼团 seats, 拼单 lines and the referral network of the merged profile move to the survivor.
// Merges are rare and each statement touches only the merged ids, so ingestion barely notices.
// Where the survivor already holds the same thing (the same 接龙, the same partner role), the two
// are combined: 接龙 quantities add up (the 接龙's `taken` stays their sum), a second referral of
// the same person gives way to the survivor's, and a second partner hands its codes, people and
// rewards to the survivor's partner.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

/** Where a merged profile's 接龙, 拼团, 拼单 and referral rows are found (table, customer column): moveFissionRows runs only when one holds a row. */
export const FISSION_PROBES: readonly (readonly [string, string])[] = [
  ['solitaire_entries', 'customer_id'], ['group_buy_members', 'customer_id'], ['group_buys', 'leader_customer_id'], ['shared_carts', 'initiator_customer_id'],
  ['shared_cart_items', 'customer_id'], ['referrals', 'customer_id'], ['referral_rewards', 'referred_customer_id'], ['referral_partners', 'customer_id'],
];

export async function moveFissionRows(db: Db, tenantId: string, mergedIds: string[], survivorIds: string[]): Promise<void> {
  if (mergedIds.length === 0) return;
  const m = sql`unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as m(merged, survivor)`;
  const merged = sql`${mergedIds}::uuid[]`;

  // 接龙: one line per person and 接龙.
  await sql`
    update solitaire_entries s set quantity = s.quantity + x.quantity
      from solitaire_entries x join ${m} on x.customer_id = m.merged
     where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and s.tenant_id = ${tenantId}
       and s.solitaire_id = x.solitaire_id and s.customer_id = m.survivor`.execute(db);
  await sql`
    delete from solitaire_entries x using ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged
       and exists (select 1 from solitaire_entries s where s.tenant_id = x.tenant_id and s.solitaire_id = x.solitaire_id and s.customer_id = m.survivor)`.execute(db);
  await sql`update solitaire_entries x set customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged`.execute(db);

  // 拼团: one seat per person and group. The merged profile's seat moves when the survivor has none
  // in that group; otherwise it goes with the merged profile (the group's order rows stay in orders).
  await sql`
    update group_buy_members x set customer_id = m.survivor from ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged
       and not exists (select 1 from group_buy_members s where s.tenant_id = x.tenant_id and s.group_buy_id = x.group_buy_id and s.customer_id = m.survivor)`.execute(db);
  await sql`update group_buys x set leader_customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.leader_customer_id = any(${merged}) and x.leader_customer_id = m.merged`.execute(db);
  await sql`update shared_carts x set initiator_customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.initiator_customer_id = any(${merged}) and x.initiator_customer_id = m.merged`.execute(db);
  await sql`update shared_cart_items x set customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged`.execute(db);

  // Referral: being referred (the survivor's own referral stands), and being a partner.
  await sql`
    delete from referrals x using ${m}
     where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged
       and exists (select 1 from referrals s where s.tenant_id = x.tenant_id and s.customer_id = m.survivor)`.execute(db);
  await sql`update referrals x set customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.customer_id = any(${merged}) and x.customer_id = m.merged`.execute(db);
  await sql`update referral_rewards x set referred_customer_id = m.survivor from ${m} where x.tenant_id = ${tenantId} and x.referred_customer_id = any(${merged}) and x.referred_customer_id = m.merged`.execute(db);
  const pairs = await sql<{ from_partner: string; to_partner: string | null; survivor: string }>`
    select p.id as from_partner, s.id as to_partner, m.survivor from referral_partners p join ${m} on p.customer_id = m.merged
      left join referral_partners s on s.tenant_id = p.tenant_id and s.customer_id = m.survivor
     where p.tenant_id = ${tenantId} and p.customer_id = any(${merged})`.execute(db);
  for (const p of pairs.rows) {
    if (p.to_partner === null) {
      await sql`update referral_partners set customer_id = ${p.survivor} where tenant_id = ${tenantId} and id = ${p.from_partner}`.execute(db);
      continue;
    }
    await sql`update referral_codes set partner_id = ${p.to_partner} where tenant_id = ${tenantId} and partner_id = ${p.from_partner}`.execute(db);
    await sql`update referrals set level1_partner_id = ${p.to_partner} where tenant_id = ${tenantId} and level1_partner_id = ${p.from_partner}`.execute(db);
    await sql`update referrals set level2_partner_id = ${p.to_partner} where tenant_id = ${tenantId} and level2_partner_id = ${p.from_partner}`.execute(db);
    await sql`update referral_rewards set partner_id = ${p.to_partner} where tenant_id = ${tenantId} and partner_id = ${p.from_partner}`.execute(db);
    await sql`delete from referral_partners where tenant_id = ${tenantId} and id = ${p.from_partner}`.execute(db);
  }
}
