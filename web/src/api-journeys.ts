// The journeys (自动化旅程) calls of /api/v1, on the shared `call`. The graph mirrors
// src/core/journeys/journeys.graph.ts; the server checks it (POST /journeys/validate).
import { call, type Signal } from './api.ts';

export type NodeType =
  | 'entry' | 'wait' | 'condition' | 'split' | 'holdout' | 'send_message' | 'add_tag' | 'remove_tag'
  | 'grant_coupon' | 'invite_group' | 'guide_task' | 'webhook' | 'exit';

/** A node: id, type, optional label and canvas position, and the settings of its type. */
export interface JourneyNode {
  id: string;
  type: NodeType;
  label?: string;
  position?: { x: number; y: number };
  [setting: string]: unknown;
}

export interface JourneyEdge {
  from: string;
  to: string;
  port?: string;
}

export interface JourneyGraph {
  nodes: JourneyNode[];
  edges: JourneyEdge[];
  goal?: { eventType: string; withinDays: number } | null;
  reEntry?: { mode: 'never' } | { mode: 'always' } | { mode: 'after_days'; days: number };
}

export interface Journey {
  id: string;
  name: string;
  description: string;
  status: 'draft' | 'live' | 'paused' | 'archived';
  draft: JourneyGraph;
  liveVersion: number | null;
  activeInstances: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface GraphProblem {
  nodeId?: string;
  path: string;
  message: string;
  /** Known kinds the console words itself; others show the server's message. */
  code?: string;
  vars?: Record<string, string>;
}

export interface NodeStats {
  nodeId: string;
  entered: number;
  waiting: number;
  passed: number;
  converted: number;
  ports: Record<string, number>;
}

export interface JourneyStats {
  journeyId: string;
  version: number | null;
  instances: { active: number; completed: number; heldOut: number; failed: number; converted: number };
  nodes: NodeStats[];
}

export interface JourneyTemplate {
  key: string;
  name: string;
  description: string;
  graph: JourneyGraph;
}

const id = (value: string): string => encodeURIComponent(value);

export const journeysApi = {
  list: (opts: Signal = {}) => call<{ items: Journey[] }>('GET', '/journeys', opts),
  templates: (opts: Signal = {}) => call<{ items: JourneyTemplate[] }>('GET', '/journeys/templates', opts),
  get: (journeyId: string, opts: Signal = {}) => call<Journey>('GET', `/journeys/${id(journeyId)}`, opts),
  create: (input: { name: string; description?: string; graph: JourneyGraph }) => call<Journey>('POST', '/journeys', { body: input }),
  update: (journeyId: string, input: { name?: string; description?: string; graph?: JourneyGraph }) => call<Journey>('PATCH', `/journeys/${id(journeyId)}`, { body: input }),
  validate: (graph: JourneyGraph) => call<{ ok: boolean; problems: GraphProblem[] }>('POST', '/journeys/validate', { body: { graph } }),
  publish: (journeyId: string) => call<Journey & { version: number }>('POST', `/journeys/${id(journeyId)}/publish`),
  pause: (journeyId: string) => call<Journey>('POST', `/journeys/${id(journeyId)}/pause`),
  resume: (journeyId: string) => call<Journey>('POST', `/journeys/${id(journeyId)}/resume`),
  archive: (journeyId: string) => call<Journey>('POST', `/journeys/${id(journeyId)}/archive`),
  stats: (journeyId: string, opts: Signal = {}) => call<JourneyStats>('GET', `/journeys/${id(journeyId)}/stats`, opts),
};
