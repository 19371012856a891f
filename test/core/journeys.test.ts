// The journey engine on the real database with its own clock: events reach journeys through the
// trigger on events whatever wrote them, event waits resume or time out, a published version keeps
// its running instances when the journey is edited and published again, re-entry rules hold,
// splits are stable, and what nodes ask for lands in messages, tags and guide tasks.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { drainAll } from '../../src/core/segments/membership.service.ts';
import { createSegment } from '../../src/core/segments/segments.service.ts';
import { tagCustomer } from '../../src/core/tags/customer-tags.service.ts';
import { newId } from '../../src/core/ids.ts';
import { drainInbox, enrol } from '../../src/core/journeys/entry.service.ts';
import type { JourneyGraphInput } from '../../src/core/journeys/journeys.graph.ts';
import { createJourney, publishJourney, setJourneyStatus, updateJourney } from '../../src/core/journeys/journeys.service.ts';
import { journeyStats } from '../../src/core/journeys/stats.service.ts';
import { runDue } from '../../src/core/journeys/runner.service.ts';
import { sweepDateEntries } from '../../src/core/journeys/sweep.service.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
let seq = 0;
const ev = (type: string, customerId: string, properties: Record<string, unknown>, occurredAt: string) =>
  ({ id: `jr-${run}-${++seq}`, type, occurredAt, customer: { customerId }, properties });
const at = (iso: string): Date => new Date(iso);

async function tagOf(tenantId: string): Promise<string> {
  const groupId = newId();
  const tagId = newId();
  await db().insertInto('tag_groups').values({ tenant_id: tenantId, id: groupId, name: `旅程 ${run}` }).execute();
  await db().insertInto('tags').values({ tenant_id: tenantId, id: tagId, group_id: groupId, name: '加购未付' }).execute();
  return tagId;
}

/** Cart created → wait 2 h for order_paid of that cart → paid: exit; not paid: message, tag, and a branch on the tag. */
function cartJourney(tagId: string, text = '{{name}}，您的购物车 {{event.cartId}} 还在等您'): JourneyGraphInput {
  return {
    nodes: [
      { id: 'start', type: 'entry', trigger: { kind: 'event', eventType: 'cart_created' } },
      { id: 'wait_pay', type: 'wait', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 120, match: [{ property: 'cartId', entryProperty: 'cartId' }] } },
      { id: 'paid', type: 'exit' },
      { id: 'remind', type: 'send_message', channel: 'sandbox', text, priority: 60 },
      { id: 'tag', type: 'add_tag', tagId },
      { id: 'tagged', type: 'condition', definition: { field: 'tags', op: 'has_any', value: [tagId] } },
      { id: 'task', type: 'guide_task', title: '跟进 {{name}} 的购物车', dueInHours: 4 },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'start', to: 'wait_pay' }, { from: 'wait_pay', port: 'event', to: 'paid' }, { from: 'wait_pay', port: 'timeout', to: 'remind' },
      { from: 'remind', to: 'tag' }, { from: 'tag', to: 'tagged' }, { from: 'tagged', port: 'yes', to: 'task' }, { from: 'tagged', port: 'no', to: 'done' },
      { from: 'task', to: 'done' },
    ],
    goal: { eventType: 'order_paid', withinDays: 7 },
  };
}

async function instancesOf(tenantId: string) {
  return db().selectFrom('journey_instances').selectAll().where('tenant_id', '=', tenantId).orderBy('entered_at').execute();
}

