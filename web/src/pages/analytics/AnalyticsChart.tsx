// ECharts for the analytics pages: the console's bar, line and pie plus the heat map (cohorts),
// funnel (AARRR) and visual map they need, registered here so other pages' bundles stay small.
import { useEffect, useRef } from 'react';
import { BarChart, FunnelChart, HeatmapChart, LineChart, type BarSeriesOption, type FunnelSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  type GridComponentOption, type LegendComponentOption, type TooltipComponentOption, type VisualMapComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, HeatmapChart, FunnelChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type AnalyticsChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | HeatmapSeriesOption | FunnelSeriesOption
  | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>;

export function AnalyticsChart({ option, height = 320, testId }: { option: AnalyticsChartOption; height?: number; testId?: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={container} data-testid={testId} style={{ width: '100%', height }} />;
}

export const numberOf = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

/** 0.2345 → "23.5%"; "—" when there is no base. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}
