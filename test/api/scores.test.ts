// Scoring over HTTP: settings validation, a run queued and carried out by the worker, the RFM,
// movement, lifecycle and CLV reads that follow, roles, and tenants kept apart.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { demoEndOf, seedDemo } from '../../src/core/demo/demo.service.ts';
import { localDate } from '../../src/core/time.ts';
import { DEFAULT_SETTINGS } from '../../src/core/scores/scores.rules.ts';
import { taskList } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

const quiet = new Logger(() => () => {});
let app: FastifyInstance;
let tenantId: string;
let admin: Record<string, string>;
let operator: Record<string, string>;
let guide: Record<string, string>;
let other: Record<string, string>;

beforeAll(async () => {
  app = await api();
  tenantId = (await newTenant()).id;
  // the world ends today, so the run's "today" (the real one) sees it as it was generated
  const today = localDate(new Date(), 'Asia/Shanghai');
  await seedDemo(testDb(), { tenantId, customers: 800, months: 14, seed: 5, end: demoEndOf(today, 'Asia/Shanghai') });
  admin = bearer(await keyFor(tenantId, 'admin'));
  operator = bearer(await keyFor(tenantId, 'operator'));
  const staff = await testDb().db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('title', '=', 'guide').executeTakeFirstOrThrow();
  guide = bearer(await keyFor(tenantId, 'guide', staff.id));
  other = bearer(await keyFor((await newTenant()).id, 'admin'));
}, 120_000);

async function runWorker(): Promise<void> {
  const handle = testDb();
  await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
}

describe('scoring settings', () => {
  it('gives the defaults, refuses bad settings naming the field and changing nothing, saves good ones', async () => {
    const first = await app.inject({ url: '/api/v1/scoring/settings', headers: operator });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(DEFAULT_SETTINGS);
    const put = (body: unknown, headers = operator) => app.inject({ method: 'PUT', url: '/api/v1/scoring/settings', headers, payload: body as object });

    const overlap = await put({ ...DEFAULT_SETTINGS, lifecycle: { ...DEFAULT_SETTINGS.lifecycle, churnDays: 45 } });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().error.details).toEqual([expect.objectContaining({ path: 'body.lifecycle.churnDays' })]);
    const gap = await put({ ...DEFAULT_SETTINGS, tiers: [{ name: '银卡', minSpentFen: 100 }] });
    expect(gap.statusCode).toBe(400);
    expect(gap.json().error.details[0].path).toBe('body.tiers.0.minSpentFen');
    const notRising = await put({ ...DEFAULT_SETTINGS, tiers: [{ name: 'A', minSpentFen: 0 }, { name: 'B', minSpentFen: 0 }] });
    expect(notRising.json().error.details[0].path).toBe('body.tiers.1.minSpentFen');
    const missing = await put({ rfm: DEFAULT_SETTINGS.rfm });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.map((d: { path: string }) => d.path)).toContain('body.lifecycle');
    const badRate = await put({ ...DEFAULT_SETTINGS, clv: { horizonWeeks: 52, annualDiscountRate: 2 } });
    expect(badRate.json().error.details[0].path).toBe('body.clv.annualDiscountRate');
    expect((await app.inject({ url: '/api/v1/scoring/settings', headers: operator })).json()).toEqual(DEFAULT_SETTINGS);

    expect((await put(DEFAULT_SETTINGS, guide)).statusCode).toBe(403);
    const changed = { ...DEFAULT_SETTINGS, rfm: { windowDays: 180, highScore: 3 } };
    const saved = await put(changed);
    expect(saved.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/scoring/settings', headers: admin })).json()).toEqual(changed);
    // the other tenant still has the defaults
    expect((await app.inject({ url: '/api/v1/scoring/settings', headers: other })).json()).toEqual(DEFAULT_SETTINGS);
  });
});

