// Channel settings over HTTP (validated, secrets never shown) and WeCom's callback: the URL check
// with WeCom's published vector, signatures, XML and JSON bodies, events into Yuchi, replays once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { sealSigned } from '../../src/core/channels/wecom/wecom.crypto.ts';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { channelSettings } from '../../src/core/channels/settings.service.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { FakeWecom } from '../fakes/wecom.ts';
import { DOC_VECTOR } from '../fakes/wecom-vectors.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let slug: string;
let admin: Record<string, string>;
let operator: Record<string, string>;
let liWecom: string;
const fake = new FakeWecom(DOC_VECTOR.corpId, 'app-secret-for-tests');
const secrets = { token: DOC_VECTOR.token, encodingAesKey: DOC_VECTOR.encodingAesKey, corpId: DOC_VECTOR.corpId };

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  slug = tenant.slug;
  world = await buildWorld(testDb().db, tenant.id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  operator = bearer(await keyFor(world.tenantId, 'operator'));
  const li = await testDb().db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', world.tenantId).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
  liWecom = li.wecom_user_id ?? '';
  await fake.start();
});
afterAll(async () => { await fake.stop(); });

const wecomBody = () => ({
  corpId: DOC_VECTOR.corpId, agentId: '1000002', secret: fake.secret, token: DOC_VECTOR.token, encodingAesKey: DOC_VECTOR.encodingAesKey, apiBaseUrl: fake.url,
});

let nonce = 0;
/** A callback as WeCom would post it: the message encrypted and signed with the tenant's settings. */
function post(message: string, format: 'xml' | 'json' = 'xml', tamper = false) {
  const timestamp = String(1_700_000_000 + nonce);
  const n = String(++nonce);
  const sealed = sealSigned(secrets, message, timestamp, n);
  const signature = tamper ? sealed.msgSignature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : sealed.msgSignature;
  const payload = format === 'xml'
    ? `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`
    : JSON.stringify({ ToUserName: secrets.corpId, Encrypt: sealed.encrypt, AgentID: 1000002 });
  return app.inject({
    method: 'POST',
    url: `/callbacks/wecom/${slug}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${n}`,
    headers: { 'content-type': format === 'xml' ? 'text/xml' : 'application/json' },
    payload,
  });
}

const eventsOf = (type: string) => sql<{ event_key: string; customer_id: string; properties: Record<string, unknown> }>`
  select event_key, customer_id, properties from events where tenant_id = ${world.tenantId} and type = ${type} order by occurred_at, event_key`.execute(testDb().db).then((r) => r.rows);
const callbacks = () => testDb().db.selectFrom('wecom_callbacks').select(['id', 'kind', 'detail']).where('tenant_id', '=', world.tenantId).execute();

const addContactXml = (external: string, createTime: number) => `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[${liWecom}]]></UserID><ExternalUserID><![CDATA[${external}]]></ExternalUserID><State><![CDATA[store-ft-01]]></State><WelcomeCode><![CDATA[WELCOMECODE-${external}]]></WelcomeCode></xml>`;

