// The demo's history on each customer's timeline. The generator bulk-loads orders, WeCom friends
// and group memberships without events (benchmarks seed millions of rows and need none), so a demo
// tenant writes the events those facts would have produced, set-wise, once, after seeding: orders
// paid and refunded, friends added and deleted, groups joined and left, and each customer's last
// activity from them. Ids and keys derive from the rows, and each event was received when it
// happened, so a re-seed writes the same rows.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

export async function writeDemoTimeline(db: Db, tenantId: string): Promise<number> {
  const result = await sql`
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, received_at, source, actor, properties)
    select ${tenantId}, md5(x.key)::uuid, x.key, x.type, x.customer_id, x.at, x.at, 'demo', null, x.properties
      from (
        select 'demo:order_paid:' || o.id as key, 'order_paid' as type, o.customer_id, o.ordered_at as at,
               jsonb_build_object('orderId', o.id, 'orderNo', o.order_no, 'channel', o.channel, 'storeId', o.store_id, 'totalFen', o.total_fen, 'paidFen', o.paid_fen) as properties
          from orders o where o.tenant_id = ${tenantId} and o.customer_id is not null
        union all
        select 'demo:order_refunded:' || o.id, 'order_refunded', o.customer_id, o.ordered_at + interval '2 days',
               jsonb_build_object('orderId', o.id, 'orderNo', o.order_no, 'refundedFen', o.refunded_fen, 'refundFen', o.refunded_fen)
          from orders o where o.tenant_id = ${tenantId} and o.customer_id is not null and o.refunded_fen > 0
        union all
        select 'demo:contact_added:' || k.customer_id || ':' || k.staff_id, 'contact_added', k.customer_id, k.added_at,
               jsonb_strip_nulls(jsonb_build_object('staffId', k.staff_id, 'state', k.state))
          from customer_contacts k where k.tenant_id = ${tenantId}
        union all
        select 'demo:contact_deleted:' || k.customer_id || ':' || k.staff_id, 'contact_deleted', k.customer_id, k.deleted_at,
               jsonb_build_object('staffId', k.staff_id)
          from customer_contacts k where k.tenant_id = ${tenantId} and k.deleted_at is not null
        union all
        select 'demo:group_joined:' || m.group_id || ':' || m.customer_id, 'group_joined', m.customer_id, m.joined_at,
               jsonb_build_object('chatId', g.chat_id, 'groupName', g.name)
          from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
         where m.tenant_id = ${tenantId}
        union all
        select 'demo:group_left:' || m.group_id || ':' || m.customer_id, 'group_left', m.customer_id, m.left_at,
               jsonb_build_object('chatId', g.chat_id, 'groupName', g.name)
          from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
         where m.tenant_id = ${tenantId} and m.left_at is not null
      ) x
    on conflict (tenant_id, event_key) do nothing`.execute(db);
  // last activity, as ingestion keeps it: the latest event of each customer
  await sql`
    update customers c set last_active_at = e.at
      from (select customer_id, max(occurred_at) as at from events where tenant_id = ${tenantId} and customer_id is not null group by customer_id) e
     where c.tenant_id = ${tenantId} and c.id = e.customer_id and (c.last_active_at is null or c.last_active_at < e.at)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
