// The channel adapters against local servers speaking each provider's protocol: the fake WeCom
// API, an SMTP server (smtp-server), an SMS gateway and a webhook receiver that checks signatures.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { Actor } from '../../src/core/access/access.rules.ts';
import type { ChannelContext, OutgoingMessage } from '../../src/core/channels/channel.ts';
import { channelFor } from '../../src/core/channels/registry.ts';
import { saveChannelSettings } from '../../src/core/channels/settings.service.ts';
import { createWecomAdapter } from '../../src/core/channels/wecom/wecom.adapter.ts';
import { forgetWecomTokens } from '../../src/core/channels/wecom/wecom.client.ts';
import { massSendResults } from '../../src/core/channels/wecom/wecom.results.service.ts';
import { verifyWebhookSignature } from '../../src/core/channels/gateway.rules.ts';
import { newId } from '../../src/core/ids.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { FakeWecom } from '../fakes/wecom.ts';

let world: World;
let ctx: ChannelContext;
let actor: Actor;
let liWecom: string;
let meiExternal: string;
const fake = new FakeWecom('wwadaptertest', 'adapter-secret');
const wecom = createWecomAdapter({ sleep: async () => {}, baseDelayMs: 1 });

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: newId(), customerId: world.customers.mei, staffId: world.staff.li, content: { text: '陈美您好，周二会员日车厘子 8 折' }, ...overrides,
});

// A local HTTP server that records requests and answers what the test tells it to.
interface Recorded { method: string; url: string; headers: IncomingMessage['headers']; body: string }
function recorder(answer: (r: Recorded) => { status: number; body: string }) {
  const seen: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  return {
    seen,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  ctx = { db: testDb().db, tenantId: tenant.id };
  actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'test' };
  const li = await testDb().db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
  liWecom = li.wecom_user_id ?? '';
  const mei = await testDb().db.selectFrom('customer_identities').select('value').where('tenant_id', '=', tenant.id).where('customer_id', '=', world.customers.mei).where('kind', '=', 'external_userid').executeTakeFirstOrThrow();
  meiExternal = mei.value;
  await fake.start();
  fake.contacts.set(liWecom, [meiExternal]);
});
afterAll(async () => { await fake.stop(); });

describe('WeCom', () => {
  it('is not set up: a final failure', async () => {
    expect(await wecom.send(ctx, message())).toEqual({ ok: false, retryable: false, reason: expect.stringMatching(/not set up/), notSetUp: true });
  });

  it('sends a welcome through send_welcome_msg, anything else through add_msg_template as the guide', async () => {
    await saveChannelSettings(ctx.db, actor, 'wecom', {
      corpId: fake.corpId, agentId: '1000002', secret: fake.secret, token: 'yuchiToken1', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBaseUrl: fake.url,
    });
    const welcome = await wecom.send(ctx, message({ content: { text: '欢迎加入', welcomeCode: 'WC-1', attachments: [{ kind: 'image', picUrl: 'https://example.com/a.png' }] } }));
    expect(welcome).toEqual({ ok: true });
    expect(fake.callsTo('/cgi-bin/externalcontact/send_welcome_msg')[0]?.body).toEqual({
      welcome_code: 'WC-1', text: { content: '欢迎加入' }, attachments: [{ msgtype: 'image', image: { pic_url: 'https://example.com/a.png' } }],
    });
    const one = await wecom.send(ctx, message());
    expect(one).toMatchObject({ ok: true, providerId: expect.stringMatching(/^msg/) });
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template').at(-1)?.body).toEqual({
      chat_type: 'single', sender: liWecom, external_userid: [meiExternal], text: { content: '陈美您好，周二会员日车厘子 8 折' },
    });
  });

  it('fails for good without a staff member or an external user id, for a rate limit tries again later', async () => {
    expect(await wecom.send(ctx, message({ staffId: null }))).toMatchObject({ ok: false, retryable: false });
    expect(await wecom.send(ctx, message({ customerId: world.customers.lei }))).toEqual({ ok: false, retryable: false, reason: 'the customer has no WeCom external user id' });
    fake.failNext('/cgi-bin/externalcontact/add_msg_template', 45009, 10);
    expect(await wecom.send(ctx, message())).toMatchObject({ ok: false, retryable: true, reason: expect.stringMatching(/45009/) });
    fake.reset();
    fake.failNext('/cgi-bin/externalcontact/add_msg_template', 48002);
    expect(await wecom.send(ctx, message())).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/not allowed/) });
  });

  it('asks a staff member to confirm one mass send for their customers, and posts to groups', async () => {
    fake.reset();
    const sent = await wecom.sendForConfirmation?.(ctx, world.staff.li, [message(), message({ customerId: world.customers.lei }), message()]);
    expect(sent).toMatchObject({ ok: true, providerId: expect.stringMatching(/^msg/) });
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template')).toHaveLength(1);
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template')[0]?.body).toMatchObject({ chat_type: 'single', sender: liWecom, external_userid: [meiExternal] });
    // Which customers the staff member has sent it to so far.
    fake.contacts.set(liWecom, [meiExternal, 'wmNOTINYUCHI']);
    await ctx.db.insertInto('customer_identities').values({ tenant_id: ctx.tenantId, kind: 'external_userid', value: 'wmNOTINYUCHI', customer_id: world.customers.jun }).execute();
    const multi = await wecom.sendForConfirmation?.(ctx, world.staff.li, [message(), message({ customerId: world.customers.jun })]);
    const results = await massSendResults(ctx, multi?.ok ? multi.providerId ?? '' : '', world.staff.li, { sleep: async () => {} });
    expect(results).toEqual([
      { externalUserId: meiExternal, chatId: null, customerId: world.customers.mei, status: 'sent', sentAt: new Date(1_700_000_000_000) },
      { externalUserId: 'wmNOTINYUCHI', chatId: null, customerId: world.customers.jun, status: 'awaiting_confirmation', sentAt: null },
    ]);
    fake.reset();
    const groups = await wecom.sendToGroups?.(ctx, world.staff.li, ['wrG1', 'wrG2'], { text: '今晚 8 点秒杀' });
    expect(groups).toMatchObject({ ok: true });
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template')[0]?.body).toEqual({ chat_type: 'group', sender: liWecom, chat_id_list: ['wrG1', 'wrG2'], text: { content: '今晚 8 点秒杀' } });
  });

  it('tests the connection with a token, and reports a wrong secret', async () => {
    expect(await wecom.test?.(ctx)).toMatchObject({ ok: true });
    forgetWecomTokens();
    await saveChannelSettings(ctx.db, actor, 'wecom', { corpId: fake.corpId, agentId: '1000002', secret: 'not-the-secret', apiBaseUrl: fake.url });
    expect(await wecom.test?.(ctx)).toEqual({ ok: false, detail: expect.stringMatching(/40001: the secret is wrong/) });
  });
});

