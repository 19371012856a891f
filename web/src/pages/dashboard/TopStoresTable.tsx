import { Progress, Table, type TableColumnsType } from 'antd';
import type { DashboardSummary } from '../../api.ts';
import { formatCount, formatMoney, formatShare } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

type TopStore = DashboardSummary['topStores'][number];

export function TopStoresTable({ stores, totalGmvFen }: { stores: TopStore[]; totalGmvFen: number }) {
  const t = useT();
  // Bars are drawn against the best store so the ranking reads at a glance; the text is the share of all GMV.
  const best = Math.max(0, ...stores.map((s) => s.gmvFen));
  const columns: TableColumnsType<TopStore> = [
    {
      title: t('dashboard.rank'),
      key: 'rank',
      width: 64,
      render: (_value, _store, index) => <span className={`rank-badge rank-${index + 1}`}>{index + 1}</span>,
    },
    { title: t('dashboard.store'), dataIndex: 'name', ellipsis: true, render: (name: string | null) => name || t('dashboard.noStore') },
    { title: t('dashboard.gmv'), dataIndex: 'gmvFen', align: 'right', render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
    {
      title: t('dashboard.share'),
      key: 'share',
      width: 200,
      responsive: ['md'],
      render: (_value, store) => (
        <Progress
          percent={best > 0 ? (store.gmvFen / best) * 100 : 0}
          strokeColor="#13a8a8"
          status="normal"
          size="small"
          format={() => formatShare(store.gmvFen, totalGmvFen)}
          style={{ margin: 0 }}
        />
      ),
    },
    { title: t('dashboard.orders'), dataIndex: 'orders', align: 'right', responsive: ['sm'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('dashboard.buyersColumn'), dataIndex: 'buyers', align: 'right', responsive: ['lg'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
  ];
  return (
    <Table<TopStore>
      rowKey={(store) => store.storeId ?? 'none'}
      size="middle"
      columns={columns}
      dataSource={stores}
      pagination={false}
    />
  );
}
