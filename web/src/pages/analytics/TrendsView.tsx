// 经营趋势: GMV bars with orders, and buyers / new buyers / active customers, by day, week or month.
import { useMemo, useState } from 'react';
import { Card, Segmented, Statistic } from 'antd';
import { analyticsApi, type AnalyticsFilters, type Granularity, type TrendPoint } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney, formatMoneyShort } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { AnalyticsChart, numberOf, type AnalyticsChartOption } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

const axis = { axisTick: { show: false }, axisLine: { lineStyle: { color: '#d9dee5' } }, axisLabel: { color: '#7a828e' } };

export function TrendsView({ filters }: { filters: AnalyticsFilters }) {
  const { t, locale } = useLocale();
  const [granularity, setGranularity] = useState<Granularity>('month');
  const trends = useRemote((signal) => analyticsApi.trends(filters, granularity, { signal }), [filters, granularity]);
  const points = trends.data?.points;

  const totals = useMemo(() => {
    const sum = (f: (p: TrendPoint) => number) => (points ?? []).reduce((s, p) => s + f(p), 0);
    const gmv = sum((p) => p.gmvFen);
    const orders = sum((p) => p.orders);
    return { gmv, orders, ticket: orders > 0 ? Math.round(gmv / orders) : 0, newBuyers: sum((p) => p.newBuyers) };
  }, [points]);

  const money = useMemo<AnalyticsChartOption>(() => ({
    color: ['#13a8a8', '#2f6fed'],
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: (points ?? []).map((p) => p.bucket), ...axis },
    yAxis: [
      { type: 'value', splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e', formatter: (v: number) => formatMoneyShort(v, locale) } },
      { type: 'value', splitLine: { show: false }, minInterval: 1, axisLabel: { color: '#7a828e' } },
    ],
    series: [
      { name: t('analytics.gmv'), type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: (points ?? []).map((p) => p.gmvFen), tooltip: { valueFormatter: (v) => formatMoney(numberOf(v)) } },
      { name: t('analytics.orders'), type: 'line', yAxisIndex: 1, symbol: 'circle', symbolSize: 5, data: (points ?? []).map((p) => p.orders), tooltip: { valueFormatter: (v) => formatCount(numberOf(v)) } },
    ],
  }), [points, locale, t]);

  const people = useMemo<AnalyticsChartOption>(() => ({
    color: ['#2f6fed', '#fa8c16', '#52c41a'],
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => formatCount(numberOf(v)) },
    xAxis: { type: 'category', data: (points ?? []).map((p) => p.bucket), ...axis },
    yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e' } },
    series: [
      { name: t('analytics.activeCustomers'), type: 'line', symbol: 'none', areaStyle: { opacity: 0.08 }, data: (points ?? []).map((p) => p.activeCustomers) },
      { name: t('analytics.buyers'), type: 'line', symbol: 'none', data: (points ?? []).map((p) => p.buyers) },
      { name: t('analytics.newBuyers'), type: 'bar', barMaxWidth: 20, data: (points ?? []).map((p) => p.newBuyers) },
    ],
  }), [points, t]);

  return (
    <div data-testid="view-trends">
      {trends.error && <LoadError error={trends.error} onRetry={trends.reload} />}
      <div className="analytics-kpis">
        <Card variant="borderless" className="panel"><Statistic title={t('analytics.gmv')} value={formatMoney(totals.gmv)} /></Card>
        <Card variant="borderless" className="panel"><Statistic title={t('analytics.orders')} value={formatCount(totals.orders)} /></Card>
        <Card variant="borderless" className="panel"><Statistic title={t('analytics.averageTicket')} value={formatMoney(totals.ticket)} /></Card>
        <Card variant="borderless" className="panel"><Statistic title={t('analytics.newBuyers')} value={formatCount(totals.newBuyers)} /></Card>
      </div>
      <Card
        className="panel analytics-card"
        variant="borderless"
        title={t('analytics.gmvChart')}
        loading={!points}
        extra={
          <div className="filters">
            <Segmented<Granularity>
              value={granularity}
              onChange={setGranularity}
              options={[{ value: 'day', label: t('analytics.day') }, { value: 'week', label: t('analytics.week') }, { value: 'month', label: t('analytics.month') }]}
              data-testid="granularity"
            />
            <ExportButton view="trends" filters={filters} extra={{ granularity }} />
          </div>
        }
      >
        <AnalyticsChart option={money} testId="chart-trends-gmv" />
        <div className="analytics-hint">{t('analytics.trendsHint')}</div>
      </Card>
      <Card className="panel analytics-card" variant="borderless" title={t('analytics.customersChart')} loading={!points}>
        <AnalyticsChart option={people} height={280} testId="chart-trends-customers" />
      </Card>
    </div>
  );
}
