// A demo tenant's customers have a history on their timeline: one event per order paid and
// refunded, friend added and deleted, group joined and left, written once.
import { describe, expect, it } from 'vitest';
import { customerTimeline } from '../../src/core/customers/profile.service.ts';
import { writeDemoTimeline } from '../../src/core/demo/demo-timeline.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

describe('the demo timeline', () => {
  it('writes an event for every order, refund, friendship and group membership, once', async () => {
    const tenant = await newTenant();
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 200, months: 6, seed: 5, end: new Date('2026-06-01T04:00:00Z') });
    const written = await writeDemoTimeline(testDb().db, tenant.id);
    const q = async (text: string): Promise<number> => (await testDb().pool.query<{ n: number }>(text, [tenant.id])).rows[0]?.n ?? -1;
    const expected = {
      order_paid: await q('select count(*)::int as n from orders where tenant_id = $1 and customer_id is not null'),
      order_refunded: await q('select count(*)::int as n from orders where tenant_id = $1 and customer_id is not null and refunded_fen > 0'),
      contact_added: await q('select count(*)::int as n from customer_contacts where tenant_id = $1'),
      contact_deleted: await q('select count(*)::int as n from customer_contacts where tenant_id = $1 and deleted_at is not null'),
      group_joined: await q('select count(*)::int as n from group_members where tenant_id = $1'),
      group_left: await q('select count(*)::int as n from group_members where tenant_id = $1 and left_at is not null'),
    };
    const stored = await testDb().pool.query<{ type: string; n: number }>('select type, count(*)::int as n from events where tenant_id = $1 group by type', [tenant.id]);
    const byType = Object.fromEntries(stored.rows.map((r) => [r.type, r.n]));
    for (const [type, n] of Object.entries(expected)) expect(byType[type] ?? 0, type).toBe(n);
    expect(expected.order_paid).toBeGreaterThan(0);
    expect(expected.group_joined).toBeGreaterThan(0);
    expect(written).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(await writeDemoTimeline(testDb().db, tenant.id)).toBe(0);
    expect(await q(`select count(*)::int as n from customers c where c.tenant_id = $1 and c.last_active_at is distinct from
                      (select max(occurred_at) from events e where e.tenant_id = c.tenant_id and e.customer_id = c.id)`)).toBe(0);

    // a buyer's timeline shows their latest order first, with its number
    const buyer = await testDb().pool.query<{ customer_id: string; order_no: string }>(
      'select customer_id, order_no from orders where tenant_id = $1 and customer_id is not null order by ordered_at desc, id limit 1', [tenant.id]);
    const row = buyer.rows[0];
    if (!row) throw new Error('no order');
    const page = await customerTimeline(testDb().db, adminOf(tenant.id), row.customer_id, { limit: 50 });
    const orders = page.items.filter((e) => e.type === 'order_paid');
    expect(orders[0]?.properties.orderNo).toBe(row.order_no);
  });
});
