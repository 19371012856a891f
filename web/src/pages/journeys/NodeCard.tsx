// One node on the journey canvas: its kind, label and a one-line summary of its settings; an
// input handle on top (not for the entry), one output handle per port at the bottom; the
// problems publishing found on it in red; and, when statistics are shown, its counts.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { JourneyNode } from '../../api-journeys.ts';
import { formatCount } from '../../format.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import { portsOf, type CanvasNode } from './graph.ts';

function summary(n: JourneyNode, t: Translate): string {
  const s = n as Record<string, unknown>;
  switch (n.type) {
    case 'entry': {
      const tr = s.trigger as { kind: string; eventType?: string; on?: string; at?: string };
      if (tr.kind === 'event') return t('journeys.summary.event', { type: tr.eventType ?? '' });
      if (tr.kind === 'segment') return tr.on === 'exited' ? t('journeys.summary.segmentExited') : t('journeys.summary.segmentEntered');
      if (tr.kind === 'date') return t('journeys.summary.birthday', { at: tr.at ?? '' });
      return t('journeys.summary.schedule', { at: tr.at ?? '' });
    }
    case 'wait': {
      const w = s.wait as { kind: string; minutes?: number; at?: string; eventType?: string; timeoutMinutes?: number };
      if (w.kind === 'duration') return t('journeys.summary.duration', { time: minutesText(w.minutes ?? 0, t) });
      if (w.kind === 'until_time') return t('journeys.summary.untilTime', { at: w.at ?? '' });
      return t('journeys.summary.untilEvent', { type: w.eventType ?? '', time: minutesText(w.timeoutMinutes ?? 0, t) });
    }
    case 'split': return (s.branches as { key: string; weight: number }[]).map((b) => `${b.key} ${b.weight}`).join(' / ');
    case 'holdout': return t('journeys.summary.holdout', { percent: String(s.percent) });
    case 'send_message': case 'webhook': return String(s.text ?? '').slice(0, 40);
    case 'guide_task': return String(s.title ?? '').slice(0, 40);
    default: return '';
  }
}

export function minutesText(minutes: number, t: Translate): string {
  if (minutes % 1440 === 0) return t('journeys.unit.days', { n: minutes / 1440 });
  if (minutes % 60 === 0) return t('journeys.unit.hours', { n: minutes / 60 });
  return t('journeys.unit.minutes', { n: minutes });
}

export function NodeCard({ data, selected }: NodeProps<CanvasNode>) {
  const t = useT();
  const n = data.node;
  const ports = portsOf(n);
  const bad = data.problems.length > 0;
  return (
    <div className={`journey-node journey-node-${n.type}${selected ? ' is-selected' : ''}${bad ? ' has-problem' : ''}`} data-testid={`journey-node-${n.id}`}>
      {n.type !== 'entry' && <Handle type="target" position={Position.Top} />}
      <div className="journey-node-kind">{t(`journeys.node.${n.type}`)}</div>
      <div className="journey-node-label">{n.label || n.id}</div>
      <div className="journey-node-summary">{summary(n, t)}</div>
      {data.stats && (
        <div className="journey-node-stats" data-testid={`journey-stats-${n.id}`}>
          <span>{t('journeys.stats.entered')} {formatCount(data.stats.entered)}</span>
          {data.stats.waiting > 0 && <span>{t('journeys.stats.waiting')} {formatCount(data.stats.waiting)}</span>}
          <span>{t('journeys.stats.passed')} {formatCount(data.stats.passed)}</span>
          <span>{t('journeys.stats.converted')} {formatCount(data.stats.converted)}</span>
        </div>
      )}
      {bad && <div className="journey-node-problems">{data.problems.map((p) => <div key={p}>{p}</div>)}</div>}
      {ports.map((port, i) => (
        <Handle key={port} id={port} type="source" position={Position.Bottom} style={{ left: `${((i + 1) * 100) / (ports.length + 1)}%` }}>
          {ports.length > 1 && <span className="journey-port-label">{port}</span>}
        </Handle>
      ))}
    </div>
  );
}
