// The operating-model demo tenants: each profile draws the same world for the same seed, its
// measured frequency × ticket falls in its model's quadrant and the diagnosis names that model;
// the tenant gets its admin login and its playbook, a second run leaves it alone, --reset
// rebuilds the same figures.
import { describe, expect, it } from 'vitest';
import { verifyLogin } from '../../src/core/access/access.service.ts';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { MODEL_DEMOS, MODEL_NAMES, deleteTenant, seedModelDemo } from '../../src/core/demo/model-demos.ts';
import { HIGH_FREQUENCY_PER_YEAR, HIGH_TICKET_FEN, type OperatingModel } from '../../src/core/diagnosis/diagnosis.rules.ts';
import { measureOrders } from '../../src/core/diagnosis/diagnosis.service.ts';
import { PLAYBOOKS } from '../../src/core/playbooks/playbooks.content.ts';
import { createTenant } from '../../src/core/tenants/tenants.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { demoDigest } from './demo-digest.ts';

const END = new Date('2026-06-01T04:00:00Z'); // 2026-06-01 noon in Shanghai
const SMALL = 300;

/** Frequency above the line (4 a year) or not, and the brand's average ticket range in fen. */
const QUADRANT: Record<OperatingModel, { frequent: boolean; ticketFen: [number, number] }> = {
  shopping: { frequent: true, ticketFen: [3_000, 6_000] },
  expert: { frequent: true, ticketFen: [25_000, 45_000] },
  advisor: { frequent: false, ticketFen: [150_000, 800_000] },
  interest: { frequent: false, ticketFen: [40_000, 90_000] },
};

describe.each(MODEL_NAMES)('the %s demo world', (model) => {
  it('is the same for the same seed, lands in its quadrant, and its orders add up', async () => {
    const profile = MODEL_DEMOS[model].profile;
    const [a, b] = [await newTenant(), await newTenant()];
    await seedDemo(testDb(), { tenantId: a.id, customers: SMALL, months: 12, seed: 3, end: END, profile });
    await seedDemo(testDb(), { tenantId: b.id, customers: SMALL, months: 12, seed: 3, end: END, profile });
    expect(await demoDigest(b.id)).toEqual(await demoDigest(a.id));

    const measured = await measureOrders(testDb().db, a.id, END);
    expect(await measureOrders(testDb().db, b.id, END)).toEqual(measured);
    const { frequent, ticketFen } = QUADRANT[model];
    expect((measured.purchasesPerYear ?? 0) >= HIGH_FREQUENCY_PER_YEAR).toBe(frequent);
    expect(measured.averageTicketFen ?? 0).toBeGreaterThanOrEqual(ticketFen[0]);
    expect(measured.averageTicketFen ?? 0).toBeLessThanOrEqual(ticketFen[1]);
    expect((measured.averageTicketFen ?? 0) >= HIGH_TICKET_FEN).toBe(model !== 'shopping');
    expect(measured.repurchaseRate).not.toBeNull();

    // the brand's own stores, groups and catalogue; lines add up to the order, any excess is the discount
    const facts = await testDb().pool.query<{ stores: number; groups: number; kinds: string[]; foreign_skus: number; bad_lines: number; bad_discounts: number }>(
      `select (select count(*)::int from stores where tenant_id = $1) as stores,
              (select count(*)::int from customer_groups where tenant_id = $1) as groups,
              (select array_agg(distinct kind order by kind) from customer_groups where tenant_id = $1) as kinds,
              (select count(*)::int from order_items where tenant_id = $1 and not (sku = any($2::text[]))) as foreign_skus,
              (select count(*)::int from orders o where o.tenant_id = $1
                  and o.total_fen <> (select sum(amount_fen) from order_items i where i.tenant_id = $1 and i.order_id = o.id)) as bad_lines,
              (select count(*)::int from orders where tenant_id = $1 and (discount_fen < 0 or discount_fen <> total_fen - paid_fen)) as bad_discounts`,
      [a.id, profile.catalog.map((s) => s.sku)],
    );
    expect(facts.rows[0]).toEqual({
      stores: profile.stores.length, groups: profile.stores.length * profile.groups.length,
      kinds: [...new Set(profile.groups.map((g) => g.kind))].sort(), foreign_skus: 0, bad_lines: 0, bad_discounts: 0,
    });
    expect(await refreshOrderAggregates(testDb().db, a.id)).toEqual({ customersUpdated: 0 });
  });
});

