// Create a flash sale: the SKU, the sale and list prices, the stock, the per-customer limit, when.
import { useState } from 'react';
import { App, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, api } from '../../api.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { toFen } from './promo-format.ts';
import { showRefusals } from './promo-refusals.ts';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  name: string;
  sku: string;
  itemName: string;
  price: number;
  originalPrice: number;
  stock: number;
  perCustomerLimit: number;
  storeId?: string;
  period: [Dayjs, Dayjs];
}

const FIELD_OF: Record<string, keyof Values> = {
  name: 'name', sku: 'sku', itemName: 'itemName', endsAt: 'period', startsAt: 'period', priceFen: 'price', originalPriceFen: 'originalPrice',
  stock: 'stock', perCustomerLimit: 'perCustomerLimit', storeId: 'storeId',
};

export function FlashSaleModal({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const required = [{ required: true, message: t('promo.form.required') }];
  const yuan = { min: 0, precision: 2, prefix: '¥', style: { width: '100%' } } as const;

  const save = async () => {
    const v = await validValues(form);
    if (!v) return;
    setSaving(true);
    try {
      await promotionsApi.createFlashSale({
        name: v.name.trim(), sku: v.sku.trim(), itemName: v.itemName.trim(), priceFen: toFen(v.price) ?? 0, originalPriceFen: toFen(v.originalPrice) ?? 0,
        stock: v.stock, perCustomerLimit: v.perCustomerLimit, storeId: v.storeId ?? null, startsAt: v.period[0].toISOString(), endsAt: v.period[1].toISOString(),
      });
      void message.success(t('promo.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const elsewhere = showRefusals(form, t, err.details, ([field]) => FIELD_OF[field ?? '']);
        if (elsewhere.length > 0) void message.error(elsewhere.join('；'));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('promo.sale.new')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} okText={t('common.save')} width={640} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="sale-form"
        initialValues={{ stock: 100, perCustomerLimit: 1, period: [dayjs().add(1, 'hour').startOf('hour'), dayjs().add(2, 'hour').startOf('hour')] }}>
        <Form.Item name="name" label={t('promo.sale.name')} rules={required}><Input maxLength={100} placeholder="车厘子限时秒杀" /></Form.Item>
        <Row gutter={16}>
          <Col span={10}><Form.Item name="sku" label={t('promo.sale.sku')} rules={required}><Input maxLength={64} /></Form.Item></Col>
          <Col span={14}><Form.Item name="itemName" label={t('promo.sale.itemName')} rules={required}><Input maxLength={100} /></Form.Item></Col>
        </Row>
        <Row gutter={16}>
          <Col span={6}><Form.Item name="price" label={t('promo.sale.priceYuan')} rules={required}><InputNumber {...yuan} /></Form.Item></Col>
          <Col span={6}><Form.Item name="originalPrice" label={t('promo.sale.originalPriceYuan')} rules={required}><InputNumber {...yuan} /></Form.Item></Col>
          <Col span={6}><Form.Item name="stock" label={t('promo.sale.stock')} rules={required}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={6}><Form.Item name="perCustomerLimit" label={t('promo.sale.limit')} rules={required}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
        </Row>
        <Form.Item name="period" label={t('promo.sale.period')} rules={required}><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} /></Form.Item>
        <Form.Item name="storeId" label={t('promo.sale.store')}>
          <Select allowClear loading={stores.loading} optionFilterProp="label" options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
