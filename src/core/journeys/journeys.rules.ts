// The rules of journeys, pure: whether a graph may be published (each refusal names its node),
// when a wait ends, which arm of a split a customer takes, and how a template is filled in.
import { createHash } from 'node:crypto';
import type { ErrorDetail } from '../errors.ts';
import { issueDetail, isSchemaIssueCode, type SchemaIssueCode } from '../zod-details.ts';
import { checkDefinition } from '../segments/segments.rules.ts';
import { startOfLocalDay, zoneOffsetMinutes } from '../time.ts';
import { JourneyGraph, edgeMap, entryOf, portsOf, type JourneyNode, type WaitRule } from './journeys.graph.ts';

/** Variables a template may use; `event.<property>` also reads the entry event's properties. */
export const TEMPLATE_VARIABLES = ['name', 'city', 'store', 'guide', 'coupon_code', 'journey'] as const;
const VARIABLE = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

export interface GraphProblem extends ErrorDetail {
  /** The node the problem is on, when it is on one. */
  nodeId?: string;
  /** What kind of problem, for the console to say in the operator's language (with `vars`). */
  code?: ProblemCode;
  vars?: Record<string, string>;
}

export const JOURNEY_PROBLEM_CODES = [
  'unreachable', 'open_port', 'loop_without_wait', 'unknown_variable', 'event_variable', 'entry_count',
  'duplicate_id', 'edge_from_missing', 'edge_to_missing', 'no_such_port', 'two_edges_from_port', 'edge_to_entry',
  'split_same_key', 'split_zero_weights', 'wait_match_needs_event', 'unknown_reference', 'condition_invalid',
] as const;
/** A journey's own kind of problem, or a schema issue (a setting out of bounds), worded generically. */
export type ProblemCode = (typeof JOURNEY_PROBLEM_CODES)[number] | SchemaIssueCode;

/** A detail's params as the string vars a problem carries. */
const varsOf = (params: ErrorDetail['params']): Record<string, string> =>
  Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, String(v ?? '')]));

/** A schema issue at `path` as a problem (its zod code and bounds kept for the console). */
function schemaProblem(path: string, message: string, detail: ErrorDetail, nodeId?: string): GraphProblem {
  return { path, message, ...(isSchemaIssueCode(detail.code) ? { code: detail.code, vars: varsOf(detail.params) } : {}), ...(nodeId ? { nodeId } : {}) };
}

export type GraphCheck = { ok: true; graph: JourneyGraph } | { ok: false; problems: GraphProblem[] };

const nodePath = (id: string): string => `graph.nodes.${id}`;

/** Reads a graph (shape) and checks it can be published (meaning). */
export function checkGraph(input: unknown): GraphCheck {
  const parsed = JourneyGraph.safeParse(input);
  if (!parsed.success) {
    const nodes = typeof input === 'object' && input !== null && 'nodes' in input && Array.isArray(input.nodes) ? input.nodes : [];
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const [first, index] = issue.path;
        const raw: unknown = first === 'nodes' && typeof index === 'number' ? nodes[index] : undefined;
        const nodeId = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
        const path = ['graph', ...issue.path.map(String)].join('.');
        return schemaProblem(path, issue.message, issueDetail(path, issue), nodeId);
      }),
    };
  }
  const problems = graphProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, graph: parsed.data };
}

