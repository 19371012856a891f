// Create or edit a coupon template: the offer by kind, validity (N days from issue or fixed
// dates), where it holds (stores, SKUs, channels), stacking, limits and stock.
import { useState } from 'react';
import { App, Checkbox, Col, DatePicker, Form, Input, InputNumber, Modal, Radio, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, api } from '../../api.ts';
import { PROMOTION_CHANNELS, promotionsApi, type CouponKind, type CouponTemplate, type CouponTemplateInput, type PromotionChannel } from '../../api-promotions.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { toFen, toYuan } from './promo-format.ts';
import { showRefusals } from './promo-refusals.ts';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  name: string;
  description?: string;
  kind: CouponKind;
  amountOff?: number | null;
  percent?: number | null;
  maxDiscount?: number | null;
  threshold?: number | null;
  freeSku?: string;
  freeItemName?: string;
  freeItemValue?: number | null;
  validityMode: 'relative' | 'absolute';
  validDays?: number | null;
  validRange?: [Dayjs, Dayjs] | null;
  storeIds: string[];
  skus: string[];
  channels: PromotionChannel[];
  stackWithPriceRules: boolean;
  stackWithCoupons: boolean;
  perCustomerLimit: number;
  totalStock?: number | null;
}

const KINDS: CouponKind[] = ['amount', 'percent', 'threshold', 'free_item'];

function initial(c: CouponTemplate | null): Values {
  if (!c) {
    return { name: '', kind: 'amount', validityMode: 'relative', validDays: 30, storeIds: [], skus: [], channels: [], stackWithPriceRules: true, stackWithCoupons: false, perCustomerLimit: 1 };
  }
  return {
    name: c.name, description: c.description, kind: c.kind, amountOff: toYuan(c.amountOffFen), percent: c.percent, maxDiscount: toYuan(c.maxDiscountFen),
    threshold: toYuan(c.thresholdFen), freeSku: c.freeSku ?? '', freeItemName: c.freeItemName ?? '', freeItemValue: toYuan(c.freeItemValueFen),
    validityMode: c.validDays !== null ? 'relative' : 'absolute', validDays: c.validDays,
    validRange: c.validTo ? [dayjs(c.validFrom ?? c.createdAt), dayjs(c.validTo)] : null,
    storeIds: c.storeIds, skus: c.skus, channels: c.channels, stackWithPriceRules: c.stackWithPriceRules, stackWithCoupons: c.stackWithCoupons,
    perCustomerLimit: c.perCustomerLimit, totalStock: c.totalStock,
  };
}

function toInput(v: Values, status: CouponTemplate['status'] | undefined): CouponTemplateInput {
  const relative = v.validityMode === 'relative';
  return {
    name: v.name.trim(), description: v.description ?? '', kind: v.kind,
    amountOffFen: v.kind === 'amount' || v.kind === 'threshold' ? toFen(v.amountOff) : null,
    percent: v.kind === 'percent' ? (v.percent ?? null) : null,
    maxDiscountFen: v.kind === 'percent' ? toFen(v.maxDiscount) : null,
    thresholdFen: toFen(v.threshold) ?? 0,
    freeSku: v.kind === 'free_item' ? (v.freeSku?.trim() || null) : null,
    freeItemName: v.kind === 'free_item' ? (v.freeItemName?.trim() || null) : null,
    freeItemValueFen: v.kind === 'free_item' ? toFen(v.freeItemValue) : null,
    validDays: relative ? (v.validDays ?? null) : null,
    validFrom: relative ? null : (v.validRange?.[0].toISOString() ?? null),
    validTo: relative ? null : (v.validRange?.[1].toISOString() ?? null),
    storeIds: v.storeIds, skus: v.skus, channels: v.channels, stackWithPriceRules: v.stackWithPriceRules, stackWithCoupons: v.stackWithCoupons,
    perCustomerLimit: v.perCustomerLimit, totalStock: v.totalStock ?? null, ...(status ? { status } : {}),
  };
}

/** body.amountOffFen → the form field that holds it. */
const FIELD_OF: Record<string, keyof Values> = {
  name: 'name', description: 'description', kind: 'kind', amountOffFen: 'amountOff', percent: 'percent', maxDiscountFen: 'maxDiscount', thresholdFen: 'threshold',
  freeSku: 'freeSku', freeItemName: 'freeItemName', freeItemValueFen: 'freeItemValue', validDays: 'validDays', storeIds: 'storeIds', skus: 'skus',
  channels: 'channels', perCustomerLimit: 'perCustomerLimit', totalStock: 'totalStock',
};

