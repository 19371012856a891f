// 客户 360: who the customer is, every identity we hold, their tags, WeCom contacts and groups,
// consent, how they buy, their orders, and the timeline of everything that happened.
import { useState } from 'react';
import { Alert, Breadcrumb, Button, Result, Space } from 'antd';
import { SwapOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../api.ts';
import { FullPageSpin } from '../../components/FullPageSpin.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { AggregateStats } from './AggregateStats.tsx';
import { ConsentsCard } from './ConsentsCard.tsx';
import { CustomerOrders } from './CustomerOrders.tsx';
import { CustomerTagsCard } from './CustomerTagsCard.tsx';
import { CustomerTimeline } from './CustomerTimeline.tsx';
import { IdentityList } from './IdentityList.tsx';
import { PrivacyActions } from './PrivacyActions.tsx';
import { ProfileCard } from './ProfileCard.tsx';
import { RelationsCard } from './RelationsCard.tsx';
import { TransferModal } from './TransferModal.tsx';
import { CustomerScoresCard } from '../scores/CustomerScoresCard.tsx';
import { MemberPointsCard } from '../membership/MemberPointsCard.tsx';

export default function CustomerDetailPage() {
  const t = useT();
  const zone = useTenantZone();
  const { id = '' } = useParams();
  // Bumped after a change made here (a tag, a consent), so the profile and the timeline reload.
  const [version, setVersion] = useState(0);
  const customer = useRemote((signal) => api.customer(id, { signal }), [id, version]);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const changed = () => setVersion((v) => v + 1);
  const canTransfer = useCan('customers:transfer');
  const [transferring, setTransferring] = useState(false);

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
  const requested = id.toLowerCase();
  if (!data || (data.id !== requested && data.mergedFrom?.id !== requested)) return <FullPageSpin />;

  return (
    <div className="page" data-testid="customer-detail-page">
      <PageHeader
        before={crumbs}
        title={data.name || t('customers.unnamed')}
        subtitle={t('common.timezone', { zone })}
        extra={(
          <Space wrap>
            {canTransfer && (
              <Button icon={<SwapOutlined />} onClick={() => setTransferring(true)} data-testid="customer-transfer">{t('transfer.action')}</Button>
            )}
            <PrivacyActions customer={data} />
          </Space>
        )}
      />
      {transferring && <TransferModal customers={[{ id: data.id, name: data.name }]} onClose={() => setTransferring(false)} onDone={changed} />}
      {data.mergedFrom && (
        <Alert
          type="info"
          showIcon
          data-testid="customer-merged-notice"
          title={t('customer.mergedNotice', { id: data.mergedFrom.id, at: formatDateTime(data.mergedFrom.mergedAt, zone) })}
          action={
            <Link to={`/customers/${data.id}`} replace>
              <Button size="small">{t('customer.openSurvivor')}</Button>
            </Link>
          }
        />
      )}
      <div className="detail-grid">
        <div className="detail-side">
          <ProfileCard customer={data} zone={zone} />
          <CustomerScoresCard scores={data.scores ?? null} zone={zone} />
          <MemberPointsCard customerId={data.id} zone={zone} />
          <CustomerTagsCard customer={data} tagGroups={tagGroups.data?.items ?? []} zone={zone} onChanged={changed} />
          <IdentityList identities={data.identities} zone={zone} />
          <RelationsCard customer={data} zone={zone} />
          <ConsentsCard customer={data} zone={zone} onChanged={changed} />
        </div>
        <div className="detail-main">
          <AggregateStats customer={data} zone={zone} />
          <CustomerTimeline customerId={data.id} zone={zone} version={version} />
          <CustomerOrders customerId={data.id} zone={zone} />
        </div>
      </div>
    </div>
  );
}
