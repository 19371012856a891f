import { describe, expect, it, vi } from 'vitest';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { createInviteRule } from '../../src/core/groups/invites.service.ts';
import { newId } from '../../src/core/ids.ts';
import { tagCustomer } from '../../src/core/tags/customer-tags.service.ts';
import { createTag, createTagGroup } from '../../src/core/tags/tags.service.ts';
import { taskList } from '../../src/worker/index.ts';
import { adminOf } from '../core/ingest-helpers.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const quiet = new Logger(() => () => {});

describe('nightly groups', () => {
  it('at 05:00 in the tenant zone, classifies every group and runs the auto-invite rules', async () => {
    const handle = testDb();
    const t = (await newTenant()).id;
    const world = await buildWorld(handle.db, t);
    const groupId = newId();
    await handle.db.insertInto('customer_groups').values({ tenant_id: t, id: groupId, chat_id: `c-${groupId}`, name: '福田鲜果群', kind: 'vip', owner_staff_id: world.staff.li, store_id: world.stores.futian, created_at: new Date(Date.now() - 40 * 86_400_000) }).execute();
    await handle.db.insertInto('group_members').values({ tenant_id: t, group_id: groupId, customer_id: world.customers.lei, joined_at: new Date(Date.now() - 39 * 86_400_000) }).execute();
    const tags = await createTagGroup(handle.db, t, { name: '会员' });
    const vip = await createTag(handle.db, adminOf(t), { groupId: tags.id, name: 'VIP' });
    await tagCustomer(handle.db, adminOf(t), world.customers.mei, [vip.id]);
    await createInviteRule(handle.db, t, { name: 'VIP 进 VIP 群', tagId: vip.id, kind: 'vip' });

    // 21:05 UTC is 05:05 in Asia/Shanghai
    await quickAddJob({ pgPool: handle.pool }, 'nightly_groups', { _cron: { ts: '2026-11-22T21:05:00Z', backfilled: false } });
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    await vi.waitFor(async () => {
      const health = await handle.db.selectFrom('group_health').select(['class', 'actions']).where('tenant_id', '=', t).execute();
      expect(health).toEqual([{ class: 'dead', actions: ['revive'] }]);
      const invites = await handle.db.selectFrom('guide_tasks').select(['kind', 'customer_id', 'staff_id']).where('tenant_id', '=', t).execute();
      expect(invites).toEqual([{ kind: 'invite_to_group', customer_id: world.customers.mei, staff_id: world.staff.li }]);
    }, { timeout: 20_000, interval: 200 });
  });
});
