// Tag groups, manual and bulk tagging, exclusive groups and pre-tags on the real database.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { listCustomers } from '../../src/core/customers/customers.service.ts';
import { UUID_PATTERN } from '../../src/core/ids.ts';
import { afterCustomersChanged } from '../../src/core/ingest/ingest.hooks.ts';
import { bulkTagCustomers, listCustomerTags, tagCustomer, untagCustomer } from '../../src/core/tags/customer-tags.service.ts';
import { createPreTags, listPreTags } from '../../src/core/tags/pretags.service.ts';
import { createTag, createTagGroup, deleteTag, deleteTagGroup, listTagGroups, updateTag, updateTagGroup } from '../../src/core/tags/tags.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { actorOf, addCustomer, tagEvents, tagIdsOf } from './tags-fixtures.ts';

const db = () => testDb().db;
let tenant: Tenant;
let operator: Actor;

beforeEach(async () => {
  tenant = await newTenant();
  operator = actorOf(tenant);
});

describe('tag groups and tags', () => {
  it('lists groups with their tags and customer counts; names are unique per group', async () => {
    const skin = await createTagGroup(db(), tenant.id, { name: '肤质', exclusive: true, sort: 1 });
    const source = await createTagGroup(db(), tenant.id, { name: '来源', sort: 0 });
    const acne = await createTag(db(), operator, { groupId: skin.id, name: '痘痘肌', code: '3', color: 'red' });
    await createTag(db(), operator, { groupId: source.id, name: '门店扫码' });
    const c = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, c, [acne.id]);
    const groups = await listTagGroups(db(), tenant.id);
    expect(groups.map((g) => [g.name, g.exclusive, g.tags.map((t) => [t.name, t.code, t.customerCount])])).toEqual([
      ['来源', false, [['门店扫码', null, 0]]],
      ['肤质', true, [['痘痘肌', '3', 1]]],
    ]);
    await expect(createTag(db(), operator, { groupId: skin.id, name: '痘痘肌' })).rejects.toMatchObject({ code: 'conflict', details: [{ path: 'name' }] });
    await expect(createTagGroup(db(), tenant.id, { name: '肤质' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(createTag(db(), operator, { groupId: skin.id, name: '油皮', rule: { lastOrderWithinDays: 3 }, kind: 'manual' }))
      .rejects.toMatchObject({ details: [{ path: 'rule', message: 'only a rule tag has a rule (kind: rule)' }] });
  });

  it('a group becomes exclusive only when no customer holds two of its tags', async () => {
    const wish = await createTagGroup(db(), tenant.id, { name: '诉求' });
    const a = await createTag(db(), operator, { groupId: wish.id, name: '祛痘' });
    const b = await createTag(db(), operator, { groupId: wish.id, name: '美白' });
    const c = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, c, [a.id, b.id]);
    await expect(updateTagGroup(db(), tenant.id, wish.id, { exclusive: true })).rejects.toMatchObject({ code: 'conflict', details: [{ path: 'exclusive' }] });
    await untagCustomer(db(), operator, c, b.id);
    expect((await updateTagGroup(db(), tenant.id, wish.id, { exclusive: true })).exclusive).toBe(true);
  });

  it('deleting a tag takes it off its customers on the timeline, and is refused while a rule or a codebook uses it', async () => {
    const group = await createTagGroup(db(), tenant.id, { name: '兴趣' });
    const tea = await createTag(db(), operator, { groupId: group.id, name: '茶饮' });
    const c = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, c, [tea.id]);
    const rule = await createTag(db(), operator, { groupId: group.id, name: '茶饮复购', kind: 'rule', rule: { all: [{ hasTag: tea.id }, { metric: 'order_count', op: '>=', value: 2 }] } });
    await expect(deleteTag(db(), operator, tea.id)).rejects.toMatchObject({ code: 'conflict', message: 'the rule of tag 茶饮复购 uses this tag (hasTag); change that rule first' });
    await deleteTag(db(), operator, rule.id);
    await deleteTag(db(), operator, tea.id);
    expect(await tagIdsOf(db(), tenant.id, c)).toEqual([]);
    expect((await tagEvents(db(), tenant.id, c)).map((e) => e.type)).toEqual(['tag_added', 'tag_removed']);
    const audit = await db().selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).where('target_id', '=', tea.id).executeTakeFirstOrThrow();
    expect(audit).toEqual({ action: 'tag.delete', details: { tagIds: [tea.id], customersUntagged: 1 } });
    await deleteTagGroup(db(), operator, group.id);
    expect(await listTagGroups(db(), tenant.id)).toEqual([]);
  });
});

