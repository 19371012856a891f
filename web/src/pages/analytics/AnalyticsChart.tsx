// ECharts for the analytics pages: the console's bar, line and pie plus the heat map (cohorts),
// funnel (AARRR) and visual map they need, registered here so other pages' bundles stay small.
import { BarChart, FunnelChart, HeatmapChart, LineChart, type BarSeriesOption, type FunnelSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  type GridComponentOption, type LegendComponentOption, type TooltipComponentOption, type VisualMapComponentOption,
} from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartCanvas, type ChartProps } from '../../components/EChart.tsx';

use([BarChart, LineChart, HeatmapChart, FunnelChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type AnalyticsChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | HeatmapSeriesOption | FunnelSeriesOption
  | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>;

export function AnalyticsChart(props: ChartProps<AnalyticsChartOption>) {
  return <ChartCanvas height={320} {...props} />;
}

export const numberOf = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

/** 0.2345 → "23.5%"; "—" when there is no base. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}
