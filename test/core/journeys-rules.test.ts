// The pure rules of journeys, table by table: what publishing refuses (and on which node), when
// waits end, how splits and holdouts fall, how templates fill in, and the walk itself.
import { describe, expect, it } from 'vitest';
import { compileGraph, walk, type InstanceState } from '../../src/core/journeys/journeys.engine.ts';
import { JourneyGraph, listenedTypes, type JourneyGraphInput } from '../../src/core/journeys/journeys.graph.ts';
import {
  checkGraph, inHoldout, mayReEnter, nextLocalTime, propertiesMatch, renderTemplate, splitBranch, templateVariables, waitEnds,
} from '../../src/core/journeys/journeys.rules.ts';

const TAG = '0190b1c2-0000-7000-8000-000000000001';
const SEG = '0190b1c2-0000-7000-8000-000000000002';

/** entry → msg → end, with whatever a case changes. */
function base(): JourneyGraphInput & { nodes: JourneyGraphInput['nodes']; edges: NonNullable<JourneyGraphInput['edges']> } {
  return {
    nodes: [
      { id: 'in', type: 'entry', trigger: { kind: 'event', eventType: 'cart_created' } },
      { id: 'msg', type: 'send_message', channel: 'wecom', text: '{{name}} 您好，{{event.cartId}}' },
      { id: 'end', type: 'exit' },
    ],
    edges: [{ from: 'in', to: 'msg' }, { from: 'msg', to: 'end' }],
  };
}

type Case = [string, (g: ReturnType<typeof base>) => void, { nodeId?: string; path?: string; message: RegExp } | null];

const cases: Case[] = [
  ['a valid graph publishes', () => {}, null],
  ['an unreachable node', (g) => { g.nodes.push({ id: 'lost', type: 'exit' }); }, { nodeId: 'lost', message: /cannot be reached/ }],
  ['a condition with its no branch missing', (g) => {
    g.nodes.push({ id: 'vip', type: 'condition', definition: { field: 'tags', op: 'has_any', value: [TAG] } });
    g.edges.splice(0, 1, { from: 'in', to: 'vip' }, { from: 'vip', port: 'yes', to: 'msg' });
  }, { nodeId: 'vip', message: /the no branch leads nowhere/ }],
  ['an event wait without its timeout edge', (g) => {
    g.nodes.push({ id: 'w', type: 'wait', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 120 } });
    g.edges.splice(0, 1, { from: 'in', to: 'w' }, { from: 'w', port: 'event', to: 'msg' });
  }, { nodeId: 'w', message: /timeout branch leads nowhere/ }],
  ['a loop with no wait', (g) => {
    g.nodes.push({ id: 'tag', type: 'add_tag', tagId: TAG });
    g.edges.splice(1, 1, { from: 'msg', to: 'tag' }, { from: 'tag', to: 'msg' });
    g.nodes = g.nodes.filter((n) => n.id !== 'end');
  }, { message: /loop with no wait/ }],
  ['a template variable that does not exist', (g) => {
    const msg = g.nodes[1];
    if (msg?.type === 'send_message') msg.text = '亲爱的 {{nick_name}}';
  }, { nodeId: 'msg', path: 'graph.nodes.msg.text', message: /\{\{nick_name\}\}, which is not a variable/ }],
  ['event properties in a journey not entered by an event', (g) => {
    g.nodes[0] = { id: 'in', type: 'entry', trigger: { kind: 'segment', segmentId: SEG, on: 'entered' } };
  }, { nodeId: 'msg', message: /only a journey entered by an event/ }],
  ['an edge from a port the node lacks', (g) => { g.edges.push({ from: 'msg', port: 'yes', to: 'end' }); }, { nodeId: 'msg', message: /has no port yes/ }],
  ['two entries', (g) => { g.nodes.push({ id: 'in2', type: 'entry', trigger: { kind: 'event', eventType: 'x' } }); g.edges.push({ from: 'in2', to: 'end' }); }, { path: 'graph.nodes', message: /exactly one entry/ }],
  ['a split whose weights are all zero', (g) => {
    g.nodes.push({ id: 'ab', type: 'split', branches: [{ key: 'a', weight: 0 }, { key: 'b', weight: 0 }] });
    g.edges.splice(0, 1, { from: 'in', to: 'ab' }, { from: 'ab', port: 'a', to: 'msg' }, { from: 'ab', port: 'b', to: 'end' });
  }, { nodeId: 'ab', message: /weight 0/ }],
  ['a condition definition that does not read', (g) => {
    g.nodes.push({ id: 'c', type: 'condition', definition: { field: 'shoe_size', op: 'eq', value: 1 } });
    g.edges.splice(0, 1, { from: 'in', to: 'c' }, { from: 'c', port: 'yes', to: 'msg' }, { from: 'c', port: 'no', to: 'end' });
  }, { nodeId: 'c', message: /shoe_size|field/ }],
  ['a node with a bad setting (shape), named by its id', (g) => {
    g.nodes[1] = { id: 'msg', type: 'send_message', channel: 'wecom', text: '' };
  }, { nodeId: 'msg', message: /.+/ }],
];

