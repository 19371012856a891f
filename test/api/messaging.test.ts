// Messaging over HTTP: settings with validation naming the field, templates refusing unknown
// variables, preview, dry run, mass send, the sandbox phone, and who may do what.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS } from '../../src/core/messaging/settings.rules.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let operator: Record<string, string>;
let guideLi: Record<string, string>;
let otherAdmin: Record<string, string>;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
  otherAdmin = bearer(await keyFor((await newTenant()).id, 'admin'));
});

describe('messaging over HTTP', () => {
  it('reads the defaults, refuses a bad value naming the field and changing nothing, and saves a good one', async () => {
    const read = await app.inject({ url: '/api/v1/messaging/settings', headers: operator });
    expect(read.json()).toEqual(DEFAULT_SETTINGS);
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/messaging/settings', headers: operator, payload: { ...DEFAULT_SETTINGS, platformQuota: { ...DEFAULT_SETTINGS.platformQuota, perDay: -1 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ path: 'platformQuota.perDay', message: expect.any(String) as string, code: 'too_small', params: expect.objectContaining({ origin: 'number', minimum: 0 }) as object }]);
    expect((await app.inject({ url: '/api/v1/messaging/settings', headers: operator })).json()).toEqual(DEFAULT_SETTINGS);
    const quiet = { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false }, globalHoldoutPercent: 0 };
    const ok = await app.inject({ method: 'PUT', url: '/api/v1/messaging/settings', headers: operator, payload: quiet });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/messaging/settings', headers: operator })).json().quietHours.enabled).toBe(false);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/messaging/settings', headers: guideLi, payload: quiet })).statusCode).toBe(403);
    // another tenant still has its own defaults
    expect((await app.inject({ url: '/api/v1/messaging/settings', headers: otherAdmin })).json().quietHours.enabled).toBe(true);
  });

  it('refuses a template with an unknown variable by name, previews a saved one on a real customer, and plans a mass send', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/message-templates', headers: operator, payload: { name: '坏', content: { sandbox: { text: '{name}，{nickname}' } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ path: 'content.sandbox.text', message: expect.stringContaining('{nickname}') as string, code: 'unknown_variable', params: expect.objectContaining({ variable: '{nickname}' }) as object }]);
    const created = await app.inject({ method: 'POST', url: '/api/v1/message-templates', headers: operator, payload: { name: '到店', content: { sandbox: { text: '{name}，{guide}在{store}等您' }, sms: { text: '【鱼池】{name}，新品到店' } } } });
    expect(created.statusCode).toBe(201);
    const template = created.json();
    expect(template.variables.sort()).toEqual(['guide', 'name', 'store']);
    const preview = await app.inject({ method: 'POST', url: '/api/v1/message-templates/preview', headers: operator, payload: { templateId: template.id, channel: 'sandbox', customerId: world.customers.lei } });
    expect(preview.json().content).toEqual({ text: '张磊，王强在福田中心店等您' });
    const sms = await app.inject({ method: 'POST', url: '/api/v1/message-templates/preview', headers: operator, payload: { templateId: template.id, channel: 'sms', customerId: world.customers.lei } });
    expect(sms.json().sms).toMatchObject({ segments: 1, perSegment: 70, encoding: 'ucs2' });
    const noEmail = await app.inject({ method: 'POST', url: '/api/v1/message-templates/preview', headers: operator, payload: { templateId: template.id, channel: 'email', customerId: world.customers.lei } });
    expect(noEmail.statusCode).toBe(400);

    const send = { name: '到店提醒', channel: 'sandbox', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } };
    const dry = await app.inject({ method: 'POST', url: '/api/v1/mass-sends/dry-run', headers: operator, payload: send });
    expect(dry.json()).toEqual({ audience: 4, planned: 4, heldOut: 0, excluded: {}, moved: {} });
    const badAudience = await app.inject({ method: 'POST', url: '/api/v1/mass-sends/dry-run', headers: operator, payload: { ...send, audience: { include: { kind: 'segment', ids: [] } } } });
    expect(badAudience.statusCode).toBe(400);
    expect(badAudience.json().error.details[0].path).toContain('audience');
    const made = await app.inject({ method: 'POST', url: '/api/v1/mass-sends', headers: operator, payload: send });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ status: 'planning', channel: 'sandbox' });
    const list = await app.inject({ url: '/api/v1/mass-sends', headers: operator });
    expect(list.json().items.map((m: { id: string }) => m.id)).toEqual([made.json().id]);
  });

  it('shows a sandbox phone and takes a simulated reply; a guide sees only their own customers', async () => {
    const reply = await app.inject({ method: 'POST', url: `/api/v1/sandbox/phones/${world.customers.mei}/replies`, headers: operator, payload: { text: '好的，周末去店里' } });
    expect(reply.statusCode).toBe(201);
    const inbox = await app.inject({ url: `/api/v1/sandbox/phones/${world.customers.mei}`, headers: guideLi });
    expect(inbox.json().items.map((m: { direction: string; content: { text: string } }) => [m.direction, m.content.text])).toEqual([['in', '好的，周末去店里']]);
    expect((await app.inject({ url: `/api/v1/sandbox/phones/${world.customers.lei}`, headers: guideLi })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/sandbox/phones/${world.customers.mei}`, headers: otherAdmin })).statusCode).toBe(404);
    const empty = await app.inject({ method: 'POST', url: `/api/v1/sandbox/phones/${world.customers.mei}/replies`, headers: operator, payload: { text: '' } });
    expect(empty.statusCode).toBe(400);
    const tz = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.mei}/time-zone`, headers: operator, payload: { timeZone: 'Mars/Olympus' } });
    expect(tz.statusCode).toBe(400);
    expect(tz.json().error.details).toEqual([{ path: 'timeZone', message: expect.stringContaining('Mars/Olympus') as string, code: 'unknown_time_zone', params: { timeZone: 'Mars/Olympus' } }]);
    const messages = await app.inject({ url: `/api/v1/customers/${world.customers.mei}/messages`, headers: operator });
    expect(messages.statusCode).toBe(200);
  });
});
