// The purchase summary kept on the customer row (first/last order, orders, days, spend).
import { Card } from 'antd';
import type { CustomerDetail } from '../../api.ts';
import { formatCount, formatDate, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

export function AggregateStats({ customer, zone }: { customer: CustomerDetail; zone: string }) {
  const t = useT();
  const stats = [
    { key: 'total-spent', label: t('customer.totalSpent'), value: formatMoney(customer.totalSpentFen), strong: true },
    { key: 'order-count', label: t('customer.orderCount'), value: formatCount(customer.orderCount) },
    { key: 'order-days', label: t('customer.orderDays'), value: formatCount(customer.orderDays) },
    { key: 'average-ticket', label: t('customer.averageTicket'), value: formatMoney(customer.averageTicketFen) },
    { key: 'first-order', label: t('customer.firstOrder'), value: formatDate(customer.firstOrderAt, zone) },
    { key: 'last-order', label: t('customer.lastOrder'), value: formatDate(customer.lastOrderAt, zone) },
  ];
  return (
    <Card variant="borderless" className="panel" title={t('customer.aggregates')}>
      <div className="stat-grid">
        {stats.map((s) => (
          <div className="stat" key={s.key}>
            <div className="stat-label">{s.label}</div>
            <div className={`stat-value${s.strong ? ' stat-strong' : ''}`} data-testid={`customer-${s.key}`}>
              {s.value}
            </div>
          </div>
        ))}
      </div>
    </Card>
  );
}
