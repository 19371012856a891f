// The side panel: the selected node's settings, each type with its own fields, or — with no node
// selected — the journey's goal and re-entry rule. Every change goes straight back to the canvas.
import { useState } from 'react';
import { Button, Checkbox, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { JourneyGraph, JourneyNode } from '../../api-journeys.ts';
import { useT } from '../../i18n/i18n.tsx';

export interface Choices {
  tags: { value: string; label: string }[];
  segments: { value: string; label: string }[];
  couponTemplates: { value: string; label: string }[];
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
type Settings = Record<string, unknown>;

function Weekdays({ value, onChange }: { value: number[]; onChange: (v: number[]) => void }) {
  const t = useT();
  return <Checkbox.Group value={value} onChange={(v) => onChange(v.map(Number))} options={WEEKDAYS.map((d) => ({ value: d, label: t(`journeys.weekday.${d}` as 'journeys.weekday.1') }))} />;
}

/** A JSON field (condition definitions): kept as text while it does not parse. */
function JsonField({ value, onChange }: { value: unknown; onChange: (v: unknown) => void }) {
  const t = useT();
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <>
      <Input.TextArea rows={6} value={text} status={bad ? 'error' : ''} style={{ fontFamily: 'monospace' }} onChange={(e) => {
        setText(e.target.value);
        try {
          onChange(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }} />
      {bad && <Typography.Text type="danger">{t('journeys.settings.badJson')}</Typography.Text>}
    </>
  );
}

export function NodeSettings({ node, choices, onChange, onDelete }: { node: JourneyNode; choices: Choices; onChange: (n: JourneyNode) => void; onDelete: () => void }) {
  const t = useT();
  const s = node as Settings;
  const set = (patch: Settings) => onChange({ ...node, ...patch });
  const variablesHint = <Typography.Text type="secondary">{t('journeys.settings.variables')}</Typography.Text>;
  let fields: React.ReactNode = null;
  switch (node.type) {
    case 'entry': {
      const tr = s.trigger as Settings & { kind: string };
      const setTrigger = (patch: Settings) => set({ trigger: { ...tr, ...patch } });
      fields = (
        <>
          <Form.Item label={t('journeys.settings.trigger')}>
            <Select value={tr.kind} onChange={(kind: string) => set({
              trigger: kind === 'event' ? { kind, eventType: 'contact_added' } : kind === 'segment' ? { kind, segmentId: choices.segments[0]?.value ?? '', on: 'entered' }
                : kind === 'date' ? { kind, attribute: 'birthday', at: '10:00', daysBefore: 0 } : { kind, at: '10:00', weekdays: [1, 2, 3, 4, 5] },
            })} options={['event', 'segment', 'date', 'schedule'].map((k) => ({ value: k, label: t(`journeys.trigger.${k}` as 'journeys.trigger.event') }))} />
          </Form.Item>
          {tr.kind === 'event' && <Form.Item label={t('journeys.settings.eventType')}><Input value={String(tr.eventType ?? '')} onChange={(e) => setTrigger({ eventType: e.target.value.trim() })} /></Form.Item>}
          {(tr.kind === 'segment' || tr.kind === 'schedule') && (
            <Form.Item label={t('journeys.settings.segment')}>
              <Select allowClear={tr.kind === 'schedule'} value={(tr.segmentId as string | undefined) || undefined} options={choices.segments}
                onChange={(v: string | undefined) => setTrigger({ segmentId: v })} />
            </Form.Item>
          )}
          {tr.kind === 'segment' && <Form.Item label={t('journeys.settings.when')}><Select value={String(tr.on)} onChange={(v: string) => setTrigger({ on: v })} options={[{ value: 'entered', label: t('journeys.summary.segmentEntered') }, { value: 'exited', label: t('journeys.summary.segmentExited') }]} /></Form.Item>}
          {(tr.kind === 'date' || tr.kind === 'schedule') && <Form.Item label={t('journeys.settings.at')}><Input value={String(tr.at ?? '')} placeholder="10:00" onChange={(e) => setTrigger({ at: e.target.value })} /></Form.Item>}
          {tr.kind === 'date' && <Form.Item label={t('journeys.settings.daysBefore')}><InputNumber min={0} max={60} value={Number(tr.daysBefore ?? 0)} onChange={(v) => setTrigger({ daysBefore: v ?? 0 })} /></Form.Item>}
          {tr.kind === 'schedule' && <Form.Item label={t('journeys.settings.weekdays')}><Weekdays value={(tr.weekdays as number[]) ?? []} onChange={(v) => setTrigger({ weekdays: v })} /></Form.Item>}
        </>
      );
      break;
    }
    case 'wait': {
      const w = s.wait as Settings & { kind: string };
      const setWait = (patch: Settings) => set({ wait: { ...w, ...patch } });
      const match = (w.match as { property: string; entryProperty: string }[] | undefined) ?? [];
      fields = (
        <>
          <Form.Item label={t('journeys.settings.waitKind')}>
            <Select value={w.kind} onChange={(kind: string) => set({
              wait: kind === 'duration' ? { kind, minutes: 60 } : kind === 'until_time' ? { kind, at: '10:00', weekdays: [1, 2, 3, 4, 5] } : { kind, eventType: 'order_paid', timeoutMinutes: 120, match: [] },
            })} options={['duration', 'until_time', 'event'].map((k) => ({ value: k, label: t(`journeys.wait.${k}` as 'journeys.wait.duration') }))} />
          </Form.Item>
          {w.kind === 'duration' && <Form.Item label={t('journeys.settings.minutes')}><InputNumber min={1} value={Number(w.minutes)} onChange={(v) => setWait({ minutes: v ?? 1 })} /></Form.Item>}
          {w.kind === 'until_time' && (
            <>
              <Form.Item label={t('journeys.settings.at')}><Input value={String(w.at ?? '')} onChange={(e) => setWait({ at: e.target.value })} /></Form.Item>
              <Form.Item label={t('journeys.settings.weekdays')}><Weekdays value={(w.weekdays as number[]) ?? []} onChange={(v) => setWait({ weekdays: v })} /></Form.Item>
            </>
          )}
          {w.kind === 'event' && (
            <>
              <Form.Item label={t('journeys.settings.eventType')}><Input value={String(w.eventType ?? '')} onChange={(e) => setWait({ eventType: e.target.value.trim() })} /></Form.Item>
              <Form.Item label={t('journeys.settings.timeoutMinutes')}><InputNumber min={1} value={Number(w.timeoutMinutes)} onChange={(v) => setWait({ timeoutMinutes: v ?? 1 })} /></Form.Item>
              <Form.Item label={t('journeys.settings.match')} extra={t('journeys.settings.matchHint')}>
                <Space direction="vertical" style={{ width: '100%' }}>
                  {match.map((m, i) => (
                    <Space key={i}>
                      <Input placeholder="cartId" value={m.property} onChange={(e) => setWait({ match: match.map((x, j) => (j === i ? { ...x, property: e.target.value } : x)) })} />
                      =
                      <Input placeholder="cartId" value={m.entryProperty} onChange={(e) => setWait({ match: match.map((x, j) => (j === i ? { ...x, entryProperty: e.target.value } : x)) })} />
                      <Button icon={<DeleteOutlined />} onClick={() => setWait({ match: match.filter((_, j) => j !== i) })} />
                    </Space>
                  ))}
                  <Button icon={<PlusOutlined />} onClick={() => setWait({ match: [...match, { property: '', entryProperty: '' }] })}>{t('journeys.settings.addMatch')}</Button>
                </Space>
              </Form.Item>
            </>
          )}
        </>
      );
      break;
    }
    case 'condition':
      fields = (
        <>
          <Form.Item label={t('journeys.settings.hasTag')}>
            <Select allowClear options={choices.tags} placeholder={t('journeys.settings.pickTag')} onChange={(v: string | undefined) => v && set({ definition: { field: 'tags', op: 'has_any', value: [v] } })} />
          </Form.Item>
          <Form.Item label={t('journeys.settings.definition')} extra={t('journeys.settings.definitionHint')}>
            <JsonField key={node.id + JSON.stringify(s.definition)} value={s.definition} onChange={(definition) => set({ definition })} />
          </Form.Item>
        </>
      );
      break;
    case 'split': {
      const branches = (s.branches as { key: string; weight: number }[]) ?? [];
      fields = (
        <Form.Item label={t('journeys.settings.branches')}>
          <Space direction="vertical">
            {branches.map((b, i) => (
              <Space key={i}>
                <Input style={{ width: 90 }} value={b.key} onChange={(e) => set({ branches: branches.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)) })} />
                <InputNumber min={0} value={b.weight} onChange={(v) => set({ branches: branches.map((x, j) => (j === i ? { ...x, weight: v ?? 0 } : x)) })} />
                <Button icon={<DeleteOutlined />} disabled={branches.length <= 2} onClick={() => set({ branches: branches.filter((_, j) => j !== i) })} />
              </Space>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => set({ branches: [...branches, { key: String.fromCharCode(97 + branches.length), weight: 0 }] })}>{t('journeys.settings.addBranch')}</Button>
          </Space>
        </Form.Item>
      );
      break;
    }
    case 'holdout':
      fields = <Form.Item label={t('journeys.settings.percent')}><InputNumber min={1} max={90} value={Number(s.percent)} onChange={(v) => set({ percent: v ?? 10 })} /></Form.Item>;
      break;
    case 'send_message':
      fields = (
        <>
          <Form.Item label={t('journeys.settings.channel')}><Select value={String(s.channel)} onChange={(v: string) => set({ channel: v })} options={['wecom', 'sms', 'email', 'sandbox'].map((c) => ({ value: c, label: t(`journeys.channel.${c}` as 'journeys.channel.wecom') }))} /></Form.Item>
          <Form.Item label={t('journeys.settings.purpose')}><Select value={String(s.purpose ?? 'marketing')} onChange={(v: string) => set({ purpose: v })} options={[{ value: 'marketing', label: t('journeys.purpose.marketing') }, { value: 'service', label: t('journeys.purpose.service') }]} /></Form.Item>
          <Form.Item label={t('journeys.settings.priority')}><InputNumber min={0} max={100} value={Number(s.priority ?? 50)} onChange={(v) => set({ priority: v ?? 50 })} /></Form.Item>
          {s.channel === 'email' && <Form.Item label={t('journeys.settings.subject')}><Input value={String(s.subject ?? '')} onChange={(e) => set({ subject: e.target.value })} /></Form.Item>}
          <Form.Item label={t('journeys.settings.text')} extra={variablesHint}><Input.TextArea rows={4} value={String(s.text ?? '')} onChange={(e) => set({ text: e.target.value })} /></Form.Item>
        </>
      );
      break;
    case 'add_tag':
    case 'remove_tag':
      fields = <Form.Item label={t('journeys.settings.tag')}><Select showSearch optionFilterProp="label" value={String(s.tagId) || undefined} options={choices.tags} onChange={(v: string) => set({ tagId: v })} /></Form.Item>;
      break;
    case 'grant_coupon':
      fields = <Form.Item label={t('journeys.settings.couponTemplate')}><Select value={String(s.templateId) || undefined} options={choices.couponTemplates} onChange={(v: string) => set({ templateId: v })} /></Form.Item>;
      break;
    case 'invite_group':
      fields = (
        <>
          <Form.Item label={t('journeys.settings.groupId')}><Input value={String(s.groupId ?? '')} onChange={(e) => set({ groupId: e.target.value.trim() })} /></Form.Item>
          <Form.Item label={t('journeys.settings.text')} extra={variablesHint}><Input.TextArea rows={3} value={String(s.text ?? '')} onChange={(e) => set({ text: e.target.value })} /></Form.Item>
        </>
      );
      break;
    case 'guide_task':
      fields = (
        <>
          <Form.Item label={t('journeys.settings.title')}><Input value={String(s.title ?? '')} onChange={(e) => set({ title: e.target.value })} /></Form.Item>
          <Form.Item label={t('journeys.settings.text')} extra={variablesHint}><Input.TextArea rows={3} value={String(s.text ?? '')} onChange={(e) => set({ text: e.target.value })} /></Form.Item>
          <Form.Item label={t('journeys.settings.dueInHours')}><InputNumber min={0} value={Number(s.dueInHours ?? 24)} onChange={(v) => set({ dueInHours: v ?? 24 })} /></Form.Item>
        </>
      );
      break;
    case 'webhook':
      fields = <Form.Item label={t('journeys.settings.body')} extra={variablesHint}><Input.TextArea rows={5} value={String(s.text ?? '')} onChange={(e) => set({ text: e.target.value })} /></Form.Item>;
      break;
    case 'exit':
      break;
  }
  return (
    <Form layout="vertical" size="small" data-testid="journey-node-settings">
      <Typography.Title level={5}>{t(`journeys.node.${node.type}`)} · {node.id}</Typography.Title>
      <Form.Item label={t('journeys.settings.label')}><Input value={node.label ?? ''} maxLength={60} onChange={(e) => set({ label: e.target.value })} /></Form.Item>
      {fields}
      <Button danger icon={<DeleteOutlined />} onClick={onDelete}>{t('journeys.settings.delete')}</Button>
    </Form>
  );
}

export function JourneySettings({ graph, onChange }: { graph: JourneyGraph; onChange: (g: JourneyGraph) => void }) {
  const t = useT();
  const goal = graph.goal ?? null;
  const reEntry = graph.reEntry ?? { mode: 'never' as const };
  return (
    <Form layout="vertical" size="small" data-testid="journey-settings">
      <Typography.Title level={5}>{t('journeys.settings.journey')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('journeys.settings.pickNode')}</Typography.Paragraph>
      <Form.Item label={t('journeys.settings.goal')} extra={t('journeys.settings.goalHint')}>
        <Space>
          <Input placeholder="order_paid" value={goal?.eventType ?? ''} onChange={(e) => onChange({ ...graph, goal: e.target.value ? { eventType: e.target.value.trim(), withinDays: goal?.withinDays ?? 7 } : null })} />
          <InputNumber min={1} max={365} value={goal?.withinDays ?? 7} disabled={!goal} onChange={(v) => goal && onChange({ ...graph, goal: { ...goal, withinDays: v ?? 7 } })} addonAfter={t('journeys.unit.day')} />
        </Space>
      </Form.Item>
      <Form.Item label={t('journeys.settings.reEntry')}>
        <Space>
          <Select style={{ width: 160 }} value={reEntry.mode} onChange={(mode: 'never' | 'always' | 'after_days') => onChange({ ...graph, reEntry: mode === 'after_days' ? { mode, days: 30 } : { mode } })}
            options={['never', 'after_days', 'always'].map((m) => ({ value: m, label: t(`journeys.reEntry.${m}` as 'journeys.reEntry.never') }))} />
          {reEntry.mode === 'after_days' && <InputNumber min={1} value={reEntry.days} addonAfter={t('journeys.unit.day')} onChange={(v) => onChange({ ...graph, reEntry: { mode: 'after_days', days: v ?? 30 } })} />}
        </Space>
      </Form.Item>
    </Form>
  );
}
