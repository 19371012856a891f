// 积分商城: what points buy — coupons (issued from a coupon template) and goods with a stock.
import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Table, Tag, type TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { membershipApi, type Reward, type RewardInput } from '../../api-membership.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';

export function RewardsPanel() {
  const t = useT();
  const rewards = useRemote((signal) => membershipApi.rewards({ signal }), []);
  const templates = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);
  const [editing, setEditing] = useState<Reward | 'new' | null>(null);
  const templateName = new Map((templates.data?.items ?? []).map((c) => [c.id, c.name]));

  if (rewards.error) return <LoadError error={rewards.error} onRetry={rewards.reload} />;
  const columns: TableColumnsType<Reward> = [
    {
      title: t('member.reward.name'), key: 'name',
      render: (_v, r) => (
        <div className="cell-stack">
          <span>{r.name}</span>
          <span className="muted cell-note">{r.kind === 'coupon' ? templateName.get(r.couponTemplateId ?? '') ?? '' : r.sku ?? ''}</span>
        </div>
      ),
    },
    { title: t('member.reward.kind'), dataIndex: 'kind', width: 90, render: (k: Reward['kind']) => <Tag color={k === 'coupon' ? 'blue' : 'cyan'}>{t(`member.reward.kind.${k}`)}</Tag> },
    { title: t('member.reward.price'), dataIndex: 'pointsPrice', width: 110, align: 'right', render: (p: number) => <span className="num">{formatCount(p)}</span> },
    { title: t('member.reward.left'), key: 'left', width: 110, align: 'right', render: (_v, r) => <span className="num">{r.left === null ? t('member.reward.unlimited') : `${formatCount(r.left)} / ${formatCount(r.stock ?? 0)}`}</span> },
    { title: t('member.reward.redeemed'), dataIndex: 'redeemed', width: 100, align: 'right', render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('member.reward.status'), dataIndex: 'status', width: 90, render: (s: Reward['status']) => <Tag color={s === 'active' ? 'green' : 'orange'}>{t(`member.reward.status.${s}`)}</Tag> },
    { key: 'edit', width: 50, render: (_v, r) => <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t('member.edit')} /> },
  ];
  return (
    <Card variant="borderless" className="panel" size="small" data-testid="rewards-panel" title={t('member.reward.title')}
      extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('member.reward.new')}</Button>}>
      <Table rowKey="id" size="small" columns={columns} dataSource={rewards.data?.items ?? []} loading={rewards.loading} pagination={false} />
      {editing && (
        <RewardModal reward={editing === 'new' ? null : editing} templates={(templates.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          onClose={(saved) => { setEditing(null); if (saved) rewards.reload(); }} />
      )}
    </Card>
  );
}

function RewardModal({ reward, templates, onClose }: { reward: Reward | null; templates: { value: string; label: string }[]; onClose: (saved: boolean) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<RewardInput>();
  const [saving, setSaving] = useState(false);
  const kind = Form.useWatch('kind', form) ?? reward?.kind ?? 'coupon';
  const submit = async (v: RewardInput) => {
    setSaving(true);
    try {
      const body: RewardInput = { ...v, couponTemplateId: v.kind === 'coupon' ? v.couponTemplateId : null, sku: v.kind === 'goods' ? v.sku ?? null : null, stock: v.stock ?? null };
      if (reward) await membershipApi.updateReward(reward.id, body);
      else await membershipApi.createReward(body);
      onClose(true);
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={reward ? t('member.reward.edit') : t('member.reward.new')} onCancel={() => onClose(false)} onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}
        initialValues={reward ?? { kind: 'coupon', pointsPrice: 100, stock: null, status: 'active', couponTemplateId: null, sku: null }}>
        <Form.Item name="name" label={t('member.reward.name')} rules={[{ required: true, whitespace: true }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="kind" label={t('member.reward.kind')}>
          <Radio.Group disabled={reward !== null} options={[{ value: 'coupon', label: t('member.reward.kind.coupon') }, { value: 'goods', label: t('member.reward.kind.goods') }]} />
        </Form.Item>
        {kind === 'coupon'
          ? <Form.Item name="couponTemplateId" label={t('member.reward.template')} rules={[{ required: true }]}><Select options={templates} /></Form.Item>
          : <Form.Item name="sku" label="SKU"><Input maxLength={64} /></Form.Item>}
        <Form.Item name="pointsPrice" label={t('member.reward.price')} rules={[{ required: true }]}><InputNumber min={1} precision={0} /></Form.Item>
        <Form.Item name="stock" label={t('member.reward.stock')} extra={t('member.reward.stockHint')}><InputNumber min={0} precision={0} /></Form.Item>
        <Form.Item name="status" label={t('member.reward.status')}>
          <Radio.Group options={[{ value: 'active', label: t('member.reward.status.active') }, { value: 'paused', label: t('member.reward.status.paused') }]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