describe('journey engine', () => {
  it('waits for the order of that cart: paid in time leaves by the event; not paid times out into a message, a tag and a task', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const tagId = await tagOf(tenant.id);
    const j = await createJourney(db(), actor, { name: '加购挽回', graph: cartJourney(tagId) });
    await publishJourney(db(), actor, j.id);
    const { mei, lei } = world.customers;

    await ingestEvents(db(), actor, [
      ev('cart_created', mei, { cartId: 'C1' }, '2026-05-01T02:00:00Z'),
      ev('cart_created', lei, { cartId: 'C2' }, '2026-05-01T02:00:00Z'),
      ev('page_viewed', lei, {}, '2026-05-01T02:00:00Z'),
    ]);
    // only the listened type reached the inbox
    const inbox = await db().selectFrom('journey_inbox').select('type').where('tenant_id', '=', tenant.id).execute();
    expect(inbox.map((r) => r.type)).toEqual(['cart_created', 'cart_created']);
    // and the statement queued one journey_events job for the tenant, which the worker runs after commit
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
      where task_identifier = 'journey_events' and key = ${`journey_events:${tenant.id}`}`.execute(db());
    expect(jobs.rows[0]?.n).toBe(1);
    const first = await drainInbox(db(), tenant.id, at('2026-05-01T02:00:05Z'));
    expect(first).toMatchObject({ events: 2, enrolled: 2 });
    expect((await instancesOf(tenant.id)).map((i) => [i.node_id, i.phase, i.wake_at?.toISOString()])).toEqual([
      ['wait_pay', 'wait', '2026-05-01T04:00:05.000Z'], ['wait_pay', 'wait', '2026-05-01T04:00:05.000Z'],
    ]);

    // 张磊 pays another cart (no match), then cart C2; 陈美 pays nothing
    await ingestEvents(db(), actor, [
      ev('order_paid', lei, { cartId: 'C9', orderNo: `O-${run}-1`, paidFen: 100, channel: 'miniprogram' }, '2026-05-01T02:30:00Z'),
    ]);
    // another cart's order resumes nothing, but it is an order_paid: the goal is met
    expect(await drainInbox(db(), tenant.id, at('2026-05-01T02:30:05Z'))).toMatchObject({ resumed: 0, converted: 1 });
    await ingestEvents(db(), actor, [
      ev('order_paid', lei, { cartId: 'C2', orderNo: `O-${run}-2`, paidFen: 100, channel: 'miniprogram' }, '2026-05-01T03:00:00Z'),
    ]);
    expect(await drainInbox(db(), tenant.id, at('2026-05-01T03:00:05Z'))).toMatchObject({ resumed: 1, converted: 0 });

    // before the timeout nothing moves; after it 陈美 goes on
    expect((await runDue(db(), tenant.id, { now: at('2026-05-01T03:59:00Z') })).instances).toBe(0);
    await runDue(db(), tenant.id, { now: at('2026-05-01T04:01:00Z') });
    const rows = await instancesOf(tenant.id);
    const byCustomer = new Map(rows.map((r) => [r.customer_id, r]));
    expect(byCustomer.get(lei)).toMatchObject({ status: 'completed', node_id: 'paid' });
    expect(byCustomer.get(lei)?.converted_at?.toISOString()).toBe('2026-05-01T02:30:00.000Z');
    expect(byCustomer.get(mei)).toMatchObject({ status: 'completed', node_id: 'done', converted_at: null });

    const messages = await db().selectFrom('messages').select(['customer_id', 'channel', 'priority', 'content', 'source_kind', 'dedupe_key'])
      .where('tenant_id', '=', tenant.id).execute();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ customer_id: mei, channel: 'sandbox', priority: 60, source_kind: 'journey', content: { text: '陈美，您的购物车 C1 还在等您' } });
    expect(messages[0]?.dedupe_key).toMatch(new RegExp(`^journey:${byCustomer.get(mei)?.id}:remind:`));
    const tags = await db().selectFrom('customer_tags').select('customer_id').where('tenant_id', '=', tenant.id).where('tag_id', '=', tagId).execute();
    expect(tags.map((t) => t.customer_id)).toEqual([mei]);
    // the condition saw the tag written a step before it
    const tasks = await db().selectFrom('guide_tasks').select(['customer_id', 'staff_id', 'title', 'due_at']).where('tenant_id', '=', tenant.id).execute();
    expect(tasks).toEqual([{ customer_id: mei, staff_id: world.staff.li, title: '跟进 陈美 的购物车', due_at: at('2026-05-01T08:01:00Z') }]);

    const steps = await db().selectFrom('journey_steps').select(['node_id', 'outcome']).where('tenant_id', '=', tenant.id)
      .where('instance_id', '=', byCustomer.get(mei)?.id ?? '').orderBy('seq').execute();
    expect(steps.map((s) => `${s.node_id}:${s.outcome}`)).toEqual(['start:next', 'wait_pay:timeout', 'remind:next', 'tag:next', 'tagged:yes', 'task:next', 'done:exited']);

    const stats = await journeyStats(db(), tenant.id, j.id);
    const node = (id: string) => stats.nodes.find((n) => n.nodeId === id);
    expect(node('start')).toMatchObject({ entered: 2, passed: 2, waiting: 0, converted: 1 });
    expect(node('paid')).toMatchObject({ entered: 1, converted: 1 });
    expect(node('remind')).toMatchObject({ entered: 1, passed: 1, converted: 0 });
  });

  it('keeps running instances on their version when the live journey is edited and published again', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const tagId = await tagOf(tenant.id);
    const j = await createJourney(db(), actor, { name: 'v', graph: cartJourney(tagId, '旧文案 {{name}}') });
    await publishJourney(db(), actor, j.id);
    await ingestEvents(db(), actor, [ev('cart_created', world.customers.mei, { cartId: 'A' }, '2026-05-01T02:00:00Z')]);
    await drainInbox(db(), tenant.id, at('2026-05-01T02:00:00Z'));

    // v2 drops the wait node the running instance stands at, and changes the text
    const v2 = cartJourney(tagId, '新文案 {{name}}');
    v2.nodes = v2.nodes.filter((n) => n.id !== 'wait_pay' && n.id !== 'paid');
    v2.edges = [{ from: 'start', to: 'remind' }, ...v2.edges.filter((e) => e.from !== 'start' && e.from !== 'wait_pay')];
    await updateJourney(db(), actor, j.id, { graph: v2 });
    expect((await publishJourney(db(), actor, j.id)).version).toBe(2);
    await ingestEvents(db(), actor, [ev('cart_created', world.customers.lei, { cartId: 'B' }, '2026-05-01T02:10:00Z')]);
    await drainInbox(db(), tenant.id, at('2026-05-01T02:10:00Z'));
    await runDue(db(), tenant.id, { now: at('2026-05-01T05:00:00Z') });

    const rows = await instancesOf(tenant.id);
    expect(rows.map((r) => [r.customer_id, r.version, r.status])).toEqual([[world.customers.mei, 1, 'completed'], [world.customers.lei, 2, 'completed']]);
    const texts = await db().selectFrom('messages').select(['customer_id', 'content']).where('tenant_id', '=', tenant.id).execute();
    const text = new Map(texts.map((t) => [t.customer_id, t.content.text]));
    expect(text.get(world.customers.mei)).toBe('旧文案 陈美');
    expect(text.get(world.customers.lei)).toBe('新文案 张磊');
  });

  it('applies re-entry rules and at most one running instance per customer', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const tagId = await tagOf(tenant.id);
    const mk = async (reEntry: JourneyGraphInput['reEntry']) => {
      const j = await createJourney(db(), actor, { name: 'r', graph: { ...cartJourney(tagId), reEntry } });
      await publishJourney(db(), actor, j.id);
      return j.id;
    };
    const never = await mk({ mode: 'never' });
    const after = await mk({ mode: 'after_days', days: 3 });
    const mei = world.customers.mei;
    const enrolment = (journeyId: string, key: string, when: string, reEntry: JourneyGraphInput['reEntry']) => ({
      journeyId, version: 1, customerId: mei, entryKey: key, entryNodeId: 'start', at: at(when), event: { cartId: key }, reEntry: reEntry ?? { mode: 'never' as const },
    });
    expect(await enrol(db(), tenant.id, [enrolment(never, 'a', '2026-05-01T00:00:00Z', { mode: 'never' }), enrolment(after, 'a', '2026-05-01T00:00:00Z', { mode: 'after_days', days: 3 })])).toBe(2);
    // still running: nobody enters twice at once
    expect(await enrol(db(), tenant.id, [enrolment(after, 'b', '2026-05-05T00:00:00Z', { mode: 'after_days', days: 3 })])).toBe(0);
    await runDue(db(), tenant.id, { now: at('2026-05-01T03:00:00Z') });
    await runDue(db(), tenant.id, { now: at('2026-05-01T05:01:00Z') });
    expect((await instancesOf(tenant.id)).every((i) => i.status === 'completed')).toBe(true);
    expect(await enrol(db(), tenant.id, [enrolment(never, 'c', '2026-05-09T00:00:00Z', { mode: 'never' })])).toBe(0);
    expect(await enrol(db(), tenant.id, [enrolment(after, 'd', '2026-05-02T00:00:00Z', { mode: 'after_days', days: 3 })])).toBe(0);
    expect(await enrol(db(), tenant.id, [enrolment(after, 'e', '2026-05-04T00:00:01Z', { mode: 'after_days', days: 3 })])).toBe(1);
    // the same entry key twice is one instance
    expect(await enrol(db(), tenant.id, [enrolment(after, 'e', '2026-05-04T00:00:01Z', { mode: 'always' })])).toBe(0);
  });

  it('splits by stated weights, the same way on every run, and waits until a local time on allowed weekdays', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    const customers = Array.from({ length: 400 }, () => newId());
    await db().insertInto('customers').values(customers.map((id) => ({ tenant_id: tenant.id, id, name: 'x' }))).execute();
    const j = await createJourney(db(), actor, {
      name: 's', graph: {
        nodes: [
          { id: 'in', type: 'entry', trigger: { kind: 'event', eventType: 'joined' } },
          { id: 'ab', type: 'split', branches: [{ key: 'a', weight: 80 }, { key: 'b', weight: 20 }] },
          { id: 'morning', type: 'wait', wait: { kind: 'until_time', at: '09:30', weekdays: [1, 2, 3, 4, 5] } },
          { id: 'out', type: 'exit' },
        ],
        edges: [{ from: 'in', to: 'ab' }, { from: 'ab', port: 'a', to: 'morning' }, { from: 'ab', port: 'b', to: 'out' }, { from: 'morning', to: 'out' }],
      },
    });
    await publishJourney(db(), actor, j.id);
    // Saturday 2026-05-02 12:00 Shanghai: the next weekday 09:30 is Monday 2026-05-04 01:30 UTC
    const now = at('2026-05-02T04:00:00Z');
    await enrol(db(), tenant.id, customers.map((c) => ({ journeyId: j.id, version: 1, customerId: c, entryKey: 'x', entryNodeId: 'in', at: now, reEntry: { mode: 'never' as const } })));
    await runDue(db(), tenant.id, { now, batchSize: 150 });
    const rows = await instancesOf(tenant.id);
    const waiting = rows.filter((r) => r.status === 'active');
    expect(new Set(waiting.map((r) => r.wake_at?.toISOString()))).toEqual(new Set(['2026-05-04T01:30:00.000Z']));
    const share = waiting.length / rows.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.88);
    // a second tenant with the same customers and journey id would split the same: the arm is a function of ids
    const { splitBranch } = await import('../../src/core/journeys/journeys.rules.ts');
    for (const r of rows) {
      const arm = splitBranch([{ key: 'a', weight: 80 }, { key: 'b', weight: 20 }], `${j.id}:ab:${r.customer_id}`);
      expect(arm === 'a').toBe(r.status === 'active');
    }
  });

  it('pauses: nobody enters and nobody moves until resumed; birthdays enter at the local hour', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const j = await createJourney(db(), actor, {
      name: '生日', graph: {
        nodes: [
          { id: 'bd', type: 'entry', trigger: { kind: 'date', attribute: 'birthday', at: '10:00' } },
          { id: 'hi', type: 'send_message', channel: 'wecom', text: '{{name}}生日快乐！' },
          { id: 'end', type: 'exit' },
        ],
        edges: [{ from: 'bd', to: 'hi' }, { from: 'hi', to: 'end' }],
      },
    });
    await publishJourney(db(), actor, j.id);
    // 陈美 was born on 05-20; at 08:00 Shanghai on 2026-05-20 she enters, due at 10:00 local
    expect(await sweepDateEntries(db(), tenant.id, at('2026-05-20T00:00:00Z'))).toBe(1);
    expect(await sweepDateEntries(db(), tenant.id, at('2026-05-20T01:00:00Z'))).toBe(0);
    await setJourneyStatus(db(), actor, j.id, 'paused');
    expect((await runDue(db(), tenant.id, { now: at('2026-05-20T02:30:00Z') })).instances).toBe(0);
    await setJourneyStatus(db(), actor, j.id, 'live');
    expect((await runDue(db(), tenant.id, { now: at('2026-05-20T02:30:00Z') })).instances).toBe(1);
    const [m] = await db().selectFrom('messages').select(['customer_id', 'content', 'channel']).where('tenant_id', '=', tenant.id).execute();
    expect(m).toEqual({ customer_id: world.customers.mei, channel: 'wecom', content: { text: '陈美生日快乐！' } });
  });

  it('refuses to publish a graph with problems, naming the node', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    const j = await createJourney(db(), actor, {
      name: 'bad', graph: {
        nodes: [
          { id: 'in', type: 'entry', trigger: { kind: 'segment', segmentId: newId(), on: 'entered' } },
          { id: 'msg', type: 'send_message', channel: 'sms', text: '{{nickname}} 你好' },
          { id: 'end', type: 'exit' },
        ],
        edges: [{ from: 'in', to: 'msg' }, { from: 'msg', to: 'end' }],
      },
    });
    await expect(publishJourney(db(), actor, j.id)).rejects.toMatchObject({
      code: 'invalid', details: [{ path: 'graph.nodes.msg.text', message: expect.stringContaining('{{nickname}}') }],
    });
    const n = await sql<{ n: number }>`select count(*)::int as n from journey_versions where tenant_id = ${tenant.id}`.execute(db());
    expect(n.rows[0]?.n).toBe(0);
  });

  it('moves instances to the surviving profile when profiles merge, stopping a second run of the same journey', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const tagId = await tagOf(tenant.id);
    const both = await createJourney(db(), actor, { name: 'both', graph: cartJourney(tagId) });
    await publishJourney(db(), actor, both.id);
    const { mei, lei } = world.customers;
    await ingestEvents(db(), actor, [ev('cart_created', mei, { cartId: 'M' }, '2026-05-01T02:00:00Z'), ev('cart_created', lei, { cartId: 'L' }, '2026-05-01T02:00:00Z')]);
    await drainInbox(db(), tenant.id, at('2026-05-01T02:00:00Z'));
    await mergeCustomers(db(), tenant.id, [{ survivorId: mei, mergedIds: [lei], identities: [] }], { source: 'test' });
    const rows = await instancesOf(tenant.id);
    expect(rows.map((r) => [r.customer_id, r.status]).sort()).toEqual([[mei, 'active'], [mei, 'exited']].sort());
  });

  it('lets customers in when they enter a segment, whichever write put them there (a tag added by hand here)', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const tagId = await tagOf(tenant.id);
    const segment = await createSegment(db(), actor, { name: '加购未付', definition: { field: 'tags', op: 'has_any', value: [tagId] } });
    const j = await createJourney(db(), actor, {
      name: '进入人群', graph: {
        nodes: [
          { id: 'in', type: 'entry', trigger: { kind: 'segment', segmentId: segment.id, on: 'entered' } },
          { id: 'hi', type: 'send_message', channel: 'sandbox', text: '{{name}}，给您留了优惠' },
          { id: 'end', type: 'exit' },
        ],
        edges: [{ from: 'in', to: 'hi' }, { from: 'hi', to: 'end' }],
      },
    });
    await publishJourney(db(), actor, j.id);
    await tagCustomer(db(), actor, world.customers.fang, [tagId]);
    // the segment worker evaluates the queued customer and writes segment_entered; the trigger passes it on
    expect((await drainAll(db(), tenant.id)).entered).toBe(1);
    const outcome = await drainInbox(db(), tenant.id, new Date());
    expect(outcome).toMatchObject({ events: 1, enrolled: 1 });
    const [m] = await db().selectFrom('messages').select(['customer_id', 'content']).where('tenant_id', '=', tenant.id).execute();
    expect(m).toEqual({ customer_id: world.customers.fang, content: { text: '陈芳，给您留了优惠' } });
  });
});
