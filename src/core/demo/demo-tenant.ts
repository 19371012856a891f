// The demo tenant `npm start` creates on a first boot: a fruit chain with a seeded world and
// three logins (admin, operator, and a guide who sees only their own customers).
import type { DatabaseHandle } from '../../db/connect.ts';
import { createUser } from '../access/access.service.ts';
import { createTenant, findTenantBySlug } from '../tenants/tenants.service.ts';
import type { Actor } from '../access/access.rules.ts';
import { runScoring } from '../scores/scores.service.ts';
import { createSegment, type NewSegment } from '../segments/segments.service.ts';
import { seedDemo } from './demo.service.ts';
import { seedDemoScripts } from '../sop/demo-scripts.ts';
import { writeDemoTimeline } from './demo-timeline.ts';
import { seedDemoChatter } from './demo-chatter.service.ts';
import { applyPlaybook } from '../playbooks/playbooks.service.ts';
import { seedDemoActivity, type DemoActivityResult } from './demo-activity.service.ts';

export const DEMO_TENANT = { slug: 'demo', name: '鲜果时光（演示）' };
export const DEMO_PASSWORD = 'yuchi-demo';
export const DEMO_LOGINS = {
  admin: 'admin@demo.yuchi',
  operator: 'operator@demo.yuchi',
  guide: 'guide@demo.yuchi',
} as const;

/**
 * Segments an operator of a fruit chain starts with, beside the shopping playbook's own (新客未复购,
 * 30 天未复购老客, 群内活跃买家): the lapsed regulars are the playbook's, not defined twice.
 */
const DEMO_SEGMENTS: NewSegment[] = [
  {
    name: '重要价值客户',
    description: 'RFM 三项都高：重点维护，优先邀请进 VIP 群',
    definition: { all: [{ field: 'rfm_cell', op: 'eq', value: 'important_value' }] },
  },
  {
    name: '沉睡与流失',
    description: '生命周期为沉睡或流失的客户',
    definition: { all: [{ field: 'lifecycle_stage', op: 'in', value: ['dormant', 'churned'] }] },
  },
];

export interface DemoTenantResult {
  created: boolean;
  tenantId: string;
  customers?: number;
  orders?: number;
  activity?: DemoActivityResult;
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
  await writeDemoTimeline(db, tenant.id);
  // The groups talk (a few weeks, each as its intended health), so group health and the workbench are not empty.
  await seedDemoChatter(db, tenant.id, { seed: options.seed ?? 1 });
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
  // A first look should show the layers filled in and a few segments running, not empty pages
  // waiting for the nightly run.
  await runScoring(handle, tenant.id, { trigger: 'manual' });
  const operator: Actor = {
    tenantId: tenant.id, tenantSlug: DEMO_TENANT.slug, tenantName: DEMO_TENANT.name, timezone: 'Asia/Shanghai',
    role: 'operator', staffId: null, userId: null, apiKeyId: null, name: '演示运营',
  };
  for (const segment of DEMO_SEGMENTS) await createSegment(db, operator, segment);
  await seedDemoScripts(db, operator);
  // A fruit chain is the shopping model (seed 002): its playbook set up as the model demos' is, then
  // a few weeks of it in use, so every page of the console has something on it.
  await applyPlaybook(db, { ...operator, role: 'admin', name: '演示管理员' }, 'shopping');
  const activity = await seedDemoActivity(handle, tenant.id, { model: 'shopping', seed: options.seed ?? 1 });
  return { created: true, tenantId: tenant.id, customers: seeded.customers, orders: seeded.orders, activity };
}
