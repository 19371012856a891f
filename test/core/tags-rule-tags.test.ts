// Rule tags on the real database, as scenarios: orders arrive, refunds happen, time passes.
import { beforeEach, describe, expect, it } from 'vitest';
import { afterCustomersChanged } from '../../src/core/ingest/ingest.hooks.ts';
import { recordOrders, type OrderInput } from '../../src/core/orders/record.service.ts';
import { evaluateRuleTag, evaluateRuleTags, sweepRuleTags } from '../../src/core/tags/rules.service.ts';
import { createTag, createTagGroup, deleteTag, updateTag, updateTagGroup } from '../../src/core/tags/tags.service.ts';
import { tagCustomer } from '../../src/core/tags/customer-tags.service.ts';
import type { Actor } from '../../src/core/access/access.rules.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { actorOf, addCustomer, addOrder, days, refund, tagEvents, tagIdsOf } from './tags-fixtures.ts';

const db = () => testDb().db;
let tenant: Tenant;
let operator: Actor;
let groupId: string;

const VIP = { metric: 'spent_fen', windowDays: 90, op: '>=', value: 200_000 };
const FREQUENT = { metric: 'order_days', windowDays: 30, op: '>=', value: 4 };
const DORMANT = { all: [{ noOrderWithinDays: 60 }, { metric: 'order_count', op: '>=', value: 1 }] };

beforeEach(async () => {
  tenant = await newTenant();
  operator = actorOf(tenant);
  groupId = (await createTagGroup(db(), tenant.id, { name: '价值' })).id;
});

const ago = (n: number) => new Date(Date.now() - days(n)).toISOString();

