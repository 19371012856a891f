// Predicted CLV: the fitted BG/NBD and Gamma-Gamma parameters, the CLV and P(alive) distributions,
// and the valuable customers at risk, each linking to their 360.
import { useMemo, useState } from 'react';
import { Alert, Card, Descriptions, Table, Tag } from 'antd';
import { Link } from 'react-router';
import { scoresApi, type AtRiskCustomer, type ClvOverview, type LifecycleStage, type RfmCell } from '../../api-scores.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDate, formatDateTime, formatMoney, formatMoneyShort } from '../../format.ts';
import { useLocale, useT } from '../../i18n/i18n.tsx';
import { clvReasonText } from './clv-reasons.ts';
import { useTenantZone } from '../../session.tsx';

const RISK_BELOW = 0.3;


export function ClvTab({ storeId, version }: { storeId: string | undefined; version: number }) {
  const t = useT();
  const query = storeId ? { storeId } : {};
  const clv = useRemote((signal) => scoresApi.clv(query, { signal }), [storeId, version]);
  const data = clv.data;
  return (
    <div className="layers-tab" data-testid="clv-tab">
      {clv.error && <LoadError error={clv.error} onRetry={clv.reload} />}
      {data?.model?.reason && <Alert type="warning" showIcon title={t('clv.notFitted', { reason: clvReasonText(t, data.model) })} style={{ marginBottom: 16 }} data-testid="clv-not-fitted" />}
      {data && <ModelCard data={data} />}
      {data && <Distributions data={data} />}
      <AtRiskTable storeId={storeId} version={version} />
    </div>
  );
}

function ModelCard({ data }: { data: ClvOverview }) {
  const t = useT();
  const zone = useTenantZone();
  const m = data.model;
  if (!m) return null;
  const n = (x: number | undefined, digits = 3) => (x === undefined ? '—' : x.toFixed(digits));
  return (
    <Card title={t('clv.model')} size="small" data-testid="clv-model">
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
        <Descriptions.Item label={t('clv.fittedAt')}>{m.fittedAt ? formatDateTime(m.fittedAt, zone) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('clv.calibrationEnd')}>{m.calibrationEnd ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('clv.horizon')}>{m.horizonWeeks ? t('clv.horizonWeeks', { weeks: m.horizonWeeks }) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('clv.discount')}>{m.annualDiscountRate === null ? '—' : `${(m.annualDiscountRate * 100).toFixed(1)}%`}</Descriptions.Item>
        <Descriptions.Item label={t('clv.buyers')}>{formatCount(m.customers ?? 0)}</Descriptions.Item>
        <Descriptions.Item label={t('clv.repeaters')}>{formatCount(m.repeaters ?? 0)}</Descriptions.Item>
        <Descriptions.Item label="BG/NBD">
          <span className="mono">r={n(m.bgnbd?.r)} α={n(m.bgnbd?.alpha, 2)} a={n(m.bgnbd?.a)} b={n(m.bgnbd?.b)}</span>
        </Descriptions.Item>
        <Descriptions.Item label="Gamma-Gamma">
          <span className="mono">p={n(m.gammaGamma?.p)} q={n(m.gammaGamma?.q)} γ={n(m.gammaGamma?.gamma, 1)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('clv.total')}>{formatMoney(data.totals.clvFen)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function Distributions({ data }: { data: ClvOverview }) {
  const t = useT();
  const { locale } = useLocale();
  const clvOption = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: data.clvHistogram.map((b) => (b.toFen === null ? `≥${formatMoneyShort(b.fromFen, locale)}` : `${formatMoneyShort(b.fromFen, locale)}–${formatMoneyShort(b.toFen, locale)}`)), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', name: t('rfm.customers'), data: data.clvHistogram.map((b) => b.customers), itemStyle: { color: '#0b6e4f' }, barMaxWidth: 40 }],
  }), [data, t, locale]);
  const aliveOption = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: data.pAliveHistogram.map((b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}`), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value' },
    series: [{
      type: 'bar', name: t('rfm.customers'), barMaxWidth: 40,
      data: data.pAliveHistogram.map((b) => ({ value: b.customers, itemStyle: { color: b.to <= RISK_BELOW ? '#de350b' : '#4c9aff' } })),
    }],
  }), [data, t]);
  return (
    <div className="layers-two" style={{ marginTop: 16 }}>
      <Card title={t('clv.distribution')} size="small"><EChart option={clvOption} height={260} testId="clv-histogram" /></Card>
      <Card title={t('clv.pAlive')} size="small"><EChart option={aliveOption} height={260} testId="palive-histogram" /></Card>
    </div>
  );
}

function AtRiskTable({ storeId, version }: { storeId: string | undefined; version: number }) {
  const t = useT();
  const zone = useTenantZone();
  const [page, setPage] = useState({ page: 1, pageSize: 10 });
  const risk = useRemote((signal) => scoresApi.atRisk({ ...page, pAliveBelow: RISK_BELOW, ...(storeId ? { storeId } : {}) }, { signal }), [page.page, page.pageSize, storeId, version]);
  return (
    <Card title={t('clv.atRisk')} style={{ marginTop: 16 }} extra={<span className="muted">{t('clv.atRiskHint', { threshold: RISK_BELOW })}</span>}>
      {risk.error && <LoadError error={risk.error} onRetry={risk.reload} />}
      <Table<AtRiskCustomer>
        size="small"
        rowKey="id"
        data-testid="at-risk"
        loading={risk.loading}
        dataSource={risk.data?.items ?? []}
        pagination={{ current: page.page, pageSize: page.pageSize, total: risk.data?.total ?? 0, showSizeChanger: true, onChange: (p, s) => setPage({ page: p, pageSize: s }) }}
        columns={[
          { title: t('clv.name'), dataIndex: 'name', render: (name: string, c) => <Link to={`/customers/${c.id}`}>{name || '—'}</Link> },
          { title: t('clv.tier'), dataIndex: 'valueTier', render: (tier: string | null) => (tier ? <Tag color="gold">{tier}</Tag> : '—') },
          { title: t('clv.stage'), dataIndex: 'lifecycleStage', render: (s: LifecycleStage) => t(`stage.${s}`) },
          { title: 'RFM', dataIndex: 'rfmCell', render: (c: RfmCell | null) => (c ? t(`cell.${c}`) : '—') },
          { title: t('clv.spent'), dataIndex: 'totalSpentFen', align: 'right', render: (f: number) => formatMoney(f) },
          { title: t('clv.clv'), dataIndex: 'clvFen', align: 'right', render: (f: number | null) => (f === null ? '—' : formatMoney(f)) },
          { title: t('clv.alive'), dataIndex: 'pAlive', align: 'right', render: (p: number) => <span className="risk">{(p * 100).toFixed(1)}%</span> },
          { title: t('clv.lastOrder'), dataIndex: 'lastOrderAt', render: (at: string | null) => formatDate(at, zone) },
        ]}
      />
    </Card>
  );
}