describe('settings', () => {
  it('refuses a bad EncodingAESKey, naming the field, and saves nothing', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/channels/wecom', headers: admin, payload: { ...wecomBody(), encodingAesKey: DOC_VECTOR.encodingAesKey.slice(1) } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toContainEqual({ path: 'body.encodingAesKey', message: 'must be 43 characters (it has 42)', code: 'aes_key_length', params: { length: 42 } });
    const list = (await app.inject({ url: '/api/v1/channels', headers: admin })).json();
    expect(list.items.find((c: { kind: string }) => c.kind === 'wecom').configured).toBe(false);
  });

  it('is for admins only', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/channels/wecom', headers: operator, payload: wecomBody() });
    expect(res.statusCode).toBe(403);
  });

  it('saves, never shows a secret, and keeps stored secrets a later save leaves out', async () => {
    const saved = await app.inject({ method: 'PUT', url: '/api/v1/channels/wecom', headers: admin, payload: wecomBody() });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).not.toContain(fake.secret);
    expect(saved.body).not.toContain(DOC_VECTOR.encodingAesKey);
    expect(saved.json()).toMatchObject({ kind: 'wecom', configured: true, callbackPath: `/callbacks/wecom/${slug}`, settings: { corpId: DOC_VECTOR.corpId, agentId: '1000002', secret: '••••ests' } });
    const shown = saved.json().settings;
    // The console sends the masked values back: they mean "unchanged".
    const again = await app.inject({ method: 'PUT', url: '/api/v1/channels/wecom', headers: admin, payload: { ...shown, agentId: '1000003' } });
    expect(again.statusCode).toBe(200);
    const stored = await channelSettings(testDb().db, world.tenantId, 'wecom');
    expect(stored).toMatchObject({ agentId: '1000003', secret: fake.secret, token: DOC_VECTOR.token, encodingAesKey: DOC_VECTOR.encodingAesKey });
    // at rest the secrets are sealed: the row holds none of them
    const row = await testDb().db.selectFrom('channel_settings').select('config').where('tenant_id', '=', world.tenantId).where('kind', '=', 'wecom').executeTakeFirstOrThrow();
    for (const plain of [fake.secret, DOC_VECTOR.token, DOC_VECTOR.encodingAesKey]) expect(JSON.stringify(row.config)).not.toContain(plain);
  });

  it('tests the connection against the WeCom API and keeps the result', async () => {
    fake.contacts.set(liWecom, ['wmFAKE000001']);
    const res = await app.inject({ method: 'POST', url: '/api/v1/channels/wecom/test', headers: admin });
    expect(res.json()).toEqual({ ok: true, detail: 'access token issued; 1 staff members have customer-contact permission' });
    const list = (await app.inject({ url: '/api/v1/channels', headers: admin })).json();
    expect(list.items.find((c: { kind: string }) => c.kind === 'wecom').lastTest).toMatchObject({ ok: true });
    const untested = await app.inject({ method: 'POST', url: '/api/v1/channels/sms/test', headers: admin });
    expect(untested.json()).toEqual({ ok: false, detail: 'sms is not set up yet' });
  });
});

describe('a secret this server cannot open', () => {
  it('flags only its own channel, and typing the secret again fixes it', async () => {
    const hook = { url: 'https://hooks.example.com/yuchi', secret: 'a-webhook-secret-of-16+' };
    expect((await app.inject({ method: 'PUT', url: '/api/v1/channels/webhook', headers: admin, payload: hook })).statusCode).toBe(200);
    // the stored envelope altered (or sealed under a key this server lacks): it can no longer be opened
    await sql`update channel_settings set config = jsonb_set(config, '{secret,data}', to_jsonb('AAAA'::text))
               where tenant_id = ${world.tenantId} and kind = 'webhook'`.execute(testDb().db);

    const list = await app.inject({ url: '/api/v1/channels', headers: admin });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { kind: string; configured: boolean; problem: { code: string; field: string } | null; settings: Record<string, unknown> | null }[];
    const webhook = items.find((c) => c.kind === 'webhook');
    expect(webhook?.problem).toMatchObject({ code: 'secret_unreadable', field: 'secret' });
    expect(webhook?.settings).toEqual({ url: hook.url });
    expect(items.filter((c) => c.kind !== 'webhook').every((c) => c.problem === null)).toBe(true);

    const withoutSecret = await app.inject({ method: 'PUT', url: '/api/v1/channels/webhook', headers: admin, payload: { url: hook.url } });
    expect(withoutSecret.statusCode).toBe(400);
    expect(withoutSecret.json().error.details.map((d: { path: string }) => d.path)).toContain('body.secret');
    const fixed = await app.inject({ method: 'PUT', url: '/api/v1/channels/webhook', headers: admin, payload: hook });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().problem).toBeNull();
    expect(await channelSettings(testDb().db, world.tenantId, 'webhook')).toEqual(hook);
  });
});

