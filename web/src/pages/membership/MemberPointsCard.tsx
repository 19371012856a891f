// On the customer 360: the member's tier, points balance and the points expiring next.
import { Card, Descriptions, Tag } from 'antd';
import { Link } from 'react-router';
import { membershipApi } from '../../api-membership.ts';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDate } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { lastValidDay } from './member-format.ts';

export function MemberPointsCard({ customerId, zone }: { customerId: string; zone: string }) {
  const t = useT();
  const member = useRemote((signal) => membershipApi.member(customerId, { signal }), [customerId]);
  const m = member.data;
  if (!m || (m.balance === 0 && !m.tier)) return null;
  return (
    <Card variant="borderless" className="panel" title={t('member.card.title')} size="small" data-testid="customer-membership"
      extra={<Link to={`/membership?customer=${m.customer.id}`}>{t('member.card.open')}</Link>}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t('member.tier')}>{m.tier ? <Tag color="gold">{m.tier.name}</Tag> : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('member.balance')}><span className="num">{formatCount(m.balance)}</span></Descriptions.Item>
        {m.nextExpiry && <Descriptions.Item label={t('member.nextExpiry')} span={2}>{t('member.expiring', { points: formatCount(m.nextExpiry.points), date: lastValidDay(m.nextExpiry.at, zone) })}</Descriptions.Item>}
      </Descriptions>
    </Card>
  );
}