describe('email', () => {
  const received: { from: string; to: string[]; data: string }[] = [];
  let smtp: SMTPServer;
  let port = 0;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onAuth: (auth, _session, cb) => (auth.username === 'mailer' && auth.password === 'smtp-pass' ? cb(null, { user: 'mailer' }) : cb(new Error('bad login'))),
      onRcptTo: (address, _session, cb) => (address.address.endsWith('@bounce.test') ? cb(Object.assign(new Error('no such user'), { responseCode: 550 })) : cb()),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => { await new Promise<void>((resolve) => smtp.close(() => resolve())); });

  it('sends to the customer\'s address with Yuchi\'s message id, and fails for good without one', async () => {
    const email = channelFor('email');
    expect(email).toBeDefined();
    await saveChannelSettings(ctx.db, actor, 'email', { host: '127.0.0.1', port, secure: false, user: 'mailer', password: 'smtp-pass', from: '鱼池果园 <hello@yuchi.test>' });
    expect(await email?.test?.(ctx)).toMatchObject({ ok: true });
    expect(await email?.send(ctx, message())).toEqual({ ok: false, retryable: false, reason: 'the customer has no email address' });
    await ctx.db.updateTable('customers').set({ email: 'chenmei@example.com' }).where('tenant_id', '=', ctx.tenantId).where('id', '=', world.customers.mei).execute();
    const m = message({ content: { text: '您的会员积分即将到期\n请在本月使用。', subject: '积分提醒' } });
    const sent = await email?.send(ctx, m);
    expect(sent).toEqual({ ok: true, providerId: `<${m.messageId}@yuchi>` });
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['chenmei@example.com']);
    expect(received[0]?.from).toBe('hello@yuchi.test');
    expect(received[0]?.data).toContain(`Message-ID: <${m.messageId}@yuchi>`);
    expect(received[0]?.data).toMatch(/Subject: =\?UTF-8\?/);
  });

  it('a refused recipient is final, a wrong password is reported by the test, a dead server is worth retrying', async () => {
    const email = channelFor('email');
    await ctx.db.updateTable('customers').set({ email: 'nobody@bounce.test' }).where('tenant_id', '=', ctx.tenantId).where('id', '=', world.customers.mei).execute();
    expect(await email?.send(ctx, message())).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/550/) });
    await saveChannelSettings(ctx.db, actor, 'email', { host: '127.0.0.1', port, secure: false, user: 'mailer', password: 'wrong', from: 'hello@yuchi.test' });
    expect(await email?.test?.(ctx)).toMatchObject({ ok: false });
    await saveChannelSettings(ctx.db, actor, 'email', { host: '127.0.0.1', port: 1, secure: false, from: 'hello@yuchi.test' });
    expect(await email?.send(ctx, message())).toMatchObject({ ok: false, retryable: true });
  });
});

