// 人群分层: the tenant's segments with their size now, version and last change.
import { Button, Card, Empty, Table, Tag, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { segmentsApi, type Segment } from '../../api-segments.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import './segments.css';

export default function SegmentsPage() {
  const t = useT();
  const zone = useTenantZone();
  const navigate = useNavigate();
  const canWrite = useCan('segments:write');
  const list = useRemote((signal) => segmentsApi.list({ signal }), []);
  const items = list.data?.items ?? [];
  const columns: TableColumnsType<Segment> = [
    { title: t('segments.col.name'), key: 'name', render: (_, s) => <><Link to={`/segments/${s.id}`}>{s.name}</Link>{s.description && <div className="page-subtitle">{s.description}</div>}</> },
    { title: t('segments.col.size'), key: 'size', align: 'right', render: (_, s) => formatCount(s.size) },
    { title: t('segments.col.version'), key: 'version', render: (_, s) => <Tag>v{s.version}</Tag> },
    { title: t('segments.col.updated'), key: 'updated', render: (_, s) => formatDateTime(s.updatedAt, zone) },
    ...(canWrite ? [{ title: t('segments.col.actions'), key: 'actions', render: (_: unknown, s: Segment) => <Link to={`/segments/${s.id}/edit`}>{t('segments.edit')}</Link> }] : []),
  ];
  return (
    <div className="page" data-testid="segments-page">
      <PageHeader
        title={t('segments.title')}
        subtitle={list.data ? t('segments.subtitleCount', { count: formatCount(items.length) }) : t('segments.subtitle')}
        extra={canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/segments/new')} data-testid="segment-new">{t('segments.new')}</Button>}
      />
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      <Card variant="borderless" className="panel">
        {list.data && items.length === 0 ? (
          <Empty description={t('segments.empty')}>
            {canWrite && <Button type="primary" onClick={() => navigate('/segments/new')}>{t('segments.new')}</Button>}
          </Empty>
        ) : (
          <Table rowKey="id" columns={columns} dataSource={items} loading={list.loading} pagination={false} />
        )}
      </Card>
    </div>
  );
}
