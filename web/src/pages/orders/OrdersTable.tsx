// Orders as a table, newest first, each expandable to its lines: a customer's (their 360) or the
// tenant's (订单). On a phone, two columns: the order (number, time, channel, status) and what was paid.
import { Grid, Table, Tag, type TableColumnsType } from 'antd';
import { Link } from 'react-router';
import type { Order, OrderItem, OrderStatus, Page } from '../../api.ts';
import { formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { channelLabel, orderStatusLabel } from '../../labels.ts';

const STATUS_COLORS: Record<OrderStatus, string> = { paid: 'green', refunded: 'default', partially_refunded: 'orange' };

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

export interface OrdersTableProps {
  orders: Page<Order> | undefined;
  loading: boolean;
  zone: string;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  /** A column naming each order's customer, linked to their 360 (the tenant's list). */
  withCustomer?: boolean;
  testId?: string;
}

export function OrdersTable({ orders, loading, zone, page, pageSize, onPage, withCustomer = false, testId }: OrdersTableProps) {
  const t = useT();
  const compact = Grid.useBreakpoint().md === false;

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
  const customerCell = (o: Order) => (o.customer ? <Link to={`/customers/${o.customer.id}`}>{o.customer.name || t('customers.unnamed')}</Link> : <span className="muted">{t('common.none')}</span>);
  const compactColumns: TableColumnsType<Order> = [
    {
      title: t('order.no'),
      dataIndex: 'orderNo',
      render: (no: string, o) => (
        <div className="order-compact">
          <span className="num order-no">{no}</span>
          <span className="muted num">{`${formatDateTime(o.orderedAt, zone)} · ${channelLabel(t, o.channel)}`}</span>
          {withCustomer && <span>{customerCell(o)}</span>}
          <span>{statusTag(o.status)}</span>
        </div>
      ),
    },
    { title: t('order.paid'), dataIndex: 'paidFen', align: 'right', render: paidCell },
  ];
  const columns: TableColumnsType<Order> = [
    { title: t('order.no'), dataIndex: 'orderNo', width: 170, render: (no: string) => <span className="num order-no nowrap">{no}</span> },
    { title: t('order.time'), dataIndex: 'orderedAt', width: 140, render: (iso: string) => <span className="num nowrap">{formatDateTime(iso, zone)}</span> },
    ...(withCustomer ? [{ title: t('order.customer'), key: 'customer', width: 120, ellipsis: true, render: (_v: unknown, o: Order) => customerCell(o) }] : []),
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
    <Table<Order>
      rowKey="id"
      size="middle"
      columns={compact ? compactColumns : columns}
      // Widths are fixed so numbers never wrap; a narrow card scrolls sideways instead.
      scroll={compact ? undefined : { x: withCustomer ? 820 : 700 }}
      dataSource={orders?.items ?? []}
      loading={loading}
      locale={{ emptyText: loading ? ' ' : t('order.empty') }}
      expandable={{ expandedRowRender: (order) => <OrderLines items={order.items} compact={compact} />, rowExpandable: (order) => order.items.length > 0 }}
      pagination={
        (orders?.total ?? 0) > pageSize && {
          current: page,
          pageSize,
          total: orders?.total ?? 0,
          showSizeChanger: false,
          onChange: onPage,
        }
      }
      data-testid={testId}
    />
  );
}
