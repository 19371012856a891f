// Event ingestion scenarios on the real database: submit events, then look at what is stored.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { getProfile } from '../../src/core/customers/profile.service.ts';
import { newId } from '../../src/core/ids.ts';
import { createForm } from '../../src/core/forms/forms.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { createTag, createTagGroup } from '../../src/core/tags/tags.service.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { inject } from 'vitest';
import { adminOf } from './ingest-helpers.ts';

const run = randomBytes(4).toString('hex');
let seq = 0;
type Ref = Record<string, string>;
function ev(type: string, customer: Ref, properties: Record<string, unknown> = {}, occurredAt = '2026-05-01T10:00:00Z', extra: Record<string, unknown> = {}) {
  seq += 1;
  return { id: `ev-${run}-${seq}`, type, occurredAt, customer, properties, ...extra };
}
let phoneSeq = 0;
const newPhone = (): string => `186${String(Number.parseInt(run.slice(0, 4), 16) % 10_000).padStart(4, '0')}${String(++phoneSeq).padStart(4, '0')}`;

const db = () => testDb().db;
/** A published one-question questionnaire (常去门店: 1 = 南山店). */
const visitForm = (tenantId: string) => createForm(db(), tenantId, { name: '到店问卷', questions: [
  { id: 'visit', text: '常去门店', type: 'single', options: [{ code: '1', label: '南山店' }] },
] });
/** The digits buildWorld puts into a tenant's phone numbers and staff ids. */
const suffixOf = (tenantId: string): string => tenantId.replace(/\D/g, '').slice(-7).padStart(7, '0');

async function count(table: 'events' | 'customers' | 'orders' | 'customer_identities' | 'customer_contacts' | 'group_members' | 'customer_groups', tenantId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db());
  return r.rows[0]?.n ?? -1;
}

async function customerByPhone(tenantId: string, phone: string): Promise<string | undefined> {
  const row = await db().selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', tenantId).where('kind', '=', 'phone').where('value', '=', phone).executeTakeFirst();
  return row?.customer_id;
}

