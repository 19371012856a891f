// 订单: the tenant's orders, newest first, over a date range (the last 30 days to begin with), by
// store, channel and status, or one order found by its number; each expands to its lines. A guide
// sees the orders of their own customers (the API scopes them).
import { useState } from 'react';
import { Card, DatePicker, Input, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api, type OrderChannel, type OrderQuery, type OrderStatus } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, todayIn } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { channelLabel, orderStatusLabel } from '../../labels.ts';
import { useTenantZone } from '../../session.tsx';
import { OrdersTable } from './OrdersTable.tsx';

const PAGE_SIZE = 20;
const CHANNELS: OrderChannel[] = ['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other'];
const STATUSES: OrderStatus[] = ['paid', 'partially_refunded', 'refunded'];

type Filter = Omit<OrderQuery, 'page' | 'pageSize'>;

export default function OrdersPage() {
  const t = useT();
  const zone = useTenantZone();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => {
    const today = dayjs(todayIn(zone));
    return [today.subtract(29, 'day'), today];
  });
  const [filter, setFilter] = useState<Filter>({});
  const [page, setPage] = useState(1);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  // An order number names one order whatever the dates: the range is left out of that search.
  const query: OrderQuery = filter.orderNo
    ? { page, pageSize: PAGE_SIZE, orderNo: filter.orderNo }
    : { page, pageSize: PAGE_SIZE, ...filter, from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') };
  const orders = useRemote((signal) => api.orders(query, { signal }), [JSON.stringify(query)]);
  const change = (patch: Filter) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(1);
  };

  return (
    <div className="page" data-testid="orders-page">
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <Card variant="borderless" className="panel">
        <Space wrap style={{ marginBottom: 16 }}>
          <DatePicker.RangePicker value={range} allowClear={false} disabled={Boolean(filter.orderNo)} data-testid="orders-range"
            onChange={(v) => { if (v?.[0] && v[1]) { setRange([v[0], v[1]]); setPage(1); } }} />
          <Select allowClear placeholder={t('orders.allStores')} style={{ minWidth: 150 }} value={filter.storeId} onChange={(storeId?: string) => change({ storeId })}
            options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} data-testid="orders-store" />
          <Select allowClear placeholder={t('orders.allChannels')} style={{ minWidth: 120 }} value={filter.channel} onChange={(channel?: OrderChannel) => change({ channel })}
            options={CHANNELS.map((c) => ({ value: c, label: channelLabel(t, c) }))} data-testid="orders-channel" />
          <Select allowClear placeholder={t('orders.allStatuses')} style={{ minWidth: 120 }} value={filter.status} onChange={(status?: OrderStatus) => change({ status })}
            options={STATUSES.map((s) => ({ value: s, label: orderStatusLabel(t, s) }))} data-testid="orders-status" />
          <Input.Search allowClear placeholder={t('orders.searchNo')} style={{ width: 220 }} data-testid="orders-no"
            onSearch={(value) => change({ orderNo: value.trim() || undefined })} />
          {orders.data && <span className="muted" data-testid="orders-total">{t('orders.summary', { total: formatCount(orders.data.total) })}</span>}
        </Space>
        {orders.error && <LoadError error={orders.error} onRetry={orders.reload} />}
        <OrdersTable orders={orders.data} loading={orders.loading} zone={zone} page={page} pageSize={PAGE_SIZE} onPage={setPage} withCustomer testId="orders-table" />
      </Card>
    </div>
  );
}
