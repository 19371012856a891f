// AARRR 漏斗: new WeCom friends → still friends after 7 / 30 days → interacted → ordered → referred,
// as an ECharts funnel and a table with each step's rate and conversion from the previous step.
import { useMemo } from 'react';
import { Card, Table } from 'antd';
import { analyticsApi, type AnalyticsFilters, type FunnelStep } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { AnalyticsChart, percent, type AnalyticsChartOption } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

export function FunnelView({ filters }: { filters: AnalyticsFilters }) {
  const t = useT();
  const remote = useRemote((signal) => analyticsApi.funnel(filters, { signal }), [filters]);
  const steps = remote.data?.steps;

  const option = useMemo<AnalyticsChartOption>(() => {
    const list = steps ?? [];
    const first = list[0]?.count ?? 0;
    return {
      color: ['#2f6fed', '#13a8a8', '#36cfc9', '#52c41a', '#fa8c16', '#eb2f96'],
      tooltip: {
        formatter: (p: unknown) => {
          const i = (p as { dataIndex?: number }).dataIndex ?? 0;
          const s = list[i];
          return s ? `${t(`analytics.step.${s.step}`)}<br/>${formatCount(s.count)} · ${percent(s.rate)}<br/>${t('analytics.fromPrevious')} ${percent(s.fromPrevious)}` : '';
        },
      },
      series: [{
        type: 'funnel',
        left: '10%',
        width: '80%',
        top: 8,
        bottom: 8,
        sort: 'none',
        gap: 2,
        min: 0,
        max: Math.max(first, 1),
        label: { position: 'inside', color: '#fff', formatter: (p: unknown) => {
          const i = (p as { dataIndex?: number }).dataIndex ?? 0;
          const s = list[i];
          return s ? `${t(`analytics.step.${s.step}`)}  ${formatCount(s.count)}` : '';
        } },
        data: list.map((s) => ({ name: s.step, value: s.count })),
      }],
    };
  }, [steps, t]);

  return (
    <div data-testid="view-funnel" className="analytics-two">
      {remote.error && <LoadError error={remote.error} onRetry={remote.reload} />}
      <Card className="panel analytics-card" variant="borderless" title={t('analytics.tab.funnel')} loading={!steps} extra={<ExportButton view="funnel" filters={filters} />}>
        <AnalyticsChart option={option} height={380} testId="chart-funnel" />
        <div className="analytics-hint">{t('analytics.funnelHint')}</div>
      </Card>
      <Card className="panel analytics-card" variant="borderless" loading={!steps}>
        <Table<FunnelStep>
          rowKey="step"
          size="small"
          pagination={false}
          dataSource={steps ?? []}
          columns={[
            { title: t('analytics.tab.funnel'), dataIndex: 'step', render: (step: FunnelStep['step']) => t(`analytics.step.${step}`) },
            { title: t('analytics.stepCount'), dataIndex: 'count', align: 'right', render: (v: number) => formatCount(v) },
            { title: t('analytics.stepBase'), dataIndex: 'base', align: 'right', render: (v: number) => formatCount(v) },
            { title: t('analytics.stepRate'), dataIndex: 'rate', align: 'right', render: (v: number | null) => percent(v) },
            { title: t('analytics.fromPrevious'), dataIndex: 'fromPrevious', align: 'right', render: (v: number | null) => percent(v) },
          ]}
        />
      </Card>
    </div>
  );
}