describe('ingestion', () => {
  let world: World;
  let actor: Actor;
  let li: string;

  beforeAll(async () => {
    const tenant = await newTenant();
    world = await buildWorld(db(), tenant.id);
    actor = adminOf(tenant.id);
    const staff = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    li = staff.wecom_user_id ?? '';
  });

  it('accepts a retried batch again without storing anything twice', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const phone = newPhone();
    const batch = [
      ev('page_viewed', { phone }, { url: '/home' }),
      ev('order_paid', { phone }, { orderNo: 'R-1', paidFen: 2_500, channel: 'miniprogram', items: [{ sku: 'KIWI', name: '奇异果', quantity: 1, unitPriceFen: 2_500 }] }),
      ev('group_joined', { phone, unionId: `o${run}retry` }, { chatId: `wr-${run}`, groupName: '福田鲜果群' }),
    ];
    expect(await ingestEvents(db(), a, batch)).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await ingestEvents(db(), a, batch)).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    expect(await count('events', tenant.id)).toBe(3);
    expect(await count('customers', tenant.id)).toBe(1);
    expect(await count('orders', tenant.id)).toBe(1);
    expect(await count('customer_identities', tenant.id)).toBe(2);
    expect(await count('group_members', tenant.id)).toBe(1);
    const customer = await db().selectFrom('customers').selectAll().where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ order_count: 1, order_days: 1, total_spent_fen: 2_500 });
    expect(customer.last_active_at?.toISOString()).toBe('2026-05-01T10:00:00.000Z');
  });

  it('stores the valid events of a mixed batch and nothing of the invalid ones', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const good = newPhone();
    const badTime = newPhone();
    const badAmount = newPhone();
    const result = await ingestEvents(db(), a, [
      ev('page_viewed', { phone: good }),
      { ...ev('page_viewed', { phone: badTime }), occurredAt: 'last tuesday' },
      ev('order_paid', { phone: badAmount }, { orderNo: 'NEG-1', paidFen: -100 }),
      { ...ev('page_viewed', { phone: good }), id: undefined },
      { ...ev('page_viewed', { phone: good }), type: undefined },
      { ...ev('page_viewed', {}), customer: undefined },
      ev('contact_added', { phone: newPhone() }, { staffWecomUserId: 'nobody-here' }),
      ev('page_viewed', { customerId: newId() }),
      ev('message_received', { phone: good }, { text: '在吗' }),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.duplicates).toBe(0);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_timestamp'], [2, 'negative_amount'], [3, 'missing_id'], [4, 'missing_type'], [5, 'missing_customer'], [6, 'unknown_staff'], [7, 'unknown_customer'],
    ]);
    for (const r of result.rejected) expect(r.message).toMatch(new RegExp(`^events\\[${r.index}\\]`));
    expect(await count('customers', tenant.id)).toBe(1);
    expect(await customerByPhone(tenant.id, badTime)).toBeUndefined();
    expect(await customerByPhone(tenant.id, badAmount)).toBeUndefined();
    expect(await count('orders', tenant.id)).toBe(0);
    expect(await count('events', tenant.id)).toBe(2);
  });

  it('creates an unknown customer with every identity the event names', async () => {
    const phone = newPhone();
    const result = await ingestEvents(db(), actor, [ev('store_visited', { phone, unionId: `o${run}new`, memberNo: `M${run}` }, { storeCode: 'SZ-FT-01' })]);
    expect(result.accepted).toBe(1);
    const id = await customerByPhone(world.tenantId, phone);
    expect(id).toBeDefined();
    const identities = await db().selectFrom('customer_identities').select(['kind', 'value']).where('tenant_id', '=', world.tenantId).where('customer_id', '=', id ?? '').orderBy('kind').execute();
    expect(identities).toEqual([{ kind: 'member_no', value: `M${run}` }, { kind: 'phone', value: phone }, { kind: 'unionid', value: `o${run}new` }]);
  });

  it('applies contacts, groups and attributes', async () => {
    const phone = newPhone();
    const ext = `wm${run}contact`;
    const result = await ingestEvents(db(), actor, [
      ev('contact_added', { phone, externalUserId: ext }, { staffWecomUserId: li, state: 'qr-ft-01', channel: 'store_qr', name: '王小丫', gender: 2 }, '2026-04-01T02:00:00Z', { source: 'wecom' }),
      ev('group_joined', { externalUserId: ext }, { chatId: `wr-${run}-g`, groupName: '福田鲜果 1 群', ownerWecomUserId: li }, '2026-04-02T02:00:00Z'),
      ev('profile_updated', { externalUserId: ext }, { name: '小丫', city: '深圳', birthday: '1995-08-08' }, '2026-04-03T02:00:00Z'),
      ev('contact_deleted', { externalUserId: ext }, { staffWecomUserId: li }, '2026-04-20T02:00:00Z'),
      ev('group_left', { externalUserId: ext }, { chatId: `wr-${run}-g` }, '2026-04-21T02:00:00Z'),
    ]);
    expect(result).toEqual({ accepted: 5, duplicates: 0, rejected: [] });
    const id = await customerByPhone(world.tenantId, phone);
    const profile = await getProfile(db(), actor, id ?? '');
    expect(profile).toMatchObject({
      // the api-sourced name (trust 1) does not replace the WeCom one (trust 2); city and birthday were empty
      name: '王小丫', gender: 'female', city: '深圳', birthday: '1995-08-08', sourceChannel: 'store_qr',
      guide: { id: world.staff.li }, store: { id: world.stores.futian },
      contacts: [{ staff: { id: world.staff.li, name: '李娜' }, state: 'qr-ft-01', addedAt: '2026-04-01T02:00:00.000Z', deletedAt: '2026-04-20T02:00:00.000Z' }],
      groups: [{ chatId: `wr-${run}-g`, name: '福田鲜果 1 群', joinedAt: '2026-04-02T02:00:00.000Z', leftAt: '2026-04-21T02:00:00.000Z' }],
      lastActiveAt: '2026-04-21T02:00:00.000Z',
    });
    expect(profile.attributeSources.name).toEqual({ source: 'wecom', at: '2026-04-01T02:00:00.000Z' });
    const group = await db().selectFrom('customer_groups').select(['owner_staff_id', 'store_id']).where('tenant_id', '=', world.tenantId).where('chat_id', '=', `wr-${run}-g`).executeTakeFirstOrThrow();
    expect(group).toEqual({ owner_staff_id: world.staff.li, store_id: world.stores.futian });
    // re-added later: the friendship holds again
    await ingestEvents(db(), actor, [ev('contact_added', { externalUserId: ext }, { staffWecomUserId: li, state: 'qr-ft-02' }, '2026-05-01T02:00:00Z')]);
    expect((await getProfile(db(), actor, id ?? '')).contacts).toMatchObject([{ state: 'qr-ft-02', addedAt: '2026-05-01T02:00:00.000Z', deletedAt: null }]);
  });

  it('tags from form_submitted answers, and rejects a submission the questionnaire refuses without storing anything', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const operator = { ...a, role: 'operator' as const };
    const skin = await createTagGroup(db(), tenant.id, { name: '肤质', exclusive: true });
    const acne = await createTag(db(), operator, { groupId: skin.id, name: '痘痘肌', code: '3' });
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: [
      { id: 'concern', text: '主要肌肤困扰', type: 'single', options: [{ code: '2', label: '出油' }, { code: '3', label: '痘痘', tagId: acne.id }] },
    ] });
    const [good, bad] = [newPhone(), newPhone()];
    const result = await ingestEvents(db(), a, [
      ev('form_submitted', { phone: good }, { formId: form.id, answers: { concern: '3' }, city: '深圳' }, '2026-05-03T00:00:00Z'),
      ev('form_submitted', { phone: bad }, { formId: form.id, answers: { concern: '9' } }),
      ev('form_submitted', { phone: bad }, { formId: newId(), answers: { concern: '3' } }),
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[1, 'invalid_properties'], [2, 'unknown_form']]);
    expect(result.rejected[0]?.message).toContain('concern');
    const id = await customerByPhone(tenant.id, good);
    const profile = await getProfile(db(), a, id ?? '');
    expect(profile.tags.map((t) => [t.name, t.source])).toEqual([['痘痘肌', 'form']]);
    expect(profile.city).toBe('深圳');
    expect(await customerByPhone(tenant.id, bad)).toBeUndefined();
    expect(await count('events', tenant.id)).toBe(2); // the submission and its tag_added
    expect(await count('customers', tenant.id)).toBe(1);
  });

  it('keeps the same phone in two tenants as two profiles', async () => {
    const [t1, t2] = [await newTenant(), await newTenant()];
    const phone = newPhone();
    await ingestEvents(db(), adminOf(t1.id), [ev('page_viewed', { phone })]);
    await ingestEvents(db(), adminOf(t2.id), [ev('page_viewed', { phone })]);
    const a = await customerByPhone(t1.id, phone);
    const b = await customerByPhone(t2.id, phone);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
    // an id from the other tenant is unknown here
    const cross = await ingestEvents(db(), adminOf(t1.id), [ev('page_viewed', { customerId: b ?? '' })]);
    expect(cross.rejected).toMatchObject([{ index: 0, code: 'unknown_customer' }]);
  });

  it('takes a deleted tenant\'s events, identities and group memberships with it (their tenant keys are gone, 0039)', async () => {
    const [gone, kept] = [await newTenant(), await newTenant()];
    const phone = newPhone();
    for (const t of [gone, kept]) {
      const r = await ingestEvents(db(), adminOf(t.id), [
        ev('page_viewed', { phone }),
        ev('group_joined', { phone }, { chatId: `wr-${run}-gone`, groupName: '福利群' }),
      ]);
      expect(r.accepted).toBe(2);
    }
    await sql`delete from tenants where id = ${gone.id}`.execute(db());
    for (const table of ['events', 'customer_identities', 'group_members'] as const) {
      expect(await count(table, gone.id)).toBe(0);
      expect(await count(table, kept.id)).toBeGreaterThan(0);
    }
  });
});

