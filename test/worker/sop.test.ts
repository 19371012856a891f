// The SOP worker task: a queued per-tenant job generates the window of the tick it was queued for
// (its `at`, not the time it happens to run), once.
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { createPlan } from '../../src/core/sop/plans.service.ts';
import { taskList } from '../../src/worker/index.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const quiet = new Logger(() => () => {});

describe('generate_tenant_sop', () => {
  it('makes the tick\'s tasks at the tenant\'s local time, and a retried job makes none', async () => {
    const handle = testDb();
    const tenant = await newTenant();
    const world = await buildWorld(handle.db, tenant.id);
    const group = newId();
    await handle.db.insertInto('customer_groups').values({ tenant_id: tenant.id, id: group, chat_id: `wr-${group}`, name: '福田水果群', kind: 'value', owner_staff_id: world.staff.li }).execute();
    await createPlan(handle.db, tenant.id, {
      name: '早安', target: { kind: 'groups', groupIds: [group] },
      slots: [{ weekday: null, time: '08:30', title: '新品晒图', mode: 'task', content: { text: '今日新到' } }],
    }, 'test');
    // 00:30 UTC is 08:30 in Shanghai.
    for (let i = 0; i < 2; i++) {
      await quickAddJob({ pgPool: handle.pool }, 'generate_tenant_sop', { tenantId: tenant.id, at: '2026-12-01T00:30:00Z' });
      await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    }
    const tasks = await handle.db.selectFrom('guide_tasks').select(['due_at', 'staff_id', 'kind']).where('tenant_id', '=', tenant.id).execute();
    expect(tasks).toEqual([{ due_at: new Date('2026-12-01T00:30:00Z'), staff_id: world.staff.li, kind: 'sop_post' }]);
  });
});