describe('sync from WeCom', () => {
  it('queues one job per tenant, and refuses while WeCom is not set up', async () => {
    const queued = await app.inject({ method: 'POST', url: '/api/v1/channels/wecom/sync', headers: admin });
    expect(queued.statusCode).toBe(202);
    await app.inject({ method: 'POST', url: '/api/v1/channels/wecom/sync', headers: admin });
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'wecom_sync' and key = ${`wecom_sync:${world.tenantId}`}`.execute(testDb().db);
    expect(jobs.rows[0]?.n).toBe(1);
    // Not for a worker of another test file to run against a fake server that is gone by then.
    await sql`select graphile_worker.remove_job(${`wecom_sync:${world.tenantId}`})`.execute(testDb().db);
    const other = await newTenant();
    const refused = await app.inject({ method: 'POST', url: '/api/v1/channels/wecom/sync', headers: bearer(await keyFor(other.id, 'admin')) });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('wecom_not_set_up');
  });
});

describe('WeCom callback', () => {
  it('answers the URL check with the decrypted echostr (WeCom\'s published vector)', async () => {
    const v = DOC_VECTOR.verify;
    const res = await app.inject({ url: `/callbacks/wecom/${slug}?msg_signature=${v.msgSignature}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${encodeURIComponent(v.echostr)}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('1616140317555161061');
  });

  it('refuses a URL check with a wrong signature', async () => {
    const v = DOC_VECTOR.verify;
    const res = await app.inject({ url: `/callbacks/wecom/${slug}?msg_signature=${'0'.repeat(40)}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${encodeURIComponent(v.echostr)}` });
    expect(res.statusCode).toBe(403);
  });

  it('accepts WeCom\'s published POST (a staff member\'s text to the app: not a customer event)', async () => {
    const p = DOC_VECTOR.post;
    const res = await app.inject({
      method: 'POST', url: `/callbacks/wecom/${slug}?msg_signature=${p.msgSignature}&timestamp=${p.timestamp}&nonce=${p.nonce}`,
      headers: { 'content-type': 'text/xml' },
      payload: `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${p.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('success');
    expect((await callbacks()).map((c) => c.kind)).toEqual(['ignored']);
  });

  it('refuses a bad signature with 403 and processes nothing', async () => {
    const before = (await callbacks()).length;
    const res = await post(addContactXml('wmBADSIG0001', 1_700_000_100), 'xml', true);
    expect(res.statusCode).toBe(403);
    expect(await callbacks()).toHaveLength(before);
    expect((await eventsOf('contact_added')).filter((e) => e.event_key.includes('BADSIG'))).toHaveLength(0);
    const ids = await testDb().db.selectFrom('customer_identities').select('value').where('tenant_id', '=', world.tenantId).where('value', '=', 'wmBADSIG0001').execute();
    expect(ids).toHaveLength(0);
  });

  it('turns a friend added (XML) into contact_added with state and welcome code, once even when replayed', async () => {
    const message = addContactXml('wmNEWFRIEND1', 1_700_000_200);
    expect((await post(message)).body).toBe('success');
    // WeCom retries, or someone replays a captured request: the same content, encrypted afresh.
    expect((await post(message)).body).toBe('success');
    expect((await post(message, 'json')).body).toBe('success');
    const added = await eventsOf('contact_added');
    expect(added).toHaveLength(1);
    expect(added[0]?.properties).toEqual({ staffWecomUserId: liWecom, state: 'store-ft-01', welcomeCode: 'WELCOMECODE-wmNEWFRIEND1' });
    const contact = await sql<{ state: string | null; deleted_at: Date | null }>`
      select k.state, k.deleted_at from customer_contacts k join customer_identities i on i.tenant_id = k.tenant_id and i.customer_id = k.customer_id
       where k.tenant_id = ${world.tenantId} and i.kind = 'external_userid' and i.value = 'wmNEWFRIEND1' and k.staff_id = ${world.staff.li}`.execute(testDb().db);
    expect(contact.rows).toEqual([{ state: 'store-ft-01', deleted_at: null }]);
  });

  it('reads a JSON body with a JSON message: the customer removed the staff member', async () => {
    const message = JSON.stringify({
      ToUserName: secrets.corpId, FromUserName: 'sys', CreateTime: 1_700_000_300, MsgType: 'event', Event: 'change_external_contact',
      ChangeType: 'del_follow_user', UserID: liWecom, ExternalUserID: 'wmNEWFRIEND1',
    });
    expect((await post(message, 'json')).body).toBe('success');
    const deleted = await eventsOf('contact_deleted');
    expect(deleted.map((e) => e.properties)).toEqual([{ staffWecomUserId: liWecom, deletedBy: 'customer' }]);
    const added = await eventsOf('contact_added');
    expect(deleted[0]?.customer_id).toBe(added[0]?.customer_id);
  });

  it('records a customer\'s message', async () => {
    const message = `<xml><ToUserName>${secrets.corpId}</ToUserName><FromUserName>wmNEWFRIEND1</FromUserName><CreateTime>1700000400</CreateTime><MsgType>text</MsgType><Content>有车厘子吗？</Content><MsgId>7283648236482364823</MsgId></xml>`;
    expect((await post(message)).body).toBe('success');
    expect((await eventsOf('message_received')).map((e) => e.properties)).toEqual([{ msgType: 'text', text: '有车厘子吗？', wecomMsgId: '7283648236482364823' }]);
  });

  it('turns group changes into joins and leaves, reading the members from the WeCom API', async () => {
    fake.groups.set('wrFUTIAN01', {
      chat_id: 'wrFUTIAN01', name: '福田水果群', owner: liWecom,
      member_list: [
        { userid: liWecom, type: 1, join_time: 1_700_000_500 },
        { userid: 'wmNEWFRIEND1', type: 2, join_time: 1_700_000_500 },
        { userid: 'wmGROUPONLY1', type: 2, join_time: 1_700_000_510 },
      ],
    });
    const chatEvent = (changeType: string, createTime: number, detail = '') => `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrFUTIAN01]]></ChatId><ChangeType><![CDATA[${changeType}]]></ChangeType>${detail ? `<UpdateDetail><![CDATA[${detail}]]></UpdateDetail>` : ''}</xml>`;
    expect((await post(chatEvent('create', 1_700_000_520))).body).toBe('success');
    expect((await eventsOf('group_joined')).map((e) => e.properties)).toEqual([
      { chatId: 'wrFUTIAN01', groupName: '福田水果群', ownerWecomUserId: liWecom },
      { chatId: 'wrFUTIAN01', groupName: '福田水果群', ownerWecomUserId: liWecom },
    ]);
    const group = await testDb().db.selectFrom('customer_groups').select(['id', 'name', 'owner_staff_id']).where('tenant_id', '=', world.tenantId).where('chat_id', '=', 'wrFUTIAN01').executeTakeFirstOrThrow();
    expect(group).toMatchObject({ name: '福田水果群', owner_staff_id: world.staff.li });

    fake.groups.get('wrFUTIAN01')?.member_list.splice(2, 1);
    expect((await post(chatEvent('update', 1_700_000_600, 'del_member'))).body).toBe('success');
    const left = await eventsOf('group_left');
    expect(left).toHaveLength(1);
    const members = await testDb().db.selectFrom('group_members').select(['customer_id', 'left_at']).where('tenant_id', '=', world.tenantId).where('group_id', '=', group.id).execute();
    expect(members.filter((m) => m.left_at === null)).toHaveLength(1);
    expect(members.find((m) => m.left_at !== null)?.customer_id).toBe(left[0]?.customer_id);
  });

  it('answers 404 for a tenant without WeCom, and 400 for a body that is not WeCom\'s', async () => {
    const other = await newTenant();
    const v = DOC_VECTOR.verify;
    const res = await app.inject({ url: `/callbacks/wecom/${other.slug}?msg_signature=${v.msgSignature}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=x` });
    expect(res.statusCode).toBe(404);
    const bad = await app.inject({ method: 'POST', url: `/callbacks/wecom/${slug}?msg_signature=a&timestamp=1&nonce=2`, headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(bad.statusCode).toBe(400);
  });
});

describe('email addresses', () => {
  it('sets a customer\'s address in lower case, refuses a bad one, and a merge keeps one', async () => {
    const set = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.fang}/email`, headers: operator, payload: { email: 'Chen.Fang@Example.com' } });
    expect(set.json()).toEqual({ customerId: world.customers.fang, email: 'chen.fang@example.com' });
    const bad = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.fang}/email`, headers: operator, payload: { email: 'not an address' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.email');

    // 陈芳 (with an address) is merged into 刘军 (without): the survivor takes it.
    await inTransaction(testDb().db, (trx) => mergeCustomers(trx, world.tenantId, [{ survivorId: world.customers.jun, mergedIds: [world.customers.fang], identities: [] }], { source: 'test' }));
    const jun = await testDb().db.selectFrom('customers').select('email').where('tenant_id', '=', world.tenantId).where('id', '=', world.customers.jun).executeTakeFirstOrThrow();
    expect(jun.email).toBe('chen.fang@example.com');
    // The merged-away id still reaches the survivor.
    const again = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.fang}/email`, headers: operator, payload: { email: null } });
    expect(again.json()).toEqual({ customerId: world.customers.jun, email: null });
  });
});
