import { describe, expect, it, vi } from 'vitest';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { CRONTAB, taskList } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';
import { addCustomer, addOrder } from '../core/tags-fixtures.ts';

const quiet = new Logger(() => () => {});

describe('nightly scoring', () => {
  it('is scheduled hourly and dispatches per tenant zone', () => {
    expect(CRONTAB.split('\n')).toContain('0 * * * * nightly_scores ?max=1');
  });

  it('at 05:00 in the tenant zone, scores the tenant and records a nightly run', async () => {
    const handle = testDb();
    const tenant = await newTenant();
    await handle.db.updateTable('tenants').set({ timezone: 'America/Lima' }).where('id', '=', tenant.id).execute();
    const buyer = await addCustomer(handle.db, tenant.id);
    await addOrder(handle.db, tenant.id, buyer, 12_000, new Date(Date.now() - 3 * 86_400_000).toISOString());
    const prospect = await addCustomer(handle.db, tenant.id);
    const scoresOf = () => handle.db.selectFrom('customer_scores').select(['customer_id', 'lifecycle_stage']).where('tenant_id', '=', tenant.id).orderBy('lifecycle_stage').execute();

    // 09:00 UTC is 04:00 in Lima (and 17:00 in Shanghai, where the other tests' tenants are): nothing for this tenant
    await quickAddJob({ pgPool: handle.pool }, 'nightly_scores', { _cron: { ts: '2026-11-23T09:00:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    expect(await scoresOf()).toEqual([]);

    // 10:00 UTC is 05:00 in Lima
    await quickAddJob({ pgPool: handle.pool }, 'nightly_scores', { _cron: { ts: '2026-11-23T10:00:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    // The other worker test files may be running our jobs in their worker at the same time: wait (boundedly).
    await vi.waitFor(async () => expect(await scoresOf()).toEqual([
      { customer_id: buyer, lifecycle_stage: 'new' },
      { customer_id: prospect, lifecycle_stage: 'prospect' },
    ]), { timeout: 10_000, interval: 100 });
    const runs = await handle.db.selectFrom('scoring_runs').select(['trigger', 'status', 'clv_reason']).where('tenant_id', '=', tenant.id).execute();
    expect(runs).toEqual([{ trigger: 'nightly', status: 'done', clv_reason: expect.stringMatching(/repeat purchase/) }]);
  });
});