describe('rule tags follow their rule', () => {
  it('VIP is added when spending in 90 days crosses ¥2,000 and removed when a refund takes it below', async () => {
    const vip = await createTag(db(), operator, { groupId, name: 'VIP', kind: 'rule', rule: VIP });
    const mei = await addCustomer(db(), tenant.id, { name: '陈美' });
    await addOrder(db(), tenant.id, mei, 150_000, ago(10));
    await afterCustomersChanged(db(), tenant.id, { customerIds: [mei], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([]);

    const second = await addOrder(db(), tenant.id, mei, 60_000, ago(5));
    await afterCustomersChanged(db(), tenant.id, { customerIds: [mei], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([vip.id]);

    // ¥1,500 + ¥600 − ¥200 = ¥1,900
    await refund(db(), tenant.id, second, 20_000);
    await afterCustomersChanged(db(), tenant.id, { customerIds: [mei], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([]);

    const events = await tagEvents(db(), tenant.id, mei);
    expect(events.map((e) => [e.type, e.actor, e.tagId, e.source])).toEqual([
      ['tag_added', `rule:${vip.id}`, vip.id, 'rule'],
      ['tag_removed', `rule:${vip.id}`, vip.id, 'rule'],
    ]);
  });

  it('through the order API path: recordOrders tags VIP as the second order crosses ¥2,000, and a refund re-sent takes it off', async () => {
    const vip = await createTag(db(), operator, { groupId, name: 'VIP', kind: 'rule', rule: VIP });
    const phone = `137${tenant.id.replace(/\D/g, '').slice(-8)}`;
    const order = (orderNo: string, paidFen: number, orderedAt: string, refundedFen = 0): OrderInput => ({
      orderNo, customer: { phone }, channel: 'miniprogram', totalFen: paidFen, paidFen, refundedFen, orderedAt,
      items: [{ sku: 'GIFT', name: '礼盒', quantity: 1, unitPriceFen: paidFen }],
    });
    const twoDaysAgo = ago(2);
    await recordOrders(db(), tenant.id, [order('A-1', 120_000, ago(20))], { source: 'miniprogram' });
    const first = await recordOrders(db(), tenant.id, [order('A-2', 90_000, twoDaysAgo)], { source: 'miniprogram' });
    const buyer = first.customerIds[0] ?? '';
    expect(await tagIdsOf(db(), tenant.id, buyer)).toEqual([vip.id]);
    // ¥1,200 + ¥900 − ¥200 = ¥1,900
    await recordOrders(db(), tenant.id, [order('A-2', 90_000, twoDaysAgo, 20_000)], { source: 'miniprogram' });
    expect(await tagIdsOf(db(), tenant.id, buyer)).toEqual([]);
    expect((await tagEvents(db(), tenant.id, buyer)).map((e) => [e.type, e.actor])).toEqual([['tag_added', `rule:${vip.id}`], ['tag_removed', `rule:${vip.id}`]]);
  });

  it('a fully refunded order does not count, and spending older than the window does not count', async () => {
    const vip = await createTag(db(), operator, { groupId, name: 'VIP', kind: 'rule', rule: VIP });
    const lei = await addCustomer(db(), tenant.id);
    await addOrder(db(), tenant.id, lei, 300_000, ago(3), 300_000);
    await addOrder(db(), tenant.id, lei, 300_000, ago(120));
    await addOrder(db(), tenant.id, lei, 100_000, ago(1));
    await afterCustomersChanged(db(), tenant.id, { customerIds: [lei], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, lei)).toEqual([]);
    // all-time spending (aggregates) is ¥4,000, so an all-time rule holds
    const big = await createTag(db(), operator, { groupId, name: '累计大客', kind: 'rule', rule: { metric: 'spent_fen', op: '>=', value: 400_000 } });
    expect(await tagIdsOf(db(), tenant.id, lei)).toEqual([big.id]);
    expect(big.customerCount).toBe(1);
    expect(vip.customerCount).toBe(0);
  });

  it('evaluated as of a later instant, VIP falls off when the spending leaves the 90-day window', async () => {
    const vip = await createTag(db(), operator, { groupId, name: 'VIP', kind: 'rule', rule: VIP });
    const dormant = await createTag(db(), operator, { groupId, name: '沉睡', kind: 'rule', rule: DORMANT });
    const fang = await addCustomer(db(), tenant.id);
    const orderedAt = new Date(Date.now() - days(10));
    await addOrder(db(), tenant.id, fang, 250_000, orderedAt.toISOString());
    expect(await evaluateRuleTags(db(), tenant.id, {})).toEqual([{ tagId: vip.id, added: 1, removed: 0 }, { tagId: dormant.id, added: 0, removed: 0 }]);

    const day89 = new Date(orderedAt.getTime() + days(89));
    expect(await sweepRuleTags(db(), tenant.id, day89)).toEqual({ tags: 2, added: 1, removed: 0 }); // 沉睡 after 60 days
    expect(await tagIdsOf(db(), tenant.id, fang)).toEqual([vip.id, dormant.id].sort());

    const day91 = new Date(orderedAt.getTime() + days(91));
    expect(await sweepRuleTags(db(), tenant.id, day91)).toEqual({ tags: 2, added: 0, removed: 1 });
    expect(await tagIdsOf(db(), tenant.id, fang)).toEqual([dormant.id]);
    const removal = (await tagEvents(db(), tenant.id, fang)).find((e) => e.type === 'tag_removed');
    expect(removal).toMatchObject({ actor: `rule:${vip.id}`, occurredAt: day91.toISOString() });

    // a sweep that finds nothing to change writes nothing
    expect(await sweepRuleTags(db(), tenant.id, day91)).toEqual({ tags: 2, added: 0, removed: 0 });
    expect(await tagEvents(db(), tenant.id, fang)).toHaveLength(3);
  });

  it('高频 counts distinct purchase days in the tenant zone, not orders', async () => {
    const frequent = await createTag(db(), operator, { groupId, name: '高频', kind: 'rule', rule: FREQUENT });
    const jun = await addCustomer(db(), tenant.id);
    const now = new Date('2026-06-30T12:00:00Z');
    // 06-10, 06-15, 06-20 in Shanghai; 06-20T15:30Z is 23:30 on 06-20 locally, the same purchase day
    for (const at of ['2026-06-10T04:00:00Z', '2026-06-15T04:00:00Z', '2026-06-20T04:00:00Z', '2026-06-20T15:30:00Z']) {
      await addOrder(db(), tenant.id, jun, 1_000, at);
    }
    await evaluateRuleTags(db(), tenant.id, { now });
    expect(await tagIdsOf(db(), tenant.id, jun)).toEqual([]);
    // 16:30Z on 06-20 is 00:30 on 06-21 in Shanghai: a fourth purchase day
    await addOrder(db(), tenant.id, jun, 1_000, '2026-06-20T16:30:00Z');
    await evaluateRuleTags(db(), tenant.id, { now });
    expect(await tagIdsOf(db(), tenant.id, jun)).toEqual([frequent.id]);
  });

  it('rules on identities, channels and other tags; the tag they ask about is evaluated first', async () => {
    const manual = await createTag(db(), operator, { groupId, name: '到店' });
    const wecomFan = await createTag(db(), operator, { groupId, name: '企微粉丝', kind: 'rule', rule: { all: [{ identity: 'external_userid' }, { not: { sourceChannel: 'ad' } }] } });
    const care = await createTag(db(), operator, { groupId, name: '重点维护', kind: 'rule', rule: { all: [{ hasTag: wecomFan.id }, { hasTag: manual.id }] } });
    // defined after, but asked about by 重点维护's new rule: must be evaluated before it
    const buyer = await createTag(db(), operator, { groupId, name: '有购买', kind: 'rule', rule: { metric: 'order_count', op: '>', value: 0 } });
    await updateTag(db(), operator, care.id, { rule: { all: [{ hasTag: wecomFan.id }, { hasTag: manual.id }, { hasTag: buyer.id }] } });

    const a = await addCustomer(db(), tenant.id, { sourceChannel: 'store_qr', identities: [['external_userid', `wm-a-${tenant.id}`]] });
    const b = await addCustomer(db(), tenant.id, { sourceChannel: 'ad', identities: [['external_userid', `wm-b-${tenant.id}`]] });
    await tagCustomer(db(), operator, a, [manual.id]);
    await addOrder(db(), tenant.id, a, 5_000, ago(2));
    await afterCustomersChanged(db(), tenant.id, { customerIds: [a, b], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, a)).toEqual([manual.id, wecomFan.id, care.id, buyer.id].sort());
    expect(await tagIdsOf(db(), tenant.id, b)).toEqual([]);
  });

  it('refuses a rule that would make a cycle, or names a tag of another tenant', async () => {
    const a = await createTag(db(), operator, { groupId, name: 'A', kind: 'rule', rule: { lastOrderWithinDays: 7 } });
    const b = await createTag(db(), operator, { groupId, name: 'B', kind: 'rule', rule: { hasTag: a.id } });
    await expect(updateTag(db(), operator, a.id, { rule: { hasTag: b.id } })).rejects.toMatchObject({ code: 'invalid', details: [{ path: 'rule', message: 'makes a cycle of rule tags: A → B → A' }] });
    await expect(updateTag(db(), operator, a.id, { rule: { hasTag: a.id } })).rejects.toMatchObject({ details: [{ path: 'rule', message: 'makes a cycle of rule tags: A → A' }] });

    const other = await newTenant();
    const otherGroup = await createTagGroup(db(), other.id, { name: '价值' });
    const foreign = await createTag(db(), actorOf(other), { groupId: otherGroup.id, name: 'X' });
    await expect(createTag(db(), operator, { groupId, name: 'C', kind: 'rule', rule: { any: [{ lastOrderWithinDays: 1 }, { hasTag: foreign.id }] } }))
      .rejects.toMatchObject({ details: [{ path: 'rule.any[1].hasTag', message: 'no such tag' }] });
    await expect(createTag(db(), operator, { groupId: otherGroup.id, name: 'C' })).rejects.toMatchObject({ details: [{ path: 'groupId', message: 'no such tag group' }] });
  });

  it('evaluate recomputes one rule tag for the whole tenant and reports what changed', async () => {
    const vip = await createTag(db(), operator, { groupId, name: 'VIP', kind: 'rule', rule: VIP });
    const customers = [await addCustomer(db(), tenant.id), await addCustomer(db(), tenant.id), await addCustomer(db(), tenant.id)];
    for (const c of customers) await addOrder(db(), tenant.id, c, 210_000, ago(1));
    expect(await evaluateRuleTag(db(), tenant.id, vip.id)).toEqual({ tagId: vip.id, added: 3, removed: 0 });
    expect(await evaluateRuleTag(db(), tenant.id, vip.id, new Date(Date.now() + days(95)))).toEqual({ tagId: vip.id, added: 0, removed: 3 });
  });
});

describe('rule tags in an exclusive group', () => {
  it('the first-defined rule tag that holds wins; the customer moves from 活跃 to 老客 as time passes', async () => {
    const life = await createTagGroup(db(), tenant.id, { name: '生命周期', exclusive: true });
    const atRisk = await createTag(db(), operator, { groupId: life.id, name: '流失风险' });
    const active = await createTag(db(), operator, { groupId: life.id, name: '活跃', kind: 'rule', rule: { lastOrderWithinDays: 30 } });
    const regular = await createTag(db(), operator, { groupId: life.id, name: '老客', kind: 'rule', rule: { metric: 'order_count', op: '>=', value: 1 } });
    const mei = await addCustomer(db(), tenant.id);
    await tagCustomer(db(), operator, mei, [atRisk.id]);
    const orderedAt = new Date(Date.now() - days(1));
    await addOrder(db(), tenant.id, mei, 3_000, orderedAt.toISOString());
    await afterCustomersChanged(db(), tenant.id, { customerIds: [mei], newIdentities: [] });
    // both rules hold; 活跃 was defined first, and it replaces the manual 流失风险
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([active.id]);
    await sweepRuleTags(db(), tenant.id, new Date(orderedAt.getTime() + days(31)));
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([regular.id]);
    const events = await tagEvents(db(), tenant.id, mei);
    expect(events.map((e) => [e.type, e.tagId, e.replacedBy ?? null])).toEqual([
      ['tag_added', atRisk.id, null],
      ['tag_added', active.id, null],
      ['tag_removed', atRisk.id, active.id],
      ['tag_added', regular.id, null],
      ['tag_removed', active.id, null],
    ]);
  });

  it('precedence follows the group: the winner deleted, the next takes over; no longer exclusive, all that hold are held', async () => {
    const life = await createTagGroup(db(), tenant.id, { name: '生命周期', exclusive: true });
    const active = await createTag(db(), operator, { groupId: life.id, name: '活跃', kind: 'rule', rule: { lastOrderWithinDays: 30 } });
    const regular = await createTag(db(), operator, { groupId: life.id, name: '老客', kind: 'rule', rule: { metric: 'order_count', op: '>=', value: 1 } });
    const mei = await addCustomer(db(), tenant.id);
    await addOrder(db(), tenant.id, mei, 3_000, ago(1));
    await afterCustomersChanged(db(), tenant.id, { customerIds: [mei], newIdentities: [] });
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([active.id]);
    await deleteTag(db(), operator, active.id);
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([regular.id]);
    const buyer = await createTag(db(), operator, { groupId: life.id, name: '购买过', kind: 'rule', rule: { metric: 'spent_fen', op: '>', value: 0 } });
    expect(buyer.customerCount).toBe(0);
    await updateTagGroup(db(), tenant.id, life.id, { exclusive: false });
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([regular.id, buyer.id].sort());
    await expect(updateTagGroup(db(), tenant.id, life.id, { exclusive: true })).rejects.toMatchObject({ code: 'conflict' });
  });
});
