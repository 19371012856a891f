// The journey graph ↔ the canvas: a node's ports (the same as the server's portsOf), settings a
// node dragged from the palette starts with, and the conversion to and from @xyflow/react's
// nodes and edges (an edge's sourceHandle is the port it leaves by).
import type { Edge, Node } from '@xyflow/react';
import type { GraphProblem, JourneyGraph, JourneyNode, NodeStats, NodeType } from '../../api-journeys.ts';

export const PALETTE: NodeType[] = [
  'entry', 'wait', 'condition', 'split', 'holdout', 'send_message', 'add_tag', 'remove_tag', 'grant_coupon', 'invite_group', 'guide_task', 'webhook', 'exit',
];

export function portsOf(node: JourneyNode): string[] {
  switch (node.type) {
    case 'exit': return [];
    case 'condition': return ['yes', 'no'];
    case 'split': return Array.isArray(node.branches) ? node.branches.map((b: { key: string }) => b.key) : [];
    case 'wait': return (node.wait as { kind?: string } | undefined)?.kind === 'event' ? ['event', 'timeout'] : ['next'];
    default: return ['next'];
  }
}

/** What a new node of a type holds before the operator fills it in. */
export function newNode(type: NodeType, id: string, position: { x: number; y: number }): JourneyNode {
  const base = { id, type, position };
  switch (type) {
    case 'entry': return { ...base, trigger: { kind: 'event', eventType: 'contact_added' } };
    case 'wait': return { ...base, wait: { kind: 'duration', minutes: 60 } };
    case 'condition': return { ...base, definition: { field: 'order_count', op: 'gte', value: 1 } };
    case 'split': return { ...base, branches: [{ key: 'a', weight: 50 }, { key: 'b', weight: 50 }] };
    case 'holdout': return { ...base, percent: 10 };
    case 'send_message': return { ...base, channel: 'wecom', purpose: 'marketing', priority: 50, text: '{{name}}，您好' };
    case 'add_tag':
    case 'remove_tag': return { ...base, tagId: '' };
    case 'grant_coupon': return { ...base, templateId: '' };
    case 'invite_group': return { ...base, groupId: '', text: '' };
    case 'guide_task': return { ...base, title: '跟进 {{name}}', text: '', dueInHours: 24 };
    case 'webhook': return { ...base, text: '{"customer": "{{name}}"}' };
    case 'exit': return base;
  }
}

export interface CanvasData extends Record<string, unknown> {
  node: JourneyNode;
  problems: string[];
  stats?: NodeStats;
}

export type CanvasNode = Node<CanvasData, 'journey'>;

export function toCanvas(graph: JourneyGraph, problems: GraphProblem[], stats: NodeStats[] | undefined): { nodes: CanvasNode[]; edges: Edge[] } {
  const byNode = new Map<string, string[]>();
  for (const p of problems) if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p.message]);
  const statsBy = new Map((stats ?? []).map((s) => [s.nodeId, s]));
  const nodes = graph.nodes.map((n, i): CanvasNode => ({
    id: n.id, type: 'journey', position: n.position ?? { x: 0, y: i * 130 },
    data: { node: n, problems: byNode.get(n.id) ?? [], ...(statsBy.get(n.id) ? { stats: statsBy.get(n.id) } : {}) },
  }));
  const edges = graph.edges.map((e): Edge => {
    const port = e.port ?? 'next';
    const passed = statsBy.get(e.from)?.ports[port];
    return {
      id: `${e.from}:${port}`, source: e.from, target: e.to, sourceHandle: port,
      ...(port !== 'next' || passed !== undefined ? { label: passed !== undefined ? `${port === 'next' ? '' : `${port} · `}${passed}` : port } : {}),
    };
  });
  return { nodes, edges };
}

/** The graph the canvas shows: node settings as edited, positions as dragged, edges as connected. */
export function fromCanvas(base: JourneyGraph, nodes: CanvasNode[], edges: Edge[]): JourneyGraph {
  return {
    ...base,
    nodes: nodes.map((n) => ({ ...n.data.node, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: edges.map((e) => ({ from: e.source, to: e.target, port: e.sourceHandle ?? 'next' })),
  };
}

/** A fresh node id of a type: send_message_2, wait_3 ... */
export function freshId(type: NodeType, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) {
    const id = `${type}_${i}`;
    if (!used.has(id)) return id;
  }
}
