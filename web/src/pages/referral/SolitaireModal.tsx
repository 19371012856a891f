// Post a 接龙: the group, the item and its price, the stock, the pickup store and the deadline.
import { useState } from 'react';
import { App, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, api } from '../../api.ts';
import { fissionApi } from '../../api-fission.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { detailText } from '../../labels.ts';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  groupId: string;
  title: string;
  sku: string;
  itemName: string;
  price: number;
  stock: number;
  perCustomerLimit?: number;
  storeId: string;
  deadline: Dayjs;
}

const FIELD_OF: Record<string, keyof Values> = {
  groupId: 'groupId', title: 'title', sku: 'sku', itemName: 'itemName', priceFen: 'price', storeId: 'storeId', deadlineAt: 'deadline', perCustomerLimit: 'perCustomerLimit', stock: 'stock',
};
const SOLITAIRE_REFUSALS = ['unknown_group', 'group_dissolved', 'not_group_owner', 'unknown_store', 'deadline_past', 'limit_above_stock'] as const;

export function SolitaireModal({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const groups = useRemote((signal) => fissionApi.solitaireGroups({ signal }), []);
  const required = [{ required: true, message: t('fission.required') }];

  const save = async () => {
    const v = await validValues(form);
    if (!v) return;
    setSaving(true);
    try {
      const created = await fissionApi.createSolitaire({
        groupId: v.groupId, title: v.title.trim(), sku: v.sku.trim(), itemName: v.itemName.trim(), priceFen: Math.round(v.price * 100), stock: v.stock,
        ...(v.perCustomerLimit ? { perCustomerLimit: v.perCustomerLimit } : {}), storeId: v.storeId, deadlineAt: v.deadline.toISOString(),
      });
      void message.success(t('fission.saved'));
      onSaved(created.id);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) form.setFields(err.details.map((d) => ({ name: FIELD_OF[d.path.split('.')[1] ?? ''] ?? 'title', errors: [detailText(t, d, SOLITAIRE_REFUSALS, (code) => `fission.solitaire.refusal.${code}`)] })));
      else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  // A group's own store is the natural pickup store.
  const pickGroup = (groupId: string) => {
    const g = groups.data?.items.find((x) => x.id === groupId);
    if (g?.storeId && !form.getFieldValue('storeId')) form.setFieldValue('storeId', g.storeId);
  };

  return (
    <Modal open title={t('fission.sol.new')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} okText={t('common.save')} width={640} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="solitaire-form" initialValues={{ stock: 100, deadline: dayjs().add(1, 'day').hour(20).startOf('hour') }}>
        <Form.Item name="groupId" label={t('fission.sol.group')} rules={required}>
          <Select showSearch optionFilterProp="label" loading={groups.loading} onChange={pickGroup}
            options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: `${g.name} · ${t('fission.sol.groupMembers', { members: g.members })}` }))} />
        </Form.Item>
        <Form.Item name="title" label={t('fission.sol.title')} rules={required}><Input maxLength={100} placeholder="车厘子季 · 199 元 5 斤" /></Form.Item>
        <Row gutter={16}>
          <Col span={10}><Form.Item name="sku" label={t('fission.sol.sku')} rules={required}><Input maxLength={64} /></Form.Item></Col>
          <Col span={14}><Form.Item name="itemName" label={t('fission.sol.itemName')} rules={required}><Input maxLength={100} /></Form.Item></Col>
        </Row>
        <Row gutter={16}>
          <Col span={8}><Form.Item name="price" label={t('fission.sol.priceYuan')} rules={required}><InputNumber min={0} precision={2} prefix="¥" style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={8}><Form.Item name="stock" label={t('fission.sol.stock')} rules={required}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={8}><Form.Item name="perCustomerLimit" label={t('fission.sol.limit')}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
        </Row>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="storeId" label={t('fission.sol.store')} rules={required}>
              <Select showSearch optionFilterProp="label" loading={stores.loading} options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          </Col>
          <Col span={12}><Form.Item name="deadline" label={t('fission.sol.deadline')} rules={required}><DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} /></Form.Item></Col>
        </Row>
      </Form>
    </Modal>
  );
}
