import { Card, Descriptions, Tag } from 'antd';
import { EnvironmentOutlined, ShopOutlined, UserOutlined } from '@ant-design/icons';
import type { CustomerDetail } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { sourceChannelLabel, genderLabel } from '../../labels.ts';
import { CustomerName } from './CustomerName.tsx';

export function ProfileCard({ customer, zone }: { customer: CustomerDetail; zone: string }) {
  const t = useT();
  const none = t('common.none');
  return (
    <Card variant="borderless" className="panel profile-card" data-testid="customer-profile">
      <div className="profile-head">
        <CustomerName name={customer.name} gender={customer.gender} size={52} />
        <div className="profile-tags">
          {customer.city && (
            <Tag icon={<EnvironmentOutlined />} variant="filled">
              {customer.city}
            </Tag>
          )}
          {customer.sourceChannel && <Tag color="cyan" variant="filled">{sourceChannelLabel(t, customer.sourceChannel)}</Tag>}
        </div>
      </div>
      <Descriptions
        column={{ xs: 1, sm: 2, md: 1 }}
        size="small"
        className="profile-fields"
        items={[
          { key: 'gender', label: t('customer.gender'), children: genderLabel(t, customer.gender) },
          { key: 'birthday', label: t('customer.birthday'), children: customer.birthday ?? none },
          { key: 'city', label: t('customer.city'), children: customer.city || none },
          { key: 'source', label: t('customer.source'), children: customer.sourceChannel ? sourceChannelLabel(t, customer.sourceChannel) : none },
          {
            key: 'store',
            label: t('customer.store'),
            children: customer.store ? (
              <span>
                <ShopOutlined className="field-icon" />
                {customer.store.name}
              </span>
            ) : (
              none
            ),
          },
          {
            key: 'guide',
            label: t('customer.guide'),
            children: customer.guide ? (
              <span>
                <UserOutlined className="field-icon" />
                {customer.guide.name}
              </span>
            ) : (
              none
            ),
          },
          { key: 'created', label: t('customer.createdAt'), children: formatDateTime(customer.createdAt, zone) },
          { key: 'active', label: t('customer.lastActive'), children: formatDateTime(customer.lastActiveAt, zone) },
        ]}
      />
    </Card>
  );
}
