// The five numbers an operator reads first. Values carry data-testid so the browser test can
// compare them with the orders it inserted.
import type { ReactNode } from 'react';
import { Skeleton, Tooltip } from 'antd';
import { InfoCircleOutlined, RetweetOutlined, ShoppingCartOutlined, TeamOutlined, TransactionOutlined, WalletOutlined } from '@ant-design/icons';
import type { DashboardSummary } from '../../api.ts';
import { formatCount, formatMoney, formatShare } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

interface KpiProps {
  testId: string;
  label: string;
  value: string;
  foot: ReactNode;
  icon: ReactNode;
  tone: 'teal' | 'blue' | 'violet' | 'amber' | 'rose';
  hint?: string;
  wide?: boolean;
}

function Kpi({ testId, label, value, foot, icon, tone, hint, wide }: KpiProps) {
  return (
    <div className={`kpi-card kpi-${tone}${wide ? ' kpi-wide' : ''}`} data-testid={`${testId}-card`}>
      <div className="kpi-top">
        <span className="kpi-label">
          {label}
          {hint && (
            <Tooltip title={hint}>
              <InfoCircleOutlined className="kpi-hint" />
            </Tooltip>
          )}
        </span>
        <span className="kpi-icon">{icon}</span>
      </div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      <div className="kpi-foot">{foot}</div>
    </div>
  );
}

export function KpiCards({ summary }: { summary: DashboardSummary | undefined }) {
  const t = useT();
  if (!summary) {
    return (
      <div className="kpi-grid">
        {[0, 1, 2, 3, 4].map((n) => (
          <div className="kpi-card" key={n}>
            <Skeleton active paragraph={{ rows: 1 }} />
          </div>
        ))}
      </div>
    );
  }
  const { customers, orders } = summary;
  return (
    <div className="kpi-grid">
      <Kpi
        testId="kpi-gmv"
        tone="teal"
        wide
        icon={<WalletOutlined />}
        label={t('dashboard.gmv')}
        hint={t('dashboard.gmvHint')}
        value={formatMoney(orders.gmvFen)}
        foot={`${summary.range.from} ~ ${summary.range.to}`}
      />
      <Kpi
        testId="kpi-orders"
        tone="blue"
        icon={<ShoppingCartOutlined />}
        label={t('dashboard.orders')}
        value={formatCount(orders.count)}
        foot={t('dashboard.buyers', { count: formatCount(orders.buyers) })}
      />
      <Kpi
        testId="kpi-customers"
        tone="violet"
        icon={<TeamOutlined />}
        label={t('dashboard.customers')}
        value={formatCount(customers.total)}
        foot={
          <>
            <span data-testid="kpi-customers-with-orders">{t('dashboard.withOrders', { count: formatCount(customers.withOrders) })}</span>
            <span className="kpi-foot-sep">·</span>
            <span>{t('dashboard.newInRange', { count: formatCount(customers.newInRange) })}</span>
          </>
        }
      />
      <Kpi
        testId="kpi-average-ticket"
        tone="amber"
        icon={<TransactionOutlined />}
        label={t('dashboard.averageTicket')}
        value={formatMoney(orders.averageTicketFen)}
        foot={t('dashboard.perOrder')}
      />
      <Kpi
        testId="kpi-repeat-share"
        tone="rose"
        icon={<RetweetOutlined />}
        label={t('dashboard.repeatShare')}
        value={formatShare(orders.repeatBuyers, orders.buyers)}
        foot={t('dashboard.repeatDetail', { repeat: formatCount(orders.repeatBuyers), buyers: formatCount(orders.buyers) })}
      />
    </div>
  );
}
