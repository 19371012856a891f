// When profiles merge (core/ingest/merge.service.ts), the survivor takes the merged profiles'
// points: ledger entries, lots and tier history move, balances add up. The survivor keeps its own
// tier until the next recompute or order places it again.
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';

/**
 * Where a merged profile's points rows are found (table, customer column, and the condition of
 * the partial index to use): moveMembership runs only when one of them holds a row. A points lot
 * always has a ledger entry, so only open lots (points_lots_open) need probing.
 */
export const MEMBERSHIP_PROBES: readonly (readonly [string, string, RawBuilder<unknown>?])[] = [
  ['points_ledger', 'customer_id'], ['points_lots', 'customer_id', sql`and x.remaining > 0`], ['tier_changes', 'customer_id'],
  ['customer_tiers', 'customer_id'], ['points_balances', 'customer_id'],
];

export async function moveMembership(db: Db, tenantId: string, mergedIds: string[], survivorIds: string[]): Promise<void> {
  await sql`${PREPARED}
    with m as (select * from unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as m(merged, survivor)),
    ledger as (
      update points_ledger x set customer_id = m.survivor from m
       where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged
    ),
    lots as (
      update points_lots x set customer_id = m.survivor from m
       where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged
    ),
    changes as (
      update tier_changes x set customer_id = m.survivor from m
       where x.tenant_id = ${tenantId} and x.customer_id = any(${mergedIds}::uuid[]) and x.customer_id = m.merged
    ),
    tiers as (delete from customer_tiers where tenant_id = ${tenantId} and customer_id = any(${mergedIds}::uuid[])),
    gone as (delete from points_balances where tenant_id = ${tenantId} and customer_id = any(${mergedIds}::uuid[]) returning customer_id, balance)
    insert into points_balances (tenant_id, customer_id, balance)
    select ${tenantId}, m.survivor, sum(g.balance) from gone g join m on m.merged = g.customer_id group by m.survivor
    on conflict (tenant_id, customer_id) do update set balance = points_balances.balance + excluded.balance, updated_at = now()`.execute(db);
}
