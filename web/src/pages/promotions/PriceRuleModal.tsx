// Create or edit a price rule; the numbers by kind. The server refuses a rule that could make a
// price negative, and its message lands on the field.
import { useState } from 'react';
import { App, Button, Checkbox, Col, Form, Input, InputNumber, Modal, Row, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { PROMOTION_CHANNELS, promotionsApi, type PriceRule, type PriceRuleInput, type PriceRuleParams, type PromotionChannel } from '../../api-promotions.ts';
import { useT } from '../../i18n/i18n.tsx';
import { toFen, toYuan } from './promo-format.ts';
import { showRefusals } from './promo-refusals.ts';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

type Kind = PriceRuleParams['kind'];
const KINDS: Kind[] = ['threshold', 'bundle', 'member_price', 'ladder'];

interface Values {
  name: string;
  kind: Kind;
  threshold?: number;
  amountOff?: number;
  repeat?: boolean;
  bundleQuantity?: number;
  bundlePrice?: number;
  prices?: { sku: string; price: number }[];
  steps?: { minQuantity: number; percent: number }[];
  skus: string[];
  channels: PromotionChannel[];
  stackable: boolean;
  active: boolean;
}

function initial(r: PriceRule | null): Values {
  const base = { name: r?.name ?? '', skus: r?.skus ?? [], channels: r?.channels ?? [], stackable: r?.stackable ?? true, active: (r?.status ?? 'active') === 'active' };
  const p = r?.params;
  if (!p) return { ...base, kind: 'threshold', repeat: false, steps: [{ minQuantity: 2, percent: 90 }, { minQuantity: 3, percent: 80 }], prices: [{ sku: '', price: 0 }] };
  switch (p.kind) {
    case 'threshold': return { ...base, kind: p.kind, threshold: toYuan(p.thresholdFen) ?? 0, amountOff: toYuan(p.amountOffFen) ?? 0, repeat: p.repeat ?? false };
    case 'bundle': return { ...base, kind: p.kind, bundleQuantity: p.quantity, bundlePrice: toYuan(p.priceFen) ?? 0 };
    case 'member_price': return { ...base, kind: p.kind, prices: Object.entries(p.prices).map(([sku, fen]) => ({ sku, price: fen / 100 })) };
    case 'ladder': return { ...base, kind: p.kind, steps: p.steps };
  }
}

function paramsOf(v: Values): PriceRuleParams {
  switch (v.kind) {
    case 'threshold': return { kind: 'threshold', thresholdFen: toFen(v.threshold) ?? 0, amountOffFen: toFen(v.amountOff) ?? 0, repeat: v.repeat ?? false };
    case 'bundle': return { kind: 'bundle', quantity: v.bundleQuantity ?? 0, priceFen: toFen(v.bundlePrice) ?? 0 };
    case 'member_price': return { kind: 'member_price', prices: Object.fromEntries((v.prices ?? []).filter((x) => x.sku).map((x) => [x.sku.trim(), toFen(x.price) ?? 0])) };
    case 'ladder': return { kind: 'ladder', steps: v.steps ?? [] };
  }
}

const FIELD_OF: Record<string, string> = { thresholdFen: 'threshold', amountOffFen: 'amountOff', quantity: 'bundleQuantity', priceFen: 'bundlePrice' };
const TOP_FIELDS = ['name', 'skus', 'channels', 'stackable'];

/** A refused path → the form field showing it: a ladder step's input, a member price's row. */
function fieldOf(parts: string[], v: Values): string | (string | number)[] | undefined {
  const [top, field, at, leaf] = parts;
  if (top !== 'params') return TOP_FIELDS.includes(top ?? '') ? top : undefined;
  if (field === 'steps' && at !== undefined && (leaf === 'minQuantity' || leaf === 'percent')) return ['steps', Number(at), leaf];
  if (field === 'prices' && at !== undefined) {
    const row = (v.prices ?? []).findIndex((p) => p.sku.trim() === at);
    return row >= 0 ? ['prices', row, 'price'] : undefined;
  }
  return FIELD_OF[field ?? ''];
}

export function PriceRuleModal({ rule, onClose, onSaved }: { rule: PriceRule | null; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const kind = Form.useWatch('kind', form) ?? rule?.kind ?? 'threshold';
  const required = [{ required: true, message: t('promo.form.required') }];
  const yuan = { min: 0, precision: 2, prefix: '¥', style: { width: '100%' } } as const;

  const save = async () => {
    const v = await validValues(form);
    if (!v) return;
    const input: PriceRuleInput = { name: v.name.trim(), params: paramsOf(v), skus: v.skus, channels: v.channels, stackable: v.stackable, status: v.active ? 'active' : 'paused' };
    setSaving(true);
    try {
      if (rule) await promotionsApi.updatePriceRule(rule.id, input);
      else await promotionsApi.createPriceRule(input);
      void message.success(t('promo.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const elsewhere = showRefusals(form, t, err.details, (parts) => fieldOf(parts, v), ([, field]) => (field === 'steps' ? t('promo.rule.steps') : field === 'prices' ? t('promo.rule.memberPrices') : undefined));
        if (elsewhere.length > 0) void message.error(elsewhere.join('；'));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={rule ? t('promo.rule.edit') : t('promo.rule.new')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} okText={t('common.save')} width={640} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial(rule)} data-testid="rule-form">
        <Row gutter={16}>
          <Col xs={24} md={14}><Form.Item name="name" label={t('promo.coupon.name')} rules={required}><Input maxLength={100} placeholder="满199减30" /></Form.Item></Col>
          <Col xs={24} md={10}><Form.Item name="kind" label={t('promo.coupon.kind')}><Select options={KINDS.map((k) => ({ value: k, label: t(`promo.rule.kind.${k}`) }))} /></Form.Item></Col>
        </Row>
        {kind === 'threshold' && (
          <Row gutter={16}>
            <Col span={8}><Form.Item name="threshold" label={t('promo.form.threshold')} rules={required}><InputNumber {...yuan} /></Form.Item></Col>
            <Col span={8}><Form.Item name="amountOff" label={t('promo.form.amountOff')} rules={required}><InputNumber {...yuan} /></Form.Item></Col>
            <Col span={8}><Form.Item name="repeat" valuePropName="checked" label=" "><Checkbox>{t('promo.rule.repeat')}</Checkbox></Form.Item></Col>
          </Row>
        )}
        {kind === 'bundle' && (
          <Row gutter={16}>
            <Col span={12}><Form.Item name="bundleQuantity" label={t('promo.rule.bundleQuantity')} rules={required}><InputNumber min={2} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
            <Col span={12}><Form.Item name="bundlePrice" label={t('promo.rule.bundlePrice')} rules={required}><InputNumber {...yuan} /></Form.Item></Col>
          </Row>
        )}
        {kind === 'member_price' && (
          <Form.Item label={t('promo.rule.memberPrices')}>
            <Form.List name="prices">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline">
                      <Form.Item name={[f.name, 'sku']} rules={required}><Input placeholder={t('promo.rule.memberSku')} /></Form.Item>
                      <Form.Item name={[f.name, 'price']} rules={required}><InputNumber {...yuan} placeholder={t('promo.rule.memberPrice')} style={{ width: 160 }} /></Form.Item>
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" onClick={() => add({ sku: '', price: 0 })} icon={<PlusOutlined />}>{t('promo.rule.addPrice')}</Button>
                </>
              )}
            </Form.List>
          </Form.Item>
        )}
        {kind === 'ladder' && (
          <Form.Item label={t('promo.rule.steps')}>
            <Form.List name="steps">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline">
                      <Form.Item name={[f.name, 'minQuantity']} rules={required}><InputNumber min={1} precision={0} prefix="≥" suffix={t('promo.quote.quantity')} style={{ width: 150 }} /></Form.Item>
                      <Form.Item name={[f.name, 'percent']} rules={required}><InputNumber min={1} max={99} precision={0} suffix="%" style={{ width: 150 }} /></Form.Item>
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" onClick={() => add({ minQuantity: 2, percent: 90 })} icon={<PlusOutlined />}>{t('promo.rule.addStep')}</Button>
                </>
              )}
            </Form.List>
          </Form.Item>
        )}
        <Form.Item name="skus" label={t('promo.form.skus')} rules={kind === 'bundle' ? required : []}>
          <Select mode="tags" tokenSeparators={[',', ' ']} placeholder={t('promo.form.skusPlaceholder')} open={false} />
        </Form.Item>
        <Form.Item name="channels" label={t('promo.form.channels')}>
          <Select mode="multiple" allowClear options={PROMOTION_CHANNELS.map((c) => ({ value: c, label: t(`promo.channel.${c}`) }))} />
        </Form.Item>
        <Space size={24}>
          <Form.Item name="stackable" valuePropName="checked" extra={t('promo.rule.stackableHint')}><Checkbox>{t('promo.rule.stackable')}</Checkbox></Form.Item>
          <Form.Item name="active" valuePropName="checked"><Checkbox>{t('promo.status.active')}</Checkbox></Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
