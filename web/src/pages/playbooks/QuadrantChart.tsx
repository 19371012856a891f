// The frequency × ticket quadrant (seeds 000, 002) with the tenant placed on it beside the seeds'
// reference brands. Log axes: a fruit chain and a printer maker differ a hundredfold on both.
import { useMemo } from 'react';
import { ScatterChart, type ScatterSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
  type MarkAreaComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartCanvas } from '../../components/EChart.tsx';
import { useT } from '../../i18n/i18n.tsx';

use([ScatterChart, GridComponent, TooltipComponent, MarkAreaComponent, MarkLineComponent, CanvasRenderer]);

type QuadrantOption = ComposeOption<ScatterSeriesOption | GridComponentOption | TooltipComponentOption | MarkAreaComponentOption | MarkLineComponentOption>;

/** The dividing lines of diagnosis.rules.ts: 4 purchases a year, ¥200. */
const LINE_FREQUENCY = 4;
const LINE_TICKET_YUAN = 200;
const X_RANGE: [number, number] = [0.1, 200];
const Y_RANGE: [number, number] = [5, 20_000];
/** Where the seeds' brands sit, roughly: per year, yuan. */
const BRANDS: { name: string; x: number; y: number }[] = [
  { name: '百果园', x: 24, y: 50 },
  { name: 'Tim Hortons', x: 40, y: 30 },
  { name: '飞鹤', x: 12, y: 350 },
  { name: '惠普', x: 0.5, y: 1_500 },
  { name: '斐乐', x: 3, y: 600 },
];

const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));

export function QuadrantChart({ purchasesPerYear, ticketFen }: { purchasesPerYear: number; ticketFen: number }) {
  const t = useT();
  const option = useMemo<QuadrantOption>(() => {
    const area = (label: string, from: [number, number], to: [number, number], color: string) => [
      { name: label, coord: from, itemStyle: { color }, label: { color: '#595959', fontSize: 13, position: 'insideTop' as const } },
      { coord: to },
    ];
    return {
      grid: { left: 64, right: 24, top: 16, bottom: 48 },
      tooltip: { formatter: (p) => { const d = (Array.isArray(p) ? p[0] : p) as { name?: string; value?: unknown }; const v = d.value as [number, number]; return `${d.name ?? ''}<br/>${v[0]} / ${t('diag.axis.frequency')}<br/>¥${v[1]}`; } },
      xAxis: { type: 'log', logBase: 10, min: X_RANGE[0], max: X_RANGE[1], name: t('diag.axis.frequency'), nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'log', logBase: 10, min: Y_RANGE[0], max: Y_RANGE[1], name: t('diag.axis.ticket'), nameLocation: 'middle', nameGap: 48 },
      series: [
        {
          type: 'scatter',
          symbolSize: 10,
          itemStyle: { color: '#bfbfbf' },
          label: { show: true, position: 'right', color: '#8c8c8c', formatter: '{b}' },
          data: BRANDS.map((b) => ({ name: b.name, value: [b.x, b.y] })),
          markArea: {
            silent: true,
            data: [
              area(t('diag.model.expert'), [LINE_FREQUENCY, LINE_TICKET_YUAN], [X_RANGE[1], Y_RANGE[1]], 'rgba(22,119,255,0.06)'),
              area(`${t('diag.model.advisor')} · ${t('diag.model.interest')}`, [X_RANGE[0], LINE_TICKET_YUAN], [LINE_FREQUENCY, Y_RANGE[1]], 'rgba(114,46,209,0.06)'),
              area(t('diag.model.shopping'), [LINE_FREQUENCY, Y_RANGE[0]], [X_RANGE[1], LINE_TICKET_YUAN], 'rgba(82,196,26,0.07)'),
              area(t('diag.quadrant.lowLow'), [X_RANGE[0], Y_RANGE[0]], [LINE_FREQUENCY, LINE_TICKET_YUAN], 'rgba(250,173,20,0.06)'),
            ] as NonNullable<ScatterSeriesOption['markArea']>['data'],
          },
          markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#d9d9d9' }, label: { show: false }, data: [{ xAxis: LINE_FREQUENCY }, { yAxis: LINE_TICKET_YUAN }] },
        },
        {
          type: 'scatter',
          symbolSize: 18,
          itemStyle: { color: '#f5222d' },
          label: { show: true, position: 'top', fontWeight: 'bold', color: '#f5222d', formatter: '{b}' },
          data: [{ name: t('diag.you'), value: [clamp(Number(purchasesPerYear.toFixed(1)), X_RANGE), clamp(Math.round(ticketFen / 100), Y_RANGE)] }],
        },
      ],
    };
  }, [purchasesPerYear, ticketFen, t]);
  return <ChartCanvas option={option} height={360} testId="diag-quadrant" />;
}
