// A customer's orders, newest first, each expandable to its lines.
import { useState } from 'react';
import { Card, Grid, Table, Tag, type TableColumnsType } from 'antd';
import { api, type Order, type OrderItem, type OrderStatus } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { channelLabel, orderStatusLabel } from '../../labels.ts';

const STATUS_COLORS: Record<OrderStatus, string> = { paid: 'green', refunded: 'default', partially_refunded: 'orange' };
const PAGE_SIZE = 10;

function OrderLines({ items, compact }: { items: OrderItem[]; compact: boolean }) {
  const t = useT();
  const compactColumns: TableColumnsType<OrderItem> = [
    { title: t('order.itemName'), dataIndex: 'name', render: (name: string, item) => `${name} × ${item.quantity}` },
    { title: t('order.amount'), dataIndex: 'amountFen', align: 'right', render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
  ];
  const columns: TableColumnsType<OrderItem> = [
    { title: '#', dataIndex: 'lineNo', width: 48 },
    { title: t('order.sku'), dataIndex: 'sku', width: 140, render: (sku: string) => <span className="num muted">{sku}</span> },
    { title: t('order.itemName'), dataIndex: 'name', ellipsis: true },
    { title: t('order.quantity'), dataIndex: 'quantity', align: 'right', width: 72 },
    { title: t('order.unitPrice'), dataIndex: 'unitPriceFen', align: 'right', width: 110, render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
    { title: t('order.amount'), dataIndex: 'amountFen', align: 'right', width: 120, render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
  ];
  return <Table<OrderItem> rowKey="lineNo" size="small" columns={compact ? compactColumns : columns} dataSource={items} pagination={false} className="order-lines" />;
}

export function CustomerOrders({ customerId, zone }: { customerId: string; zone: string }) {
  const t = useT();
  // A phone gets two columns: the order (number, time, channel, status) and what was paid.
  const compact = Grid.useBreakpoint().md === false;
  const [page, setPage] = useState(1);
  const orders = useRemote((signal) => api.customerOrders(customerId, { page, pageSize: PAGE_SIZE }, { signal }), [customerId, page]);

  const statusTag = (status: OrderStatus) => (
    <Tag color={STATUS_COLORS[status]} variant="filled">
      {orderStatusLabel(t, status)}
    </Tag>
  );
  const paidCell = (fen: number, o: Order) => (
    <span className="num">
      <strong>{formatMoney(fen)}</strong>
      {o.refundedFen > 0 && <span className="refund-note">{`${t('order.refunded')} ${formatMoney(o.refundedFen)}`}</span>}
    </span>
  );
  const compactColumns: TableColumnsType<Order> = [
    {
      title: t('order.no'),
      dataIndex: 'orderNo',
      render: (no: string, o) => (
        <div className="order-compact">
          <span className="num order-no">{no}</span>
          <span className="muted num">{`${formatDateTime(o.orderedAt, zone)} · ${channelLabel(t, o.channel)}`}</span>
          <span>{statusTag(o.status)}</span>
        </div>
      ),
    },
    { title: t('order.paid'), dataIndex: 'paidFen', align: 'right', render: paidCell },
  ];
  const columns: TableColumnsType<Order> = [
    { title: t('order.no'), dataIndex: 'orderNo', width: 170, render: (no: string) => <span className="num order-no nowrap">{no}</span> },
    { title: t('order.time'), dataIndex: 'orderedAt', width: 140, render: (iso: string) => <span className="num nowrap">{formatDateTime(iso, zone)}</span> },
    { title: t('order.store'), key: 'store', ellipsis: true, render: (_v, o) => o.store?.name ?? t('common.none') },
    { title: t('order.staff'), key: 'staff', ellipsis: true, width: 100, responsive: ['xxl'], render: (_v, o) => o.staff?.name ?? t('common.none') },
    { title: t('order.channel'), dataIndex: 'channel', width: 104, render: (channel: string) => <span className="nowrap">{channelLabel(t, channel)}</span> },
    {
      title: t('order.status'),
      dataIndex: 'status',
      width: 84,
      render: statusTag,
    },
    { title: t('order.discount'), dataIndex: 'discountFen', align: 'right', width: 100, responsive: ['xxl'], render: (fen: number) => <span className="num muted">{fen > 0 ? `-${formatMoney(fen)}` : t('common.none')}</span> },
    {
      title: t('order.paid'),
      dataIndex: 'paidFen',
      align: 'right',
      width: 110,
      render: paidCell,
    },
  ];

  return (
    <Card
      variant="borderless"
      className="panel"
      title={t('customer.orders')}
      extra={orders.data && <span className="muted">{t('common.total', { total: formatCount(orders.data.total) })}</span>}
      data-testid="customer-orders"
    >
      {orders.error && <LoadError error={orders.error} onRetry={orders.reload} />}
      <Table<Order>
        rowKey="id"
        size="middle"
        columns={compact ? compactColumns : columns}
        // Widths are fixed so numbers never wrap; a narrow card scrolls sideways instead.
        scroll={compact ? undefined : { x: 700 }}
        dataSource={orders.data?.items ?? []}
        loading={orders.loading}
        locale={{ emptyText: orders.loading ? ' ' : t('order.empty') }}
        expandable={{ expandedRowRender: (order) => <OrderLines items={order.items} compact={compact} />, rowExpandable: (order) => order.items.length > 0 }}
        pagination={
          (orders.data?.total ?? 0) > PAGE_SIZE && {
            current: page,
            pageSize: PAGE_SIZE,
            total: orders.data?.total ?? 0,
            showSizeChanger: false,
            onChange: setPage,
          }
        }
      />
    </Card>
  );
}
