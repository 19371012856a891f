// The outreach doors: a message request and a guide task are each made once per dedupe key, and
// both follow a customer into the surviving profile when profiles merge.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { requestMessages, type MessageRequest } from '../../src/core/messaging/requests.ts';
import { createGuideTasks } from '../../src/core/tasks/guide-tasks.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');

function welcome(customerId: string, key: string): MessageRequest {
  return {
    customerId, channel: 'sandbox', purpose: 'service', source: { kind: 'welcome', id: 'code-1' },
    dedupeKey: key, content: { text: `你好，欢迎加入 ${run}` },
  };
}

describe('outreach requests', () => {
  it('asks for a message once per dedupe key, and a retry gets the first message back', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const [a, b] = [world.customers.mei, world.customers.lei];
    const first = await requestMessages(db(), tenant.id, [welcome(a, 'w:a'), welcome(b, 'w:b')]);
    expect(first.map((m) => m.created)).toEqual([true, true]);
    const again = await requestMessages(db(), tenant.id, [welcome(b, 'w:b'), welcome(a, 'w:a2')]);
    expect(again[0]).toEqual({ id: first[1]?.id, dedupeKey: 'w:b', created: false });
    expect(again[1]?.created).toBe(true);
    const stored = await db().selectFrom('messages').select(['customer_id', 'status', 'priority', 'content'])
      .where('tenant_id', '=', tenant.id).orderBy('dedupe_key').execute();
    expect(stored).toHaveLength(3);
    expect(stored[0]).toMatchObject({ customer_id: a, status: 'requested', priority: 50, content: { text: `你好，欢迎加入 ${run}` } });
  });

  it('makes a guide task once per dedupe key', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const task = {
      staffId: world.staff.li, customerId: world.customers.mei, kind: 'follow_up', title: '回访：上次购买的车厘子',
      dueAt: new Date('2026-06-01T02:00:00Z'), source: { kind: 'manual', id: 'x' }, dedupeKey: 'follow:alice',
    };
    expect(await createGuideTasks(db(), tenant.id, [task])).toBe(1);
    expect(await createGuideTasks(db(), tenant.id, [task, { ...task, dedupeKey: 'follow:alice:2' }])).toBe(1);
    const rows = await db().selectFrom('guide_tasks').select(['status', 'staff_id']).where('tenant_id', '=', tenant.id).execute();
    expect(rows).toEqual([{ status: 'open', staff_id: world.staff.li }, { status: 'open', staff_id: world.staff.li }]);
  });

  it('moves messages and tasks to the survivor when profiles merge', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const [survivor, merged] = [world.customers.mei, world.customers.lei];
    await requestMessages(db(), tenant.id, [welcome(merged, 'w:merged')]);
    await createGuideTasks(db(), tenant.id, [{
      staffId: null, customerId: merged, kind: 'welcome_friend', title: '欢迎新好友', dueAt: new Date(),
      source: { kind: 'manual', id: 'x' }, dedupeKey: 't:merged',
    }]);
    await mergeCustomers(db(), tenant.id, [{ survivorId: survivor, mergedIds: [merged], identities: [] }], { source: 'test' });
    const message = await db().selectFrom('messages').select('customer_id').where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    const task = await db().selectFrom('guide_tasks').select('customer_id').where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect([message.customer_id, task.customer_id]).toEqual([survivor, survivor]);
  });
});
