// The journey graph as JSON: nodes with their settings and edges from a node's port to the next
// node. One zod schema reads it for the API, the console and the engine. Pure: no IO.
//
// Ports a node leaves by: entry, action nodes and duration/time waits → next; a condition → yes,
// no; an event wait → event (it came) or timeout; a split → one port per branch key; a holdout →
// next (the treated share; the held-out share stops there); exit → none.
import { z } from 'zod';
import { UUID_PATTERN } from '../ids.ts';

const Uuid = z.string().regex(UUID_PATTERN, 'must be an id (UUID)');
const EventType = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be an event type like order_paid');
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');
const Weekdays = z.array(z.number().int().min(1).max(7)).min(1).max(7).describe('ISO weekdays, 1 = Monday');
const PropertyValue = z.union([z.string().max(200), z.number(), z.boolean()]);
const NodeId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1–40 letters, digits, _ or -');
const Minutes = z.number().int('must be whole minutes').min(1).max(366 * 24 * 60);

export const EntryTrigger = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('event'), eventType: EventType,
    where: z.record(z.string().min(1).max(64), PropertyValue).optional().describe('properties the event must have, by equality'),
  }),
  z.strictObject({ kind: z.literal('segment'), segmentId: Uuid, on: z.enum(['entered', 'exited']) }),
  z.strictObject({
    kind: z.literal('date'), attribute: z.literal('birthday'), at: LocalTime,
    daysBefore: z.number().int().min(0).max(60).default(0),
  }),
  z.strictObject({ kind: z.literal('schedule'), at: LocalTime, weekdays: Weekdays, segmentId: Uuid.optional().describe('only members of this segment; everyone when left out') }),
]);
export type EntryTrigger = z.infer<typeof EntryTrigger>;

export const WaitRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('duration'), minutes: Minutes }),
  z.strictObject({ kind: z.literal('until_time'), at: LocalTime, weekdays: Weekdays }),
  z.strictObject({
    kind: z.literal('event'), eventType: EventType, timeoutMinutes: Minutes,
    // "the order_paid of THAT cart": the awaited event's property equals the entry event's property
    match: z.array(z.strictObject({ property: z.string().min(1).max(64), entryProperty: z.string().min(1).max(64) })).max(5).default([]),
  }),
]);
export type WaitRule = z.infer<typeof WaitRule>;

const Position = z.strictObject({ x: z.number(), y: z.number() });
const base = { id: NodeId, label: z.string().max(60).optional(), position: Position.optional() };

export const JourneyNode = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('entry'), trigger: EntryTrigger }),
  z.strictObject({ ...base, type: z.literal('wait'), wait: WaitRule }),
  z.strictObject({ ...base, type: z.literal('condition'), definition: z.unknown().describe('a segment definition over the customer (tags, segment, attributes, orders, events in a window)') }),
  z.strictObject({
    ...base, type: z.literal('split'),
    branches: z.array(z.strictObject({ key: z.string().regex(/^[a-z0-9_]{1,20}$/, 'must be 1–20 lower-case letters, digits or _'), weight: z.number().int().min(0).max(10_000) })).min(2).max(10),
  }),
  z.strictObject({ ...base, type: z.literal('holdout'), percent: z.number().int().min(1).max(90) }),
  z.strictObject({
    ...base, type: z.literal('send_message'),
    channel: z.enum(['wecom', 'email', 'sms', 'sandbox']), purpose: z.enum(['service', 'marketing']).default('marketing'),
    priority: z.number().int().min(0).max(100).default(50),
    text: z.string().min(1).max(2000), subject: z.string().max(200).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('add_tag'), tagId: Uuid }),
  z.strictObject({ ...base, type: z.literal('remove_tag'), tagId: Uuid }),
  z.strictObject({ ...base, type: z.literal('grant_coupon'), templateId: Uuid }),
  z.strictObject({ ...base, type: z.literal('invite_group'), groupId: Uuid, text: z.string().max(500).default('') }),
  z.strictObject({ ...base, type: z.literal('guide_task'), title: z.string().min(1).max(200), text: z.string().max(2000).default(''), dueInHours: z.number().int().min(0).max(24 * 90).default(24) }),
  z.strictObject({ ...base, type: z.literal('webhook'), text: z.string().min(1).max(4000).describe('the JSON body sent, with variables') }),
  z.strictObject({ ...base, type: z.literal('exit') }),
]);
export type JourneyNode = z.infer<typeof JourneyNode>;
export type NodeType = JourneyNode['type'];

export const JourneyEdge = z.strictObject({
  from: NodeId, to: NodeId,
  port: z.string().regex(/^[a-z0-9_]{1,20}$/).default('next'),
});
export type JourneyEdge = z.infer<typeof JourneyEdge>;

export const ReEntry = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('never') }),
  z.strictObject({ mode: z.literal('after_days'), days: z.number().int().min(1).max(3650) }),
  z.strictObject({ mode: z.literal('always') }),
]);

export const JourneyGraph = z.strictObject({
  nodes: z.array(JourneyNode).max(200),
  edges: z.array(JourneyEdge).max(400),
  goal: z.strictObject({ eventType: EventType, withinDays: z.number().int().min(1).max(365) }).nullable().default(null),
  reEntry: ReEntry.default({ mode: 'never' }),
});
export type JourneyGraph = z.infer<typeof JourneyGraph>;
export type JourneyGraphInput = z.input<typeof JourneyGraph>;

/** The ports a node must connect, in order. */
export function portsOf(node: JourneyNode): string[] {
  switch (node.type) {
    case 'exit': return [];
    case 'condition': return ['yes', 'no'];
    case 'split': return node.branches.map((b) => b.key);
    case 'wait': return node.wait.kind === 'event' ? ['event', 'timeout'] : ['next'];
    default: return ['next'];
  }
}

/** The node's outgoing edge by port. */
export function edgeMap(graph: Pick<JourneyGraph, 'edges'>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const e of graph.edges) {
    const ports = out.get(e.from) ?? new Map<string, string>();
    if (!ports.has(e.port)) ports.set(e.port, e.to);
    out.set(e.from, ports);
  }
  return out;
}

export function entryOf(graph: JourneyGraph): Extract<JourneyNode, { type: 'entry' }> | undefined {
  return graph.nodes.find((n): n is Extract<JourneyNode, { type: 'entry' }> => n.type === 'entry');
}

/** Event types a published graph listens to: its event entry, segment entry, event waits and goal. */
export function listenedTypes(graph: JourneyGraph): string[] {
  const types = new Set<string>();
  for (const n of graph.nodes) {
    if (n.type === 'entry' && n.trigger.kind === 'event') types.add(n.trigger.eventType);
    if (n.type === 'entry' && n.trigger.kind === 'segment') types.add(n.trigger.on === 'entered' ? 'segment_entered' : 'segment_exited');
    if (n.type === 'wait' && n.wait.kind === 'event') types.add(n.wait.eventType);
  }
  if (graph.goal) types.add(graph.goal.eventType);
  return [...types].sort();
}
