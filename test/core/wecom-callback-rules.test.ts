// What a decrypted WeCom callback becomes: table-driven over the events WeCom documents.
import { describe, expect, it } from 'vitest';
import { groupEvents, parseEnvelope, planCallback, type GroupChange, type GroupDetail } from '../../src/core/channels/wecom/wecom.callback.rules.ts';

const at = new Date('2026-05-01T00:00:00Z');
const xml = (fields: Record<string, string>) => `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;

describe('envelope', () => {
  it('reads Encrypt from XML and JSON and refuses anything else', () => {
    expect(parseEnvelope('<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>')).toEqual({ encrypt: 'abc+/=', format: 'xml' });
    expect(parseEnvelope('{"ToUserName":"ww1","Encrypt":"abc","AgentID":218}')).toEqual({ encrypt: 'abc', format: 'json' });
    expect(parseEnvelope('<xml><ToUserName>ww1</ToUserName></xml>')).toEqual({ error: 'the body has no Encrypt field' });
    expect(parseEnvelope('hello')).toMatchObject({ error: expect.stringMatching(/neither/) });
    expect(parseEnvelope('{"Encrypt": 5}')).toEqual({ error: 'the body has no Encrypt field' });
  });
});

describe('plans', () => {
  const base = { ToUserName: 'ww1', FromUserName: 'sys', CreateTime: '1714521600', MsgType: 'event', Event: 'change_external_contact' };
  const cases: { name: string; message: string; expected: unknown }[] = [
    {
      name: 'friend added with state and welcome code',
      message: xml({ ...base, ChangeType: 'add_external_contact', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH', State: 'store-01', WelcomeCode: 'WC' }),
      expected: { kind: 'events', events: [{ type: 'contact_added', occurredAt: '2024-05-01T00:00:00.000Z', customer: { externalUserId: 'wmABCDEFGH' }, source: 'wecom', properties: { staffWecomUserId: 'li.na', state: 'store-01', welcomeCode: 'WC' } }] },
    },
    {
      name: 'friend added without state',
      message: xml({ ...base, ChangeType: 'add_external_contact', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH' }),
      expected: { kind: 'events', events: [{ type: 'contact_added', properties: { staffWecomUserId: 'li.na' } }] },
    },
    {
      name: 'the staff member removed the customer',
      message: xml({ ...base, ChangeType: 'del_external_contact', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH' }),
      expected: { kind: 'events', events: [{ type: 'contact_deleted', properties: { staffWecomUserId: 'li.na', deletedBy: 'staff' } }] },
    },
    {
      name: 'the customer removed the staff member (JSON)',
      message: JSON.stringify({ ...base, CreateTime: 1714521600, ChangeType: 'del_follow_user', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH' }),
      expected: { kind: 'events', events: [{ type: 'contact_deleted', occurredAt: '2024-05-01T00:00:00.000Z', properties: { deletedBy: 'customer' } }] },
    },
    {
      name: 'an edited contact is not recorded',
      message: xml({ ...base, ChangeType: 'edit_external_contact', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH' }),
      expected: { kind: 'ignored' },
    },
    {
      name: 'a group member left, named by the callback',
      message: `<xml><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>wrCHAT</ChatId><ChangeType>update</ChangeType><UpdateDetail>del_member</UpdateDetail><MemChangeList><Item>wmLEFT00001</Item><Item>staff.one</Item></MemChangeList><CreateTime>1714521600</CreateTime></xml>`,
      expected: { kind: 'group_change', change: { chatId: 'wrCHAT', changeType: 'update', updateDetail: 'del_member', changedMembers: ['wmLEFT00001'] } },
    },
    {
      name: 'a customer\'s text message',
      message: xml({ ToUserName: 'ww1', FromUserName: 'wmABCDEFGH', CreateTime: '1714521600', MsgType: 'text', Content: '你好', MsgId: '12345678901234567890' }),
      expected: { kind: 'events', events: [{ type: 'message_received', properties: { msgType: 'text', text: '你好', wecomMsgId: '12345678901234567890' } }] },
    },
    {
      name: 'a staff member\'s text to the app',
      message: xml({ ToUserName: 'ww1', FromUserName: 'li.na', CreateTime: '1714521600', MsgType: 'text', Content: 'hi' }),
      expected: { kind: 'ignored' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(planCallback(c.message, at)).toMatchObject(c.expected as object);
    });
  }

  it('gives the same ids to the same content and different ids to different content', () => {
    const m = xml({ ...base, ChangeType: 'add_external_contact', UserID: 'li.na', ExternalUserID: 'wmABCDEFGH' });
    const a = planCallback(m, at);
    const b = planCallback(m, new Date());
    const c = planCallback(m.replace('wmABCDEFGH', 'wmZZZZZZZZ'), at);
    expect(a.kind === 'events' && b.kind === 'events' && c.kind === 'events').toBe(true);
    if (a.kind !== 'events' || b.kind !== 'events' || c.kind !== 'events') return;
    expect(a.events[0]?.id).toBe(b.events[0]?.id);
    expect(a.events[0]?.id).not.toBe(c.events[0]?.id);
    expect(a.events[0]?.id).toMatch(/^wecom:[0-9a-f]{32}$/);
  });
});

describe('group membership', () => {
  const change = (over: Partial<GroupChange>): GroupChange => ({ chatId: 'wrCHAT', changeType: 'update', updateDetail: null, changedMembers: [], occurredAt: '2026-05-01T00:00:00.000Z', baseId: 'b', ...over });
  const detail = (members: string[]): GroupDetail => ({
    chatId: 'wrCHAT', name: '福田群', owner: 'li.na',
    members: [{ userid: 'li.na', type: 1, joinTime: 1 }, ...members.map((u) => ({ userid: u, type: 2, joinTime: 1714521600 }))],
  });
  const summary = (events: ReturnType<typeof groupEvents>) => events.map((e) => `${e.type}:${e.customer.externalUserId}`);

  it('a new group: every external member joined, staff not', () => {
    expect(summary(groupEvents(change({ changeType: 'create' }), detail(['wmA0000001', 'wmB0000001']), []))).toEqual(['group_joined:wmA0000001', 'group_joined:wmB0000001']);
  });
  it('members added: those not held yet', () => {
    expect(summary(groupEvents(change({ updateDetail: 'add_member' }), detail(['wmA0000001', 'wmB0000001']), ['wmA0000001']))).toEqual(['group_joined:wmB0000001']);
  });
  it('members left: those held but no longer in the group, or those the callback names', () => {
    expect(summary(groupEvents(change({ updateDetail: 'del_member' }), detail(['wmA0000001']), ['wmA0000001', 'wmB0000001']))).toEqual(['group_left:wmB0000001']);
    expect(summary(groupEvents(change({ updateDetail: 'del_member', changedMembers: ['wmC0000001'] }), null, []))).toEqual(['group_left:wmC0000001']);
  });
  it('dismissed: every held member left', () => {
    expect(summary(groupEvents(change({ changeType: 'dismiss' }), null, ['wmB0000001', 'wmA0000001']))).toEqual(['group_left:wmA0000001', 'group_left:wmB0000001']);
  });
  it('without the member list nothing is guessed', () => {
    expect(groupEvents(change({ updateDetail: 'change_name' }), null, ['wmA0000001'])).toEqual([]);
  });
  it('events carry the group\'s name and owner', () => {
    expect(groupEvents(change({ changeType: 'create' }), detail(['wmA0000001']), [])[0]?.properties).toEqual({ chatId: 'wrCHAT', groupName: '福田群', ownerWecomUserId: 'li.na' });
  });
});