export function CouponTemplateModal({ template, onClose, onSaved }: { template: CouponTemplate | null; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const kind = Form.useWatch('kind', form) ?? template?.kind ?? 'amount';
  const mode = Form.useWatch('validityMode', form) ?? 'relative';
  const required = [{ required: true, message: t('promo.form.required') }];

  const save = async () => {
    const values = await validValues(form);
    if (!values) return;
    setSaving(true);
    try {
      const input = toInput(values, template?.status);
      if (template) await promotionsApi.updateCouponTemplate(template.id, input);
      else await promotionsApi.createCouponTemplate(input);
      void message.success(t('promo.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        // Dates refused land on the range when fixed dates are chosen, else on the choice of validity.
        const dates = values.validityMode === 'absolute' ? 'validRange' : 'validityMode';
        const elsewhere = showRefusals(form, t, err.details, ([field]) => (field === 'validTo' || field === 'validFrom' ? dates : FIELD_OF[field ?? '']));
        if (elsewhere.length > 0) void message.error(elsewhere.join('；'));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={template ? t('promo.coupon.edit') : t('promo.coupon.new')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} okText={t('common.save')} width={720} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial(template)} data-testid="coupon-form">
        <Row gutter={16}>
          <Col xs={24} md={14}><Form.Item name="name" label={t('promo.coupon.name')} rules={required}><Input maxLength={100} placeholder="新人 5 元券" /></Form.Item></Col>
          <Col xs={24} md={10}>
            <Form.Item name="kind" label={t('promo.coupon.kind')} rules={required}>
              <Select options={KINDS.map((k) => ({ value: k, label: t(`promo.kind.${k}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          {(kind === 'amount' || kind === 'threshold') && (
            <Col xs={12} md={8}><Form.Item name="amountOff" label={t('promo.form.amountOff')} rules={required}><InputNumber min={0.01} precision={2} prefix="¥" style={{ width: '100%' }} /></Form.Item></Col>
          )}
          {kind === 'percent' && (
            <>
              <Col xs={12} md={8}><Form.Item name="percent" label={t('promo.form.percent')} rules={required}><InputNumber min={1} max={99} precision={0} suffix="%" style={{ width: '100%' }} /></Form.Item></Col>
              <Col xs={12} md={8}><Form.Item name="maxDiscount" label={t('promo.form.maxDiscount')}><InputNumber min={0.01} precision={2} prefix="¥" style={{ width: '100%' }} /></Form.Item></Col>
            </>
          )}
          {kind === 'free_item' && (
            <>
              <Col xs={12} md={8}><Form.Item name="freeSku" label={t('promo.form.freeSku')} rules={required}><Input maxLength={64} /></Form.Item></Col>
              <Col xs={12} md={8}><Form.Item name="freeItemName" label={t('promo.form.freeItemName')}><Input maxLength={100} /></Form.Item></Col>
              <Col xs={12} md={8}><Form.Item name="freeItemValue" label={t('promo.form.freeItemValue')}><InputNumber min={0} precision={2} prefix="¥" style={{ width: '100%' }} /></Form.Item></Col>
            </>
          )}
          <Col xs={12} md={8}>
            <Form.Item name="threshold" label={t('promo.form.threshold')} rules={kind === 'threshold' ? required : []}><InputNumber min={0} precision={2} prefix="¥" style={{ width: '100%' }} /></Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={10}>
            <Form.Item name="validityMode" label={t('promo.form.validityMode')}>
              <Radio.Group optionType="button" options={[{ value: 'relative', label: t('promo.form.validityRelative') }, { value: 'absolute', label: t('promo.form.validityAbsolute') }]} />
            </Form.Item>
          </Col>
          <Col xs={24} md={14}>
            {mode === 'relative'
              ? <Form.Item name="validDays" label={t('promo.form.validDays')} rules={required}><InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} /></Form.Item>
              : <Form.Item name="validRange" label={t('promo.form.validRange')} rules={required}><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} /></Form.Item>}
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="storeIds" label={t('promo.form.stores')}>
              <Select mode="multiple" allowClear loading={stores.loading} optionFilterProp="label" options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="channels" label={t('promo.form.channels')}>
              <Select mode="multiple" allowClear options={PROMOTION_CHANNELS.map((c) => ({ value: c, label: t(`promo.channel.${c}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="skus" label={t('promo.form.skus')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} placeholder={t('promo.form.skusPlaceholder')} open={false} />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={12} md={6}><Form.Item name="perCustomerLimit" label={t('promo.form.perCustomerLimit')} rules={required}><InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col xs={12} md={6}><Form.Item name="totalStock" label={t('promo.form.totalStock')}><InputNumber min={0} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col xs={24} md={12}>
            <Form.Item name="stackWithPriceRules" valuePropName="checked" style={{ marginBottom: 4 }}><Checkbox>{t('promo.form.stackWithPriceRules')}</Checkbox></Form.Item>
            <Form.Item name="stackWithCoupons" valuePropName="checked"><Checkbox>{t('promo.form.stackWithCoupons')}</Checkbox></Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label={t('promo.form.description')}><Input.TextArea maxLength={500} autoSize={{ minRows: 1, maxRows: 3 }} /></Form.Item>
      </Form>
    </Modal>
  );
}
