// 客户详情: who the customer is, every identity we hold, how they buy, and their orders.
import { Breadcrumb, Button, Result } from 'antd';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../api.ts';
import { FullPageSpin } from '../../components/FullPageSpin.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { AggregateStats } from './AggregateStats.tsx';
import { CustomerOrders } from './CustomerOrders.tsx';
import { IdentityList } from './IdentityList.tsx';
import { ProfileCard } from './ProfileCard.tsx';

export default function CustomerDetailPage() {
  const t = useT();
  const zone = useTenantZone();
  const { id = '' } = useParams();
  const customer = useRemote((signal) => api.customer(id, { signal }), [id]);

  const crumbs = (
    <Breadcrumb
      className="page-crumbs"
      items={[{ title: <Link to="/customers">{t('customer.back')}</Link> }, { title: customer.data?.name || t('customer.title') }]}
    />
  );

  if (customer.error instanceof ApiError && (customer.error.status === 404 || customer.error.status === 400)) {
    return (
      <Result
        status="404"
        title={t('customer.notFound')}
        extra={
          <Link to="/customers">
            <Button type="primary">{t('customer.back')}</Button>
          </Link>
        }
      />
    );
  }
  if (customer.error) {
    return (
      <div className="page">
        <PageHeader before={crumbs} title={t('customer.title')} />
        <LoadError error={customer.error} onRetry={customer.reload} />
      </div>
    );
  }
  const data = customer.data;
  if (!data || data.id !== id) return <FullPageSpin />;

  return (
    <div className="page" data-testid="customer-detail-page">
      <PageHeader before={crumbs} title={data.name || t('customers.unnamed')} subtitle={t('common.timezone', { zone })} />
      <div className="detail-grid">
        <div className="detail-side">
          <ProfileCard customer={data} zone={zone} />
          <IdentityList identities={data.identities} zone={zone} />
        </div>
        <div className="detail-main">
          <AggregateStats customer={data} zone={zone} />
          <CustomerOrders customerId={data.id} zone={zone} />
        </div>
      </div>
    </div>
  );
}
