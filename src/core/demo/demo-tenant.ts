// The demo tenant `npm start` creates on a first boot: a fruit chain with a seeded world and
// three logins (admin, operator, and a guide who sees only their own customers).
import type { DatabaseHandle } from '../../db/connect.ts';
import { createUser } from '../access/access.service.ts';
import { createTenant, findTenantBySlug } from '../tenants/tenants.service.ts';
import { seedDemo } from './demo.service.ts';

export const DEMO_TENANT = { slug: 'demo', name: '鲜果时光（演示）' };
export const DEMO_PASSWORD = 'yuchi-demo';
export const DEMO_LOGINS = {
  admin: 'admin@demo.yuchi',
  operator: 'operator@demo.yuchi',
  guide: 'guide@demo.yuchi',
} as const;

export interface DemoTenantResult {
  created: boolean;
  tenantId: string;
  customers?: number;
  orders?: number;
}

/**
 * Creates and seeds the demo tenant when the database has no tenant at all (a first boot).
 * On later boots, or on a database already in use, it does nothing.
 */
export async function ensureDemoTenant(
  handle: DatabaseHandle,
  options: { customers?: number; seed?: number; onProgress?: (p: { phase: string; done: number; total: number }) => void } = {},
): Promise<DemoTenantResult | undefined> {
  const { db } = handle;
  const existing = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  if (existing) {
    const demo = await findTenantBySlug(db, DEMO_TENANT.slug);
    return demo ? { created: false, tenantId: demo.id } : undefined;
  }
  const tenant = await createTenant(db, DEMO_TENANT);
  const seeded = await seedDemo(handle, { tenantId: tenant.id, customers: options.customers ?? 5000, months: 12, seed: options.seed ?? 1, onProgress: options.onProgress });
  // The demo guide is the staff member with the most customers, so their view is not empty.
  const guide = await db
    .selectFrom('customers')
    .select('guide_id')
    .where('tenant_id', '=', tenant.id)
    .where('guide_id', 'is not', null)
    .groupBy('guide_id')
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .limit(1)
    .executeTakeFirst();
  await createUser(db, tenant.id, { email: DEMO_LOGINS.admin, name: '演示管理员', password: DEMO_PASSWORD, role: 'admin' });
  await createUser(db, tenant.id, { email: DEMO_LOGINS.operator, name: '演示运营', password: DEMO_PASSWORD, role: 'operator' });
  if (guide?.guide_id) {
    await createUser(db, tenant.id, { email: DEMO_LOGINS.guide, name: '演示导购', password: DEMO_PASSWORD, role: 'guide', staffId: guide.guide_id });
  }
  return { created: true, tenantId: tenant.id, customers: seeded.customers, orders: seeded.orders };
}
