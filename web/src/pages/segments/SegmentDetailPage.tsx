// 人群详情: size now and over time (ECharts), members linking to the customer 360, the version
// history with each version's conditions, recompute and archive.
import { useMemo, useState } from 'react';
import { App, Button, Card, Descriptions, Popconfirm, Skeleton, Space, Tag, Timeline } from 'antd';
import { EditOutlined, InboxOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../../api.ts';
import { segmentsApi } from '../../api-segments.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { describeDefinition } from './describe.ts';
import { MembersTable } from './MembersTable.tsx';
import './segments.css';
import { errorText } from '../../refusal-text.ts';

export default function SegmentDetailPage() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canWrite = useCan('segments:write');
  const { id = '' } = useParams();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [refresh, setRefresh] = useState(0);
  const segment = useRemote((signal) => segmentsApi.get(id, { signal }), [id, refresh]);
  const sizes = useRemote((signal) => segmentsApi.sizes(id, { signal }), [id, refresh]);
  const members = useRemote((signal) => segmentsApi.members(id, { page, pageSize }, { signal }), [id, page, pageSize, refresh]);
  const versions = useRemote((signal) => segmentsApi.versions(id, { signal }), [id, refresh]);
  const [busy, setBusy] = useState(false);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const nameOf = useMemo(() => {
    const names = new Map<string, string>();
    for (const g of tagGroups.data?.items ?? []) for (const tag of g.tags) names.set(tag.id, tag.name);
    for (const x of [...(stores.data?.items ?? []), ...(staff.data?.items ?? []), ...(segments.data?.items ?? [])]) names.set(x.id, x.name);
    return (id: string) => names.get(id);
  }, [tagGroups.data, stores.data, staff.data, segments.data]);

  const option = useMemo<ChartOption>(() => {
    const items = sizes.data?.items ?? [];
    return {
      color: ['#2f6fed'],
      grid: { left: 8, right: 16, top: 16, bottom: 4, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: items.map((s) => s.day), axisLine: { lineStyle: { color: '#d9dee5' } }, axisLabel: { color: '#7a828e' } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e' } },
      series: [{ type: 'line', name: t('segments.col.size'), data: items.map((s) => s.size), smooth: true, showSymbol: items.length < 40, areaStyle: { opacity: 0.08 } }],
    };
  }, [sizes.data, t]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const recompute = () => act(async () => {
    const r = await segmentsApi.recompute(id);
    message.success(t('segments.detail.recomputed', { entered: formatCount(r.entered), exited: formatCount(r.exited) }));
    setRefresh((n) => n + 1);
  });
  const archive = () => act(async () => {
    await segmentsApi.archive(id);
    navigate('/segments');
  });

  const s = segment.data;
  const active = s?.status === 'active';
  return (
    <div className="page" data-testid="segment-detail">
      <PageHeader
        title={s ? <Space>{s.name}<Tag>v{s.version}</Tag>{!active && <Tag color="default">{t('segments.detail.archived')}</Tag>}</Space> : t('segments.title')}
        subtitle={s?.description || undefined}
        before={<div className="page-crumbs"><Link to="/segments">{t('segments.title')}</Link></div>}
        extra={canWrite && active && (
          <>
            <Button icon={<EditOutlined />} onClick={() => navigate(`/segments/${id}/edit`)}>{t('segments.edit')}</Button>
            <Button icon={<ReloadOutlined />} loading={busy} onClick={recompute} data-testid="segment-recompute">{t('segments.detail.recompute')}</Button>
            <Popconfirm title={t('segments.detail.archiveConfirm')} onConfirm={archive}>
              <Button danger icon={<InboxOutlined />}>{t('segments.detail.archive')}</Button>
            </Popconfirm>
          </>
        )}
      />
      {segment.error && <LoadError error={segment.error} onRetry={segment.reload} />}
      {!s && !segment.error && <Card variant="borderless" className="panel"><Skeleton active /></Card>}
      {s && (
        <>
          <Card variant="borderless" className="panel">
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('segments.detail.size')}><span data-testid="segment-size">{formatCount(s.size)}</span></Descriptions.Item>
              <Descriptions.Item label={t('segments.detail.version')}>v{s.version}</Descriptions.Item>
              <Descriptions.Item label={t('segments.detail.updated')}>{formatDateTime(s.updatedAt, zone)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card variant="borderless" className="panel" title={t('segments.detail.sizeOverTime')}>
            <EChart option={option} height={240} testId="segment-sizes" />
          </Card>
          <Card variant="borderless" className="panel" title={`${t('segments.detail.members')} · ${formatCount(members.data?.total ?? s.size)}`}>
            <MembersTable
              rows={members.data?.items ?? []}
              loading={members.loading}
              pagination={{ current: page, pageSize, total: members.data?.total ?? 0, showSizeChanger: true, onChange: (p, size) => { setPage(size === pageSize ? p : 1); setPageSize(size); } }}
            />
          </Card>
          <Card variant="borderless" className="panel" title={t('segments.detail.versions')}>
            <Timeline
              items={(versions.data?.items ?? []).map((v) => ({
                key: v.version,
                content: (
                  <div>
                    <Space><Tag color={v.version === s.version ? 'blue' : 'default'}>v{v.version}</Tag>{formatDateTime(v.createdAt, zone)}<span className="page-subtitle">{t('segments.detail.by', { by: v.createdBy })}</span></Space>
                    <div className="segment-description" data-testid="version-description">{describeDefinition(v.definition, t, nameOf)}</div>
                    <details><summary className="page-subtitle">JSON</summary><pre className="segment-definition">{JSON.stringify(v.definition, null, 2)}</pre></details>
                  </div>
                ),
              }))}
            />
          </Card>
        </>
      )}
    </div>
  );
}
