// Where the brand reaches the customer on WeCom: the staff who have them as a contact (with the
// channel code that brought them) and the customer groups they are in.
import { Card, Empty, Tag } from 'antd';
import { CommentOutlined, UserOutlined } from '@ant-design/icons';
import type { CustomerDetail } from '../../api.ts';
import { formatDate } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

export function RelationsCard({ customer, zone }: { customer: CustomerDetail; zone: string }) {
  const t = useT();
  const { contacts, groups } = customer;
  return (
    <Card variant="borderless" className="panel" title={t('customer.relations')} data-testid="customer-relations">
      <div className="relation-section">
        <div className="relation-heading">{t('customer.contacts')}</div>
        {contacts.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noContacts')} className="relation-empty" />
        ) : (
          <ul className="relation-list" data-testid="customer-contacts">
            {contacts.map((c) => (
              <li key={c.staff.id}>
                <span className="relation-icon relation-contact"><UserOutlined /></span>
                <div className="relation-body">
                  <div className="relation-title">
                    <span>{c.staff.name}</span>
                    {c.deletedAt && <Tag variant="filled">{t('customer.contactDeleted')}</Tag>}
                  </div>
                  <div className="relation-sub muted">
                    {c.state ? `${t('customer.stateCode')} ${c.state} · ` : ''}
                    {t('customer.addedOn', { date: formatDate(c.addedAt, zone) })}
                    {c.deletedAt ? ` · ${t('customer.deletedOn', { date: formatDate(c.deletedAt, zone) })}` : ''}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="relation-section">
        <div className="relation-heading">{t('customer.groups')}</div>
        {groups.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noGroups')} className="relation-empty" />
        ) : (
          <ul className="relation-list" data-testid="customer-groups">
            {groups.map((g) => (
              <li key={g.id}>
                <span className="relation-icon relation-group"><CommentOutlined /></span>
                <div className="relation-body">
                  <div className="relation-title">
                    <span>{g.name || g.chatId}</span>
                    {g.leftAt && <Tag variant="filled">{t('customer.leftGroup')}</Tag>}
                  </div>
                  <div className="relation-sub muted">
                    {t('customer.joinedOn', { date: formatDate(g.joinedAt, zone) })}
                    {g.leftAt ? ` · ${t('customer.leftOn', { date: formatDate(g.leftAt, zone) })}` : ''}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
