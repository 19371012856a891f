// Erasure reaches the personal text added with outreach, community, SOP and fission: after
// erasing a customer, none of their messages, group messages, moderation records, welcomes, tasks
// or sandbox phone still says anything about them, and the audit says what was removed.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createGroupRule } from '../../src/core/groups/rules.service.ts';
import { saveGroupWelcome } from '../../src/core/groups/welcome.service.ts';
import { newId } from '../../src/core/ids.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { eraseCustomer } from '../../src/core/privacy/privacy.service.ts';
import { createGuideTasks } from '../../src/core/tasks/guide-tasks.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;

/** Every row of these tables that belongs to the customer, as text. */
async function personalRows(tenantId: string, customerId: string): Promise<string> {
  const rows = await sql<{ t: string }>`
    select row_to_json(m)::text as t from messages m where tenant_id = ${tenantId} and customer_id = ${customerId}
    union all select row_to_json(g)::text from guide_tasks g where tenant_id = ${tenantId} and customer_id = ${customerId}
    union all select row_to_json(x)::text from group_messages x where tenant_id = ${tenantId} and (sender_customer_id = ${customerId} or reply_to_customer_id = ${customerId})
    union all select row_to_json(l)::text from group_moderation_log l where tenant_id = ${tenantId} and customer_id = ${customerId}
    union all select row_to_json(w)::text from group_welcomes_sent w where tenant_id = ${tenantId} and customer_id = ${customerId}
    union all select row_to_json(s)::text from sandbox_inbox s where tenant_id = ${tenantId} and customer_id = ${customerId}
    union all select row_to_json(e)::text from events e where tenant_id = ${tenantId} and customer_id = ${customerId}`.execute(db());
  return rows.rows.map((r) => r.t).join('\n');
}

describe('erasure of outreach and community data', () => {
  it('leaves none of the customer\'s personal text in messages, group messages, moderation, welcomes, tasks or the sandbox phone', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const t = tenant.id;
    const chatId = `wr${randomBytes(5).toString('hex')}`;
    const groupId = newId();
    await db().insertInto('customer_groups').values({ tenant_id: t, id: groupId, chat_id: chatId, name: '福田鲜果群', kind: 'value', owner_staff_id: w.staff.li, store_id: w.stores.futian, status: 'active' }).execute();
    await saveGroupWelcome(db(), t, { groupId, text: '欢迎{nickname}' }, 'test');
    await createGroupRule(db(), t, { name: '营业时间', kind: 'auto_reply', match: 'keyword', pattern: '营业时间', replyTemplate: '{nickname}您好，8:00 开门', action: 'reply' });
    await createGroupRule(db(), t, { name: '代购', kind: 'banned_word', match: 'keyword', pattern: '代购', action: 'flag' });
    const ev = (type: string, properties: Record<string, unknown>) => ({ id: `er-${randomBytes(4).toString('hex')}`, type, occurredAt: '2026-05-04T01:00:00Z', customer: { customerId: w.customers.mei }, properties });
    await ingestEvents(db(), adminOf(t), [
      ev('group_joined', { chatId }),
      ev('message_received', { chatId, text: '请问营业时间？我住幸福路 88 号' }),
      ev('message_received', { chatId, text: '有人要代购吗 13800001234' }),
    ]);
    await createGuideTasks(db(), t, [{ staffId: w.staff.li, customerId: w.customers.mei, kind: 'follow_up', title: '回访陈美：孩子过敏', detail: { note: '陈美的孩子对芒果过敏' }, dueAt: new Date(), source: { kind: 'manual', id: 'x' }, dedupeKey: `note:${w.customers.mei}` }]);
    // a 群发 handed to 李娜 by hand names 陈美 and 张磊 in its task
    await createGuideTasks(db(), t, [{ staffId: w.staff.li, kind: 'mass_send_confirm', title: '手动群发：周末（2 位客户）',
      detail: { manual: true, text: '周末到店有惊喜', customers: [{ id: w.customers.mei, name: '陈美' }, { id: w.customers.lei, name: '张磊' }] },
      dueAt: new Date(), source: { kind: 'mass_send', id: 'm' }, dedupeKey: `hand-over:${w.customers.mei}` }]);
    await db().insertInto('sandbox_inbox').values({ tenant_id: t, id: newId(), customer_id: w.customers.mei, direction: 'in', content: JSON.stringify({ text: '我是陈美，明天来取' }) }).execute();

    const before = await personalRows(t, w.customers.mei);
    for (const personal of ['陈美', '幸福路', '13800001234', '芒果过敏']) expect(before).toContain(personal);
    expect(before).toContain('group_id');

    await eraseCustomer(db(), adminOf(t), w.customers.mei);
    const after = await personalRows(t, w.customers.mei);
    for (const personal of ['陈美', '幸福路', '13800001234', '芒果过敏', '明天来取']) expect(after).not.toContain(personal);
    expect(await db().selectFrom('group_messages').select('event_id').where('tenant_id', '=', t).where('sender_customer_id', '=', w.customers.mei).execute()).toHaveLength(0);

    const handOver = await db().selectFrom('guide_tasks').select('detail').where('tenant_id', '=', t).where('dedupe_key', '=', `hand-over:${w.customers.mei}`).executeTakeFirstOrThrow();
    expect(handOver.detail).toEqual({ manual: true, text: '周末到店有惊喜', customers: [{ id: w.customers.lei, name: '张磊' }] });

    const audit = await db().selectFrom('audit_log').select('details').where('tenant_id', '=', t).where('action', '=', 'customer.erased').executeTakeFirstOrThrow();
    // the auto-reply and the flag are both moderation records
    expect(audit.details).toMatchObject({ groupMessages: 2, groupWelcomes: 1, sandboxInbox: 1, guideTaskDetails: 1, handOverLists: 1, moderationRecords: 2 });
    expect((audit.details as Record<string, number>).messageContents).toBeGreaterThanOrEqual(2);
  });
});
