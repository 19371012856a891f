// Price rules (满减, bundle price, member price, quantity ladders) and a quote tester beside them.
import { useState } from 'react';
import { App, Button, Card, Col, Popconfirm, Row, Space, Table, Tag, type TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { promotionsApi, type PriceRule } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PriceRuleModal } from './PriceRuleModal.tsx';
import { QuoteTester } from './QuoteTester.tsx';
import { ruleSummary } from './promo-format.ts';
import { errorText } from '../../refusal-text.ts';

export function PriceRulesPanel() {
  const t = useT();
  const { message } = App.useApp();
  const rules = useRemote((signal) => promotionsApi.priceRules({ signal }), []);
  const [editing, setEditing] = useState<PriceRule | 'new' | null>(null);

  const remove = async (r: PriceRule) => {
    try {
      await promotionsApi.deletePriceRule(r.id);
      rules.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<PriceRule> = [
    {
      title: t('promo.coupon.name'),
      key: 'name',
      render: (_v, r) => (
        <div className="cell-stack">
          <span>{r.name}</span>
          <span className="muted cell-note">{t(`promo.rule.kind.${r.kind}`)} · {ruleSummary(t, r)}</span>
        </div>
      ),
    },
    { title: t('promo.rule.scope'), key: 'skus', width: 150, responsive: ['xl'], render: (_v, r) => <span className="muted">{r.skus.length === 0 ? t('promo.rule.allSkus') : r.skus.join(', ')}</span> },
    { title: '', key: 'stack', width: 80, render: (_v, r) => <Tag variant="filled" color={r.stackable ? 'blue' : 'purple'}>{r.stackable ? t('promo.rule.stackable') : t('promo.rule.exclusive')}</Tag> },
    { title: t('promo.coupon.status'), dataIndex: 'status', width: 80, render: (s: PriceRule['status']) => <Tag color={s === 'active' ? 'green' : 'orange'} variant="filled">{t(`promo.status.${s}`)}</Tag> },
    {
      title: '',
      key: 'actions',
      width: 90,
      align: 'right',
      render: (_v, r) => (
        <Space size={4}>
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t('common.edit')} />
          <Popconfirm title={t('promo.rule.deleteConfirm', { name: r.name })} onConfirm={() => void remove(r)}>
            <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('promo.rule.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={13}>
        <Card variant="borderless" className="panel" title={t('promo.tab.priceRules')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="rule-new">{t('promo.rule.new')}</Button>}>
          {rules.error && <LoadError error={rules.error} onRetry={rules.reload} />}
          <Table<PriceRule> rowKey="id" size="middle" columns={columns} dataSource={rules.data?.items ?? []} loading={rules.loading} pagination={false}
            locale={{ emptyText: rules.loading ? ' ' : t('promo.rule.empty') }} />
        </Card>
      </Col>
      <Col xs={24} xl={11}>
        <QuoteTester />
      </Col>
      {editing && <PriceRuleModal rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); rules.reload(); }} />}
    </Row>
  );
}
