// A customer's orders, newest first, each expandable to its lines.
import { useState } from 'react';
import { Card, Table, Tag, type TableColumnsType } from 'antd';
import { api, type Order, type OrderItem, type OrderStatus } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { channelLabel, orderStatusLabel } from '../../labels.ts';

const STATUS_COLORS: Record<OrderStatus, string> = { paid: 'green', refunded: 'default', partially_refunded: 'orange' };
const PAGE_SIZE = 10;

function OrderLines({ items }: { items: OrderItem[] }) {
  const t = useT();
  const columns: TableColumnsType<OrderItem> = [
    { title: '#', dataIndex: 'lineNo', width: 48 },
    { title: t('order.sku'), dataIndex: 'sku', width: 140, render: (sku: string) => <span className="num muted">{sku}</span> },
    { title: t('order.itemName'), dataIndex: 'name', ellipsis: true },
    { title: t('order.quantity'), dataIndex: 'quantity', align: 'right', width: 72 },
    { title: t('order.unitPrice'), dataIndex: 'unitPriceFen', align: 'right', width: 110, render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
    { title: t('order.amount'), dataIndex: 'amountFen', align: 'right', width: 120, render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
  ];
  return <Table<OrderItem> rowKey="lineNo" size="small" columns={columns} dataSource={items} pagination={false} className="order-lines" />;
}

export function CustomerOrders({ customerId, zone }: { customerId: string; zone: string }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const orders = useRemote((signal) => api.customerOrders(customerId, { page, pageSize: PAGE_SIZE }, { signal }), [customerId, page]);

  const columns: TableColumnsType<Order> = [
    { title: t('order.no'), dataIndex: 'orderNo', render: (no: string) => <span className="num order-no">{no}</span> },
    { title: t('order.time'), dataIndex: 'orderedAt', render: (iso: string) => <span className="num">{formatDateTime(iso, zone)}</span> },
    { title: t('order.store'), key: 'store', ellipsis: true, responsive: ['md'], render: (_v, o) => o.store?.name ?? t('common.none') },
    { title: t('order.staff'), key: 'staff', ellipsis: true, responsive: ['lg'], render: (_v, o) => o.staff?.name ?? t('common.none') },
    { title: t('order.channel'), dataIndex: 'channel', responsive: ['sm'], render: (channel: string) => channelLabel(t, channel) },
    {
      title: t('order.status'),
      dataIndex: 'status',
      responsive: ['sm'],
      render: (status: OrderStatus) => (
        <Tag color={STATUS_COLORS[status]} variant="filled">
          {orderStatusLabel(t, status)}
        </Tag>
      ),
    },
    { title: t('order.discount'), dataIndex: 'discountFen', align: 'right', responsive: ['xl'], render: (fen: number) => <span className="num muted">{fen > 0 ? `-${formatMoney(fen)}` : t('common.none')}</span> },
    {
      title: t('order.paid'),
      dataIndex: 'paidFen',
      align: 'right',
      render: (fen: number, o) => (
        <span className="num">
          <strong>{formatMoney(fen)}</strong>
          {o.refundedFen > 0 && <span className="refund-note">{`${t('order.refunded')} ${formatMoney(o.refundedFen)}`}</span>}
        </span>
      ),
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
        columns={columns}
        dataSource={orders.data?.items ?? []}
        loading={orders.loading}
        locale={{ emptyText: orders.loading ? ' ' : t('order.empty') }}
        expandable={{ expandedRowRender: (order) => <OrderLines items={order.items} />, rowExpandable: (order) => order.items.length > 0 }}
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
