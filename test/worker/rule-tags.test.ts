import { describe, expect, it, vi } from 'vitest';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { createTag, createTagGroup } from '../../src/core/tags/tags.service.ts';
import { CRONTAB, taskList } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';
import { actorOf, addCustomer, addOrder, days, tagIdsOf } from '../core/tags-fixtures.ts';

const quiet = new Logger(() => () => {});

describe('nightly rule-tag sweep', () => {
  it('is scheduled hourly and dispatches per tenant zone', () => {
    expect(CRONTAB.split('\n')).toContain('0 * * * * nightly_rule_tags ?max=1');
  });

  it('at 04:00 in the tenant zone, recomputes rule tags that orders written without the hook left stale', async () => {
    const handle = testDb();
    const tenant = await newTenant();
    const group = await createTagGroup(handle.db, tenant.id, { name: '价值' });
    const vip = await createTag(handle.db, actorOf(tenant), { groupId: group.id, name: 'VIP', kind: 'rule', rule: { metric: 'spent_fen', windowDays: 90, op: '>=', value: 200_000 } });
    const mei = await addCustomer(handle.db, tenant.id);
    await addOrder(handle.db, tenant.id, mei, 250_000, new Date(Date.now() - days(3)).toISOString());

    // 02:00 UTC is 10:00 in Asia/Shanghai: nothing is queued for this tenant
    await quickAddJob({ pgPool: handle.pool }, 'nightly_rule_tags', { _cron: { ts: '2026-11-22T02:00:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    expect(await tagIdsOf(handle.db, tenant.id, mei)).toEqual([]);

    // 20:05 UTC is 04:05 the next day in Asia/Shanghai
    await quickAddJob({ pgPool: handle.pool }, 'nightly_rule_tags', { _cron: { ts: '2026-11-22T20:05:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    // The other worker test file may be running our jobs in its worker at the same time: wait (boundedly).
    await vi.waitFor(async () => expect(await tagIdsOf(handle.db, tenant.id, mei)).toEqual([vip.id]), { timeout: 10_000, interval: 100 });
  });
});