/** What keeps a well-formed graph from being published, each problem on the node it concerns. */
export function graphProblems(graph: JourneyGraph): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const on = (node: JourneyNode, message: string, code?: ProblemCode, vars: Record<string, string> = {}): void => {
    problems.push({ path: nodePath(node.id), message: `${node.label ?? node.id}: ${message}`, nodeId: node.id, ...(code ? { code, vars } : {}) });
  };
  const byId = new Map<string, JourneyNode>();
  for (const n of graph.nodes) {
    if (byId.has(n.id)) on(n, 'another node has the same id', 'duplicate_id');
    byId.set(n.id, n);
  }
  const entries = graph.nodes.filter((n) => n.type === 'entry');
  if (entries.length !== 1) problems.push({ path: 'graph.nodes', message: `a journey has exactly one entry node; this one has ${entries.length}`, code: 'entry_count', vars: { count: String(entries.length) } });

  const seenPorts = new Set<string>();
  for (const e of graph.edges) {
    const from = byId.get(e.from);
    if (!from) { problems.push({ path: 'graph.edges', message: `an edge leaves ${e.from}, which is not a node`, code: 'edge_from_missing', vars: { from: e.from } }); continue; }
    if (!byId.has(e.to)) on(from, `its ${e.port} edge goes to ${e.to}, which is not a node`, 'edge_to_missing', { port: e.port, to: e.to });
    if (!portsOf(from).includes(e.port)) on(from, `has no port ${e.port} (its ports: ${portsOf(from).join(', ') || 'none'})`, 'no_such_port', { port: e.port });
    if (seenPorts.has(`${e.from}\u0000${e.port}`)) on(from, `has two edges from port ${e.port}`, 'two_edges_from_port', { port: e.port });
    seenPorts.add(`${e.from}\u0000${e.port}`);
    if (byId.get(e.to)?.type === 'entry') on(from, 'an edge may not lead back to the entry', 'edge_to_entry');
  }
  for (const n of graph.nodes) {
    for (const port of portsOf(n)) {
      if (!seenPorts.has(`${n.id}\u0000${port}`)) on(n, n.type === 'condition' || n.type === 'split' || (n.type === 'wait' && n.wait.kind === 'event')
        ? `the ${port} branch leads nowhere: connect it` : 'leads nowhere: connect it to the next node or an exit', 'open_port', { port });
    }
    problems.push(...nodeSettingProblems(graph, n));
  }

  const out = edgeMap(graph);
  const entry = entryOf(graph);
  if (entry) {
    const reached = new Set<string>([entry.id]);
    const queue = [entry.id];
    while (queue.length > 0) {
      const id = queue.shift() ?? '';
      for (const to of out.get(id)?.values() ?? []) if (!reached.has(to) && byId.has(to)) { reached.add(to); queue.push(to); }
    }
    for (const n of graph.nodes) if (!reached.has(n.id)) on(n, 'cannot be reached from the entry', 'unreachable');
  }
  const cycle = cycleWithoutWait(graph, byId, out);
  if (cycle) {
    const first = byId.get(cycle[0] ?? '');
    if (first) on(first, `is on a loop with no wait (${cycle.join(' → ')}): a customer would go round it at once`, 'loop_without_wait', { loop: cycle.join(' → ') });
  }
  return problems;
}

function nodeSettingProblems(graph: JourneyGraph, n: JourneyNode): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const on = (message: string, field?: string, code?: ProblemCode, vars: Record<string, string> = {}): void => {
    problems.push({ path: field ? `${nodePath(n.id)}.${field}` : nodePath(n.id), message: `${n.label ?? n.id}: ${message}`, nodeId: n.id, ...(code ? { code, vars } : {}) });
  };
  const entry = entryOf(graph);
  const eventEntry = entry?.trigger.kind === 'event';
  const checkText = (text: string | undefined, field: string): void => {
    for (const name of templateVariables(text ?? '')) {
      if (name.startsWith('event.')) {
        if (!eventEntry) on(`uses {{${name}}}, but only a journey entered by an event has event properties`, field, 'event_variable', { name });
      } else if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
        on(`uses {{${name}}}, which is not a variable (known: ${TEMPLATE_VARIABLES.join(', ')}, event.<property>)`, field, 'unknown_variable', { name });
      }
    }
  };
  switch (n.type) {
    case 'condition': {
      const checked = checkDefinition(n.definition, 'definition');
      if (!checked.ok) for (const e of checked.errors) problems.push(schemaProblem(`${nodePath(n.id)}.${e.path}`, `${n.label ?? n.id}: ${e.path} ${e.message}`, e, n.id));
      break;
    }
    case 'split':
      if (new Set(n.branches.map((b) => b.key)).size !== n.branches.length) on('two branches have the same key', 'branches', 'split_same_key');
      if (n.branches.every((b) => b.weight === 0)) on('every branch has weight 0', 'branches', 'split_zero_weights');
      break;
    case 'wait':
      if (n.wait.kind === 'event' && n.wait.match.length > 0 && !eventEntry) on('matches the entry event\'s properties, but the journey is not entered by an event', 'wait.match', 'wait_match_needs_event');
      break;
    case 'send_message':
      checkText(n.text, 'text');
      checkText(n.subject, 'subject');
      break;
    case 'invite_group':
    case 'guide_task':
    case 'webhook':
      checkText(n.text, 'text');
      if (n.type === 'guide_task') checkText(n.title, 'title');
      break;
    default:
      break;
  }
  return problems;
}

