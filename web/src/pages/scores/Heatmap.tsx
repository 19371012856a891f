// The R×F heat map. ECharts' heat map and visual map are registered here, for this page only, so
// the shared chart component (components/EChart.tsx) keeps its small bundle.
import { HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent, type GridComponentOption, type TooltipComponentOption, type VisualMapComponentOption } from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartCanvas, type ChartProps } from '../../components/EChart.tsx';

use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type HeatmapOption = ComposeOption<HeatmapSeriesOption | GridComponentOption | TooltipComponentOption | VisualMapComponentOption>;

export function Heatmap(props: ChartProps<HeatmapOption>) {
  return <ChartCanvas height={360} {...props} />;
}
