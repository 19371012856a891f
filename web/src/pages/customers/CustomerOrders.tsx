// A customer's orders, newest first, each expandable to its lines.
import { useState } from 'react';
import { Card } from 'antd';
import { api } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { OrdersTable } from '../orders/OrdersTable.tsx';

const PAGE_SIZE = 10;

export function CustomerOrders({ customerId, zone }: { customerId: string; zone: string }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const orders = useRemote((signal) => api.customerOrders(customerId, { page, pageSize: PAGE_SIZE }, { signal }), [customerId, page]);

  return (
    <Card
      variant="borderless"
      className="panel"
      title={t('customer.orders')}
      extra={orders.data && <span className="muted">{t('common.total', { total: formatCount(orders.data.total) })}</span>}
      data-testid="customer-orders"
    >
      {orders.error && <LoadError error={orders.error} onRetry={orders.reload} />}
      <OrdersTable orders={orders.data} loading={orders.loading} zone={zone} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
    </Card>
  );
}