describe('SMS gateway', () => {
  let reply = { status: 200, body: '{"code":"0","msg":"ok"}' };
  const gateway = recorder(() => reply);
  let url = '';
  beforeAll(async () => { url = await gateway.start(); });
  afterAll(async () => { await gateway.stop(); });

  it('fills the body template and reads success from the answer', async () => {
    await saveChannelSettings(ctx.db, actor, 'sms', {
      url: `${url}/sms/send`, method: 'POST', headers: { 'X-Api-Key': 'gateway-key-123' }, bodyFormat: 'json',
      bodyTemplate: '{"mobile":"{phone}","content":"{sign}{text}","outId":"{messageId}"}', sign: '【鱼池】', success: { field: 'code', equals: '0' },
    });
    const sms = channelFor('sms');
    const m = message({ content: { text: '您的"会员日"优惠券已到账\n请查收' } });
    expect(await sms?.send(ctx, m)).toEqual({ ok: true });
    const request = gateway.seen.at(-1);
    expect(request?.headers['x-api-key']).toBe('gateway-key-123');
    expect(JSON.parse(request?.body ?? '')).toEqual({ mobile: world.phones.mei, content: '【鱼池】您的"会员日"优惠券已到账\n请查收', outId: m.messageId });

    reply = { status: 200, body: '{"code":"isv.BUSINESS_LIMIT_CONTROL","msg":"触发流控"}' };
    expect(await sms?.send(ctx, message())).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/code=isv.BUSINESS_LIMIT_CONTROL/) });
    reply = { status: 503, body: 'busy' };
    expect(await sms?.send(ctx, message())).toMatchObject({ ok: false, retryable: true });
  });

  it('sends a form body by GET when told to', async () => {
    reply = { status: 200, body: 'OK' };
    await saveChannelSettings(ctx.db, actor, 'sms', { url: `${url}/send?user=yuchi`, method: 'GET', bodyFormat: 'form', bodyTemplate: 'to={phone}&msg={sign}{text}', sign: '【鱼池】' });
    expect(await channelFor('sms')?.send(ctx, message({ content: { text: '满 100 减 20 & 包邮' } }))).toEqual({ ok: true });
    const request = gateway.seen.at(-1);
    expect(request?.method).toBe('GET');
    const q = new URL(request?.url ?? '', 'http://x').searchParams;
    expect(q.get('user')).toBe('yuchi');
    expect(q.get('to')).toBe(world.phones.mei);
    expect(q.get('msg')).toBe('【鱼池】满 100 减 20 & 包邮');
  });
});

describe('webhook', () => {
  const secret = 'whsec-0123456789abcdef';
  let status = 200;
  const receiver = recorder((r) => {
    const ok = verifyWebhookSignature(secret, String(r.headers['x-yuchi-timestamp']), r.body, String(r.headers['x-yuchi-signature']));
    return ok ? { status, body: '' } : { status: 401, body: 'bad signature' };
  });
  let url = '';
  beforeAll(async () => { url = await receiver.start(); });
  afterAll(async () => { await receiver.stop(); });

  it('posts signed JSON with the message id as idempotency key', async () => {
    await saveChannelSettings(ctx.db, actor, 'webhook', { url: `${url}/hooks/yuchi`, secret });
    const hook = channelFor('webhook');
    expect(await hook?.test?.(ctx)).toEqual({ ok: true, detail: 'the receiver answered HTTP 200' });
    const m = message();
    expect(await hook?.send(ctx, m)).toEqual({ ok: true });
    const request = receiver.seen.at(-1);
    expect(request?.headers['idempotency-key']).toBe(m.messageId);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ type: 'message', messageId: m.messageId, customer: { id: world.customers.mei, phone: world.phones.mei, externalUserId: meiExternal }, content: m.content });
  });

  it('a wrong secret is refused by the receiver (final); 5xx and 429 are retried', async () => {
    const hook = channelFor('webhook');
    await saveChannelSettings(ctx.db, actor, 'webhook', { url: `${url}/hooks/yuchi`, secret: 'another-secret-of-16+' });
    expect(await hook?.send(ctx, message())).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/401/) });
    await saveChannelSettings(ctx.db, actor, 'webhook', { url: `${url}/hooks/yuchi`, secret });
    status = 503;
    expect(await hook?.send(ctx, message())).toMatchObject({ ok: false, retryable: true });
    status = 429;
    expect(await hook?.send(ctx, message())).toMatchObject({ ok: false, retryable: true });
  });
});
