// 方案成效: the latest applied playbook's KPIs against its targets, and the step to fix first.
import { Alert, Empty, Progress, Table, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, MinusCircleOutlined } from '@ant-design/icons';
import { playbooksApi, type Health } from '../../api-playbooks.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useTenantZone } from '../../session.tsx';
import { formatTarget } from './PlaybooksTab.tsx';

export function HealthTab({ version }: { version: number }) {
  const t = useT();
  const zone = useTenantZone();
  const data = useRemote(async (signal) => {
    const apps = await playbooksApi.applications({ signal });
    const app = apps.find((a) => a.status === 'applied');
    return app ? { app, health: await playbooksApi.health(app.id, { signal }) } : null;
  }, [version]);

  if (data.error) return <LoadError error={data.error} onRetry={data.reload} />;
  if (data.data === null) return <Empty description={t('pb.noApplied')} />;
  if (!data.data) return null;
  const { app, health } = data.data;
  const kpiName = (key: string) => t(`pb.kpi.${key}` as MessageKey);
  return (
    <div data-testid="pb-health">
      <Typography.Paragraph type="secondary">{t('pb.healthOf', { name: app.name, at: formatDateTime(app.appliedAt, zone) })}</Typography.Paragraph>
      {health.weakest
        ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} data-testid="pb-weakest"
            title={t('pb.weakest', { kpi: kpiName(health.weakest.key) })} description={t(`pb.advice.${health.weakest.advice}` as MessageKey)} />
        : health.kpis.some((k) => k.met === null)
          ? <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('pb.partlyKnown', { met: health.kpis.filter((k) => k.met).length, unknown: health.kpis.filter((k) => k.met === null).length })} />
          : <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t('pb.allMet')} />}
      <Table<Health['kpis'][number]> rowKey="key" size="middle" pagination={false} dataSource={health.kpis}
        columns={[
          { title: t('pb.kpi'), dataIndex: 'key', render: (k: string) => kpiName(k) },
          { title: t('pb.value'), dataIndex: 'value', render: (v: number | null, k) => v === null ? <Tag>{t('pb.notEnough')}</Tag> : formatTarget(k.key, v) },
          { title: t('pb.target'), dataIndex: 'target', render: (v: number, k) => `≥ ${formatTarget(k.key, v)}` },
          { title: '', width: 220, render: (_: unknown, k) => k.value === null ? null
            : <Progress percent={Math.min(100, Math.round((k.value / k.target) * 100))} size="small" status={k.met ? 'success' : 'exception'} showInfo={false} /> },
          { title: t('pb.sample'), dataIndex: 'sample' },
          { title: '', dataIndex: 'met', width: 40, render: (m: boolean | null) => m === null ? <MinusCircleOutlined style={{ color: '#bfbfbf' }} />
            : m ? <CheckCircleFilled style={{ color: '#52c41a' }} /> : <CloseCircleFilled style={{ color: '#ff4d4f' }} /> },
        ]} />
    </div>
  );
}