describe('merging profiles', () => {
  async function tagged(tenantId: string): Promise<{ vip: string; fruit: string }> {
    const group = newId();
    const vip = newId();
    const fruit = newId();
    await db().insertInto('tag_groups').values({ tenant_id: tenantId, id: group, name: '偏好' }).execute();
    await db().insertInto('tags').values([{ tenant_id: tenantId, id: vip, group_id: group, name: 'VIP' }, { tenant_id: tenantId, id: fruit, group_id: group, name: '爱水果' }]).execute();
    return { vip, fruit };
  }

  it('merges two profiles an event links, moving history, orders, tags and groups to the older one', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const a = adminOf(tenant.id);
    const tags = await tagged(tenant.id);
    // 陈美 (older) holds a phone; 张磊's profile holds a WeCom id: the event proves they are one person
    const mei = world.customers.mei;
    const lei = world.customers.lei;
    const leiExt = `wm${run}lei`;
    await db().insertInto('customer_identities').values({ tenant_id: tenant.id, kind: 'external_userid', value: leiExt, customer_id: lei }).execute();
    await db().insertInto('customer_tags').values([
      { tenant_id: tenant.id, customer_id: mei, tag_id: tags.vip, source: 'manual', added_by: 'user:a', added_at: '2026-03-01T00:00:00Z' },
      { tenant_id: tenant.id, customer_id: lei, tag_id: tags.vip, source: 'rule', added_by: 'rule:x', added_at: '2026-02-01T00:00:00Z' },
      { tenant_id: tenant.id, customer_id: lei, tag_id: tags.fruit, source: 'manual', added_by: 'user:b', added_at: '2026-02-02T00:00:00Z' },
    ]).execute();
    await db().insertInto('customer_consents').values([
      { tenant_id: tenant.id, customer_id: mei, channel: 'sms', granted: true, source: 'pos', updated_at: '2026-01-01T00:00:00Z' },
      { tenant_id: tenant.id, customer_id: lei, channel: 'sms', granted: false, source: 'miniprogram', updated_at: '2026-03-01T00:00:00Z' },
      { tenant_id: tenant.id, customer_id: lei, channel: 'wecom', granted: true, source: 'wecom', updated_at: '2026-02-01T00:00:00Z' },
    ]).execute();
    await db().insertInto('customer_contacts').values({ tenant_id: tenant.id, customer_id: lei, staff_id: world.staff.zhao, state: 'qr-lei', added_at: '2026-02-10T00:00:00Z' }).execute();
    await ingestEvents(db(), a, [ev('group_joined', { externalUserId: leiExt }, { chatId: `wr-${run}-m` }, '2026-04-10T00:00:00Z')]);
    const leiEvents = await count('events', tenant.id);

    const result = await ingestEvents(db(), a, [ev('contact_added', { phone: world.phones.mei, externalUserId: leiExt }, { staffWecomUserId: `wang.qiang.${suffixOf(tenant.id)}` }, '2026-05-02T00:00:00Z')]);
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    expect(await db().selectFrom('customers').select('id').where('tenant_id', '=', tenant.id).where('id', '=', lei).executeTakeFirst()).toBeUndefined();
    const merged = await getProfile(db(), a, lei);
    expect(merged.id).toBe(mei);
    expect(merged.mergedFrom?.id).toBe(lei);
    expect(merged.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([`external_userid:wmMEI${suffixOf(tenant.id)}`, `external_userid:${leiExt}`, `member_no:M${suffixOf(tenant.id)}01`, `phone:${world.phones.lei}`, `phone:${world.phones.mei}`].sort());
    // orders: 陈美's three and 张磊's one (6,600 fen) on four distinct Shanghai days... two of 陈美's share a day
    expect(merged).toMatchObject({ orderCount: 4, orderDays: 3, totalSpentFen: 18_390 + 6_600 });
    expect(merged.tags.map((t) => [t.name, t.source, t.addedAt]).sort()).toEqual([
      ['VIP', 'rule', '2026-02-01T00:00:00.000Z'], // held by both: the earliest tagging is kept
      ['爱水果', 'manual', '2026-02-02T00:00:00.000Z'],
    ].sort());
    expect(merged.groups.map((g) => g.chatId)).toEqual([`wr-${run}-m`]);
    // consents: the newest decision per channel wins
    expect(merged.consents.map((c) => [c.channel, c.granted, c.source])).toEqual([['sms', false, 'miniprogram'], ['wecom', true, 'wecom']]);
    expect(merged.contacts.map((c) => [c.staff.id, c.state]).sort()).toEqual([[world.staff.wang, null], [world.staff.zhao, 'qr-lei']].sort());
    expect(merged.guide?.id).toBe(world.staff.li); // the survivor's own guide stays
    expect(await count('events', tenant.id)).toBe(leiEvents + 2); // the contact event and customer_merged
    const mergeEvent = await db().selectFrom('events').select(['customer_id', 'properties']).where('tenant_id', '=', tenant.id).where('type', '=', 'customer_merged').executeTakeFirstOrThrow();
    expect(mergeEvent.customer_id).toBe(mei);
    expect(mergeEvent.properties).toMatchObject({ mergedId: lei });
    const leiOrders = await db().selectFrom('orders').select('customer_id').where('tenant_id', '=', tenant.id).where('order_no', 'like', '%-4').execute();
    expect(leiOrders.map((o) => o.customer_id)).toEqual([mei]);
    expect((await refreshOrderAggregates(db(), tenant.id)).customersUpdated).toBe(0);
    // the old id still names the customer in events
    const again = await ingestEvents(db(), a, [ev('page_viewed', { customerId: lei })]);
    expect(again.accepted).toBe(1);
    const last = await db().selectFrom('events').select('customer_id').where('tenant_id', '=', tenant.id).where('event_key', '=', `ev-${run}-${seq}`).executeTakeFirstOrThrow();
    expect(last.customer_id).toBe(mei);
  });

  it('merges no profiles for events it rejects, and merges ahead of the batch for those it accepts', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const form = await visitForm(tenant.id);
    const [phone, wecom] = [newPhone(), `wm${run}-linked`];
    expect((await ingestEvents(db(), a, [ev('page_viewed', { phone })])).accepted).toBe(1);
    expect((await ingestEvents(db(), a, [ev('page_viewed', { externalUserId: wecom })])).accepted).toBe(1);
    const both = { phone, externalUserId: wecom };
    const refused = await ingestEvents(db(), a, [
      ev('contact_added', both, { staffWecomUserId: 'nobody-here' }),
      ev('order_paid', both, { orderNo: `LINK-${run}`, paidFen: 1_000, storeCode: 'no-such-store', items: [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: 1_000 }] }),
      ev('form_submitted', both, { formId: form.id, answers: { visit: '9' } }),
      ev('page_viewed', { phone }),
    ]);
    expect(refused.rejected.map((r) => [r.index, r.code])).toEqual([[0, 'unknown_staff'], [1, 'unknown_store'], [2, 'invalid_properties']]);
    expect(refused.accepted).toBe(1);
    expect(await count('customers', tenant.id)).toBe(2);
    const merges = async (): Promise<number> => (await sql<{ n: number }>`select count(*)::int as n from customer_merges where tenant_id = ${tenant.id}`.execute(db())).rows[0]?.n ?? -1;
    expect(await merges()).toBe(0);

    const linked = await ingestEvents(db(), a, [ev('message_received', both, { text: '我是同一个人' }), ev('page_viewed', { externalUserId: wecom })]);
    expect(linked).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await count('customers', tenant.id)).toBe(1);
    expect(await merges()).toBe(1);
    const survivor = await customerByPhone(tenant.id, phone);
    const onSurvivor = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${tenant.id} and customer_id = ${survivor} and type <> 'customer_merged'`.execute(db());
    expect(onSurvivor.rows[0]?.n).toBe(5); // both first views, the view accepted beside the refusals, the linking message and the view after it
  });

  it('counts a new order once when the same batch then merges its buyer with a profile that has orders', async () => {
    // A merge recomputes the survivor's aggregates from its orders; the batch adds its new order to
    // them incrementally: the order must be in one of the two, not both.
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const form = await visitForm(tenant.id);
    const [phone, wecom] = [newPhone(), `wm${run}-ordered`];
    const item = (fen: number) => [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: fen }];
    // the buyer by phone is the older profile, so it survives; the merged one brings an order
    expect((await ingestEvents(db(), a, [ev('order_paid', { phone }, { orderNo: `MID-${run}`, paidFen: 2_000, items: item(2_000) }, '2026-04-10T10:00:00Z')])).accepted).toBe(1);
    expect((await ingestEvents(db(), a, [ev('order_paid', { externalUserId: wecom }, { orderNo: `OLD-${run}`, paidFen: 3_000, items: item(3_000) }, '2026-04-01T10:00:00Z')])).accepted).toBe(1);
    const byPhone = await customerByPhone(tenant.id, phone);
    const batch = await ingestEvents(db(), a, [
      ev('order_paid', { phone }, { orderNo: `NEW-${run}`, paidFen: 1_000, items: item(1_000) }, '2026-05-01T10:00:00Z'),
      ev('form_submitted', { phone, externalUserId: wecom }, { formId: form.id, answers: { visit: '1' } }, '2026-05-01T11:00:00Z'),
    ]);
    expect(batch).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await count('customers', tenant.id)).toBe(1);
    const survivor = await customerByPhone(tenant.id, phone) ?? '';
    expect(survivor).toBe(byPhone);
    const stored = await db().selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at'])
      .where('tenant_id', '=', tenant.id).where('id', '=', survivor).executeTakeFirstOrThrow();
    expect({ ...stored, total_spent_fen: Number(stored.total_spent_fen) }).toEqual({
      order_count: 3, order_days: 3, total_spent_fen: 6_000, first_order_at: new Date('2026-04-01T10:00:00Z'), last_order_at: new Date('2026-05-01T10:00:00Z'),
    });
    // and the incremental figures equal a recompute from the orders
    await refreshOrderAggregates(db(), tenant.id, [survivor]);
    const recomputed = await db().selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen']).where('tenant_id', '=', tenant.id).where('id', '=', survivor).executeTakeFirstOrThrow();
    expect(recomputed.order_count).toBe(3);
  });

  it('merges by a questionnaire a profile other events of the batch reached, and keeps what those events did', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const staff = `guide-${run}-q`;
    await db().insertInto('staff').values({ tenant_id: tenant.id, id: newId(), store_id: null, name: '导购', wecom_user_id: staff, phone: null }).execute();
    const form = await visitForm(tenant.id);
    const [phone, wecom, chat] = [newPhone(), `wm${run}-asked`, `wr${run}-asked`];
    await ingestEvents(db(), a, [ev('page_viewed', { externalUserId: wecom })]); // the older profile: it survives
    await ingestEvents(db(), a, [ev('page_viewed', { phone })]);
    const batch = await ingestEvents(db(), a, [
      ev('contact_added', { phone }, { staffWecomUserId: staff, state: 'qr' }),
      ev('group_joined', { phone }, { chatId: chat }),
      ev('profile_updated', { phone }, { city: '深圳' }),
      ev('form_submitted', { phone, externalUserId: wecom }, { formId: form.id, answers: { visit: '1' } }),
    ]);
    expect(batch).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    expect(await count('customers', tenant.id)).toBe(1);
    const survivor = await customerByPhone(tenant.id, phone) ?? '';
    const profile = await getProfile(db(), a, survivor);
    expect(profile.identities.map((i) => i.kind).sort()).toEqual(['external_userid', 'phone']);
    expect(profile.city).toBe('深圳');
    expect(profile.contacts).toHaveLength(1);
    expect(profile.groups.map((g) => g.chatId)).toEqual([chat]);
    const submitted = await db().selectFrom('form_submissions').select('customer_id').where('tenant_id', '=', tenant.id).execute();
    expect(submitted).toEqual([{ customer_id: survivor }]);
  });

  it('follows merge chains: A into B, then B into C, resolves A to C', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    const [A, B, C] = [newId(), newId(), newId()];
    await db().insertInto('customers').values([
      { tenant_id: tenant.id, id: C, name: 'C', created_at: '2026-01-01T00:00:00Z' },
      { tenant_id: tenant.id, id: B, name: 'B', created_at: '2026-02-01T00:00:00Z' },
      { tenant_id: tenant.id, id: A, name: 'A', created_at: '2026-03-01T00:00:00Z' },
    ]).execute();
    const [pa, pb] = [newPhone(), newPhone()];
    await db().insertInto('customer_identities').values([
      { tenant_id: tenant.id, kind: 'phone', value: pa, customer_id: A },
      { tenant_id: tenant.id, kind: 'phone', value: pb, customer_id: B },
      { tenant_id: tenant.id, kind: 'unionid', value: `o${run}C`, customer_id: C },
    ]).execute();
    await ingestEvents(db(), a, [ev('page_viewed', { customerId: A, phone: pb })]); // A → B (B is older)
    expect((await getProfile(db(), a, A)).id).toBe(B);
    await ingestEvents(db(), a, [ev('page_viewed', { phone: pb, unionId: `o${run}C` })]); // B → C
    const merges = await db().selectFrom('customer_merges').select(['merged_id', 'survivor_id']).where('tenant_id', '=', tenant.id).orderBy('merged_at').execute();
    expect(merges.map((m) => [m.merged_id, m.survivor_id]).sort()).toEqual([[A, C], [B, C]].sort());
    expect((await getProfile(db(), a, A)).id).toBe(C);
    expect(await count('customers', tenant.id)).toBe(1);
    expect(await customerByPhone(tenant.id, pa)).toBe(C);
    const viaOldId = await ingestEvents(db(), a, [ev('page_viewed', { customerId: A })]);
    expect(viaOldId.accepted).toBe(1);
  });

  it('makes one profile when concurrent batches meet the same new person', async () => {
    const tenant = await newTenant();
    const a = adminOf(tenant.id);
    // Separate pools: each batch has its own connection and transaction.
    const other = openDatabase(inject('databaseUrl'), { max: 2 });
    try {
      for (let round = 0; round < 8; round++) {
        const phone = newPhone();
        const ext = `wm${run}race${round}`;
        const union = `o${run}race${round}`;
        const filler = Array.from({ length: 50 }, () => ev('page_viewed', { phone: newPhone() }));
        const [r1, r2] = await Promise.all([
          ingestEvents(db(), a, [...filler.slice(0, 25), ev('page_viewed', { phone, externalUserId: ext })]),
          ingestEvents(other.db, a, [ev('page_viewed', { externalUserId: ext }), ev('page_viewed', { unionId: union, phone }), ...filler.slice(25)]),
        ]);
        expect(r1.rejected).toEqual([]);
        expect(r2.rejected).toEqual([]);
        const owners = await db().selectFrom('customer_identities').select('customer_id').distinct()
          .where('tenant_id', '=', tenant.id).where('value', 'in', [phone, ext, union]).execute();
        expect(owners).toHaveLength(1);
      }
      // 8 rounds × (1 shared person + 50 fillers)
      expect(await count('customers', tenant.id)).toBe(8 * 51);
      // Batch 2 alone sees two people ({ext} and {union, phone}); when it commits first, batch 1's
      // event proves them one and merges them: a customer_merged event each time.
      const merged = await db().selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).where('type', '=', 'customer_merged').executeTakeFirstOrThrow();
      const merges = await db().selectFrom('customer_merges').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(Number(merged.n)).toBe(Number(merges.n));
      expect(await count('events', tenant.id)).toBe(8 * 53 + Number(merged.n));
    } finally {
      await other.close();
    }
  });
});
