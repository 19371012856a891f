// Acquisition codes: each with its printable QR, who answers it, and its funnel over a period
// (scans → adds → kept after 7 days → ordered); create and edit with the rotation editor.
import { useState } from 'react';
import { Button, Card, Progress, Segmented, Space, Table, Tag, Tooltip, type TableColumnsType } from 'antd';
import { DownloadOutlined, EditOutlined, LinkOutlined, PlusOutlined } from '@ant-design/icons';
import { acquisitionApi, type AcquisitionCode } from '../../api-acquisition.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, todayIn } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { CodeModal } from './CodeModal.tsx';
import './codes.css';

const PERIODS = [7, 30, 90] as const;

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

function Funnel({ code }: { code: AcquisitionCode }) {
  const t = useT();
  const s = code.stats;
  const steps = [['scans', s.scans], ['adds', s.adds], ['kept', s.kept], ['ordered', s.ordered]] as const;
  const top = Math.max(1, s.scans, s.adds);
  return (
    <div className="code-funnel" data-testid="code-funnel">
      {steps.map(([key, value]) => (
        <div className="code-funnel-row" key={key}>
          <span className="code-funnel-label">{t(`codes.funnel.${key}`)}</span>
          <Progress percent={Math.round((value / top) * 100)} showInfo={false} size="small" strokeColor="#2f9e5b" />
          <span className="num code-funnel-value">{formatCount(value)}</span>
        </div>
      ))}
    </div>
  );
}

export default function CodesPage() {
  const t = useT();
  const zone = useTenantZone();
  const canWrite = useCan('codes:write');
  const [days, setDays] = useState<number>(30);
  const today = todayIn(zone);
  const codes = useRemote((signal) => acquisitionApi.codes({ from: daysBefore(today, days), to: today }, { signal }), [days, today]);
  const [editing, setEditing] = useState<AcquisitionCode | 'new' | null>(null);

  const columns: TableColumnsType<AcquisitionCode> = [
    {
      title: t('codes.col.qr'), key: 'qr', width: 96,
      render: (_v, c) => <img className="code-qr" src={acquisitionApi.qrUrl(c.id, 192)} alt={c.name} width={80} height={80} loading="lazy" />,
    },
    {
      title: t('codes.col.name'), key: 'name',
      render: (_v, c) => (
        <div className="cell-stack">
          <span>{c.name}</span>
          <span className="muted cell-note">{t(`codes.kind.${c.kind}`)}{c.store ? ` · ${c.store.name}` : ''}{c.campaign ? ` · ${c.campaign}` : ''}</span>
          <span className="muted cell-note">state: {c.state}</span>
        </div>
      ),
    },
    {
      title: t('codes.col.rotation'), key: 'rotation', responsive: ['md'],
      render: (_v, c) => (
        <Space size={[4, 4]} wrap>
          {c.rotation.map((m) => (
            <Tooltip key={m.staffId} title={m.dailyCap === null ? t('codes.noCap') : t('codes.cap', { cap: m.dailyCap })}>
              <Tag color={m.backup ? 'default' : 'green'} variant="filled">{m.staffName}{m.backup ? ` · ${t('codes.backup')}` : ''}</Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
    { title: t('codes.col.funnel'), key: 'funnel', width: 260, render: (_v, c) => <Funnel code={c} /> },
    {
      title: t('codes.col.status'), dataIndex: 'status', width: 80,
      render: (s: AcquisitionCode['status']) => <Tag color={s === 'active' ? 'green' : 'orange'} variant="filled">{t(`codes.status.${s}`)}</Tag>,
    },
    {
      title: '', key: 'actions', width: 120, align: 'right',
      render: (_v, c) => (
        <Space size={4}>
          <Button size="small" icon={<LinkOutlined />} href={c.landingPath} target="_blank" aria-label={t('codes.openLanding')} title={t('codes.openLanding')} />
          <Button size="small" icon={<DownloadOutlined />} href={acquisitionApi.qrUrl(c.id, 1024)} download={`${c.name}.png`} aria-label={t('codes.downloadQr')} title={t('codes.downloadQr')} />
          {canWrite && <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)} aria-label={t('common.edit')} title={t('common.edit')} data-testid="code-edit" />}
        </Space>
      ),
    },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('codes.title')}
        subtitle={t('codes.subtitle')}
        extra={canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="code-new">{t('codes.new')}</Button>}
      />
      <Card
        variant="borderless"
        className="panel"
        title={t('codes.range')}
        extra={<Segmented value={days} onChange={(v) => setDays(Number(v))} options={PERIODS.map((d) => ({ value: d, label: t('codes.days', { days: d }) }))} />}
      >
        {codes.error && <LoadError error={codes.error} onRetry={codes.reload} />}
        <Table<AcquisitionCode>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={codes.data?.items ?? []}
          loading={codes.loading}
          locale={{ emptyText: codes.loading ? ' ' : t('codes.empty') }}
          pagination={false}
          scroll={{ x: 'max-content' }}
        />
      </Card>
      {editing && (
        <CodeModal
          code={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            codes.reload();
          }}
        />
      )}
    </div>
  );
}
