// RFM: the R×F heat map, the eight named cells as cards, and movement between cells month over month.
import { useMemo, useState } from 'react';
import { Card, DatePicker, Empty, Space, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { scoresApi, type RfmCell, type RfmOverview } from '../../api-scores.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney, formatMoneyShort } from '../../format.ts';
import { useLocale, useT } from '../../i18n/i18n.tsx';
import { Heatmap, type HeatmapOption } from './Heatmap.tsx';
import { MovementTable } from './MovementTable.tsx';

export const CELLS: readonly RfmCell[] = ['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value', 'general_develop', 'general_keep', 'general_retain'];
const ARROWS: Record<RfmCell, string> = {
  important_value: 'R↑ F↑ M↑', important_develop: 'R↑ F↓ M↑', important_keep: 'R↓ F↑ M↑', important_retain: 'R↓ F↓ M↑',
  general_value: 'R↑ F↑ M↓', general_develop: 'R↑ F↓ M↓', general_keep: 'R↓ F↑ M↓', general_retain: 'R↓ F↓ M↓',
};

export function RfmTab({ storeId, version }: { storeId: string | undefined; version: number }) {
  const t = useT();
  const query = storeId ? { storeId } : {};
  const rfm = useRemote((signal) => scoresApi.rfm(query, { signal }), [storeId, version]);
  const [months, setMonths] = useState<{ from: string; to: string }>();
  const movement = useRemote((signal) => scoresApi.movement({ ...query, ...months }, { signal }), [storeId, version, months?.from, months?.to]);

  return (
    <div className="layers-tab" data-testid="rfm-tab">
      {rfm.error && <LoadError error={rfm.error} onRetry={rfm.reload} />}
      <Card title={t('rfm.grid')} extra={rfm.data && <span className="muted">{t('rfm.gridHint', { buyers: formatCount(rfm.data.buyers) })}</span>} loading={!rfm.data && rfm.loading}>
        {rfm.data && <RfmHeatmap data={rfm.data} />}
        {rfm.data && <SkippedScores data={rfm.data} />}
      </Card>
      <h3 className="layers-section">{t('rfm.cells')}</h3>
      <div className="cell-cards" data-testid="rfm-cells">
        {CELLS.map((cell) => {
          const c = rfm.data?.cells.find((x) => x.cell === cell);
          return (
            <Card key={cell} size="small" className={`cell-card cell-${cell.startsWith('important') ? 'important' : 'general'}`}>
              <Tooltip title={t(`cell.hint.${cell}`)}>
                <div className="cell-name">{t(`cell.${cell}`)} <span className="cell-arrows">{ARROWS[cell]}</span></div>
              </Tooltip>
              <div className="cell-count">{formatCount(c?.customers ?? 0)}</div>
              <div className="cell-meta">
                <span>{t('rfm.share')} {((c?.share ?? 0) * 100).toFixed(1)}%</span>
                <span>{t('rfm.spend')} {formatMoney(c?.monetaryFen ?? 0)}</span>
              </div>
            </Card>
          );
        })}
      </div>
      <Card
        title={t('rfm.movement')}
        style={{ marginTop: 16 }}
        extra={
          <Space>
            <DatePicker picker="month" placeholder={t('rfm.fromMonth')} value={months ? dayjs(`${months.from}-01`) : null} allowClear={false}
              onChange={(d) => d && setMonths({ from: d.format('YYYY-MM'), to: months?.to ?? movement.data?.to ?? d.format('YYYY-MM') })} />
            <DatePicker picker="month" placeholder={t('rfm.toMonth')} value={months ? dayjs(`${months.to}-01`) : null} allowClear={false}
              onChange={(d) => d && setMonths({ from: months?.from ?? movement.data?.from ?? d.format('YYYY-MM'), to: d.format('YYYY-MM') })} />
          </Space>
        }
      >
        {movement.error && <LoadError error={movement.error} onRetry={movement.reload} />}
        {movement.data
          ? <>
            <div className="muted" style={{ marginBottom: 8 }}>{t('rfm.movementHint', { from: movement.data.from, to: movement.data.to })}</div>
            <MovementTable movement={movement.data} order={CELLS} label={(k) => (k === 'none' ? t('rfm.none') : t(`cell.${k as RfmCell}`))} testId="rfm-movement" />
          </>
          : !movement.loading && <Empty description={t('rfm.noMovement')} />}
      </Card>
    </div>
  );
}

/**
 * Scores are quintiles where ties score alike, so when one value (say, a single purchase day) is
 * shared by more than a fifth of the buyers a score stays empty: say so instead of leaving an
 * empty column to puzzle over.
 */
function SkippedScores({ data }: { data: RfmOverview }) {
  const t = useT();
  const { locale } = useLocale();
  if (data.buyers === 0) return null;
  const list = (scores: string[]) => scores.join(locale === 'zh-CN' ? '、' : ', ');
  const empty = (axis: 'r' | 'f') => [1, 2, 3, 4, 5].filter((score) => !data.grid.some((g) => g[axis] === score && g.customers > 0));
  const f = empty('f').map((score) => `F${score}`);
  const r = empty('r').map((score) => `R${score}`);
  if (f.length === 0 && r.length === 0) return null;
  return (
    <div className="muted" data-testid="rfm-skipped">
      {f.length > 0 && <div>{t('rfm.skippedF', { scores: list(f) })}</div>}
      {r.length > 0 && <div>{t('rfm.skippedR', { scores: list(r) })}</div>}
    </div>
  );
}

function RfmHeatmap({ data }: { data: RfmOverview }) {
  const t = useT();
  const { locale } = useLocale();
  const option = useMemo<HeatmapOption>(() => {
    const max = Math.max(1, ...data.grid.map((g) => g.customers));
    return {
      tooltip: {
        formatter: (p) => {
          const item = Array.isArray(p) ? p[0] : p;
          const [f, r, n] = (item?.value ?? [0, 0, 0]) as [number, number, number];
          const cell = data.grid.find((g) => g.r === r + 1 && g.f === f + 1);
          return `R${r + 1} · F${f + 1}<br/>${t('rfm.customers')}: ${formatCount(n)}<br/>${t('rfm.avgMonetary')}: ${formatMoneyShort(cell?.averageMonetaryFen ?? 0, locale)}`;
        },
      },
      grid: { left: 72, right: 24, top: 12, bottom: 64 },
      xAxis: { type: 'category', name: t('rfm.frequency'), nameLocation: 'middle', nameGap: 30, data: ['F1', 'F2', 'F3', 'F4', 'F5'], splitArea: { show: true } },
      yAxis: { type: 'category', name: t('rfm.recency'), nameLocation: 'middle', nameGap: 48, data: ['R1', 'R2', 'R3', 'R4', 'R5'], splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, inRange: { color: ['#f0f7f4', '#6fbf9f', '#0b6e4f'] } },
      series: [{
        type: 'heatmap',
        data: data.grid.map((g) => [g.f - 1, g.r - 1, g.customers]),
        label: { show: true, formatter: (p) => formatCount(((p.value ?? [0, 0, 0]) as number[])[2] ?? 0) },
        emphasis: { itemStyle: { shadowBlur: 8, shadowColor: 'rgba(0,0,0,0.3)' } },
      }],
    };
  }, [data, t, locale]);
  return <Heatmap option={option} testId="rfm-heatmap" />;
}
