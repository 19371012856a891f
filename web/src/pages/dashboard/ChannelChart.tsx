// Where the GMV came from: a doughnut of channels, with the figures listed beside it.
import { useMemo } from 'react';
import type { DashboardSummary } from '../../api.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { formatMoney, formatMoneyShort, formatShare } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { channelLabel } from '../../labels.ts';

const PALETTE = ['#13a8a8', '#2f6fed', '#f5a623', '#8a63d2', '#e8684a', '#98a2b3'];

export function ChannelChart({ channels }: { channels: DashboardSummary['channels'] }) {
  const { locale, t } = useLocale();
  const total = channels.reduce((sum, c) => sum + c.gmvFen, 0);
  const option = useMemo<ChartOption>(
    () => ({
      color: PALETTE,
      tooltip: {
        trigger: 'item',
        formatter: (params) => {
          if (Array.isArray(params)) return '';
          const value = typeof params.value === 'number' ? params.value : 0;
          return `${params.marker ?? ''}${params.name}<br/><b>${formatMoney(value)}</b> · ${params.percent ?? 0}%`;
        },
      },
      series: [
        {
          type: 'pie',
          radius: ['52%', '78%'],
          center: ['50%', '50%'],
          avoidLabelOverlap: true,
          itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 4 },
          label: { show: false },
          data: channels.map((c) => ({ name: channelLabel(t, c.channel), value: c.gmvFen })),
        },
      ],
    }),
    [channels, t],
  );
  return (
    <div className="channel-mix">
      <div className="channel-donut">
        <EChart option={option} height={200} testId="chart-channels" />
        <div className="channel-center">
          <span className="channel-center-label">{t('dashboard.gmv')}</span>
          <span className="channel-center-value">{formatMoneyShort(total, locale)}</span>
        </div>
      </div>
      <ul className="channel-list">
        {channels.map((c, i) => (
          <li key={c.channel}>
            <span className="channel-dot" style={{ background: PALETTE[i % PALETTE.length] }} />
            <span className="channel-name">{channelLabel(t, c.channel)}</span>
            <span className="channel-share">{formatShare(c.gmvFen, total)}</span>
            <span className="channel-gmv">{formatMoney(c.gmvFen)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
