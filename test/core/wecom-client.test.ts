// The WeCom API client against the local fake WeCom server: token caching and renewal, backoff on
// rate limits and busy answers (bounded), and errors that say what is wrong.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetWecomTokens, WecomClient } from '../../src/core/channels/wecom/wecom.client.ts';
import { WecomApiError } from '../../src/core/channels/wecom/wecom.errors.ts';
import { FakeWecom } from '../fakes/wecom.ts';

const fake = new FakeWecom('wwclienttest', 'client-secret');
let clock = 1_000_000;
let slept: number[] = [];

function client(tenant = 'tenant-a', overrides: { secret?: string; maxRetries?: number } = {}): WecomClient {
  return new WecomClient(tenant, { corpId: fake.corpId, secret: overrides.secret ?? fake.secret, apiBaseUrl: fake.url }, {
    now: () => clock,
    sleep: async (ms) => { slept.push(ms); },
    baseDelayMs: 100,
    ...(overrides.maxRetries !== undefined ? { maxRetries: overrides.maxRetries } : {}),
  });
}

beforeAll(async () => {
  await fake.start();
  fake.contacts.set('li.na', ['wmAAAA0001', 'wmAAAA0002']);
  fake.groups.set('wrGROUP01', { chat_id: 'wrGROUP01', name: '福田水果群', owner: 'li.na', member_list: [{ userid: 'wmAAAA0001', type: 2, join_time: 1700000000 }] });
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => {
  forgetWecomTokens();
  fake.reset();
  slept = [];
});

describe('access token', () => {
  it('is fetched once and reused while valid, per tenant', async () => {
    const c = client();
    expect(await c.listExternalContacts('li.na')).toEqual(['wmAAAA0001', 'wmAAAA0002']);
    expect(await c.followUsers()).toEqual(['li.na']);
    await client().getGroupChat('wrGROUP01');
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
    await client('tenant-b').followUsers();
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(2);
  });

  it('is fetched again once its stated lifetime has passed', async () => {
    const c = client();
    await c.followUsers();
    clock += 7200 * 1000;
    await c.followUsers();
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(2);
  });

  it('is renewed when WeCom says it expired (42001) or is invalid (40014), and the call tried once more', async () => {
    const c = client();
    await c.followUsers();
    fake.expireTokens();
    expect(await c.followUsers()).toEqual(['li.na']);
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(2);
    fake.failNext('/cgi-bin/externalcontact/list', 40014);
    expect(await c.listExternalContacts('li.na')).toHaveLength(2);
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(3);
    expect(slept).toEqual([]);
  });

  it('is renewed only once per call: a token refused twice is an error', async () => {
    const c = client();
    fake.failNext('/cgi-bin/externalcontact/get_follow_user_list', 42001, 2);
    await expect(c.followUsers()).rejects.toMatchObject({ errcode: 42001, retryable: false });
  });

  it('is fetched once by concurrent calls', async () => {
    const c = client();
    await Promise.all([c.followUsers(), c.followUsers(), c.listExternalContacts('li.na')]);
    expect(fake.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
  });

  it('says clearly when the secret is wrong', async () => {
    const err = await client('t', { secret: 'wrong' }).followUsers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 40001, retryable: false });
    expect(String((err as Error).message)).toMatch(/secret is wrong/);
  });
});

describe('rate limits and busy answers', () => {
  it('backs off exponentially and succeeds', async () => {
    const c = client();
    fake.failNext('/cgi-bin/externalcontact/groupchat/get', 45009, 2);
    fake.failNext('/cgi-bin/externalcontact/groupchat/get', -1, 1);
    const chat = await c.getGroupChat('wrGROUP01');
    expect(chat.name).toBe('福田水果群');
    expect(slept).toEqual([100, 200, 400]);
    expect(fake.callsTo('/cgi-bin/externalcontact/groupchat/get')).toHaveLength(4);
  });

  it('gives up after the bounded number of tries, as a retryable error', async () => {
    const c = client('t', { maxRetries: 2 });
    fake.failNext('/cgi-bin/externalcontact/add_msg_template', 45009, 5);
    await expect(c.addMsgTemplate({ chatType: 'single', sender: 'li.na', externalUserIds: ['wmAAAA0001'], text: '新品到店' }))
      .rejects.toMatchObject({ errcode: 45009, retryable: true });
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template')).toHaveLength(3);
    expect(slept).toEqual([100, 200]);
  });

  it('does not retry a final error', async () => {
    const c = client();
    await expect(c.listExternalContacts('nobody')).rejects.toMatchObject({ errcode: 84061, retryable: false });
    expect(fake.callsTo('/cgi-bin/externalcontact/list')).toHaveLength(1);
  });
});

describe('APIs', () => {
  it('sends the documented request bodies', async () => {
    const c = client();
    await c.sendWelcomeMsg('WELCOMECODE', '欢迎加入鱼池', [{ msgtype: 'link', link: { title: '会员中心', url: 'https://example.com' } }]);
    expect(fake.callsTo('/cgi-bin/externalcontact/send_welcome_msg')[0]?.body).toEqual({
      welcome_code: 'WELCOMECODE', text: { content: '欢迎加入鱼池' }, attachments: [{ msgtype: 'link', link: { title: '会员中心', url: 'https://example.com' } }],
    });
    const single = await c.addMsgTemplate({ chatType: 'single', sender: 'li.na', externalUserIds: ['wmAAAA0001', 'wmUNKNOWN9'], text: '周二会员日' });
    expect(single.msgid).toMatch(/^msg/);
    expect(single.failList).toEqual(['wmUNKNOWN9']);
    await c.addMsgTemplate({ chatType: 'group', sender: 'li.na', chatIds: ['wrGROUP01'], text: '今晚秒杀' });
    expect(fake.callsTo('/cgi-bin/externalcontact/add_msg_template')[1]?.body).toEqual({ chat_type: 'group', sender: 'li.na', chat_id_list: ['wrGROUP01'], text: { content: '今晚秒杀' } });
    const results = await c.getGroupMsgSendResult(single.msgid, 'li.na');
    expect(results.sends[0]).toMatchObject({ userid: 'li.na', external_userid: 'wmAAAA0001', status: 1 });
    const way = await c.addContactWay({ type: 1, scene: 2, user: ['li.na'], state: 'store-ft-01' });
    expect(way.configId).not.toBe('');
    await c.updateContactWay(way.configId, { state: 'store-ft-02' });
    expect(fake.callsTo('/cgi-bin/externalcontact/update_contact_way')[0]?.body).toEqual({ config_id: way.configId, state: 'store-ft-02' });
    const contact = await c.getExternalContact('wmAAAA0002');
    expect(contact.follow_user?.map((f) => f.userid)).toEqual(['li.na']);
    const chats = await c.listGroupChats();
    expect(chats.chats).toEqual([{ chat_id: 'wrGROUP01', status: 0 }]);
  });
});
