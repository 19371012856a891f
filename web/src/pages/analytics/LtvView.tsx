// LTV: one curve per acquisition month — average cumulative spend per customer by month after.
import { useMemo } from 'react';
import { Card } from 'antd';
import { analyticsApi, type AnalyticsFilters } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney, formatMoneyShort } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { AnalyticsChart, numberOf, type AnalyticsChartOption } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

export function LtvView({ filters }: { filters: AnalyticsFilters }) {
  const { t, locale } = useLocale();
  const remote = useRemote((signal) => analyticsApi.ltv(filters, { signal }), [filters]);
  const rows = remote.data?.rows;

  const option = useMemo<AnalyticsChartOption>(() => {
    const list = (rows ?? []).filter((r) => r.customers > 0);
    return {
      grid: { left: 8, right: 16, top: 64, bottom: 4, containLabel: true },
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : formatMoney(numberOf(v))) },
      xAxis: { type: 'category', data: Array.from({ length: 12 }, (_, k) => t('analytics.monthK', { k })), axisTick: { show: false }, axisLabel: { color: '#7a828e' } },
      yAxis: { type: 'value', splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e', formatter: (v: number) => formatMoneyShort(v, locale) } },
      series: list.map((r) => ({
        name: t('analytics.ltvSeries', { month: r.month, count: formatCount(r.customers) }),
        type: 'line' as const,
        symbol: 'circle',
        symbolSize: 4,
        data: r.cumulativeFen,
      })),
    };
  }, [rows, t, locale]);

  return (
    <div data-testid="view-ltv">
      {remote.error && <LoadError error={remote.error} onRetry={remote.reload} />}
      <Card className="panel analytics-card" variant="borderless" title={t('analytics.tab.ltv')} loading={!rows} extra={<ExportButton view="ltv" filters={filters} />}>
        <AnalyticsChart option={option} height={400} testId="chart-ltv" />
        <div className="analytics-hint">{t('analytics.ltvHint')}</div>
      </Card>
    </div>
  );
}
