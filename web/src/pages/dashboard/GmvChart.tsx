// GMV by month as bars (left axis, ¥) with the order count as a line (right axis).
import { useMemo } from 'react';
import type { DashboardSummary } from '../../api.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { formatCount, formatMoney, formatMoneyShort } from '../../format.ts';
import { useLocale, type Locale } from '../../i18n/i18n.tsx';

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '2026-03' → "3月" (the year under January and the first bar), or "Mar" in English. */
function monthLabel(month: string, index: number, locale: Locale): string {
  const [year = '', mm = '1'] = month.split('-');
  const m = Number(mm);
  const name = locale === 'zh-CN' ? `${m}月` : (MONTHS_EN[m - 1] ?? mm);
  return index === 0 || m === 1 ? `${name}\n${year}` : name;
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function GmvChart({ months }: { months: DashboardSummary['gmvByMonth'] }) {
  const { locale, t } = useLocale();
  const option = useMemo<ChartOption>(
    () => ({
      color: ['#13a8a8', '#2f6fed'],
      grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
      legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8, textStyle: { color: '#5c6470' } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: {
        type: 'category',
        data: months.map((m) => m.month),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: '#d9dee5' } },
        axisLabel: { color: '#7a828e', formatter: (value: string, index: number) => monthLabel(value, index, locale) },
      },
      yAxis: [
        {
          type: 'value',
          splitLine: { lineStyle: { color: '#eef1f5' } },
          axisLabel: { color: '#7a828e', formatter: (value: number) => formatMoneyShort(value, locale) },
        },
        {
          type: 'value',
          splitLine: { show: false },
          minInterval: 1,
          axisLabel: { color: '#7a828e' },
        },
      ],
      series: [
        {
          name: t('dashboard.gmvSeries'),
          type: 'bar',
          barMaxWidth: 28,
          itemStyle: { borderRadius: [4, 4, 0, 0] },
          data: months.map((m) => m.gmvFen),
          tooltip: { valueFormatter: (value) => formatMoney(numberOf(value)) },
        },
        {
          name: t('dashboard.ordersSeries'),
          type: 'line',
          yAxisIndex: 1,
          smooth: true,
          smoothMonotone: 'x', // a smoothed count must not dip below zero between months
          symbol: 'circle',
          symbolSize: 6,
          data: months.map((m) => m.orders),
          tooltip: { valueFormatter: (value) => formatCount(numberOf(value)) },
        },
      ],
    }),
    [months, locale, t],
  );
  return <EChart option={option} height={320} testId="chart-gmv-by-month" />;
}
