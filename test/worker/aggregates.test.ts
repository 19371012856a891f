import { describe, expect, it, vi } from 'vitest';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { taskList } from '../../src/worker/index.ts';
import { localHour } from '../../src/worker/tenant-schedule.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld } from '../fixtures.ts';

const quiet = new Logger(() => () => {});

async function pendingRefreshes(tenantId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
     where key = ${`refresh_order_aggregates:${tenantId}`}`.execute(testDb().db);
  return r.rows[0]?.n ?? 0;
}

describe('nightly order aggregates', () => {
  it('knows the local hour of a tenant zone', () => {
    expect(localHour(new Date('2026-11-22T19:05:00Z'), 'Asia/Shanghai')).toBe(3);
    expect(localHour(new Date('2026-11-22T19:05:00Z'), 'Europe/London')).toBe(19);
  });

  it('leaves a tenant alone when its local time is not 03:xx', async () => {
    const handle = testDb();
    const world = await buildWorld(handle.db, (await newTenant()).id);
    await handle.db.updateTable('customers').set({ order_count: 0 }).where('tenant_id', '=', world.tenantId).execute();
    // 02:00 UTC is 10:00 in Asia/Shanghai: no refresh is queued, so the drift stays
    await quickAddJob({ pgPool: handle.pool }, 'nightly_aggregates', { _cron: { ts: '2026-11-22T02:00:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    const mei = await handle.db.selectFrom('customers').select('order_count').where('tenant_id', '=', world.tenantId).where('id', '=', world.customers.mei).executeTakeFirstOrThrow();
    expect(mei.order_count).toBe(0);
  });

  it('at 03:00 in the tenant zone, the scheduled job repairs aggregates that drifted from orders', async () => {
    const handle = testDb();
    const world = await buildWorld(handle.db, (await newTenant()).id);
    await handle.db.updateTable('customers').set({ order_count: 0, order_days: 0, total_spent_fen: 0 }).where('tenant_id', '=', world.tenantId).execute();
    // 19:05 UTC is 03:05 in Asia/Shanghai
    await quickAddJob({ pgPool: handle.pool }, 'nightly_aggregates', { _cron: { ts: '2026-11-22T19:05:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    // The other worker test file runs jobs from the same queue at the same time: our jobs may be
    // finishing in its worker, so wait (boundedly) for the repair rather than assume it is done.
    await vi.waitFor(async () => {
      const mei = await handle.db.selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen']).where('tenant_id', '=', world.tenantId).where('id', '=', world.customers.mei).executeTakeFirstOrThrow();
      expect(mei).toEqual({ order_count: 3, order_days: 2, total_spent_fen: 18_390 });
    }, { timeout: 10_000, interval: 100 });
    expect(await pendingRefreshes(world.tenantId)).toBe(0);
  });
});