/** A loop among nodes none of which waits, as the ids around it; undefined when there is none. */
function cycleWithoutWait(graph: JourneyGraph, byId: Map<string, JourneyNode>, out: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'open');
    stack.push(id);
    for (const to of out.get(id)?.values() ?? []) {
      const next = byId.get(to);
      if (!next || next.type === 'wait') continue;
      if (state.get(to) === 'open') return [...stack.slice(stack.indexOf(to)), to];
      if (!state.has(to)) {
        const found = visit(to);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const n of graph.nodes) {
    if (n.type === 'wait' || state.has(n.id)) continue;
    const found = visit(n.id);
    if (found) return found;
  }
  return undefined;
}

/** The variable names a template uses, in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1] ?? ''))];
}

/** Fills `{{name}}`-style variables; an empty value leaves nothing (never the braces). */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>, event: Readonly<Record<string, unknown>> = {}): string {
  return text.replace(VARIABLE, (_all, name: string) => {
    if (name.startsWith('event.')) {
      const v = event[name.slice('event.'.length)];
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return values[name] ?? '';
  });
}

/**
 * The arm of a split a customer takes: a stable hash of journey, node and customer into
 * 0..9,999 laid over the weights, so re-running or re-entering lands the customer on the same arm.
 */
export function splitBranch(branches: readonly { key: string; weight: number }[], seed: string): string {
  const total = branches.reduce((s, b) => s + b.weight, 0);
  const point = (bucketOf(seed) * total) / 10_000;
  let upTo = 0;
  for (const b of branches) {
    upTo += b.weight;
    if (point < upTo) return b.key;
  }
  return branches[branches.length - 1]?.key ?? 'next';
}

/** Whether a customer falls in a holdout of `percent` (the same hash as splits, another salt). */
export function inHoldout(percent: number, seed: string): boolean {
  return bucketOf(`holdout:${seed}`) < percent * 100;
}

function bucketOf(seed: string): number {
  return parseInt(createHash('sha1').update(seed).digest('hex').slice(0, 8), 16) % 10_000;
}

/** The first instant at or after `from` whose local time is `at` on an allowed ISO weekday. */
export function nextLocalTime(from: Date, at: string, weekdays: readonly number[], timeZone: string): Date {
  const [h, m] = at.split(':').map(Number);
  const minutes = (h ?? 0) * 60 + (m ?? 0);
  const localNow = new Date(from.getTime() + zoneOffsetMinutes(from, timeZone) * 60_000);
  for (let d = 0; d <= 7; d++) {
    const day = new Date(Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate() + d));
    const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
    if (!weekdays.includes(weekday)) continue;
    const candidate = new Date(startOfLocalDay(day.toISOString().slice(0, 10), timeZone).getTime() + minutes * 60_000);
    if (candidate >= from) return candidate;
  }
  throw new Error(`no allowed weekday in ${weekdays.join(',')}`);
}

/** When a wait started at `from` ends (for an event wait: when it times out). */
export function waitEnds(wait: WaitRule, from: Date, timeZone: string): Date {
  switch (wait.kind) {
    case 'duration': return new Date(from.getTime() + wait.minutes * 60_000);
    case 'until_time': return nextLocalTime(from, wait.at, wait.weekdays, timeZone);
    case 'event': return new Date(from.getTime() + wait.timeoutMinutes * 60_000);
  }
}

/** The properties an awaited event must contain: the entry event's values under the awaited names. */
export function waitMatch(wait: WaitRule, entryEvent: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (wait.kind !== 'event') return {};
  const match: Record<string, unknown> = {};
  for (const m of wait.match) match[m.property] = entryEvent[m.entryProperty] ?? null;
  return match;
}

/** Whether an event's properties contain every pair of `where` (the trigger filter or a wait match). */
export function propertiesMatch(properties: Readonly<Record<string, unknown>>, where: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => properties[k] === v);
}

/** Whether a customer who entered before may enter again now. */
export function mayReEnter(reEntry: JourneyGraph['reEntry'], lastEnteredAt: Date | undefined, now: Date): boolean {
  if (!lastEnteredAt) return true;
  switch (reEntry.mode) {
    case 'never': return false;
    case 'always': return true;
    case 'after_days': return now.getTime() - lastEnteredAt.getTime() >= reEntry.days * 86_400_000;
  }
}