describe('a scoring run and what it shows', () => {
  let runId: string;

  beforeAll(async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/scoring/runs', headers: operator });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('queued');
    runId = res.json().id;
    await runWorker();
    // The worker test files may be running our job in their own worker at the same time: wait (boundedly).
    await vi.waitFor(async () => {
      expect((await app.inject({ url: `/api/v1/scoring/runs/${runId}`, headers: operator })).json().status).toBe('done');
    }, { timeout: 60_000, interval: 200 });
  }, 90_000);

  it('runs in the worker and reports its figures', async () => {
    const run = (await app.inject({ url: `/api/v1/scoring/runs/${runId}`, headers: operator })).json();
    expect(run).toMatchObject({ id: runId, status: 'done', trigger: 'manual', customers: 800, clvReason: null, error: null });
    expect(run.buyers).toBeGreaterThan(100);
    expect(run.phases).toEqual({ read: expect.any(Number), fit: expect.any(Number), predict: expect.any(Number), write: expect.any(Number), snapshot: expect.any(Number) });
    expect((await app.inject({ url: '/api/v1/scoring/runs', headers: operator })).json()[0].id).toBe(runId);
  });

  it('has an RFM grid and cells that add up to the buyers of the window', async () => {
    const res = await app.inject({ url: '/api/v1/analytics/rfm', headers: operator });
    expect(res.statusCode).toBe(200);
    const rfm = res.json();
    const windowBuyers = await sql<{ n: string }>`
      select count(distinct customer_id) as n from orders
       where tenant_id = ${tenantId} and customer_id is not null and status <> 'refunded'
         and (ordered_at at time zone 'Asia/Shanghai')::date > (now() at time zone 'Asia/Shanghai')::date - 180`.execute(testDb().db);
    expect(rfm.buyers).toBe(Number(windowBuyers.rows[0]?.n));
    expect(rfm.grid).toHaveLength(25);
    expect(rfm.grid.reduce((s: number, g: { customers: number }) => s + g.customers, 0)).toBe(rfm.buyers);
    expect(rfm.cells).toHaveLength(8);
    expect(rfm.cells.reduce((s: number, c: { customers: number }) => s + c.customers, 0)).toBe(rfm.buyers);
    expect(rfm.cells.reduce((s: number, c: { share: number }) => s + c.share, 0)).toBeCloseTo(1, 9);
    expect(rfm.cells[0]).toMatchObject({ cell: 'important_value', name: '重要价值' });
    expect(rfm.customers).toBe(800);

    // one store's customers only
    const store = await testDb().db.selectFrom('customers').select('store_id').where('tenant_id', '=', tenantId).where('store_id', 'is not', null)
      .groupBy('store_id').orderBy(sql`count(*)`, 'desc').limit(1).executeTakeFirstOrThrow();
    const storeBuyers = await sql<{ n: string }>`
      select count(distinct o.customer_id) as n from orders o join customers c on c.tenant_id = o.tenant_id and c.id = o.customer_id
       where o.tenant_id = ${tenantId} and c.store_id = ${store.store_id} and o.status <> 'refunded'
         and (o.ordered_at at time zone 'Asia/Shanghai')::date > (now() at time zone 'Asia/Shanghai')::date - 180`.execute(testDb().db);
    const byStore = (await app.inject({ url: `/api/v1/analytics/rfm?storeId=${store.store_id}`, headers: operator })).json();
    expect(byStore.buyers).toBe(Number(storeBuyers.rows[0]?.n));
    expect(byStore.buyers).toBeLessThan(rfm.buyers);
    expect((await app.inject({ url: '/api/v1/analytics/rfm?storeId=nope', headers: operator })).json().error.details[0].path).toBe('query.storeId');
  });

  it('counts movement and lifecycle flow from the monthly snapshots; refuses bad months', async () => {
    const month = (await app.inject({ url: `/api/v1/scoring/runs/${runId}`, headers: operator })).json().calibrationEnd.slice(0, 7);
    const movement = (await app.inject({ url: `/api/v1/analytics/rfm/movement?from=${month}&to=${month}`, headers: operator })).json();
    expect(movement.items.reduce((s: number, i: { customers: number }) => s + i.customers, 0)).toBe(800);
    for (const i of movement.items) expect(i.from).toBe(i.to); // one month against itself: nobody moves
    const bad = await app.inject({ url: '/api/v1/analytics/rfm/movement?from=2026-13&to=2026-12', headers: operator });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.from');
    const reversed = await app.inject({ url: '/api/v1/analytics/rfm/movement?from=2026-10&to=2026-09', headers: operator });
    expect(reversed.json().error.details[0].path).toBe('query.to');
    const lifecycle = (await app.inject({ url: '/api/v1/analytics/lifecycle', headers: operator })).json();
    expect(lifecycle.stages.map((s: { stage: string }) => s.stage)).toEqual(['prospect', 'new', 'returned', 'active', 'dormant', 'churned']);
    expect(lifecycle.stages.reduce((s: number, x: { customers: number }) => s + x.customers, 0)).toBe(800);
    expect(lifecycle.flow.items.reduce((s: number, i: { customers: number }) => s + i.customers, 0)).toBe(800);
  });

  it('shows the CLV models, distributions and valuable customers at risk', async () => {
    const clv = (await app.inject({ url: '/api/v1/analytics/clv', headers: operator })).json();
    expect(clv.model).toMatchObject({ runId, horizonWeeks: 52, reason: null });
    expect(clv.model.bgnbd.r).toBeGreaterThan(0);
    expect(clv.model.gammaGamma.q).toBeGreaterThan(1);
    const run = (await app.inject({ url: `/api/v1/scoring/runs/${runId}`, headers: operator })).json();
    expect(clv.clvHistogram.reduce((s: number, b: { customers: number }) => s + b.customers, 0)).toBe(run.buyers);
    expect(clv.pAliveHistogram.reduce((s: number, b: { customers: number }) => s + b.customers, 0)).toBe(run.buyers);
    const risk = (await app.inject({ url: '/api/v1/analytics/clv/at-risk?pAliveBelow=0.5&pageSize=5', headers: operator })).json();
    expect(risk.items.length).toBeLessThanOrEqual(5);
    expect(risk.total).toBeGreaterThan(0);
    for (const c of risk.items) expect(c.pAlive).toBeLessThan(0.5);
    const spent = risk.items.map((c: { totalSpentFen: number }) => c.totalSpentFen);
    expect(spent).toEqual([...spent].sort((a, b) => b - a));
    // the customer 360 carries the scores
    const profile = (await app.inject({ url: `/api/v1/customers/${risk.items[0].id}`, headers: operator })).json();
    expect(profile.scores).toMatchObject({ lifecycleStage: risk.items[0].lifecycleStage, pAlive: risk.items[0].pAlive, clvFen: risk.items[0].clvFen });
  });

  it('refuses guides, and keeps tenants apart', async () => {
    for (const url of ['/api/v1/analytics/rfm', '/api/v1/analytics/rfm/movement', '/api/v1/analytics/lifecycle', '/api/v1/analytics/clv', '/api/v1/analytics/clv/at-risk', '/api/v1/scoring/settings', `/api/v1/scoring/runs/${runId}`]) {
      expect((await app.inject({ url, headers: guide })).statusCode, url).toBe(403);
    }
    expect((await app.inject({ method: 'POST', url: '/api/v1/scoring/runs', headers: guide })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/scoring/runs/${runId}`, headers: other })).statusCode).toBe(404);
    const rfm = (await app.inject({ url: '/api/v1/analytics/rfm', headers: other })).json();
    expect(rfm).toMatchObject({ buyers: 0, customers: 0 });
    expect((await app.inject({ url: '/api/v1/analytics/clv', headers: other })).json().model).toBeNull();
    expect((await app.inject({ url: '/api/v1/analytics/rfm/movement', headers: other })).json()).toBeNull();
  });
});