describe('publishing checks', () => {
  it.each(cases)('%s', (_name, change, expected) => {
    const g = base();
    change(g);
    const checked = checkGraph(g);
    if (expected === null) {
      expect(checked.ok).toBe(true);
      return;
    }
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toContainEqual(expect.objectContaining({
      ...(expected.nodeId ? { nodeId: expected.nodeId } : {}), ...(expected.path ? { path: expected.path } : {}), message: expect.stringMatching(expected.message),
    }));
  });
});

describe('waits', () => {
  const tz = 'Asia/Shanghai';
  it.each([
    // from (UTC), at, weekdays → end (UTC)
    ['2026-05-04T00:00:00Z', '09:30', [1, 2, 3, 4, 5], '2026-05-04T01:30:00.000Z'], // Monday 08:00 local → 09:30 today
    ['2026-05-04T02:00:00Z', '09:30', [1, 2, 3, 4, 5], '2026-05-05T01:30:00.000Z'], // Monday 10:00 local → Tuesday
    ['2026-05-08T02:00:00Z', '09:30', [1, 2, 3, 4, 5], '2026-05-11T01:30:00.000Z'], // Friday 10:00 → Monday
    ['2026-05-03T15:59:00Z', '00:00', [1], '2026-05-03T16:00:00.000Z'], // Sunday 23:59 → Monday 00:00
    ['2026-05-04T01:30:00Z', '09:30', [1], '2026-05-04T01:30:00.000Z'], // exactly at the time: now
  ] as const)('from %s until %s on %j → %s', (from, atTime, days, end) => {
    expect(nextLocalTime(new Date(from), atTime, days, tz).toISOString()).toBe(end);
  });
  it('durations and event timeouts count minutes from the start', () => {
    const from = new Date('2026-05-01T00:00:00Z');
    expect(waitEnds({ kind: 'duration', minutes: 90 }, from, tz).toISOString()).toBe('2026-05-01T01:30:00.000Z');
    expect(waitEnds({ kind: 'event', eventType: 'order_paid', timeoutMinutes: 120, match: [] }, from, tz).toISOString()).toBe('2026-05-01T02:00:00.000Z');
  });
});

