// The weekly member rollup group health reads (group_member_weeks, migration 0034): per group and
// tenant-local week, memberships begun (came) and ended (went) among the present group_members
// rows, and the joins and leaves group_member_changes records. Triggers keep it in step with every
// write to those two tables; this rebuild is for what triggers cannot see: a tenant changing its zone.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';

/** Recounts the tenant's member rollup from group_members and group_member_changes, in the tenant's present zone. */
export async function rebuildMemberWeeks(db: Db, tenantId: string): Promise<number> {
  return inTransaction(db, async (trx) => {
    await sql`delete from group_member_weeks where tenant_id = ${tenantId}`.execute(trx);
    const added = await sql`
      with z as (select timezone from tenants where id = ${tenantId})
      insert into group_member_weeks (tenant_id, group_id, week, came, went, joins, leaves)
      select ${tenantId}::uuid, x.group_id, x.week, sum(x.came), sum(x.went), sum(x.joins), sum(x.leaves)
        from (select m.group_id, (date_trunc('week', m.joined_at at time zone z.timezone))::date as week, 1 as came, 0 as went, 0 as joins, 0 as leaves
                from group_members m cross join z where m.tenant_id = ${tenantId}
              union all
              select m.group_id, (date_trunc('week', m.left_at at time zone z.timezone))::date, 0, 1, 0, 0
                from group_members m cross join z where m.tenant_id = ${tenantId} and m.left_at is not null
              union all
              select c.group_id, (date_trunc('week', c.at at time zone z.timezone))::date, 0, 0, (c.action = 'joined')::int, (c.action = 'left')::int
                from group_member_changes c cross join z where c.tenant_id = ${tenantId}) x
       group by 2, 3`.execute(trx);
    return Number(added.numAffectedRows ?? 0);
  });
}