describe('seedModelDemo', () => {
  it('says a tenant of the slug without its playbook is incomplete, and leaves it', async () => {
    // a seed stopped part-way leaves a tenant without the applied playbook: no silent re-seed on top of it
    const slug = MODEL_DEMOS.interest.slug;
    const tenant = await createTenant(testDb().db, { slug, name: '半成品' });
    const result = await seedModelDemo(testDb(), 'interest', { customers: 50, months: 6, seed: 1, end: END });
    expect(result).toMatchObject({ status: 'incomplete', tenantId: tenant.id });
    expect(await testDb().db.selectFrom('customers').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    await deleteTenant(testDb(), tenant.id);

    // the bare row an interrupted seed leaves (the demo's own name, no customers, not locked) is rebuilt
    const bare = await createTenant(testDb().db, { slug, name: MODEL_DEMOS.interest.name });
    const rebuilt = await seedModelDemo(testDb(), 'interest', { customers: 50, months: 12, seed: 1, end: END, score: false });
    expect(rebuilt.status).toBe('created');
    expect(rebuilt.tenantId).not.toBe(bare.id);
    expect(await deleteTenant(testDb(), rebuilt.tenantId)).toBe(true);
  });

  it.each(MODEL_NAMES)('builds the %s tenant: diagnosed as its model, playbook applied, login works; again: left alone; --reset: the same figures', async (model) => {
    const db = testDb().db;
    const options = { customers: SMALL, months: 12, seed: 5, end: END, score: model === 'shopping' };
    const first = await seedModelDemo(testDb(), model, options);
    expect(first.status).toBe('created');
    expect(first.slug).toBe(MODEL_DEMOS[model].slug);
    expect(first.diagnosis?.model).toBe(model);
    expect(first.seeded?.customers).toBe(SMALL);

    // the diagnosis is recorded with measured inputs, and the playbook's objects against its application
    const diagnoses = await db.selectFrom('diagnoses').select(['result', 'measured']).where('tenant_id', '=', first.tenantId).execute();
    expect(diagnoses).toHaveLength(1);
    expect(diagnoses[0]?.result).toMatchObject({ model, inputs: { purchasesPerYear: { source: 'measured' }, averageTicketFen: { source: 'measured' }, repurchaseRate: { source: 'measured' } } });
    const applications = await db.selectFrom('playbook_applications').select(['id', 'model', 'status']).where('tenant_id', '=', first.tenantId).execute();
    expect(applications).toEqual([{ id: first.playbook?.applicationId, model, status: 'applied' }]);
    const objects = await db.selectFrom('playbook_objects').select(['kind', 'object_id']).where('tenant_id', '=', first.tenantId).execute();
    const expectedObjects = PLAYBOOKS[model].items.reduce((n, item) => n + (item.kind === 'tag_group' ? 1 + item.tags.length : 1), 0);
    expect(objects).toHaveLength(expectedObjects);
    expect(first.playbook?.objects).toBe(expectedObjects);
    const segments = objects.filter((o) => o.kind === 'segment').map((o) => o.object_id);
    if (segments.length > 0) {
      const made = await db.selectFrom('segments').select('id').where('tenant_id', '=', first.tenantId).where('id', 'in', segments).execute();
      expect(made).toHaveLength(segments.length);
    }
    const actor = await verifyLogin(db, first.login.tenant, first.login.email, first.login.password);
    expect(actor).toMatchObject({ tenantId: first.tenantId, role: 'admin' });

    const count = async (tenantId: string) => (await testDb().pool.query<{ customers: number; orders: number; applications: number; diagnoses: number }>(
      `select (select count(*)::int from customers where tenant_id = $1) as customers, (select count(*)::int from orders where tenant_id = $1) as orders,
              (select count(*)::int from playbook_applications where tenant_id = $1) as applications, (select count(*)::int from diagnoses where tenant_id = $1) as diagnoses`,
      [tenantId],
    )).rows[0];
    const before = await count(first.tenantId);
    const again = await seedModelDemo(testDb(), model, options);
    expect(again).toMatchObject({ status: 'exists', tenantId: first.tenantId });
    expect(await count(first.tenantId)).toEqual(before);

    const rebuilt = await seedModelDemo(testDb(), model, { ...options, reset: true });
    expect(rebuilt.status).toBe('created');
    expect(rebuilt.tenantId).not.toBe(first.tenantId);
    expect(rebuilt.seeded).toEqual(first.seeded);
    expect(rebuilt.diagnosis).toEqual(first.diagnosis);
    expect(await count(rebuilt.tenantId)).toEqual(before);
    expect(await count(first.tenantId)).toEqual({ customers: 0, orders: 0, applications: 0, diagnoses: 0 });
  });

});
