import { Badge, Table, type TableColumnsType } from 'antd';
import type { Store } from '../../api.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

function hours(store: Store): string | undefined {
  if (!store.opensAt && !store.closesAt) return undefined;
  return `${store.opensAt ?? '?'} – ${store.closesAt ?? '?'}`;
}

export function StoresTable({ stores, loading }: { stores: Store[]; loading: boolean }) {
  const t = useT();
  const none = t('common.none');
  const columns: TableColumnsType<Store> = [
    { title: t('org.code'), dataIndex: 'code', width: 110, responsive: ['sm'], render: (code: string) => <span className="num muted">{code}</span> },
    { title: t('org.name'), dataIndex: 'name', width: 150, render: (name: string) => <strong>{name}</strong> },
    { title: t('org.district'), key: 'district', width: 140, responsive: ['sm'], render: (_v, s) => [s.city, s.district].filter(Boolean).join(' · ') || none },
    { title: t('org.address'), dataIndex: 'address', ellipsis: true, responsive: ['md'], render: (address: string) => address || none },
    { title: t('org.hours'), key: 'hours', width: 130, responsive: ['lg'], render: (_v, s) => <span className="num">{hours(s) ?? none}</span> },
    {
      title: t('org.status'),
      dataIndex: 'status',
      width: 100,
      responsive: ['sm'],
      render: (status: Store['status']) => <Badge status={status === 'open' ? 'success' : 'default'} text={t(status === 'open' ? 'org.open' : 'org.closed')} />,
    },
    { title: t('org.staffCount'), dataIndex: 'staffCount', align: 'right', width: 80, render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('org.customerCount'), dataIndex: 'customerCount', align: 'right', width: 90, render: (n: number) => <span className="num">{formatCount(n)}</span> },
  ];
  return <Table<Store> rowKey="id" size="middle" columns={columns} dataSource={stores} loading={loading} scroll={{ x: 'max-content' }} pagination={stores.length > 20 && { pageSize: 20, showSizeChanger: false }} />;
}
