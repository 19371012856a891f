// 旅程画布: drag nodes from the palette onto the canvas, connect a node's ports to the next nodes,
// edit the selected node in the side panel; save the draft, check it (the server's own checks,
// problems drawn on the nodes they name), publish it as a new version, pause or resume, and draw
// the live statistics (entered, waiting, passed, converted) on the nodes and edges.
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Alert, App, Button, Card, Input, Skeleton, Space, Switch, Tag, Tooltip } from 'antd';
import {
  addEdge, Background, Controls, ReactFlow, ReactFlowProvider, useEdgesState, useNodesState, useReactFlow,
  type Connection, type Edge,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../api.ts';
import { journeysApi, type GraphProblem, type Journey, type JourneyGraph, type JourneyStats, type NodeType } from '../../api-journeys.ts';
import { segmentsApi } from '../../api-segments.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { detailText, pathParts } from '../../labels.ts';
import { useCan } from '../../permissions.ts';
import { fromCanvas, freshId, newNode, PALETTE, toCanvas, type CanvasNode } from './graph.ts';
import { NodeCard } from './NodeCard.tsx';
import { JourneySettings, NodeSettings, type Choices } from './NodeSettings.tsx';
import './journeys.css';
import { errorText } from '../../refusal-text.ts';

const NODE_TYPES = { journey: NodeCard };

const PROBLEM_CODES = [
  'unreachable', 'open_port', 'loop_without_wait', 'unknown_variable', 'event_variable', 'entry_count',
  'duplicate_id', 'edge_from_missing', 'edge_to_missing', 'no_such_port', 'two_edges_from_port', 'edge_to_entry',
  'split_same_key', 'split_zero_weights', 'wait_match_needs_event', 'unknown_reference', 'condition_invalid',
] as const;
const REFERENCED: Record<string, MessageKey> = {
  tags: 'journeys.problem.what.tags', coupon_templates: 'journeys.problem.what.coupon_templates',
  customer_groups: 'journeys.problem.what.customer_groups', segments: 'journeys.problem.what.segments',
};

/** A node's setting by the label its input has in the settings panel. */
const SETTING_LABELS: Record<string, MessageKey> = {
  label: 'journeys.settings.label', eventType: 'journeys.settings.eventType', segmentId: 'journeys.settings.segment', at: 'journeys.settings.at',
  daysBefore: 'journeys.settings.daysBefore', weekdays: 'journeys.settings.weekdays', minutes: 'journeys.settings.minutes',
  timeoutMinutes: 'journeys.settings.timeoutMinutes', match: 'journeys.settings.match', definition: 'journeys.settings.definition',
  branches: 'journeys.settings.branches', percent: 'journeys.settings.percent', channel: 'journeys.settings.channel', purpose: 'journeys.settings.purpose',
  priority: 'journeys.settings.priority', subject: 'journeys.settings.subject', text: 'journeys.settings.text', tagId: 'journeys.settings.tag',
  templateId: 'journeys.settings.couponTemplate', groupId: 'journeys.settings.groupId', title: 'journeys.settings.title',
  dueInHours: 'journeys.settings.dueInHours', goal: 'journeys.settings.goal', withinDays: 'journeys.settings.goal',
};

/**
 * A problem in the operator's language: a journey's own kind by its node, a setting out of bounds
 * generically (「等待 3 天：不能大于 365」), else the server's words.
 */
function problemText(p: GraphProblem, t: Translate, labelOf: (id: string) => string): string {
  const node = p.nodeId ? labelOf(p.nodeId) : '';
  const vars = { ...(p.vars ?? {}), node, ...(p.vars?.what && REFERENCED[p.vars.what] ? { what: t(REFERENCED[p.vars.what] as MessageKey) } : {}) };
  const known = PROBLEM_CODES.find((c) => c === p.code);
  if (known) return t(`journeys.problem.${known}`, vars);
  const reason = detailText(t, { path: p.path, message: p.message, ...(p.code ? { code: p.code, params: p.vars ?? {} } : {}) });
  if (reason === p.message) return reason; // the server's own message already names the node
  const setting = [...pathParts(p.path)].reverse().map((part) => SETTING_LABELS[part]).find((key) => key !== undefined);
  const field = setting ? t(setting) : '';
  if (node && field) return t('journeys.problem.schemaField', { node, field, reason });
  return node || field ? t('journeys.problem.schema', { node: node || field, reason }) : reason;
}
const STATUS_COLOR: Record<Journey['status'], string> = { draft: 'default', live: 'green', paused: 'orange', archived: 'default' };

function Builder({ journey, onSaved }: { journey: Journey; onSaved: (j: Journey) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const canWrite = useCan('journeys:write');
  const flow = useReactFlow();
  const [name, setName] = useState(journey.name);
  const [base, setBase] = useState<JourneyGraph>(journey.draft);
  const [problems, setProblems] = useState<GraphProblem[]>([]);
  const [stats, setStats] = useState<JourneyStats | null>(null);
  const [showStats, setShowStats] = useState(journey.liveVersion !== null);
  const initial = useMemo(() => toCanvas(journey.draft, [], undefined), [journey.draft]);
  const [nodes, setNodes, onNodesChange] = useNodesState<CanvasNode>(initial.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>(initial.edges);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const coupons = useRemote((signal) => promotionsApi.couponTemplates({ signal }).catch(() => ({ items: [] })), []);
  const choices: Choices = {
    tags: (tagGroups.data?.items ?? []).flatMap((g) => g.tags.map((tag) => ({ value: tag.id, label: `${g.name} / ${tag.name}` }))),
    segments: (segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name })),
    couponTemplates: (coupons.data?.items ?? []).map((c) => ({ value: c.id, label: c.name })),
  };

  const graph = useCallback((): JourneyGraph => fromCanvas(base, nodes, edges), [base, nodes, edges]);

  // problems and statistics are drawn onto the nodes they concern
  const labelOf = useCallback((id: string) => {
    const n = nodes.find((x) => x.id === id)?.data.node;
    // an unnamed node as the settings panel heads it: its kind and id (发送消息 · send_message_1)
    return n?.label || (n ? `${t(`journeys.node.${n.type}`)} · ${id}` : id);
  }, [nodes, t]);
  useEffect(() => {
    const byNode = new Map<string, string[]>();
    for (const p of problems) if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), problemText(p, t, (id) => id)]);
    const statsBy = new Map((showStats ? stats?.nodes ?? [] : []).map((s) => [s.nodeId, s]));
    setNodes((ns) => ns.map((n) => {
      const s = statsBy.get(n.id);
      const data = { node: n.data.node, problems: byNode.get(n.id) ?? [], ...(s ? { stats: s } : {}) };
      return { ...n, data };
    }));
    setEdges((es) => es.map((e) => {
      const passed = showStats ? statsBy.get(e.source)?.ports[e.sourceHandle ?? 'next'] : undefined;
      const port = e.sourceHandle ?? 'next';
      const label = passed !== undefined ? `${port === 'next' ? '' : `${port} · `}${formatCount(passed)}` : port === 'next' ? undefined : port;
      return { ...e, label };
    }));
  }, [problems, stats, showStats, setNodes, setEdges, t]);

  useEffect(() => {
    if (!showStats || journey.liveVersion === null) return;
    const controller = new AbortController();
    journeysApi.stats(journey.id, { signal: controller.signal }).then(setStats).catch(() => undefined);
    return () => controller.abort();
  }, [showStats, journey.id, journey.liveVersion]);

  const onConnect = useCallback((c: Connection) => setEdges((es) => addEdge({ ...c, id: `${c.source}:${c.sourceHandle ?? 'next'}` },
    es.filter((e) => !(e.source === c.source && (e.sourceHandle ?? 'next') === (c.sourceHandle ?? 'next'))))), [setEdges]);

  const onDrop = useCallback((event: DragEvent) => {
    event.preventDefault();
    const type = event.dataTransfer.getData('application/yuchi-journey-node') as NodeType;
    if (!type) return;
    const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    setNodes((ns) => {
      const id = freshId(type, ns.map((n) => n.id));
      setSelected(id);
      return [...ns, { id, type: 'journey', position, data: { node: newNode(type, id, position), problems: [] } }];
    });
  }, [flow, setNodes]);

  const report = (err: unknown) => {
    if (err instanceof ApiError && err.details.length > 0) {
      setProblems(err.details.map((d) => {
        const nodeId = /^graph\.nodes\.([A-Za-z0-9_-]+)/.exec(d.path)?.[1];
        const vars = Object.fromEntries(Object.entries(d.params ?? {}).map(([k, v]) => [k, String(v ?? '')]));
        return { path: d.path, message: d.message, ...(d.code ? { code: d.code, vars } : {}), ...(nodeId ? { nodeId } : {}) };
      }));
      message.error(t('journeys.builder.hasProblems', { count: err.details.length }));
    } else message.error(errorText(t, err));
  };

  const save = async (): Promise<Journey | undefined> => {
    setBusy(true);
    try {
      const saved = await journeysApi.update(journey.id, { name, graph: graph() });
      onSaved(saved);
      message.success(t('journeys.builder.saved'));
      return saved;
    } catch (err) {
      report(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const validate = async () => {
    const r = await journeysApi.validate(graph());
    // problems on a node's setting come back with a path under nodes[i]: name the node
    const g = graph();
    setProblems(r.problems.map((p) => {
      const index = /^graph\.nodes\.(\d+)/.exec(p.path)?.[1];
      const nodeId = p.nodeId ?? (index !== undefined ? g.nodes[Number(index)]?.id : undefined);
      return { ...p, ...(nodeId ? { nodeId } : {}) };
    }));
    if (r.ok) message.success(t('journeys.builder.valid'));
    else message.warning(t('journeys.builder.hasProblems', { count: r.problems.length }));
  };
  const publish = async () => {
    const saved = await save();
    if (!saved) return;
    setBusy(true);
    try {
      const published = await journeysApi.publish(journey.id);
      setProblems([]);
      onSaved(published);
      message.success(t('journeys.builder.published', { version: published.version }));
    } catch (err) {
      report(err);
      // the same checks, with their kinds, so the problems read in the operator's language
      const r = await journeysApi.validate(graph()).catch(() => undefined);
      if (r && !r.ok) setProblems(r.problems);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = async (action: 'pause' | 'resume') => {
    try {
      onSaved(await (action === 'pause' ? journeysApi.pause(journey.id) : journeysApi.resume(journey.id)));
    } catch (err) {
      report(err);
    }
  };

  const selectedNode = nodes.find((n) => n.id === selected);
  return (
    <div className="page journey-builder" data-testid="journey-builder">
      <PageHeader
        before={<Link to="/journeys">{t('journeys.back')}</Link>}
        title={<Space><Input className="journey-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!canWrite} /><Tag color={STATUS_COLOR[journey.status]}>{t(`journeys.status.${journey.status}`)}</Tag>{journey.liveVersion !== null && <Tag>v{journey.liveVersion}</Tag>}</Space>}
        extra={(
          <Space wrap>
            {journey.liveVersion !== null && <Tooltip title={t('journeys.builder.statsHint')}><Space><Switch checked={showStats} onChange={setShowStats} data-testid="journey-stats-toggle" />{t('journeys.builder.stats')}</Space></Tooltip>}
            <Button onClick={validate} data-testid="journey-validate">{t('journeys.builder.validate')}</Button>
            {canWrite && <Button onClick={save} loading={busy}>{t('journeys.builder.save')}</Button>}
            {canWrite && journey.status === 'live' && <Button onClick={() => setStatus('pause')}>{t('journeys.builder.pause')}</Button>}
            {canWrite && journey.status === 'paused' && <Button onClick={() => setStatus('resume')}>{t('journeys.builder.resume')}</Button>}
            {canWrite && journey.status !== 'archived' && <Button type="primary" onClick={publish} loading={busy} data-testid="journey-publish">{t('journeys.builder.publish')}</Button>}
          </Space>
        )}
      />
      {stats && showStats && (
        <div className="journey-totals" data-testid="journey-totals">
          {t('journeys.totals', { active: formatCount(stats.instances.active), completed: formatCount(stats.instances.completed), heldOut: formatCount(stats.instances.heldOut), converted: formatCount(stats.instances.converted) })}
        </div>
      )}
      {problems.length > 0 && (
        <Alert type="error" showIcon className="journey-problems" data-testid="journey-problems"
          message={t('journeys.builder.hasProblems', { count: problems.length })}
          description={<ul>{problems.map((p, i) => <li key={i}>{problemText(p, t, labelOf)}</li>)}</ul>} />
      )}
      <div className="journey-workspace">
        <Card size="small" className="journey-palette" title={t('journeys.builder.palette')}>
          {PALETTE.map((type) => (
            <div key={type} className={`journey-palette-item journey-node-${type}`} draggable={canWrite} data-testid={`palette-${type}`}
              onDragStart={(e) => { e.dataTransfer.setData('application/yuchi-journey-node', type); e.dataTransfer.effectAllowed = 'move'; }}>
              {t(`journeys.node.${type}`)}
            </div>
          ))}
          <div className="journey-palette-hint">{t('journeys.builder.paletteHint')}</div>
        </Card>
        <div className="journey-canvas" onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop}>
          <ReactFlow nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange}
            onConnect={onConnect} onNodeClick={(_, n) => setSelected(n.id)} onPaneClick={() => setSelected(null)}
            nodesDraggable={canWrite} nodesConnectable={canWrite} fitView deleteKeyCode={canWrite ? ['Backspace', 'Delete'] : null}>
            <Background gap={16} />
            <Controls />
          </ReactFlow>
        </div>
        <Card size="small" className="journey-side">
          {selectedNode ? (
            <NodeSettings key={selectedNode.id} node={selectedNode.data.node} choices={choices}
              onChange={(node) => setNodes((ns) => ns.map((n) => (n.id === node.id ? { ...n, data: { ...n.data, node } } : n)))}
              onDelete={() => {
                setNodes((ns) => ns.filter((n) => n.id !== selectedNode.id));
                setEdges((es) => es.filter((e) => e.source !== selectedNode.id && e.target !== selectedNode.id));
                setSelected(null);
              }} />
          ) : <JourneySettings graph={base} onChange={setBase} />}
        </Card>
      </div>
    </div>
  );
}

export default function JourneyBuilderPage() {
  const { id = '' } = useParams();
  const remote = useRemote((signal) => journeysApi.get(id, { signal }), [id]);
  const [journey, setJourney] = useState<Journey | null>(null);
  useEffect(() => setJourney(remote.data ?? null), [remote.data]);
  if (remote.error) return <div className="page"><LoadError error={remote.error} onRetry={remote.reload} /></div>;
  if (!journey) return <div className="page"><Skeleton active /></div>;
  return (
    <ReactFlowProvider>
      <Builder key={journey.id} journey={journey} onSaved={(j) => setJourney((prev) => (prev ? { ...j, draft: prev.draft } : j))} />
    </ReactFlowProvider>
  );
}
