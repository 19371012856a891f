// Journeys over HTTP: drafts, checks that name the node, publish as versions, pause/resume, stats
// per node, a customer's journeys (a guide only their own), and tenants kept apart.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { drainInbox } from '../../src/core/journeys/entry.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { adminOf } from '../core/ingest-helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let operator: Record<string, string>;
let guideLi: Record<string, string>;
let guideZhao: Record<string, string>;
let otherAdmin: Record<string, string>;

const graph = (text = '{{name}}，欢迎！', eventType = 'coupon_viewed') => ({
  nodes: [
    { id: 'in', type: 'entry', trigger: { kind: 'event', eventType } },
    { id: 'hello', type: 'send_message', channel: 'sandbox', text },
    { id: 'wait', type: 'wait', wait: { kind: 'duration', minutes: 60 } },
    { id: 'end', type: 'exit' },
  ],
  edges: [{ from: 'in', to: 'hello' }, { from: 'hello', to: 'wait' }, { from: 'wait', to: 'end' }],
  goal: { eventType: 'order_paid', withinDays: 7 },
});

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
  guideZhao = bearer(await keyFor(tenant.id, 'guide', world.staff.zhao));
  otherAdmin = bearer(await keyFor((await newTenant()).id, 'admin'));
});

describe('journeys over HTTP', () => {
  it('saves a draft, refuses to publish a broken one naming the node, publishes versions, pauses and resumes', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/journeys', headers: operator, payload: { name: '新客欢迎', graph: graph('{{nick}} 你好') } });
    expect(created.statusCode).toBe(201);
    const j = created.json();
    expect(j).toMatchObject({ name: '新客欢迎', status: 'draft', liveVersion: null, activeInstances: 0 });

    const refused = await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/publish`, headers: operator });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'invalid', details: [{ path: 'graph.nodes.hello.text', message: expect.stringContaining('{{nick}}'), code: 'unknown_variable', params: { name: 'nick' } }] });

    const checked = await app.inject({ method: 'POST', url: '/api/v1/journeys/validate', headers: operator, payload: { graph: { ...graph(), edges: graph().edges.slice(0, 2) } } });
    expect(checked.json()).toEqual({ ok: false, problems: [expect.objectContaining({ nodeId: 'wait', path: 'graph.nodes.wait' }), expect.objectContaining({ nodeId: 'end', message: expect.stringContaining('cannot be reached') })] });

    // a bad shape is refused at save with the path
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/journeys/${j.id}`, headers: operator, payload: { graph: { nodes: [{ id: 'x', type: 'teleport' }], edges: [] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toMatch(/^graph\.nodes\.0/);

    await app.inject({ method: 'PATCH', url: `/api/v1/journeys/${j.id}`, headers: operator, payload: { graph: graph() } });
    const v1 = await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/publish`, headers: operator });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({ status: 'live', liveVersion: 1, version: 1 });
    expect((await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/publish`, headers: operator })).json().version).toBe(2);
    const versions = (await app.inject({ url: `/api/v1/journeys/${j.id}/versions`, headers: operator })).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    expect((await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/pause`, headers: operator })).json().status).toBe('paused');
    expect((await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/resume`, headers: operator })).json().status).toBe('live');

    // guides may not change journeys; another tenant does not see them
    expect((await app.inject({ method: 'POST', url: '/api/v1/journeys', headers: guideLi, payload: { name: 'x', graph: graph() } })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/journeys/${j.id}`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/journeys', headers: otherAdmin })).json().items).toEqual([]);
  });

  it('shows stats per node and a customer\'s journeys with the path taken', async () => {
    const j = (await app.inject({ method: 'POST', url: '/api/v1/journeys', headers: operator, payload: { name: '看券', graph: graph('{{name}}，券已到账', 'coupon_opened') } })).json();
    await app.inject({ method: 'POST', url: `/api/v1/journeys/${j.id}/publish`, headers: operator });
    const db = testDb().db;
    await ingestEvents(db, adminOf(world.tenantId), [
      { id: `api-jr-${j.id}-1`, type: 'coupon_opened', occurredAt: '2026-05-01T02:00:00Z', customer: { customerId: world.customers.mei }, properties: {} },
      { id: `api-jr-${j.id}-2`, type: 'coupon_opened', occurredAt: '2026-05-01T02:00:00Z', customer: { customerId: world.customers.fang }, properties: {} },
    ]);
    await drainInbox(db, world.tenantId, new Date('2026-05-01T02:00:01Z'));

    const stats = (await app.inject({ url: `/api/v1/journeys/${j.id}/stats`, headers: operator })).json();
    expect(stats.instances).toMatchObject({ active: 2, completed: 0 });
    const byNode = new Map(stats.nodes.map((n: { nodeId: string }) => [n.nodeId, n]));
    expect(byNode.get('hello')).toMatchObject({ entered: 2, passed: 2, waiting: 0, ports: { next: 2 } });
    expect(byNode.get('wait')).toMatchObject({ entered: 2, waiting: 2, passed: 0 });

    const mine = (await app.inject({ url: `/api/v1/customers/${world.customers.mei}/journeys`, headers: guideLi })).json();
    expect(mine.items).toEqual([expect.objectContaining({
      journeyId: j.id, journeyName: '看券', status: 'active', nodeId: 'wait', wakeAt: '2026-05-01T03:00:01.000Z',
      steps: [expect.objectContaining({ nodeId: 'in', outcome: 'next' }), expect.objectContaining({ nodeId: 'hello', outcome: 'next' })],
    })]);
    // 陈美 is 李娜's customer, not 赵敏's
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.mei}/journeys`, headers: guideZhao })).statusCode).toBe(404);
    // The timeline shows the journey beside the events: its entry now, its end once it ends, paged by the same cursor.
    const timeline = async (before?: string) => (await app.inject({ url: `/api/v1/customers/${world.customers.mei}/timeline?limit=1${before ? `&before=${before}` : ''}`, headers: guideLi })).json();
    const entered = await timeline();
    expect(entered.items).toEqual([expect.objectContaining({ type: 'journey_entered', source: 'journey', properties: expect.objectContaining({ journeyName: '看券', heldOut: false }) })]);
    expect((await timeline(entered.nextCursor)).items[0]).toMatchObject({ type: 'coupon_opened' });
    await db.updateTable('journey_instances').set({ status: 'completed', finished_at: new Date('2026-05-02T02:00:00Z') })
      .where('tenant_id', '=', world.tenantId).where('customer_id', '=', world.customers.mei).where('journey_id', '=', j.id).execute();
    const ended = await timeline();
    expect(ended.items).toEqual([expect.objectContaining({ type: 'journey_finished', occurredAt: '2026-05-02T02:00:00.000Z', properties: expect.objectContaining({ status: 'completed' }) })]);
    const next = await timeline(ended.nextCursor);
    expect(next.items[0]).toMatchObject({ type: 'journey_entered' });
    expect(next.items[0].id).not.toBe(ended.items[0].id);
  });

  it('lists ready-made templates, each of which passes the checks', async () => {
    const res = await app.inject({ url: '/api/v1/journeys/templates', headers: operator });
    const items = res.json().items as { key: string; graph: unknown }[];
    expect(items.map((t) => t.key)).toEqual(['welcome_first_order', 'seed5_convert6', 'lapse_winback', 'birthday']);
    for (const t of items) {
      const checked = (await app.inject({ method: 'POST', url: '/api/v1/journeys/validate', headers: operator, payload: { graph: t.graph } })).json();
      expect({ key: t.key, ...checked }).toEqual({ key: t.key, ok: true, problems: [] });
    }
  });
});