describe('tagging one customer', () => {
  it('adds with the actor on the timeline; a tag of an exclusive group replaces the other one', async () => {
    const skin = await createTagGroup(db(), tenant.id, { name: '肤质', exclusive: true });
    const oily = await createTag(db(), operator, { groupId: skin.id, name: '油皮' });
    const acne = await createTag(db(), operator, { groupId: skin.id, name: '痘痘肌' });
    const c = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, c, [oily.id]);
    const held = await tagCustomer(db(), operator, c, [acne.id]);
    expect(held.map((t) => [t.name, t.source, t.addedBy])).toEqual([['痘痘肌', 'manual', `user:${operator.userId}`]]);
    const events = await tagEvents(db(), tenant.id, c);
    expect(events.map((e) => [e.type, e.tagId, e.actor, e.replacedBy ?? null])).toEqual([
      ['tag_added', oily.id, `user:${operator.userId}`, null],
      ['tag_added', acne.id, `user:${operator.userId}`, null],
      ['tag_removed', oily.id, `user:${operator.userId}`, acne.id],
    ]);
    const row = await db().selectFrom('events').select(['id', 'event_key']).where('tenant_id', '=', tenant.id).where('customer_id', '=', c).executeTakeFirstOrThrow();
    expect(row.id).toMatch(UUID_PATTERN);
    expect(row.id[14]).toBe('7');
    expect(row.event_key).toBe(`yuchi:${row.id}`);
    await expect(tagCustomer(db(), operator, c, [oily.id, acne.id])).rejects.toMatchObject({
      code: 'invalid', details: [{ path: 'tagIds', message: '油皮 and 痘痘肌 are both in the exclusive group 肤质; choose one' }],
    });
  });

  it('refuses rule tags, unknown tags and other tenants\' tags by path', async () => {
    const group = await createTagGroup(db(), tenant.id, { name: '价值' });
    const vip = await createTag(db(), operator, { groupId: group.id, name: 'VIP', kind: 'rule', rule: { metric: 'spent_fen', op: '>=', value: 1 } });
    const manual = await createTag(db(), operator, { groupId: group.id, name: '手动' });
    const c = await addCustomer(db(), tenant.id);
    await expect(tagCustomer(db(), operator, c, [manual.id, vip.id])).rejects.toMatchObject({ details: [{ path: 'tagIds[1]', message: 'VIP is a rule tag: its rule adds and removes it' }] });
    await expect(untagCustomer(db(), operator, c, vip.id)).rejects.toMatchObject({ details: [{ path: 'tagId' }] });
    const other = await newTenant();
    const foreign = await createTag(db(), actorOf(other), { groupId: (await createTagGroup(db(), other.id, { name: 'x' })).id, name: 'x' });
    await expect(tagCustomer(db(), operator, c, [foreign.id])).rejects.toMatchObject({ details: [{ path: 'tagIds[0]', message: 'no such tag' }] });
    await expect(tagCustomer(db(), actorOf(other), c, [foreign.id])).rejects.toMatchObject({ code: 'not_found' });
    expect(await listCustomerTags(db(), tenant.id, c)).toEqual([]);
  });
});

