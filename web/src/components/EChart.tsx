// A small React face for Apache ECharts. Only the charts and components the console draws are
// registered, so the bundle carries nothing else of ECharts (see echarts/core tree-shaking).
import { useEffect, useRef, type CSSProperties } from 'react';
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { usePrefersReducedMotion } from '../motion.ts';

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export interface ChartProps<Option> {
  option: Option;
  height?: number;
  style?: CSSProperties;
  testId?: string;
}

/** The console's bar, line and pie charts. */
export function EChart(props: ChartProps<ChartOption>) {
  return <ChartCanvas {...props} />;
}

/**
 * One ECharts instance in a div that follows its container's size. A page that needs another chart
 * type registers it with `use([...])` in its own module (keeping it out of other pages' bundles) and
 * draws through this.
 */
export function ChartCanvas({ option, height = 320, style, testId }: ChartProps<EChartsCoreOption>) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    // Follows its container, not the window: the sider collapsing also changes the width.
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  const still = usePrefersReducedMotion();
  useEffect(() => {
    chart.current?.setOption(still ? { ...option, animation: false } : option, { notMerge: true });
  }, [option, still]);

  return <div ref={container} data-testid={testId} style={{ width: '100%', height, ...style }} />;
}
