// PIPL over HTTP: consent per channel with its history on the timeline, one person's data as
// JSON, and erasure that removes the person but keeps the figures.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '../../src/core/ids.ts';
import { resolveCustomers } from '../../src/core/ingest/identity.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let operator: Record<string, string>;
let guideLi: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  operator = bearer(await keyFor(world.tenantId, 'operator'));
  guideLi = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
});

const consentEvents = (customerId: string) => testDb().db.selectFrom('events').select(['type', 'properties', 'actor'])
  .where('tenant_id', '=', world.tenantId).where('customer_id', '=', customerId).where('type', '=', 'consent_changed')
  .orderBy('occurred_at').orderBy('id').execute();

describe('consent', () => {
  it('records consent per channel, puts each change on the timeline and ignores a repeat', async () => {
    const url = `/api/v1/customers/${world.customers.lei}/consents`;
    const granted = await app.inject({ method: 'PUT', url: `${url}/sms`, headers: operator, payload: { granted: true, source: 'store_paper_form' } });
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ channel: 'sms', granted: true, source: 'store_paper_form', changed: true });
    const repeat = await app.inject({ method: 'PUT', url: `${url}/sms`, headers: operator, payload: { granted: true, source: 'store_paper_form' } });
    expect(repeat.json()).toMatchObject({ granted: true, changed: false });
    const withdrawn = await app.inject({ method: 'PUT', url: `${url}/sms`, headers: operator, payload: { granted: false, source: 'sms_reply_TD' } });
    expect(withdrawn.json()).toMatchObject({ granted: false, source: 'sms_reply_TD', changed: true });

    const list = (await app.inject({ url, headers: operator })).json();
    expect(list.items).toHaveLength(5);
    expect(list.items.find((c: { channel: string }) => c.channel === 'sms')).toMatchObject({ granted: false, source: 'sms_reply_TD' });
    expect(list.items.find((c: { channel: string }) => c.channel === 'wecom')).toEqual({ channel: 'wecom', granted: null, source: null, updatedAt: null });

    // On the customer's timeline, newest first.
    const timeline = (await app.inject({ url: `/api/v1/customers/${world.customers.lei}/timeline`, headers: operator })).json();
    const changes = timeline.items.filter((e: { type: string }) => e.type === 'consent_changed');
    expect(changes.map((e: { properties: { granted: boolean } }) => e.properties.granted)).toEqual([false, true]);
    const history = await consentEvents(world.customers.lei);
    expect(history.map((e) => e.properties)).toEqual([
      { channel: 'sms', granted: true, previous: null, source: 'store_paper_form' },
      { channel: 'sms', granted: false, previous: true, source: 'sms_reply_TD' },
    ]);
    expect(history[0]?.actor).toMatch(/^api_key:/);
  });

  it('lets a guide record consent for their own customers only', async () => {
    const own = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.mei}/consents/wecom`, headers: guideLi, payload: { granted: true, source: 'wecom_sidebar' } });
    expect(own.statusCode).toBe(200);
    const other = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.lei}/consents/wecom`, headers: guideLi, payload: { granted: true, source: 'wecom_sidebar' } });
    expect(other.statusCode).toBe(404);
  });

  it('names the bad field', async () => {
    const channel = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.lei}/consents/fax`, headers: admin, payload: { granted: true, source: 'x' } });
    expect(channel.statusCode).toBe(400);
    expect(channel.json().error.details[0].path).toBe('params.channel');
    const source = await app.inject({ method: 'PUT', url: `/api/v1/customers/${world.customers.lei}/consents/sms`, headers: admin, payload: { granted: true } });
    expect(source.statusCode).toBe(400);
    expect(source.json().error.details[0].path).toBe('body.source');
  });
});

/** Gives 陈芳 something of every kind Yuchi holds about a person. */
async function holdEverything(customerId: string, phone: string): Promise<void> {
  const { db } = testDb();
  const t = world.tenantId;
  const groupId = newId();
  const tagId = newId();
  const chatId = newId();
  const formId = newId();
  await db.insertInto('tag_groups').values({ tenant_id: t, id: groupId, name: '肤质' }).execute();
  await db.insertInto('tags').values({ tenant_id: t, id: tagId, group_id: groupId, name: '油皮' }).execute();
  await db.insertInto('customer_tags').values({ tenant_id: t, customer_id: customerId, tag_id: tagId, source: 'manual', added_by: 'user:x' }).execute();
  await db.insertInto('pre_tags').values({ tenant_id: t, kind: 'phone', value: phone, tag_id: tagId, created_by: 'user:x' }).execute();
  await db.insertInto('customer_groups').values({ tenant_id: t, id: chatId, chat_id: `wr${chatId}`, name: '南山芒果群' }).execute();
  await db.insertInto('group_members').values({ tenant_id: t, group_id: chatId, customer_id: customerId, joined_at: '2026-05-01T02:00:00Z' }).execute();
  await db.insertInto('customer_contacts').values({ tenant_id: t, customer_id: customerId, staff_id: world.staff.zhao, state: 'store-qr', added_at: '2026-05-01T02:00:00Z' }).execute();
  await db.insertInto('customer_consents').values({ tenant_id: t, customer_id: customerId, channel: 'email', granted: true, source: 'signup', updated_at: '2026-05-01T02:00:00Z' }).execute();
  await db.insertInto('forms').values({ tenant_id: t, id: formId, name: '肌肤测试', questions: JSON.stringify([{ id: 'q1', title: '肤质' }]) }).execute();
  await db.insertInto('form_submissions').values({ tenant_id: t, id: newId(), form_id: formId, customer_id: customerId, answers: JSON.stringify({ q1: '3', address: '南山区科苑路 8 号' }), submitted_at: '2026-05-02T02:00:00Z', event_key: `form-${formId}` }).execute();
  await db.insertInto('events').values([
    { tenant_id: t, id: newId(), event_key: `msg-${customerId}`, type: 'message_received', customer_id: customerId, occurred_at: '2026-05-03T02:00:00Z', properties: JSON.stringify({ text: '我的地址是科苑路 8 号', phone }) },
    { tenant_id: t, id: newId(), event_key: `paid-${customerId}`, type: 'order_paid', customer_id: customerId, occurred_at: '2026-05-12T06:00:00Z', properties: JSON.stringify({ orderNo: 'X-1', paidFen: 8_000, receiverName: '陈芳', receiverPhone: phone }) },
  ]).execute();
}

describe('personal data', () => {
  it('gives one document of everything held about the person, and audits it', async () => {
    const res = await app.inject({ url: `/api/v1/customers/${world.customers.mei}/personal-data`, headers: operator });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.profile).toMatchObject({ id: world.customers.mei, name: '陈美', birthday: '1990-05-20', phone: world.phones.mei });
    expect(doc.profile.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['external_userid', 'member_no', 'phone']);
    const meiOrders = world.orders.filter((o) => o.customer === world.customers.mei);
    expect(doc.orders.map((o: { orderNo: string }) => o.orderNo).sort()).toEqual(meiOrders.map((o) => o.orderNo).sort());
    expect(doc.orders.flatMap((o: { items: unknown[] }) => o.items)).toHaveLength(meiOrders.flatMap((o) => o.items).length);
    expect(doc.consents.find((c: { channel: string }) => c.channel === 'wecom')).toMatchObject({ granted: true, source: 'wecom_sidebar' });
    for (const key of ['events', 'tags', 'groups', 'contacts', 'formSubmissions', 'mergedProfiles']) expect(Array.isArray(doc[key])).toBe(true);
    const audit = await testDb().db.selectFrom('audit_log').select(['action', 'target_id']).where('tenant_id', '=', world.tenantId)
      .where('action', '=', 'customer.personal_data_exported').execute();
    expect(audit).toEqual([{ action: 'customer.personal_data_exported', target_id: world.customers.mei }]);
  });

  it('is not for guides', async () => {
    const res = await app.inject({ url: `/api/v1/customers/${world.customers.mei}/personal-data`, headers: guideLi });
    expect(res.statusCode).toBe(403);
  });
});

describe('erasure', () => {
  it('removes everything personal, keeps orders and figures, and says so when repeated', async () => {
    const { db } = testDb();
    const fang = world.customers.fang;
    const phone = world.phones.fang;
    await holdEverything(fang, phone);
    const before = (await app.inject({ url: `/api/v1/customers/${fang}/personal-data`, headers: admin })).json();
    expect(before.tags.map((t: { name: string }) => t.name)).toEqual(['油皮']);
    expect(before.groups.map((g: { name: string }) => g.name)).toEqual(['南山芒果群']);
    expect(before.contacts).toHaveLength(1);
    expect(before.formSubmissions[0].answers).toEqual({ q1: '3', address: '南山区科苑路 8 号' });
    const dashboard = '/api/v1/dashboard/summary?from=2026-01-01&to=2026-06-30';
    const figuresBefore = (await app.inject({ url: dashboard, headers: admin })).json();
    const aggregatesBefore = await db.selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at'])
      .where('tenant_id', '=', world.tenantId).where('id', '=', fang).executeTakeFirstOrThrow();

    expect((await app.inject({ method: 'DELETE', url: `/api/v1/customers/${fang}`, headers: operator })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/customers/${fang}`, headers: guideLi })).statusCode).toBe(403);
    const erased = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${fang}`, headers: admin });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ customerId: fang, alreadyErased: false });
    const again = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${fang}`, headers: admin });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ customerId: fang, erasedAt: erased.json().erasedAt, alreadyErased: true });

    // Nobody can find the person any more.
    expect((await app.inject({ url: `/api/v1/customers?q=${phone}`, headers: admin })).json().total).toBe(0);
    expect((await app.inject({ url: `/api/v1/customers/${fang}`, headers: admin })).statusCode).toBe(404);
    const list = (await app.inject({ url: '/api/v1/customers?pageSize=50', headers: admin })).json();
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(fang);
    expect(list.total).toBe(3);

    // The row is anonymous; what identified the person is gone.
    const row = await db.selectFrom('customers').selectAll().where('tenant_id', '=', world.tenantId).where('id', '=', fang).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: '已删除', gender: 'unknown', birthday: null, city: '', attribute_sources: {} });
    expect(row.erased_at).not.toBeNull();
    const t = world.tenantId;
    const personal = ['customer_identities', 'customer_tags', 'group_members', 'customer_contacts', 'customer_consents'] as const;
    const left = async (table: (typeof personal)[number]) =>
      (await db.selectFrom(table).select('tenant_id').where('tenant_id', '=', t).where('customer_id', '=', fang).execute()).length;
    expect(await Promise.all(personal.map(left))).toEqual([0, 0, 0, 0, 0]);
    expect(await db.selectFrom('pre_tags').select('value').where('tenant_id', '=', t).where('value', '=', phone).execute()).toEqual([]);
    const answers = await db.selectFrom('form_submissions').select('answers').where('tenant_id', '=', t).where('customer_id', '=', fang).execute();
    expect(answers).toEqual([{ answers: {} }]);
    const events = await db.selectFrom('events').select(['type', 'properties']).where('tenant_id', '=', t).where('customer_id', '=', fang).orderBy('occurred_at').execute();
    expect(events.map((e) => e.type)).toEqual(['message_received', 'order_paid', 'customer_erased']);
    expect(events.map((e) => e.properties)).toEqual([{}, { orderNo: 'X-1', paidFen: 8_000 }, {}]);
    const everything = JSON.stringify(await db.selectFrom('events').select('properties').where('tenant_id', '=', t).execute());
    expect(everything).not.toContain(phone);
    expect(everything).not.toContain('陈芳');

    // Orders stay with the anonymous profile, so the figures do not move.
    const orders = await db.selectFrom('orders').select('order_no').where('tenant_id', '=', t).where('customer_id', '=', fang).execute();
    expect(orders).toHaveLength(world.orders.filter((o) => o.customer === fang).length);
    const aggregatesAfter = await db.selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at'])
      .where('tenant_id', '=', t).where('id', '=', fang).executeTakeFirstOrThrow();
    expect(aggregatesAfter).toEqual(aggregatesBefore);
    const figuresAfter = (await app.inject({ url: dashboard, headers: admin })).json();
    expect(figuresAfter.orders).toEqual(figuresBefore.orders);
    expect(figuresAfter.gmvByMonth).toEqual(figuresBefore.gmvByMonth);

    const audit = await db.selectFrom('audit_log').select(['action', 'target_id', 'details']).where('tenant_id', '=', t).where('action', '=', 'customer.erased').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_id: fang, details: { identities: 1, tags: 1, groups: 1, contacts: 1, consents: 1, preTags: 1, formAnswersCleared: 1 } });
  });

  it('also forgets the identities quoted by the merges that made the profile', async () => {
    const { db } = testDb();
    const t = world.tenantId;
    const phone = '13700009999';
    const externalUserId = `wmERASE${newId().slice(0, 8)}`;
    const survivor = await db.transaction().execute(async (trx) => {
      await resolveCustomers(trx, t, [{ phone }], { create: true, source: 'test' });
      await resolveCustomers(trx, t, [{ externalUserId }], { create: true, source: 'test' });
      const linked = await resolveCustomers(trx, t, [{ phone, externalUserId }], { create: true, source: 'test' });
      const [r] = linked.results;
      if (!r || 'error' in r) throw new Error('not resolved');
      return r.customerId;
    });
    const quoted = async (): Promise<string> => JSON.stringify(await db.selectFrom('audit_log').select('details').where('tenant_id', '=', t).where('target_id', '=', survivor).execute())
      + JSON.stringify(await db.selectFrom('customer_merges').select('reason').where('tenant_id', '=', t).where('survivor_id', '=', survivor).execute())
      + JSON.stringify(await db.selectFrom('events').select('properties').where('tenant_id', '=', t).where('customer_id', '=', survivor).execute());
    expect(await quoted()).toContain(phone);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/customers/${survivor}`, headers: admin })).statusCode).toBe(200);
    const after = await quoted();
    expect(after).not.toContain(phone);
    expect(after).not.toContain(externalUserId);
    expect((await app.inject({ url: `/api/v1/customers?q=${externalUserId}`, headers: admin })).json().total).toBe(0);
  });

  it('answers 404 for a customer of another tenant', async () => {
    const other = await buildWorld(testDb().db, (await newTenant()).id);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${other.customers.mei}`, headers: admin });
    expect(res.statusCode).toBe(404);
    const row = await testDb().db.selectFrom('customers').select('name').where('tenant_id', '=', other.tenantId).where('id', '=', other.customers.mei).executeTakeFirstOrThrow();
    expect(row.name).toBe('陈美');
  });
});
