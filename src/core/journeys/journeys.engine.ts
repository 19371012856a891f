// One customer's walk through a journey version, pure: from where the instance stands, carry out
// nodes until it must wait (a timer, an awaited event), needs a condition answered from the
// database, or ends. What the nodes ask for (messages, tags, coupons, tasks) comes back as
// actions for the service to write set-wise; the same walk drives the engine and `journey simulate`.
import { edgeMap, type JourneyGraph, type JourneyNode } from './journeys.graph.ts';
import { inHoldout, splitBranch, waitEnds, waitMatch } from './journeys.rules.ts';

export type InstanceStatus = 'active' | 'completed' | 'exited' | 'held_out' | 'failed';

export interface InstanceState {
  id: string;
  journeyId: string;
  version: number;
  customerId: string;
  status: InstanceStatus;
  nodeId: string;
  phase: 'arrive' | 'wait';
  wakeAt: Date | null;
  waitEventType: string | null;
  waitMatch: Record<string, unknown> | null;
  resumePort: string | null;
  stepCount: number;
  /** `event`: the entry event's properties; `couponCode`: the last coupon granted. */
  context: { event?: Record<string, unknown>; couponCode?: string; [key: string]: unknown };
}

export interface StepRecord {
  seq: number;
  nodeId: string;
  outcome: string;
  at: Date;
  detail?: Record<string, unknown>;
}

export type JourneyAction =
  | { kind: 'message'; node: Extract<JourneyNode, { type: 'send_message' }>; seq: number }
  | { kind: 'webhook'; node: Extract<JourneyNode, { type: 'webhook' }>; seq: number }
  | { kind: 'add_tag' | 'remove_tag'; tagId: string; nodeId: string; seq: number }
  | { kind: 'coupon'; templateId: string; nodeId: string; seq: number }
  | { kind: 'invite_group'; node: Extract<JourneyNode, { type: 'invite_group' }>; seq: number }
  | { kind: 'guide_task'; node: Extract<JourneyNode, { type: 'guide_task' }>; seq: number };

export interface Walk {
  /** Why the walk stopped: parked at a wait, a condition to answer, or the end. */
  stoppedAt: 'wait' | 'condition' | 'end';
  steps: StepRecord[];
  actions: JourneyAction[];
}

/** How many nodes one walk may pass: graphs are checked for loops without a wait, this is a guard. */
const MAX_STEPS_PER_WALK = 200;

export interface WalkContext {
  now: Date;
  timeZone: string;
  /** The answer of the condition the instance stands at, when the database gave one. */
  conditionAnswer?: boolean;
}

/** A graph read once per version: nodes by id and edges by port. */
export interface CompiledGraph {
  graph: JourneyGraph;
  nodes: Map<string, JourneyNode>;
  out: Map<string, Map<string, string>>;
}

export function compileGraph(graph: JourneyGraph): CompiledGraph {
  return { graph, nodes: new Map(graph.nodes.map((n) => [n.id, n])), out: edgeMap(graph) };
}

/** Advances `instance` in place and returns the steps it took and the actions it asks for. */
export function walk(compiled: CompiledGraph, instance: InstanceState, ctx: WalkContext): Walk {
  const steps: StepRecord[] = [];
  const actions: JourneyAction[] = [];
  let answer = ctx.conditionAnswer;
  const step = (nodeId: string, outcome: string, detail?: Record<string, unknown>): number => {
    const seq = instance.stepCount;
    instance.stepCount += 1;
    steps.push({ seq, nodeId, outcome, at: ctx.now, ...(detail ? { detail } : {}) });
    return seq;
  };
  const finish = (status: InstanceStatus): Walk => {
    instance.status = status;
    instance.phase = 'arrive';
    instance.wakeAt = null;
    instance.waitEventType = null;
    instance.waitMatch = null;
    instance.resumePort = null;
    return { stoppedAt: 'end', steps, actions };
  };
  const move = (node: JourneyNode, port: string, detail?: Record<string, unknown>): boolean => {
    step(node.id, port, detail);
    const to = compiled.out.get(node.id)?.get(port);
    if (!to || !compiled.nodes.has(to)) return false;
    instance.nodeId = to;
    instance.phase = 'arrive';
    instance.wakeAt = ctx.now;
    instance.waitEventType = null;
    instance.waitMatch = null;
    instance.resumePort = null;
    return true;
  };

  for (let n = 0; n < MAX_STEPS_PER_WALK; n++) {
    if (instance.status !== 'active') return { stoppedAt: 'end', steps, actions };
    const node = compiled.nodes.get(instance.nodeId);
    if (!node) {
      step(instance.nodeId, 'failed', { reason: 'node not in this version' });
      return finish('failed');
    }
    if (instance.phase === 'wait') {
      if (node.type !== 'wait') return finish('failed');
      let port: string;
      if (instance.resumePort) port = instance.resumePort;
      else if (instance.wakeAt && instance.wakeAt <= ctx.now) port = node.wait.kind === 'event' ? 'timeout' : 'next';
      else return { stoppedAt: 'wait', steps, actions };
      if (!move(node, port)) return finish('failed');
      continue;
    }
    let port = 'next';
    switch (node.type) {
      case 'entry':
        break;
      case 'wait':
        instance.phase = 'wait';
        instance.wakeAt = waitEnds(node.wait, ctx.now, ctx.timeZone);
        instance.waitEventType = node.wait.kind === 'event' ? node.wait.eventType : null;
        instance.waitMatch = node.wait.kind === 'event' ? waitMatch(node.wait, instance.context.event ?? {}) : null;
        instance.resumePort = null;
        return { stoppedAt: 'wait', steps, actions };
      case 'condition':
        if (answer === undefined) return { stoppedAt: 'condition', steps, actions };
        port = answer ? 'yes' : 'no';
        answer = undefined;
        break;
      case 'split':
        port = splitBranch(node.branches, `${instance.journeyId}:${node.id}:${instance.customerId}`);
        break;
      case 'holdout':
        if (inHoldout(node.percent, `${instance.journeyId}:${node.id}:${instance.customerId}`)) {
          step(node.id, 'held_out');
          return finish('held_out');
        }
        break;
      case 'send_message':
        actions.push({ kind: 'message', node, seq: instance.stepCount });
        break;
      case 'webhook':
        actions.push({ kind: 'webhook', node, seq: instance.stepCount });
        break;
      case 'add_tag':
      case 'remove_tag':
        actions.push({ kind: node.type, tagId: node.tagId, nodeId: node.id, seq: instance.stepCount });
        break;
      case 'grant_coupon':
        actions.push({ kind: 'coupon', templateId: node.templateId, nodeId: node.id, seq: instance.stepCount });
        break;
      case 'invite_group':
        actions.push({ kind: 'invite_group', node, seq: instance.stepCount });
        break;
      case 'guide_task':
        actions.push({ kind: 'guide_task', node, seq: instance.stepCount });
        break;
      case 'exit':
        step(node.id, 'exited');
        return finish('completed');
    }
    if (!move(node, port)) return finish('failed');
    // actions are written between walks: a condition after a tag change must see the change
    if (actions.length > 0 && compiled.nodes.get(instance.nodeId)?.type === 'condition') return { stoppedAt: 'condition', steps, actions };
  }
  step(instance.nodeId, 'failed', { reason: `more than ${MAX_STEPS_PER_WALK} steps in one go` });
  return finish('failed');
}
