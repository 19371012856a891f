// 社群: every group with its owner, store, members, health badge, interaction shape, an 8-week
// message trend and what to do next; filters by kind, health and status; recompute on demand.
import { useMemo, useState } from 'react';
import { App, Button, Card, Empty, Input, Select, Space, Table, Tag, type TableColumnsType } from 'antd';
import { ReloadOutlined, SafetyOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { groupsApi, type GroupKind, type GroupSummary, type HealthClass } from '../../api-groups.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useCan } from '../../permissions.ts';
import { actionText, CLASSES, HealthBadge, KINDS } from './health.tsx';

/** Weekly messages as bars on the list's shared scale (`peak`), so a quiet group looks quiet next to a busy one. */
function Sparkline({ trend, peak }: { trend: GroupSummary['trend']; peak: number }) {
  const option = useMemo<ChartOption>(() => ({
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, data: trend.map((w) => w.week) },
    yAxis: { type: 'value', show: false, min: 0, max: peak },
    tooltip: { trigger: 'axis', confine: true },
    series: [{ type: 'bar', data: trend.map((w) => w.messages), itemStyle: { color: '#2f6fed' }, barWidth: '60%' }],
  }), [trend, peak]);
  if (trend.length === 0) return <span className="page-subtitle">—</span>;
  return <div style={{ width: 120 }}><EChart option={option} height={32} /></div>;
}

export default function GroupsPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canWrite = useCan('groups:write');
  const canRules = useCan('analytics:read');
  const [kind, setKind] = useState<GroupKind>();
  const [healthClass, setHealthClass] = useState<HealthClass>();
  const [status, setStatus] = useState<'active' | 'dissolved' | undefined>('active');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [busy, setBusy] = useState(false);
  const list = useRemote((signal) => groupsApi.list({
    page, pageSize, ...(kind ? { kind } : {}), ...(healthClass ? { healthClass } : {}), ...(status ? { status } : {}), ...(q ? { q } : {}),
  }, { signal }), [page, pageSize, kind, healthClass, status, q]);

  const recompute = async () => {
    setBusy(true);
    try {
      const run = await groupsApi.recompute(2);
      message.success(t('groups.recomputed', { count: formatCount(run.classified), week: run.judgedWeek }));
      list.reload();
    } finally {
      setBusy(false);
    }
  };

  const peak = Math.max(1, ...(list.data?.items ?? []).flatMap((g) => g.trend.map((w) => w.messages)));
  const columns: TableColumnsType<GroupSummary> = [
    {
      title: t('groups.col.name'), key: 'name', render: (_, g) => (
        <>
          <Link to={`/groups/${g.id}`}>{g.name || g.chatId}</Link>
          {g.status === 'dissolved' && <Tag style={{ marginLeft: 6 }}>{t('groups.dissolved')}</Tag>}
          {g.chatId.startsWith('pending:') && <Tag color="blue" style={{ marginLeft: 6 }}>{t('groups.pending')}</Tag>}
          {g.purpose && <div className="page-subtitle">{g.purpose}</div>}
        </>
      ),
    },
    { title: t('groups.col.kind'), key: 'kind', render: (_, g) => t(`groups.kind.${g.kind}` as MessageKey) },
    { title: t('groups.col.owner'), key: 'owner', render: (_, g) => g.owner?.name ?? '—' },
    { title: t('groups.col.store'), key: 'store', render: (_, g) => g.store?.name ?? '—' },
    { title: t('groups.col.members'), key: 'members', align: 'right', render: (_, g) => `${formatCount(g.members)} / ${g.capacity}` },
    { title: t('groups.col.health'), key: 'health', render: (_, g) => <HealthBadge health={g.health} t={t} /> },
    { title: t('groups.col.shape'), key: 'shape', render: (_, g) => (g.health ? t(`groups.shape.${g.health.shape}` as MessageKey) : '—') },
    { title: t('groups.col.trend'), key: 'trend', render: (_, g) => <Sparkline trend={g.trend} peak={peak} /> },
    { title: t('groups.col.actions'), key: 'actions', render: (_, g) => (g.health?.actions ?? []).map((a) => <div key={a} className="page-subtitle">{actionText(a, t)}</div>) },
  ];

  return (
    <div className="page" data-testid="groups-page">
      <PageHeader
        title={t('groups.title')}
        subtitle={list.data ? `${t('groups.subtitleCount', { count: formatCount(list.data.total) })} · ${t('groups.subtitle')}` : t('groups.subtitle')}
        extra={(
          <Space>
            {canRules && <Button icon={<UsergroupAddOutlined />} onClick={() => navigate('/groups/invites')} data-testid="invites-link">{t('groups.invitesLink')}</Button>}
            {canRules && <Button icon={<SafetyOutlined />} onClick={() => navigate('/groups/rules')}>{t('groups.rulesLink')}</Button>}
            {canWrite && <Button type="primary" icon={<ReloadOutlined />} loading={busy} onClick={() => void recompute()}>{t('groups.recompute')}</Button>}
          </Space>
        )}
      />
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      <Card variant="borderless" className="panel">
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search allowClear placeholder={t('groups.filter.search')} onSearch={(v) => { setQ(v.trim()); setPage(1); }} style={{ width: 220 }} />
          <Select allowClear placeholder={t('groups.filter.kind')} style={{ width: 160 }} value={kind} onChange={(v: GroupKind | undefined) => { setKind(v); setPage(1); }}
            options={KINDS.map((k) => ({ value: k, label: t(`groups.kind.${k}` as MessageKey) }))} />
          <Select allowClear placeholder={t('groups.filter.class')} style={{ width: 140 }} value={healthClass} onChange={(v: HealthClass | undefined) => { setHealthClass(v); setPage(1); }}
            options={CLASSES.map((c) => ({ value: c, label: t(`groups.class.${c}` as MessageKey) }))} />
          <Select allowClear placeholder={t('groups.filter.status')} style={{ width: 120 }} value={status} onChange={(v: 'active' | 'dissolved' | undefined) => { setStatus(v); setPage(1); }}
            options={[{ value: 'active', label: t('groups.active') }, { value: 'dissolved', label: t('groups.dissolved') }]} />
        </Space>
        {list.data && list.data.total === 0 && !kind && !healthClass && !q ? <Empty description={t('groups.empty')} /> : (
          <Table rowKey="id" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading} data-testid="groups-table"
            pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showSizeChanger: true, onChange: (p, s) => { setPage(p); setPageSize(s); } }} />
        )}
      </Card>
    </div>
  );
}
