// 维度拆解: GMV, orders, buyers, average ticket and 30-day repurchase per store, guide, order
// channel or acquisition source, in a sortable table.
import { useState } from 'react';
import { Card, Segmented, Table } from 'antd';
import { analyticsApi, type AnalyticsFilters, type BreakdownBy, type BreakdownRow } from '../../api-analytics.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { channelLabel, sourceChannelLabel } from '../../labels.ts';
import { percent } from './AnalyticsChart.tsx';
import { ExportButton } from './AnalyticsPage.tsx';

const BY: BreakdownBy[] = ['store', 'guide', 'channel', 'source'];

export function BreakdownView({ filters }: { filters: AnalyticsFilters }) {
  const t = useT();
  const [by, setBy] = useState<BreakdownBy>('store');
  const remote = useRemote((signal) => analyticsApi.breakdown(filters, by, { signal }), [filters, by]);
  const rows = remote.data?.by === by ? remote.data.rows : undefined;
  const nameOf = (r: BreakdownRow): string => {
    if (r.key === null) return t('analytics.none');
    if (by === 'channel') return channelLabel(t, r.key);
    if (by === 'source') return sourceChannelLabel(t, r.key);
    return r.name;
  };

  return (
    <div data-testid="view-breakdown">
      {remote.error && <LoadError error={remote.error} onRetry={remote.reload} />}
      <Card
        className="panel analytics-card"
        variant="borderless"
        title={
          <Segmented<BreakdownBy> value={by} onChange={setBy} options={BY.map((value) => ({ value, label: t(`analytics.by.${value}`) }))} data-testid="breakdown-by" />
        }
        extra={<ExportButton view="breakdown" filters={filters} extra={{ by }} />}
      >
        <Table<BreakdownRow>
          rowKey={(r) => r.key ?? '(none)'}
          size="middle"
          loading={!rows}
          dataSource={rows ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 760 }}
          columns={[
            { title: t(`analytics.by.${by}`), key: 'name', render: (_: unknown, r: BreakdownRow) => nameOf(r), sorter: (a, b) => nameOf(a).localeCompare(nameOf(b)) },
            { title: t('analytics.gmv'), dataIndex: 'gmvFen', align: 'right', render: (v: number) => formatMoney(v), sorter: (a, b) => a.gmvFen - b.gmvFen, defaultSortOrder: 'descend' },
            { title: t('analytics.orders'), dataIndex: 'orders', align: 'right', render: (v: number) => formatCount(v), sorter: (a, b) => a.orders - b.orders },
            { title: t('analytics.buyers'), dataIndex: 'buyers', align: 'right', render: (v: number) => formatCount(v), sorter: (a, b) => a.buyers - b.buyers },
            { title: t('analytics.averageTicket'), dataIndex: 'averageTicketFen', align: 'right', render: (v: number) => formatMoney(v), sorter: (a, b) => a.averageTicketFen - b.averageTicketFen },
            {
              title: t('analytics.repurchase30'), key: 'repurchase30', align: 'right',
              render: (_: unknown, r: BreakdownRow) => <span title={`${r.repurchase30.repurchased} / ${r.repurchase30.eligible}`}>{percent(r.repurchase30.rate)}</span>,
              sorter: (a, b) => (a.repurchase30.rate ?? -1) - (b.repurchase30.rate ?? -1),
            },
          ]}
        />
        <div className="analytics-hint">{t('analytics.breakdownHint')}</div>
      </Card>
    </div>
  );
}
