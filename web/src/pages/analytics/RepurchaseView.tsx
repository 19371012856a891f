// 复购: 7 / 30 / 90-day repurchase cards and the rates by month of first order.
import { useMemo } from 'react';
import { Card, Statistic } from 'antd';
import { analyticsApi, type AnalyticsFilters } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { AnalyticsChart, numberOf, percent, type AnalyticsChartOption } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

export function RepurchaseView({ filters }: { filters: AnalyticsFilters }) {
  const t = useT();
  const remote = useRemote((signal) => analyticsApi.repurchase(filters, { signal }), [filters]);
  const data = remote.data;

  const option = useMemo<AnalyticsChartOption>(() => ({
    color: ['#52c41a', '#2f6fed', '#722ed1', '#bfc6d1'],
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: (data?.byMonth ?? []).map((m) => m.month), axisTick: { show: false }, axisLabel: { color: '#7a828e' } },
    yAxis: [
      { type: 'value', max: 1, axisLabel: { color: '#7a828e', formatter: (v: number) => `${Math.round(v * 100)}%` }, splitLine: { lineStyle: { color: '#eef1f5' } } },
      { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel: { color: '#7a828e' } },
    ],
    series: [
      ...[7, 30, 90].map((days, i) => ({
        name: t('analytics.within', { days }),
        type: 'line' as const,
        symbol: 'circle',
        symbolSize: 5,
        connectNulls: false,
        data: (data?.byMonth ?? []).map((m) => m.windows[i]?.rate ?? null),
        tooltip: { valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : percent(numberOf(v))) },
      })),
      {
        name: t('analytics.firstTimeBuyers', { count: '' }).trim(),
        type: 'bar' as const,
        yAxisIndex: 1,
        barMaxWidth: 24,
        data: (data?.byMonth ?? []).map((m) => m.firstTimeBuyers),
        tooltip: { valueFormatter: (v: unknown) => formatCount(numberOf(v)) },
      },
    ],
  }), [data, t]);

  return (
    <div data-testid="view-repurchase">
      {remote.error && <LoadError error={remote.error} onRetry={remote.reload} />}
      <div className="analytics-kpis analytics-kpis-3">
        {(data?.windows ?? [7, 30, 90].map((days) => ({ days, eligible: 0, repurchased: 0, rate: null }))).map((w) => (
          <Card key={w.days} variant="borderless" className="panel" loading={!data} data-testid={`repurchase-${w.days}`}>
            <Statistic title={t('analytics.within', { days: w.days })} value={percent(w.rate)} />
            <div className="analytics-hint">{t('analytics.repurchaseDetail', { repurchased: formatCount(w.repurchased), eligible: formatCount(w.eligible) })}</div>
          </Card>
        ))}
      </div>
      <Card className="panel analytics-card" variant="borderless" title={t('analytics.byFirstMonth')} loading={!data} extra={<ExportButton view="repurchase" filters={filters} />}>
        <AnalyticsChart option={option} testId="chart-repurchase" />
        <div className="analytics-hint">{t('analytics.repurchaseHint')}</div>
      </Card>
    </div>
  );
}
