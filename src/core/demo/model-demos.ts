// The four operating-model demo tenants (issue 8): one per model, each seeded with its brand's
// world (demo.models.ts), diagnosed with answers true to the brand — frequency, ticket and
// repurchase measured from the seeded orders by the diagnosis itself — and set up with its
// model's playbook, so a new user sees each model running. Fixed slugs; a second run finds the
// tenant and leaves it, unless asked to rebuild it.
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { createUser } from '../access/access.service.ts';
import { MODELS, type DiagnosisAnswers, type OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { runDiagnosis } from '../diagnosis/diagnosis.service.ts';
import { YuchiError } from '../errors.ts';
import { applyPlaybook } from '../playbooks/playbooks.service.ts';
import { runScoring } from '../scores/scores.service.ts';
import { createTenant, findTenantBySlug } from '../tenants/tenants.service.ts';
import { DEMO_PASSWORD } from './demo-tenant.ts';
import { MODEL_DEMO_CUSTOMERS, MODEL_PROFILES } from './demo.models.ts';
import type { DemoProfile } from './demo.profile.ts';
import { seedDemo } from './demo.service.ts';
import { writeDemoTimeline } from './demo-timeline.ts';
import { seedDemoActivity, type DemoActivityResult } from './demo-activity.service.ts';

/** The diagnosis answers a brand would give; staff and stores are counted from the seeded world. */
type BrandAnswers = Omit<DiagnosisAnswers, 'serviceStaff' | 'stores'>;

export interface ModelDemo {
  model: OperatingModel;
  slug: string;
  name: string;
  /** What the brand is, in a line (for the CLI and the login page). */
  brand: string;
  profile: DemoProfile;
  answers: BrandAnswers;
}

export const MODEL_DEMOS: Record<OperatingModel, ModelDemo> = {
  shopping: {
    model: 'shopping', slug: 'demo-fruit', name: '鲜果邻里（购物参谋演示）', brand: '上海社区水果连锁，14 家门店，客单 ¥30–60，每周复购',
    profile: MODEL_PROFILES.shopping,
    // fruit needs no expert advice and nobody buys it to show off; fruit, cut fruit, dairy and
    // snacks cover the daily fresh basket; 接龙 and 秒杀 run, membership does not yet
    answers: { industry: 'fresh_food', expertise: 'low', social: 'low', solution: 'complete', currentState: 'one_off_promotions' },
  },
  expert: {
    model: 'expert', slug: 'demo-formula', name: '鹤宝奶粉（知识专家演示）', brand: '婴幼儿奶粉品牌，北京 8 家母婴门店，客单 ¥250–450，按月复购',
    profile: MODEL_PROFILES.expert,
    // choosing and switching formula is a question parents ask experts; the range covers every
    // stage from pregnancy to age six; guides have friends, nothing automated yet
    answers: { industry: 'mother_baby', expertise: 'high', social: 'low', solution: 'complete', currentState: 'friends_only' },
  },
  advisor: {
    model: 'advisor', slug: 'demo-printer', name: '智印电脑打印（专属顾问演示）', brand: '打印机与电脑品牌，成都 8 家体验店，客单 ¥1,500–8,000，低频，耗材复购',
    profile: MODEL_PROFILES.advisor,
    // a home office or a small firm needs someone to pick the machines and set them up; devices,
    // consumables, warranty and installation make a complete solution; no one buys a printer to show it
    answers: { industry: 'electronics', expertise: 'high', social: 'low', solution: 'complete', currentState: 'friends_only' },
  },
  interest: {
    model: 'interest', slug: 'demo-sport', name: '斐跃运动（兴趣同好演示）', brand: '运动服饰品牌，杭州 8 家商场店，客单 ¥400–900，换季购买，跑步/网球/高尔夫同好群',
    profile: MODEL_PROFILES.interest,
    // sportswear is bought to wear, show and play together; no expertise needed; shoes, apparel
    // and gear for each sport; seasonal campaigns run, membership does not
    answers: { industry: 'sports', expertise: 'low', social: 'high', solution: 'complete', currentState: 'one_off_promotions' },
  },
};

export const MODEL_NAMES: readonly OperatingModel[] = MODELS;

export function modelDemoLogin(model: OperatingModel): { tenant: string; email: string; password: string } {
  const slug = MODEL_DEMOS[model].slug;
  return { tenant: slug, email: `admin@${slug}.yuchi`, password: DEMO_PASSWORD };
}

export interface ModelDemoResult {
  model: OperatingModel;
  slug: string;
  name: string;
  login: { tenant: string; email: string; password: string };
  /** created: seeded now; exists: left as it was; incomplete: a tenant of this slug without the applied playbook. */
  status: 'created' | 'exists' | 'incomplete';
  tenantId: string;
  seconds: number;
  seeded?: { customers: number; orders: number; stores: number; staff: number; groups: number; from: string; to: string };
  diagnosis?: {
    model: OperatingModel; share: number; runnerUp: OperatingModel; margin: number;
    purchasesPerYear: number; averageTicketFen: number; repurchaseRate: number; verdict: string;
  };
  playbook?: { applicationId: string; objects: number };
  /** The weeks of use written after the playbook (demo-activity.service.ts). */
  activity?: DemoActivityResult;
}

export interface SeedModelDemoOptions {
  customers?: number;
  months?: number;
  seed?: number;
  /** The world as it stands when this day begins (default: today in the tenant's zone). */
  end?: Date;
  /** Rebuild a tenant that exists: everything of it is deleted first. */
  reset?: boolean;
  /** Score (RFM, lifecycle, CLV) after seeding, as the first-boot demo does (default true). */
  score?: boolean;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export async function seedModelDemo(handle: DatabaseHandle, model: OperatingModel, options: SeedModelDemoOptions = {}): Promise<ModelDemoResult> {
  const started = performance.now();
  const { db } = handle;
  const demo = MODEL_DEMOS[model];
  const login = modelDemoLogin(model);
  const base = { model, slug: demo.slug, name: demo.name, login };
  const elapsed = (): number => (performance.now() - started) / 1000;

  const existing = await findTenantBySlug(db, demo.slug);
  if (existing && !options.reset) {
    const applied = await db.selectFrom('playbook_applications').select('id').where('tenant_id', '=', existing.id).limit(1).executeTakeFirst();
    if (applied) return { ...base, status: 'exists', tenantId: existing.id, seconds: elapsed() };
    // A seed stopped part-way (Ctrl-C during the first boot's background seeding) leaves the bare
    // tenant row: the seed's own transaction rolled back. Rebuilt when it is ours (the demo's
    // name), holds no customers and nobody is seeding it (its row is not locked); else left for --reset.
    const abandoned = existing.name === demo.name && !(await hasCustomers(handle, existing.id)) && (await deleteTenant(handle, existing.id, { ifUnlocked: true }));
    if (!abandoned) return { ...base, status: 'incomplete', tenantId: existing.id, seconds: elapsed() };
  } else if (existing) {
    await deleteTenant(handle, existing.id);
  }

  let tenant;
  try {
    tenant = await createTenant(db, { slug: demo.slug, name: demo.name });
  } catch (err) {
    // another run (the first boot's background seeding, a second command) got there first
    if (err instanceof YuchiError && err.code === 'conflict') {
      const other = await findTenantBySlug(db, demo.slug);
      if (other) return { ...base, status: 'incomplete', tenantId: other.id, seconds: elapsed() };
    }
    throw err;
  }
  const seeded = await seedDemo(handle, {
    tenantId: tenant.id, customers: options.customers ?? MODEL_DEMO_CUSTOMERS, months: options.months ?? 12, seed: options.seed ?? 1,
    end: options.end, profile: demo.profile, onProgress: options.onProgress,
  });
  await writeDemoTimeline(db, tenant.id);
  await createUser(db, tenant.id, { email: login.email, name: '演示管理员', password: login.password, role: 'admin' });
  if (options.score !== false) {
    options.onProgress?.({ phase: 'scores', done: 0, total: 1 });
    await runScoring(handle, tenant.id, { trigger: 'manual' });
  }

  const counted = await sql<{ stores: number; service_staff: number }>`
    select (select count(*)::int from stores where tenant_id = ${tenant.id} and status = 'open') as stores,
           (select count(*)::int from staff where tenant_id = ${tenant.id} and status = 'active') as service_staff`.execute(db);
  const answers: DiagnosisAnswers = { ...demo.answers, stores: counted.rows[0]?.stores ?? 0, serviceStaff: counted.rows[0]?.service_staff ?? 0 };
  options.onProgress?.({ phase: 'diagnosis', done: 0, total: 1 });
  // measured as of the seeded world's last moment, so a world that ends in the past is measured whole
  const diagnosed = await runDiagnosis(db, tenant.id, answers, '演示管理员', options.end ?? new Date());
  const actor: Actor = {
    tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
    role: 'admin', staffId: null, userId: null, apiKeyId: null, name: '演示管理员',
  };
  options.onProgress?.({ phase: 'playbook', done: 0, total: 1 });
  // the playbook of the model this tenant is a demo of, whatever the diagnosis said (the tests check they agree)
  const application = await applyPlaybook(db, actor, model);
  options.onProgress?.({ phase: 'activity', done: 0, total: 1 });
  const activity = await seedDemoActivity(handle, tenant.id, { model, seed: options.seed ?? 1, ...(options.end ? { now: options.end } : {}) });

  const r = diagnosed.result;
  return {
    ...base, status: 'created', tenantId: tenant.id, seconds: elapsed(),
    seeded: { customers: seeded.customers, orders: seeded.orders, stores: seeded.stores, staff: seeded.staff, groups: seeded.groups, from: seeded.from, to: seeded.to },
    diagnosis: {
      model: r.model, share: r.scores[0]?.share ?? 0, runnerUp: r.runnerUp.model, margin: r.runnerUp.margin,
      purchasesPerYear: r.inputs.purchasesPerYear.value, averageTicketFen: r.inputs.averageTicketFen.value, repurchaseRate: r.inputs.repurchaseRate.value,
      verdict: r.verdict,
    },
    playbook: { applicationId: application.id, objects: application.objects.length },
    activity,
  };
}

/**
 * Everything of a tenant, in one transaction: the tenant row (every table keyed by tenant that has
 * a foreign key to it follows by cascade), then the rows of tables kept without one for write volume.
 */
export async function deleteTenant(handle: DatabaseHandle, tenantId: string, options: { ifUnlocked?: boolean } = {}): Promise<boolean> {
  const client = await handle.pool.connect();
  try {
    await client.query('begin');
    if (options.ifUnlocked) {
      try {
        await client.query('select id from tenants where id = $1 for update nowait', [tenantId]);
      } catch (err) {
        if ((err as { code?: string }).code !== '55P03') throw err; // lock_not_available: a seed is running
        await client.query('rollback');
        return false;
      }
    }
    // a journey's instances name its versions without a cascade: they go first, or the cascade
    // from the tenant may reach the versions before them
    await client.query('delete from journey_instances where tenant_id = $1', [tenantId]);
    await client.query('delete from tenants where id = $1', [tenantId]);
    const tables = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
        where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition`,
    );
    for (const t of tables.rows) await client.query(`delete from ${client.escapeIdentifier(t.name)} where tenant_id = $1`, [tenantId]);
    await client.query('commit');
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function hasCustomers(handle: DatabaseHandle, tenantId: string): Promise<boolean> {
  const row = await handle.db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * The first boot's background step: builds, one after another, every model demo whose tenant does
 * not exist yet, reporting each; a failure is reported and does not stop the others.
 */
export async function ensureModelDemos(
  handle: DatabaseHandle,
  report: (result: ModelDemoResult | { model: OperatingModel; error: string }) => void,
  options: { customers?: number; shouldStop?: () => boolean } = {},
): Promise<void> {
  // stopping aborts a seed at its next phase: its transaction rolls back, and the bare tenant row
  // it leaves is rebuilt on the next boot
  const stopCheck = (): void => {
    if (options.shouldStop?.()) throw new Error('stopping');
  };
  for (const model of ['shopping', 'expert', 'advisor', 'interest'] as const) {
    if (options.shouldStop?.()) return;
    try {
      report(await seedModelDemo(handle, model, { customers: options.customers, onProgress: stopCheck }));
    } catch (err) {
      if (options.shouldStop?.()) return;
      report({ model, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
