// 自动化旅程: the tenant's journeys with their status, published version and customers in them
// now; a new journey starts blank or from a ready-made template.
import { useState } from 'react';
import { App, Button, Card, Empty, Modal, Table, Tag, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { journeysApi, type Journey, type JourneyGraph } from '../../api-journeys.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import './journeys.css';
import { errorText } from '../../refusal-text.ts';

const STATUS_COLOR: Record<Journey['status'], string> = { draft: 'default', live: 'green', paused: 'orange', archived: 'default' };

const BLANK: JourneyGraph = {
  nodes: [
    { id: 'entry', type: 'entry', trigger: { kind: 'event', eventType: 'contact_added' }, position: { x: 0, y: 0 } },
    { id: 'end', type: 'exit', position: { x: 0, y: 160 } },
  ],
  edges: [{ from: 'entry', to: 'end' }],
  goal: null,
  reEntry: { mode: 'never' },
};

export default function JourneysPage() {
  const t = useT();
  const zone = useTenantZone();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const canWrite = useCan('journeys:write');
  const list = useRemote((signal) => journeysApi.list({ signal }), []);
  const templates = useRemote((signal) => journeysApi.templates({ signal }), []);
  const [choosing, setChoosing] = useState(false);
  const items = list.data?.items ?? [];

  const start = async (name: string, description: string, graph: JourneyGraph) => {
    try {
      const created = await journeysApi.create({ name, description, graph });
      navigate(`/journeys/${created.id}`);
    } catch (err) {
      message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<Journey> = [
    { title: t('journeys.col.name'), key: 'name', render: (_, j) => <><Link to={`/journeys/${j.id}`}>{j.name}</Link>{j.description && <div className="page-subtitle">{j.description}</div>}</> },
    { title: t('journeys.col.status'), key: 'status', render: (_, j) => <Tag color={STATUS_COLOR[j.status]}>{t(`journeys.status.${j.status}`)}</Tag> },
    { title: t('journeys.col.version'), key: 'version', render: (_, j) => (j.liveVersion === null ? '—' : <Tag>v{j.liveVersion}</Tag>) },
    { title: t('journeys.col.active'), key: 'active', align: 'right', render: (_, j) => formatCount(j.activeInstances) },
    { title: t('journeys.col.updated'), key: 'updated', render: (_, j) => formatDateTime(j.updatedAt, zone) },
  ];
  return (
    <div className="page" data-testid="journeys-page">
      <PageHeader
        title={t('journeys.title')}
        subtitle={t('journeys.subtitle')}
        extra={canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setChoosing(true)} data-testid="journey-new">{t('journeys.new')}</Button>}
      />
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      <Card variant="borderless" className="panel">
        {list.data && items.length === 0 ? (
          <Empty description={t('journeys.empty')}>
            {canWrite && <Button type="primary" onClick={() => setChoosing(true)}>{t('journeys.new')}</Button>}
          </Empty>
        ) : (
          <Table rowKey="id" columns={columns} dataSource={items} loading={list.loading} pagination={false} />
        )}
      </Card>
      <Modal open={choosing} title={t('journeys.pickTemplate')} footer={null} onCancel={() => setChoosing(false)} width={720}>
        <div className="journey-templates" data-testid="journey-templates">
          <Card size="small" hoverable onClick={() => start(t('journeys.blankName'), '', BLANK)} data-testid="template-blank">
            <Card.Meta title={t('journeys.blank')} description={t('journeys.blankHint')} />
          </Card>
          {(templates.data?.items ?? []).map((tpl) => (
            <Card key={tpl.key} size="small" hoverable onClick={() => start(tpl.name, tpl.description, tpl.graph)} data-testid={`template-${tpl.key}`}>
              <Card.Meta title={tpl.name} description={tpl.description} />
            </Card>
          ))}
        </div>
      </Modal>
    </div>
  );
}
