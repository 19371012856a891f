// Group welcome messages (入群欢迎语): per group or per kind with variables, sent once per member
// and group when a group_joined event arrives; with WeCom set up, WeCom's own group welcome
// material is made (against the local fake WeCom server) and greets the joiner instead.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveChannelSettings } from '../../src/core/channels/settings.service.ts';
import { listGroupWelcomes, saveGroupWelcome } from '../../src/core/groups/welcome.service.ts';
import { newId } from '../../src/core/ids.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import type { GroupKind } from '../../src/db/schema.ts';
import { FakeWecom } from '../fakes/wecom.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
let seq = 0;
const joined = (customerId: string, chatId: string) =>
  ({ id: `gw-${run}-${++seq}`, type: 'group_joined', occurredAt: '2026-05-04T01:00:00Z', customer: { customerId }, properties: { chatId } });

async function addGroup(world: World, name: string, kind: GroupKind): Promise<{ id: string; chatId: string }> {
  const id = newId();
  const chatId = `wr${randomBytes(5).toString('hex')}`;
  await db().insertInto('customer_groups').values({ tenant_id: world.tenantId, id, chat_id: chatId, name, kind, owner_staff_id: world.staff.li, store_id: world.stores.futian, status: 'active' }).execute();
  return { id, chatId };
}

const welcomeMessages = (tenantId: string) => db().selectFrom('messages').select(['customer_id', 'channel', 'purpose', 'content', 'dedupe_key'])
  .where('tenant_id', '=', tenantId).where('source_kind', '=', 'group_welcome').orderBy('dedupe_key').execute();

const fake = new FakeWecom('wwwelcometest', 'welcome-secret');
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });

describe('group welcome messages', () => {
  it('refuses an unknown variable and a welcome for both or neither of a group and a kind', async () => {
    const tenant = await newTenant();
    await expect(saveGroupWelcome(db(), tenant.id, { groupKind: 'value', text: '欢迎{昵称}' }, 'test')).rejects.toMatchObject({ code: 'invalid', details: [{ path: 'text' }] });
    await expect(saveGroupWelcome(db(), tenant.id, { text: '欢迎' }, 'test')).rejects.toMatchObject({ code: 'invalid', details: [{ path: 'groupId' }] });
    await expect(saveGroupWelcome(db(), tenant.id, { groupId: newId(), text: '欢迎' }, 'test')).rejects.toMatchObject({ details: [{ path: 'groupId', message: 'no such group' }] });
  });

  it('welcomes each joiner once per group, the group\'s own welcome before its kind\'s, with the variables filled in', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const own = await addGroup(world, '福田鲜果群', 'value');
    const other = await addGroup(world, '福田水果 2 群', 'value');
    const vip = await addGroup(world, 'VIP 群', 'vip');
    await saveGroupWelcome(db(), tenant.id, { groupKind: 'value', text: '欢迎{nickname}加入{group}！' }, 'test');
    await saveGroupWelcome(db(), tenant.id, { groupId: own.id, text: '{nickname}，欢迎来到{store}的{group}，我是群主{guide}' }, 'test');
    const result = await ingestEvents(db(), adminOf(tenant.id), [
      joined(world.customers.mei, own.chatId), joined(world.customers.lei, other.chatId), joined(world.customers.fang, vip.chatId),
    ]);
    expect(result.accepted).toBe(3);
    const sent = await welcomeMessages(tenant.id);
    expect(sent.map((m) => [m.customer_id, m.channel, m.purpose, m.content.text])).toEqual(expect.arrayContaining([
      [world.customers.mei, 'sandbox', 'service', '陈美，欢迎来到福田中心店的福田鲜果群，我是群主李娜'],
      [world.customers.lei, 'sandbox', 'service', '欢迎张磊加入福田水果 2 群！'],
    ]));
    // the VIP group has no welcome
    expect(sent).toHaveLength(2);
    // leaving and joining again, or the join replayed under a new event id: not welcomed twice
    await ingestEvents(db(), adminOf(tenant.id), [joined(world.customers.mei, own.chatId), joined(world.customers.lei, other.chatId)]);
    expect(await welcomeMessages(tenant.id)).toHaveLength(2);
    const ledger = await db().selectFrom('group_welcomes_sent').select(['customer_id', 'via', 'message_id']).where('tenant_id', '=', tenant.id).execute();
    expect(ledger).toHaveLength(2);
    expect(ledger.every((l) => l.via === 'message' && l.message_id !== null)).toBe(true);
  });

  it('with WeCom set up, makes WeCom\'s group welcome material with %NICKNAME% and lets WeCom greet the joiner', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    await saveChannelSettings(db(), adminOf(tenant.id), 'wecom', { corpId: fake.corpId, agentId: '1000002', secret: fake.secret, token: 'welcomeToken1', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBaseUrl: fake.url });
    const group = await addGroup(world, '南山宝妈群', 'interest');
    const saved = await saveGroupWelcome(db(), tenant.id, { groupId: group.id, text: '欢迎{nickname}加入{group}' }, 'test', { sleep: async () => {} });
    expect(fake.callsTo('/cgi-bin/externalcontact/group_welcome_template/add').at(-1)?.body).toEqual({ text: { content: '欢迎%NICKNAME%加入南山宝妈群' }, notify: 1 });
    expect(saved.wecomTemplateId).toMatch(/^gwt/);
    await saveGroupWelcome(db(), tenant.id, { groupId: group.id, text: '{nickname}，欢迎！' }, 'test', { sleep: async () => {} });
    expect(fake.callsTo('/cgi-bin/externalcontact/group_welcome_template/edit').at(-1)?.body).toEqual({ template_id: saved.wecomTemplateId, text: { content: '%NICKNAME%，欢迎！' } });
    expect(await listGroupWelcomes(db(), tenant.id)).toHaveLength(1);
    await ingestEvents(db(), adminOf(tenant.id), [joined(world.customers.mei, group.chatId)]);
    expect(await welcomeMessages(tenant.id)).toHaveLength(0);
    const ledger = await db().selectFrom('group_welcomes_sent').select(['customer_id', 'via']).where('tenant_id', '=', tenant.id).execute();
    expect(ledger).toEqual([{ customer_id: world.customers.mei, via: 'wecom' }]);
  });
});