describe('splits, holdouts, templates, re-entry', () => {
  it('splits by weight and the same way every time', () => {
    const branches = [{ key: 'a', weight: 70 }, { key: 'b', weight: 20 }, { key: 'c', weight: 10 }];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[splitBranch(branches, `j:n:${i}`)] = (counts[splitBranch(branches, `j:n:${i}`)] ?? 0) + 1;
    expect(counts.a).toBeGreaterThan(6700);
    expect(counts.a).toBeLessThan(7300);
    expect(counts.c).toBeGreaterThan(800);
    expect(counts.c).toBeLessThan(1200);
    expect(splitBranch(branches, 'j:n:42')).toBe(splitBranch(branches, 'j:n:42'));
    expect(splitBranch([{ key: 'a', weight: 0 }, { key: 'b', weight: 5 }], 'anything')).toBe('b');
  });
  it('holds out about the stated percent', () => {
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (inHoldout(10, `c${i}`)) held++;
    expect(held).toBeGreaterThan(850);
    expect(held).toBeLessThan(1150);
  });
  it.each([
    ['{{name}}，生日快乐', { name: '陈美' }, {}, '陈美，生日快乐'],
    ['{{ name }}的券 {{coupon_code}}', { name: '张磊', coupon_code: 'AB12' }, {}, '张磊的券 AB12'],
    ['购物车 {{event.cartId}} 共 {{event.count}} 件', {}, { cartId: 'C1', count: 3 }, '购物车 C1 共 3 件'],
    ['{{store}}', {}, {}, ''],
  ] as const)('%s', (text, values, event, expected) => {
    expect(renderTemplate(text, values, event)).toBe(expected);
  });
  it('lists the variables a text uses', () => {
    expect(templateVariables('{{name}} {{event.x}} {{name}}')).toEqual(['name', 'event.x']);
  });
  it.each([
    [{ mode: 'never' as const }, undefined, true],
    [{ mode: 'never' as const }, '2026-01-01T00:00:00Z', false],
    [{ mode: 'always' as const }, '2026-05-01T00:00:00Z', true],
    [{ mode: 'after_days' as const, days: 30 }, '2026-04-10T00:00:00Z', false],
    [{ mode: 'after_days' as const, days: 30 }, '2026-04-01T00:00:00Z', true],
  ])('re-entry %j after an entry at %s → %s', (rule, last, expected) => {
    expect(mayReEnter(rule, last ? new Date(last) : undefined, new Date('2026-05-01T00:00:00Z'))).toBe(expected);
  });
  it('matches properties by equality', () => {
    expect(propertiesMatch({ cartId: 'C1', n: 2 }, { cartId: 'C1' })).toBe(true);
    expect(propertiesMatch({ cartId: 'C2' }, { cartId: 'C1' })).toBe(false);
    expect(propertiesMatch({}, undefined)).toBe(true);
  });
});

describe('the walk', () => {
  const graph = JourneyGraph.parse({
    nodes: [
      { id: 'in', type: 'entry', trigger: { kind: 'event', eventType: 'cart_created' } },
      { id: 'hold', type: 'holdout', percent: 50 },
      { id: 'w', type: 'wait', wait: { kind: 'duration', minutes: 60 } },
      { id: 'c', type: 'condition', definition: { field: 'order_count', op: 'gte', value: 1 } },
      { id: 'msg', type: 'send_message', channel: 'sms', text: 'hi' },
      { id: 'end', type: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'hold' }, { from: 'hold', to: 'w' }, { from: 'w', to: 'c' },
      { from: 'c', port: 'yes', to: 'end' }, { from: 'c', port: 'no', to: 'msg' }, { from: 'msg', to: 'end' },
    ],
  });
  const fresh = (customerId: string): InstanceState => ({
    id: 'i', journeyId: 'j', version: 1, customerId, status: 'active', nodeId: 'in', phase: 'arrive', wakeAt: null,
    waitEventType: null, waitMatch: null, resumePort: null, stepCount: 0, context: {},
  });
  it('parks at waits, stops at conditions for an answer, and ends; held-out customers stop at the holdout', () => {
    const compiled = compileGraph(graph);
    const ctx = { now: new Date('2026-05-01T00:00:00Z'), timeZone: 'Asia/Shanghai' };
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const inst = fresh(`cust-${i}`);
      const first = walk(compiled, inst, ctx);
      if (inst.status === 'held_out') {
        expect(first.steps.map((s) => `${s.nodeId}:${s.outcome}`)).toEqual(['in:next', 'hold:held_out']);
        outcomes.add('held_out');
        continue;
      }
      expect(first.stoppedAt).toBe('wait');
      expect(inst.wakeAt?.toISOString()).toBe('2026-05-01T01:00:00.000Z');
      expect(walk(compiled, inst, ctx).steps).toEqual([]); // not due yet
      const later = { ...ctx, now: new Date('2026-05-01T01:00:00Z') };
      expect(walk(compiled, inst, later).stoppedAt).toBe('condition');
      const done = walk(compiled, inst, { ...later, conditionAnswer: false });
      expect(done.actions.map((a) => a.kind)).toEqual(['message']);
      expect(inst.status).toBe('completed');
      expect(inst.stepCount).toBe(6);
      outcomes.add('completed');
    }
    expect(outcomes).toEqual(new Set(['held_out', 'completed']));
  });
  it('lists the event types a graph listens to', () => {
    expect(listenedTypes(JourneyGraph.parse({ ...graph, goal: { eventType: 'order_paid', withinDays: 7 } }))).toEqual(['cart_created', 'order_paid']);
  });
});
