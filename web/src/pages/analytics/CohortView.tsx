// 同期群留存: the monthly cohort matrix as a heat map — rows are months of first order (with their
// size), columns months after; cells show the share who ordered, tooltips the counts.
import { useMemo } from 'react';
import { Card, Empty } from 'antd';
import { analyticsApi, type AnalyticsFilters } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { AnalyticsChart, percent, type AnalyticsChartOption } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

export function CohortView({ filters }: { filters: AnalyticsFilters }) {
  const t = useT();
  const remote = useRemote((signal) => analyticsApi.cohorts(filters, { signal }), [filters]);
  const rows = remote.data?.cohorts;

  const option = useMemo<AnalyticsChartOption>(() => {
    const list = rows ?? [];
    const cells: [number, number, number, number, number][] = [];
    let top = 0.05;
    list.forEach((row, y) => row.cells.forEach((cell, k) => {
      if (!cell || row.size === 0) return;
      const value = cell.rate ?? 0;
      if (k > 0) top = Math.max(top, value);
      cells.push([k, y, value, cell.customers, row.size]);
    }));
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
      tooltip: {
        formatter: (p: unknown) => {
          const v = (p as { value?: number[] }).value ?? [];
          const row = list[v[1] ?? 0];
          return t('analytics.cohortTip', {
            cohort: row?.month ?? '', k: v[0] ?? 0, customers: formatCount(v[3] ?? 0), size: formatCount(v[4] ?? 0), rate: percent(v[2] ?? null),
          });
        },
      },
      xAxis: { type: 'category', position: 'top', data: Array.from({ length: 12 }, (_, k) => t('analytics.monthK', { k })), splitArea: { show: true }, axisTick: { show: false }, axisLabel: { color: '#5c6470' } },
      yAxis: { type: 'category', inverse: true, data: list.map((r) => `${r.month}  (${formatCount(r.size)})`), splitArea: { show: true }, axisTick: { show: false }, axisLabel: { color: '#5c6470' } },
      // Month 0 is 100% by definition; the colour scale follows the later months so they stay readable.
      visualMap: { min: 0, max: top, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, dimension: 2, precision: 3, inRange: { color: ['#f0f7ff', '#69b1ff', '#0958d9'] }, formatter: (v: unknown) => percent(Number(v)) },
      series: [{
        type: 'heatmap',
        data: cells,
        label: { show: true, fontSize: 11, formatter: (p: unknown) => percent(((p as { value?: number[] }).value ?? [])[2] ?? null) },
        emphasis: { itemStyle: { borderColor: '#1f2937', borderWidth: 1 } },
      }],
    };
  }, [rows, t]);

  const height = Math.max(260, (rows?.length ?? 0) * 34 + 110);
  return (
    <div data-testid="view-cohorts">
      {remote.error && <LoadError error={remote.error} onRetry={remote.reload} />}
      <Card className="panel analytics-card" variant="borderless" title={t('analytics.tab.cohorts')} loading={!rows} extra={<ExportButton view="cohorts" filters={filters} />}>
        {rows && rows.every((r) => r.size === 0) ? <Empty description={t('analytics.empty')} /> : <AnalyticsChart option={option} height={height} testId="chart-cohorts" />}
        <div className="analytics-hint">{t('analytics.cohortHint')}</div>
      </Card>
    </div>
  );
}
