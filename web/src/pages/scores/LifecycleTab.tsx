// Lifecycle: customers per stage and the flow between stages from one month's snapshot to another's.
import { useMemo } from 'react';
import { Card, Empty } from 'antd';
import { scoresApi, type LifecycleStage } from '../../api-scores.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { MovementTable } from './MovementTable.tsx';

export const STAGES: readonly LifecycleStage[] = ['prospect', 'new', 'returned', 'active', 'dormant', 'churned'];
const STAGE_COLORS: Record<LifecycleStage, string> = {
  prospect: '#b8c4ce', new: '#4c9aff', returned: '#36b37e', active: '#0b6e4f', dormant: '#ffab00', churned: '#de350b',
};

export function LifecycleTab({ storeId, version }: { storeId: string | undefined; version: number }) {
  const t = useT();
  const lifecycle = useRemote((signal) => scoresApi.lifecycle(storeId ? { storeId } : {}, { signal }), [storeId, version]);
  const data = lifecycle.data;
  const option = useMemo<ChartOption | undefined>(() => data && {
    tooltip: { trigger: 'axis' },
    grid: { left: 64, right: 24, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: data.stages.map((s) => t(`stage.${s.stage}`)) },
    yAxis: { type: 'value' },
    series: [{
      type: 'bar',
      name: t('rfm.customers'),
      data: data.stages.map((s) => ({ value: s.customers, itemStyle: { color: STAGE_COLORS[s.stage] } })),
      label: { show: true, position: 'top', formatter: (p) => formatCount(Number(p.value)) },
      barMaxWidth: 56,
    }],
  }, [data, t]);

  return (
    <div className="layers-tab" data-testid="lifecycle-tab">
      {lifecycle.error && <LoadError error={lifecycle.error} onRetry={lifecycle.reload} />}
      <Card title={t('lifecycle.counts')} loading={!data && lifecycle.loading}>
        {option && <EChart option={option} height={300} testId="lifecycle-chart" />}
      </Card>
      <Card title={t('lifecycle.flow')} style={{ marginTop: 16 }}>
        {data?.flow
          ? <>
            <div className="muted" style={{ marginBottom: 8 }}>{t('lifecycle.flowHint', { from: data.flow.from, to: data.flow.to })}</div>
            <MovementTable movement={data.flow} order={STAGES} label={(k) => t(`stage.${k as LifecycleStage | 'none'}`)} testId="lifecycle-flow" />
          </>
          : !lifecycle.loading && <Empty description={t('rfm.noMovement')} />}
      </Card>
    </div>
  );
}
