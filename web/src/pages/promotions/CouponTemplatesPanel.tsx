// Coupon templates with their figures: issued, redeemed, redemption rate and the GMV of the
// orders that redeemed; create, edit, pause, and issue to a tag or a segment.
import { useState } from 'react';
import { App, Button, Card, Space, Table, Tag, type TableColumnsType } from 'antd';
import { EditOutlined, PauseOutlined, PlayCircleOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { promotionsApi, type CouponTemplate, type TemplateStatus } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDate, formatMoney, formatShare } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { CouponTemplateModal } from './CouponTemplateModal.tsx';
import { IssueModal } from './IssueModal.tsx';
import { couponOffer } from './promo-format.ts';
import { errorText } from '../../refusal-text.ts';

export const TEMPLATE_STATUS_COLORS: Record<TemplateStatus, string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'default' };

export function CouponTemplatesPanel() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const templates = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);
  const [editing, setEditing] = useState<CouponTemplate | 'new' | null>(null);
  const [issuing, setIssuing] = useState<CouponTemplate | null>(null);

  const setStatus = async (c: CouponTemplate, status: TemplateStatus) => {
    try {
      await promotionsApi.setCouponTemplateStatus(c.id, status);
      templates.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<CouponTemplate> = [
    {
      title: t('promo.coupon.name'),
      key: 'name',
      render: (_v, c) => (
        <div className="cell-stack">
          <span>{c.name}</span>
          <span className="muted cell-note">{t(`promo.kind.${c.kind}`)} · {couponOffer(t, c)}</span>
        </div>
      ),
    },
    {
      title: t('promo.coupon.validity'),
      key: 'validity',
      width: 190,
      responsive: ['lg'],
      render: (_v, c) => (
        <span className="muted nowrap">
          {c.validDays !== null ? t('promo.validity.days', { days: c.validDays }) : t('promo.validity.range', { from: formatDate(c.validFrom ?? c.createdAt, zone), to: formatDate(c.validTo, zone) })}
        </span>
      ),
    },
    { title: t('promo.coupon.stock'), key: 'stock', width: 90, align: 'right', responsive: ['lg'], render: (_v, c) => <span className="num">{c.totalStock === null ? t('promo.unlimited') : formatCount(c.totalStock)}</span> },
    { title: t('promo.coupon.issued'), key: 'issued', width: 90, align: 'right', render: (_v, c) => <span className="num">{formatCount(c.stats.issued)}</span> },
    { title: t('promo.coupon.redeemed'), key: 'redeemed', width: 90, align: 'right', render: (_v, c) => <span className="num">{formatCount(c.stats.redeemed)}</span> },
    { title: t('promo.coupon.rate'), key: 'rate', width: 90, align: 'right', responsive: ['md'], render: (_v, c) => <span className="num">{formatShare(c.stats.redeemed, c.stats.issued)}</span> },
    { title: t('promo.coupon.gmv'), key: 'gmv', width: 120, align: 'right', responsive: ['md'], render: (_v, c) => <span className="num">{formatMoney(c.stats.gmvFen)}</span> },
    { title: t('promo.coupon.status'), dataIndex: 'status', width: 90, render: (s: TemplateStatus) => <Tag color={TEMPLATE_STATUS_COLORS[s]} variant="filled">{t(`promo.status.${s}`)}</Tag> },
    {
      title: '',
      key: 'actions',
      width: 150,
      align: 'right',
      fixed: 'right',
      render: (_v, c) => (
        <Space size={4}>
          <Button size="small" icon={<SendOutlined />} disabled={c.status !== 'active'} onClick={() => setIssuing(c)} data-testid="coupon-issue">{t('promo.coupon.issue')}</Button>
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)} aria-label={t('common.edit')} title={t('common.edit')} />
          {c.status === 'active'
            ? <Button size="small" icon={<PauseOutlined />} onClick={() => void setStatus(c, 'paused')} aria-label={t('promo.coupon.pause')} title={t('promo.coupon.pause')} />
            : <Button size="small" icon={<PlayCircleOutlined />} onClick={() => void setStatus(c, 'active')} aria-label={t('promo.coupon.activate')} title={t('promo.coupon.activate')} />}
        </Space>
      ),
    },
  ];

  return (
    <Card variant="borderless" className="panel" extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="coupon-new">{t('promo.coupon.new')}</Button>} title={t('promo.tab.coupons')}>
      {templates.error && <LoadError error={templates.error} onRetry={templates.reload} />}
      <Table<CouponTemplate>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={templates.data?.items ?? []}
        loading={templates.loading}
        locale={{ emptyText: templates.loading ? ' ' : t('promo.coupon.empty') }}
        pagination={false}
        scroll={{ x: 'max-content' }}
      />
      {editing && (
        <CouponTemplateModal
          template={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            templates.reload();
          }}
        />
      )}
      {issuing && <IssueModal template={issuing} onClose={() => { setIssuing(null); templates.reload(); }} />}
    </Card>
  );
}