describe('bulk tagging a filtered list', () => {
  let world: World;
  let groupId: string;
  beforeEach(async () => {
    world = await buildWorld(db(), tenant.id);
    groupId = (await createTagGroup(db(), tenant.id, { name: '活动' })).id;
  });

  it('tags every customer of the filter in one go, counts matched and changed, and audits it', async () => {
    const futian = await createTag(db(), operator, { groupId, name: '福田老客' });
    // 陈美 (¥183.90) and 张磊 (¥66) shop at 福田; 张磊 already has the tag
    await tagCustomer(db(), operator, world.customers.lei, [futian.id]);
    const result = await bulkTagCustomers(db(), operator, { filter: { storeId: world.stores.futian }, add: [futian.id] });
    expect(result).toEqual({ matched: 2, changed: 1 });
    expect(await tagIdsOf(db(), tenant.id, world.customers.mei)).toEqual([futian.id]);
    expect(await tagIdsOf(db(), tenant.id, world.customers.fang)).toEqual([]);

    const big = await createTag(db(), operator, { groupId, name: '百元以上' });
    const spenders = await bulkTagCustomers(db(), operator, { filter: { minSpentFen: 10_000 }, add: [big.id], remove: [futian.id] });
    expect(spenders).toEqual({ matched: 1, changed: 1 }); // only 陈美
    expect(await tagIdsOf(db(), tenant.id, world.customers.mei)).toEqual([big.id]);
    expect(await tagIdsOf(db(), tenant.id, world.customers.lei)).toEqual([futian.id]);

    const audit = await db().selectFrom('audit_log').select(['action', 'actor', 'details']).where('tenant_id', '=', tenant.id).where('action', '=', 'customers.bulk_tag').orderBy('at').execute();
    expect(audit.map((a) => a.details)).toEqual([
      { filter: { storeId: world.stores.futian }, add: [futian.id], remove: [], matched: 2, changed: 1 },
      { filter: { minSpentFen: 10_000 }, add: [big.id], remove: [futian.id], matched: 1, changed: 1 },
    ]);
    expect(audit[0]?.actor).toBe(`user:${operator.userId}`);
  });

  it('filters the list by tags (all of, any of), spend and recency — the same filter bulk tagging uses', async () => {
    const a = await createTag(db(), operator, { groupId, name: 'A' });
    const b = await createTag(db(), operator, { groupId, name: 'B' });
    await tagCustomer(db(), operator, world.customers.mei, [a.id, b.id]);
    await tagCustomer(db(), operator, world.customers.jun, [b.id]);
    const names = async (filter: Parameters<typeof listCustomers>[2]) =>
      (await listCustomers(db(), operator, filter, { page: 1, pageSize: 50 })).items.map((c) => c.name).sort();
    expect(await names({ tagIds: [a.id, b.id] })).toEqual(['陈美']);
    expect(await names({ anyTagIds: [a.id, b.id] })).toEqual(['刘军', '陈美'].sort());
    expect(await names({ minSpentFen: 6_000, maxSpentFen: 6_600 })).toEqual(['张磊', '陈芳'].sort());
    // the fixture's orders are in 2026; days since then decide recency
    const sinceLast = Math.ceil((Date.now() - Date.parse('2026-05-12T06:00:00Z')) / 86_400_000);
    expect(await names({ lastOrderWithinDays: sinceLast + 1 })).toEqual(['陈芳']);
    expect(await names({ noOrderWithinDays: sinceLast + 1 })).toEqual(['刘军', '张磊', '陈美'].sort());
    const other = await newTenant();
    expect(await names({ tagIds: [a.id], guideId: undefined })).toEqual(['陈美']);
    expect((await listCustomers(db(), actorOf(other), { tagIds: [a.id] }, { page: 1, pageSize: 50 })).total).toBe(0);
  });

  it('a guide tags their own customers one at a time, and cannot bulk-tag', async () => {
    const tag = await createTag(db(), operator, { groupId, name: '导购关注' });
    const li = actorOf(tenant, 'guide', world.staff.li);
    expect((await tagCustomer(db(), li, world.customers.mei, [tag.id])).map((t) => t.name)).toEqual(['导购关注']);
    await expect(tagCustomer(db(), li, world.customers.lei, [tag.id])).rejects.toMatchObject({ code: 'not_found' });
    await expect(bulkTagCustomers(db(), li, { filter: {}, add: [tag.id] })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses nothing to do, one tag both added and removed, rule tags and clashing tags', async () => {
    const a = await createTag(db(), operator, { groupId, name: 'A' });
    await expect(bulkTagCustomers(db(), operator, { filter: {} })).rejects.toMatchObject({ details: [{ path: 'add' }] });
    await expect(bulkTagCustomers(db(), operator, { filter: {}, add: [a.id], remove: [a.id] })).rejects.toMatchObject({ details: [{ path: 'remove[0]' }] });
    await expect(bulkTagCustomers(db(), operator, { filter: {}, add: [a.id, world.customers.mei] })).rejects.toMatchObject({ details: [{ path: 'add[1]', message: 'no such tag' }] });
    expect(await tagIdsOf(db(), tenant.id, world.customers.mei)).toEqual([]);
  });
});

describe('pre-tags', () => {
  it('wait for a phone or unionid and apply when the identity appears; apply at once when the customer exists', async () => {
    const group = await createTagGroup(db(), tenant.id, { name: '线下活动' });
    const expo = await createTag(db(), operator, { groupId: group.id, name: '展会到访' });
    const known = await addCustomer(db(), tenant.id, { identities: [['phone', '13800138000']] });
    const created = await createPreTags(db(), operator, { kind: 'phone', values: ['+86 138-0013-8000', '13900139000'], tagIds: [expo.id] });
    expect(created).toEqual({ created: 2, applied: 1 });
    expect(await tagIdsOf(db(), tenant.id, known)).toEqual([expo.id]);

    // a new customer appears with the other phone
    const newcomer = await addCustomer(db(), tenant.id, { identities: [['phone', '13900139000']] });
    await afterCustomersChanged(db(), tenant.id, { customerIds: [newcomer], newIdentities: [{ kind: 'phone', value: '13900139000', customerId: newcomer }] });
    expect(await tagIdsOf(db(), tenant.id, newcomer)).toEqual([expo.id]);
    expect((await tagEvents(db(), tenant.id, newcomer)).map((e) => [e.type, e.source, e.actor])).toEqual([['tag_added', 'pretag', `user:${operator.userId}`]]);

    // applied once: the identity showing up again does not re-add a tag someone took off
    await untagCustomer(db(), operator, newcomer, expo.id);
    await afterCustomersChanged(db(), tenant.id, { customerIds: [newcomer], newIdentities: [{ kind: 'phone', value: '13900139000', customerId: newcomer }] });
    expect(await tagIdsOf(db(), tenant.id, newcomer)).toEqual([]);

    const unionPending = await createPreTags(db(), operator, { kind: 'unionid', values: ['oU-expo-1'], tagIds: [expo.id] });
    expect(unionPending).toEqual({ created: 1, applied: 0 });
    const list = await listPreTags(db(), tenant.id, { tagId: expo.id }, { page: 1, pageSize: 10 });
    expect(list.total).toBe(3);
    expect(list.items.filter((p) => p.appliedAt !== null).map((p) => [p.value, p.appliedCustomerId]).sort()).toEqual([['13800138000', known], ['13900139000', newcomer]].sort());
    expect((await listPreTags(db(), tenant.id, { pending: true }, { page: 1, pageSize: 10 })).items.map((p) => p.value)).toEqual(['oU-expo-1']);
  });

  it('refuses a bad phone by index and rule tags', async () => {
    const group = await createTagGroup(db(), tenant.id, { name: 'g' });
    const t = await createTag(db(), operator, { groupId: group.id, name: 't' });
    const r = await createTag(db(), operator, { groupId: group.id, name: 'r', kind: 'rule', rule: { lastOrderWithinDays: 1 } });
    await expect(createPreTags(db(), operator, { kind: 'phone', values: ['13800138000', '12345'], tagIds: [t.id] })).rejects.toMatchObject({ details: [{ path: 'values[1]' }] });
    await expect(createPreTags(db(), operator, { kind: 'phone', values: ['13800138000'], tagIds: [r.id] })).rejects.toMatchObject({ details: [{ path: 'tagIds[0]' }] });
    expect((await listPreTags(db(), tenant.id, {}, { page: 1, pageSize: 10 })).total).toBe(0);
  });
});

describe('moving a tag', () => {
  it('into an exclusive group is refused when a customer would then hold two of its tags', async () => {
    const skin = await createTagGroup(db(), tenant.id, { name: '肤质', exclusive: true });
    const misc = await createTagGroup(db(), tenant.id, { name: '其他' });
    const dry = await createTag(db(), operator, { groupId: skin.id, name: '干皮' });
    const acne = await createTag(db(), operator, { groupId: misc.id, name: '痘痘肌' });
    const c = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, c, [dry.id, acne.id]);
    await expect(updateTag(db(), operator, acne.id, { groupId: skin.id })).rejects.toMatchObject({ code: 'conflict', details: [{ path: 'groupId' }] });
    const other = await addCustomer(db(), tenant.id);
    await untagCustomer(db(), operator, c, dry.id);
    await tagCustomer(db(), operator, other, [dry.id]);
    expect((await updateTag(db(), operator, acne.id, { groupId: skin.id, name: '痘肌' })).groupName).toBe('肤质');
  });
});
