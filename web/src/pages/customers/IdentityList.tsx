// Every way the brand knows this person, resolved into one profile (seed 004's 触点数字化).
import { Card, Empty, Typography } from 'antd';
import type { CustomerIdentity } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { identityKindLabel } from '../../labels.ts';

export function IdentityList({ identities, zone }: { identities: CustomerIdentity[]; zone: string }) {
  const t = useT();
  return (
    <Card variant="borderless" className="panel" title={t('customer.identities')} data-testid="customer-identities">
      {identities.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noIdentities')} />
      ) : (
        <ul className="identity-list">
          {identities.map((identity) => (
            <li key={`${identity.kind}:${identity.value}`}>
              <span className={`identity-kind identity-${identity.kind}`}>{identityKindLabel(t, identity.kind)}</span>
              <Typography.Text className="identity-value" copyable={{ text: identity.value }} ellipsis={{ tooltip: identity.value }}>
                {identity.value}
              </Typography.Text>
              <span className="identity-since muted">{formatDateTime(identity.createdAt, zone)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
