// `yuchi journey simulate` as a user runs it: a real process on the test database, the path with
// virtual times, what would be sent, and nothing kept afterwards.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJourney } from '../../src/core/journeys/journeys.service.ts';
import { adminOf } from '../core/ingest-helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { yuchi } from './yuchi.ts';



let dir: string;
let slug: string;
let world: World;
let journeyId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yuchi-cli-journey-'));
  const tenant = await newTenant();
  slug = tenant.slug;
  world = await buildWorld(testDb().db, tenant.id);
  // a draft (never published): cart → wait 2 h for the order of that cart → paid: exit / not: remind, wait for 10:00 on a weekday, task
  const j = await createJourney(testDb().db, adminOf(tenant.id), {
    name: '加购挽回', graph: {
      nodes: [
        { id: 'cart', type: 'entry', label: '加购', trigger: { kind: 'event', eventType: 'cart_created' } },
        { id: 'wait_pay', type: 'wait', label: '等付款', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 120, match: [{ property: 'cartId', entryProperty: 'cartId' }] } },
        { id: 'paid', type: 'exit', label: '已付款' },
        { id: 'remind', type: 'send_message', label: '提醒', channel: 'wecom', text: '{{name}}，购物车 {{event.cartId}} 还在' },
        { id: 'morning', type: 'wait', label: '工作日10点', wait: { kind: 'until_time', at: '10:00', weekdays: [1, 2, 3, 4, 5] } },
        { id: 'task', type: 'guide_task', label: '跟进', title: '跟进 {{name}}' },
        { id: 'end', type: 'exit', label: '结束' },
      ],
      edges: [
        { from: 'cart', to: 'wait_pay' }, { from: 'wait_pay', port: 'event', to: 'paid' }, { from: 'wait_pay', port: 'timeout', to: 'remind' },
        { from: 'remind', to: 'morning' }, { from: 'morning', to: 'task' }, { from: 'task', to: 'end' },
      ],
      goal: { eventType: 'order_paid', withinDays: 7 },
    },
  });
  journeyId = j.id;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function eventsFile(name: string, events: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, JSON.stringify(events));
  return p;
}

describe('yuchi journey simulate', () => {
  it('times out on a Friday evening, reminds, waits for Monday 10:00 and makes a task — and keeps nothing', async () => {
    // Friday 2026-05-08 20:00 Shanghai; the order paid is for another cart
    const events = await eventsFile('timeout.json', [
      { type: 'cart_created', at: '2026-05-08T12:00:00Z', properties: { cartId: 'C1' } },
      { type: 'order_paid', at: '+1h', properties: { cartId: 'OTHER' } },
    ]);
    const r = await yuchi(['journey', 'simulate', '--tenant', slug, '--journey', journeyId, '--customer', world.customers.mei, '--events', events, '--at', '2026-05-08T12:00:00Z', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.steps.map((x: { nodeId: string; outcome: string; at: string }) => `${x.at} ${x.nodeId}:${x.outcome}`)).toEqual([
      '2026-05-08T12:00:00.000Z cart:next',
      '2026-05-08T14:00:00.000Z wait_pay:timeout',
      '2026-05-08T14:00:00.000Z remind:next',
      '2026-05-11T02:00:00.000Z morning:next',
      '2026-05-11T02:00:00.000Z task:next',
      '2026-05-11T02:00:00.000Z end:exited',
    ]);
    expect(s.steps[2].actions).toEqual([expect.objectContaining({ kind: 'message', channel: 'wecom', text: '陈美，购物车 C1 还在' })]);
    expect(s.steps[4].actions).toEqual([expect.objectContaining({ kind: 'guide_task', title: '跟进 陈美' })]);
    expect(s).toMatchObject({ status: 'completed', convertedAt: '2026-05-08T13:00:00.000Z', version: null });

    const db = testDb().db;
    for (const table of ['journey_instances', 'journey_steps', 'messages', 'guide_tasks', 'journey_versions'] as const) {
      const rows = await db.selectFrom(table).select('tenant_id').where('tenant_id', '=', world.tenantId).execute();
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
  });

  it('leaves by the event when that cart is paid, and prints the path in local time', async () => {
    const events = await eventsFile('paid.json', [
      { type: 'cart_created', at: '2026-05-08T12:00:00Z', properties: { cartId: 'C1' } },
      { type: 'order_paid', at: '2026-05-08T13:30:00Z', properties: { cartId: 'C1' } },
    ]);
    const r = await yuchi(['journey', 'simulate', '--tenant', slug, '--journey', journeyId, '--customer', world.customers.mei, '--events', events, '--at', '2026-05-08T12:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('entered by cart_created at 2026-05-08 20:00');
    expect(r.stdout).toMatch(/2026-05-08 21:30\s+等付款\s+wait\s+→ event/);
    expect(r.stdout).toContain('completed at paid');
    expect(r.stdout).toContain('converted at 2026-05-08 21:30');
    expect(r.stdout).not.toContain('would send');
  });

  it('refuses bad input with a message and exit code 2', async () => {
    const bad = await eventsFile('bad.json', { type: 'x' });
    const r = await yuchi(['journey', 'simulate', '--tenant', slug, '--journey', journeyId, '--customer', world.customers.mei, '--events', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must hold a JSON array');
    const unknown = await yuchi(['journey', 'simulate', '--tenant', 'no-such-tenant', '--journey', journeyId, '--customer', world.customers.mei]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--tenant: no tenant no-such-tenant');
    const noJourney = await yuchi(['journey', 'simulate', '--tenant', slug, '--journey', world.customers.mei, '--customer', world.customers.mei]);
    expect(noJourney.code).toBe(2);
    expect(noJourney.stderr).toContain('journey not found');
  });
});
