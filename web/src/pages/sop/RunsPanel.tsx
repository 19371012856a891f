// What the generator made and whether it was done: per run the slot, group, owner and outcome,
// with done / missed / pending counts for the chosen dates.
import { useState } from 'react';
import { Card, Col, DatePicker, Row, Select, Space, Statistic, Table, Tag, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { sopApi, type RunState, type SopRun } from '../../api-sop.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime, todayIn } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useMe } from '../../session.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';

const STATE_COLOR: Record<RunState, string> = { done: 'green', missed: 'red', pending: 'blue' };

export function RunsPanel() {
  const t = useT();
  const { tenant } = useMe();
  // Dates and times are the tenant's calendar, whatever the browser's zone.
  const today = dayjs(todayIn(tenant.timezone));
  const [range, setRange] = useState<[Dayjs, Dayjs]>([today.subtract(6, 'day'), today]);
  const [planId, setPlanId] = useState<string | undefined>();
  const [state, setState] = useState<RunState | undefined>();
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');
  const plans = useRemote((signal) => sopApi.plans({ signal }), []);
  const runs = useRemote((signal) => sopApi.runs({ from, to, ...(planId ? { planId } : {}), ...(state ? { state } : {}) }, { signal }), [from, to, planId, state]);
  const summary = runs.data?.summary ?? { done: 0, missed: 0, pending: 0 };
  const settled = summary.done + summary.missed;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap>
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => { if (v?.[0] && v[1]) setRange([v[0], v[1]]); }} />
        <Select style={{ minWidth: 200 }} allowClear placeholder={t('sop.runs.allPlans')} value={planId} onChange={setPlanId}
          options={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))} />
        <Select style={{ minWidth: 140 }} allowClear placeholder={t('sop.runs.allStates')} value={state} onChange={setState}
          options={(['done', 'missed', 'pending'] as const).map((s) => ({ value: s, label: t(`sop.runs.state.${s}`) }))} />
      </Space>
      <Row gutter={[16, 16]}>
        {(['done', 'missed', 'pending'] as const).map((s) => (
          <Col key={s} xs={12} md={6}><Card variant="borderless" className="panel"><Statistic title={t(`sop.runs.state.${s}`)} value={summary[s]} valueStyle={{ color: s === 'missed' ? '#cf1322' : undefined }} /></Card></Col>
        ))}
        <Col xs={12} md={6}><Card variant="borderless" className="panel"><Statistic title={t('sop.runs.doneRate')} value={settled === 0 ? 0 : (summary.done / settled) * 100} precision={1} suffix="%" /></Card></Col>
      </Row>
      <Card variant="borderless" className="panel">
        {runs.error && <LoadError error={runs.error} onRetry={runs.reload} />}
        <Table<SopRun>
          rowKey="id" size="middle" loading={runs.loading} dataSource={runs.data?.items ?? []} pagination={{ pageSize: 20, showSizeChanger: false }}
          locale={{ emptyText: runs.loading ? ' ' : t('sop.runs.empty') }}
          columns={[
            { title: t('sop.runs.due'), dataIndex: 'dueAt', width: 150, render: (v: string) => formatDateTime(v, tenant.timezone) },
            { title: t('sop.runs.slot'), key: 'slot', render: (_v, r) => <div className="cell-stack"><span>{r.slotTitle ?? '—'}</span><span className="muted cell-note">{r.planName}</span></div> },
            { title: t('sop.runs.group'), dataIndex: 'groupName' },
            { title: t('sop.runs.staff'), dataIndex: 'staffName', responsive: ['md'], render: (v: string | null) => v ?? '—' },
            { title: t('sop.runs.outcome'), key: 'outcome', responsive: ['lg'], render: (_v, r) => (
              <Tooltip title={r.reason ?? undefined}><span>{t(`sop.mode.${r.mode}`)} · {t(`sop.runs.outcome.${r.outcome}` as MessageKey)}</span></Tooltip>
            ) },
            { title: t('sop.runs.state'), dataIndex: 'state', width: 90, render: (s: RunState) => <Tag color={STATE_COLOR[s]} variant="filled">{t(`sop.runs.state.${s}`)}</Tag> },
          ]}
        />
      </Card>
    </Space>
  );
}
