// Acquisition codes and the guide's day over HTTP: code CRUD and its refusals, the QR image,
// the public landing page counting scans, the nearest store, a welcome through the events API,
// the till's prompt, the workbench with task completion, and transfers.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { PosPromptAnswer } from '../../src/api/routes/workbench.ts';
import { createGuideTasks } from '../../src/core/tasks/guide-tasks.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let slug: string;
let admin: Record<string, string>;
let guideLi: Record<string, string>;
const run = randomBytes(3).toString('hex');
const db = () => testDb().db;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  slug = tenant.slug;
  world = await buildWorld(db(), tenant.id);
  admin = bearer(await keyFor(tenant.id, 'admin'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
});

const codeBody = (over: Record<string, unknown> = {}) => ({
  name: '福田收银台码', kind: 'store_counter', storeId: world.stores.futian, state: `ft-${run}`,
  rotation: [{ staffId: world.staff.li, dailyCap: 50, qrUrl: 'https://wework.example/li.png' }, { staffId: world.staff.zhao, dailyCap: null, qrUrl: 'https://wework.example/zhao.png', backup: true }],
  worksFrom: '00:00', worksTo: '23:59', welcomeText: '{nickname} 你好，我是{guide}', ...over,
});

describe('acquisition codes', () => {
  let codeId: string;
  let landingPath: string;

  it('refuses a code whose rotation has no staff, or unknown variables, naming each field', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/codes', headers: admin, payload: codeBody({ rotation: [], welcomeText: '你好 {name}' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'body.rotation', message: expect.stringMatching(/no staff/), code: 'rotation_empty' },
      { path: 'body.welcomeText', message: 'unknown variable {name}: use {nickname}, {store} or {guide}', code: 'unknown_variable', params: { variable: 'name' } },
    ]);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/codes', headers: admin, payload: codeBody({ state: 'x'.repeat(31) }) });
    expect(bad.json().error.details[0].path).toBe('body.state');
    const list = await app.inject({ method: 'GET', url: '/api/v1/codes', headers: admin });
    expect(list.json().items).toEqual([]);
  });

  it('creates, lists with its funnel, and changes a code; guides may not', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/codes', headers: admin, payload: codeBody() });
    expect(res.statusCode, res.body).toBe(201);
    const code = res.json();
    codeId = code.id;
    landingPath = code.landingPath;
    expect(code).toMatchObject({ state: `ft-${run}`, store: { id: world.stores.futian, name: '福田中心店' }, landingPath: `/q/${slug}/${code.codeKey}` });
    expect(code.rotation.map((m: { staffName: string; backup: boolean }) => [m.staffName, m.backup])).toEqual([['李娜', false], ['赵敏', true]]);
    const again = await app.inject({ method: 'POST', url: '/api/v1/codes', headers: admin, payload: codeBody({ name: '另一个' }) });
    expect(again.statusCode).toBe(409);
    const put = await app.inject({ method: 'PUT', url: `/api/v1/codes/${codeId}`, headers: admin, payload: codeBody({ name: '福田收银台码 2', status: 'active' }) });
    expect(put.json()).toMatchObject({ name: '福田收银台码 2', codeKey: code.codeKey });
    expect((await app.inject({ method: 'POST', url: '/api/v1/codes', headers: guideLi, payload: codeBody() })).statusCode).toBe(403);
    const list = await app.inject({ method: 'GET', url: '/api/v1/codes', headers: guideLi });
    expect(list.json().items).toEqual([expect.objectContaining({ id: codeId, stats: { codeId, scans: 0, adds: 0, kept: 0, ordered: 0 } })]);
  });

  it('renders the landing URL as a QR image', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/codes/${codeId}/qr.png?size=256`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(res.rawPayload.readUInt32BE(16)).toBe(256);
  });

  it('opens the landing page without signing in, shows the picked staff member\'s QR and counts the scan', async () => {
    const res = await app.inject({ method: 'GET', url: landingPath });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('https://wework.example/li.png');
    expect(res.body).toContain('李娜');
    const gone = await app.inject({ method: 'GET', url: `/q/${slug}/zzzzzzzz` });
    expect(gone.statusCode).toBe(404);
    const stats = await app.inject({ method: 'GET', url: `/api/v1/codes/${codeId}/stats`, headers: admin });
    expect(stats.json()).toEqual({ codeId, scans: 1, adds: 0, kept: 0, ordered: 0 });
  });

  it('welcomes a friend added through the events API once, with the WeCom welcome code', async () => {
    const li = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', world.tenantId).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    const event = { id: `api-acq-${run}`, type: 'contact_added', occurredAt: new Date().toISOString(), customer: { externalUserId: `wm-api-${run}` },
      properties: { staffWecomUserId: li.wecom_user_id, state: `ft-${run}`, welcomeCode: 'WC-API', name: '阿杰' } };
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events: [event] } });
      expect(res.statusCode).toBe(200);
    }
    const messages = await db().selectFrom('messages').select(['content', 'dedupe_key']).where('tenant_id', '=', world.tenantId).execute();
    expect(messages).toEqual([{ dedupe_key: `welcome:api-acq-${run}`, content: { text: '阿杰 你好，我是李娜', welcomeCode: 'WC-API' } }]);
    const stats = await app.inject({ method: 'GET', url: `/api/v1/codes/${codeId}/stats`, headers: admin });
    expect(stats.json()).toMatchObject({ scans: 1, adds: 1 });
  });

  it('finds the nearest store open now', async () => {
    // Hours are made round-the-clock (南山) and never (福田: closed) so the answer does not hang on the clock.
    await db().updateTable('stores').set({ opens_at: null, closes_at: null }).where('tenant_id', '=', world.tenantId).where('id', '=', world.stores.nanshan).execute();
    const res = await app.inject({ method: 'GET', url: '/api/v1/stores/nearest?lat=22.5406&lng=113.96&radiusKm=3', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().store).toMatchObject({ id: world.stores.nanshan, name: '南山科技园店', distanceKm: 0.92 });
    await db().updateTable('stores').set({ status: 'closed' }).where('tenant_id', '=', world.tenantId).where('id', '=', world.stores.nanshan).execute();
    const closed = await app.inject({ method: 'GET', url: '/api/v1/stores/nearest?lat=22.5406&lng=113.96&radiusKm=3', headers: admin });
    expect(closed.json()).toEqual({ store: null });
    await db().updateTable('stores').set({ status: 'open' }).where('tenant_id', '=', world.tenantId).where('id', '=', world.stores.nanshan).execute();
    const far = await app.inject({ method: 'GET', url: '/api/v1/stores/nearest?lat=39.9&lng=116.4&radiusKm=3', headers: admin });
    expect(far.json()).toEqual({ store: null });
    const bad = await app.inject({ method: 'GET', url: '/api/v1/stores/nearest?lat=95&lng=116.4', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.lat');
  });
});

describe('the till, the workbench and transfers', () => {
  it('prompts the till: a stranger is added with the store code; a bad phone is refused', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/pos/prompt?phone=13100000001&storeId=${world.stores.futian}`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ customer: null, actions: [{ kind: 'add_friend', code: { name: '福田收银台码 2' } }] });
    // written without the schema's encoder: still JSON, and the bytes the encoder would write
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(JSON.stringify(PosPromptAnswer.parse(res.json())));
    // A guide's till is their own store.
    const guide = await app.inject({ method: 'GET', url: '/api/v1/pos/prompt?phone=13100000001', headers: guideLi });
    expect(guide.json().store).toEqual({ id: world.stores.futian, name: '福田中心店' });
    const bad = await app.inject({ method: 'GET', url: '/api/v1/pos/prompt?phone=12', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.phone');
  });

  it('shows a guide their workbench, completes and skips tasks, and never another guide\'s', async () => {
    await createGuideTasks(db(), world.tenantId, [
      { staffId: world.staff.li, kind: 'welcome_friend', title: '欢迎新好友', dueAt: new Date(Date.now() - 60_000), source: { kind: 'manual', id: run }, dedupeKey: `${run}:a` },
      { staffId: world.staff.li, kind: 'follow_up', title: '回访', dueAt: new Date(Date.now() - 30_000), source: { kind: 'manual', id: run }, dedupeKey: `${run}:b` },
      { staffId: world.staff.wang, kind: 'follow_up', title: '王强的', dueAt: new Date(Date.now() - 30_000), source: { kind: 'manual', id: run }, dedupeKey: `${run}:c` },
    ]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/workbench', headers: guideLi });
    expect(res.statusCode, res.body).toBe(200);
    const wb = res.json();
    expect(wb.tasks.map((t: { title: string }) => t.title)).toEqual(['欢迎新好友', '回访']);
    const done = await app.inject({ method: 'POST', url: `/api/v1/tasks/${wb.tasks[0].id}/complete`, headers: guideLi });
    expect(done.json()).toMatchObject({ status: 'done' });
    const skipped = await app.inject({ method: 'POST', url: `/api/v1/tasks/${wb.tasks[1].id}/skip`, headers: guideLi });
    expect(skipped.json()).toMatchObject({ status: 'skipped' });
    const undo = await app.inject({ method: 'POST', url: `/api/v1/tasks/${wb.tasks[1].id}/complete`, headers: guideLi });
    expect(undo.statusCode).toBe(409);
    expect(undo.json().error.code).toBe('task_already_finished');
    expect((await app.inject({ method: 'GET', url: '/api/v1/workbench', headers: guideLi })).json().progress).toEqual({ done: 1, skipped: 1, open: 0 });
    expect((await app.inject({ method: 'GET', url: `/api/v1/workbench?staffId=${world.staff.wang}`, headers: guideLi })).statusCode).toBe(403);
    const wang = await app.inject({ method: 'GET', url: `/api/v1/workbench?staffId=${world.staff.wang}`, headers: admin });
    expect(wang.json().tasks.map((t: { title: string }) => t.title)).toEqual(['王强的']);
    const other = await app.inject({ method: 'POST', url: `/api/v1/tasks/${wang.json().tasks[0].id}/complete`, headers: guideLi });
    expect(other.statusCode).toBe(404);
  });

  it('transfers customers, refusing per customer beyond WeCom\'s limit; guides may not transfer', async () => {
    const transfer = (to: string) => app.inject({ method: 'POST', url: '/api/v1/customers/transfer', headers: admin, payload: { customerIds: [world.customers.jun], toStaffId: to, reason: '调岗' } });
    expect((await transfer(world.staff.li)).json().transferred).toHaveLength(1);
    expect((await transfer(world.staff.wang)).json().transferred).toHaveLength(1);
    const third = await transfer(world.staff.li);
    expect(third.statusCode).toBe(200);
    expect(third.json()).toEqual({ transferred: [], refused: [{ customerId: world.customers.jun, reason: 'transfer_limit', message: expect.any(String), possibleFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }] });
    const guide = await app.inject({ method: 'POST', url: '/api/v1/customers/transfer', headers: guideLi, payload: { customerIds: [world.customers.jun], toStaffId: world.staff.li, reason: 'x' } });
    expect(guide.statusCode).toBe(403);
    const resign = await app.inject({ method: 'POST', url: `/api/v1/staff/${world.staff.wang}/resign`, headers: admin, payload: { successorStaffId: world.staff.li } });
    expect(resign.json()).toEqual({ inherited: 2 });
  });
});

describe('the OpenAPI document', () => {
  it('describes the acquisition and workbench endpoints, not the landing page', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/v1/codes', '/api/v1/codes/{id}', '/api/v1/codes/{id}/qr.png', '/api/v1/stores/nearest', '/api/v1/pos/prompt',
      '/api/v1/workbench', '/api/v1/tasks/{id}/complete', '/api/v1/tasks/{id}/skip', '/api/v1/customers/transfer', '/api/v1/staff/{id}/resign',
    ]));
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/q/'))).toBe(false);
  });
});
