// 积分规则 and 会员日: how orders earn points (per ¥, multipliers by channel, store and SKU, on
// member days), when points expire, what tiers measure, and the member day's weekdays and coupon.
import { useEffect, useState } from 'react';
import { App, Button, Card, Checkbox, Col, Form, Input, InputNumber, Radio, Row, Select, Space, Switch } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../api.ts';
import { membershipApi, type MembershipSettings } from '../../api-membership.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { pathParts } from '../../labels.ts';
import { memberRefusalText } from './member-refusals.ts';
import { errorText } from '../../refusal-text.ts';

const CHANNELS = ['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other'] as const;
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

interface FormValues extends Omit<MembershipSettings, 'storeMultipliers' | 'skuMultipliers'> {
  stores: { storeId: string; pct: number }[];
  skus: { sku: string; pct: number }[];
  neverExpire: boolean;
}

export function PointsRulesPanel() {
  const t = useT();
  const { message } = App.useApp();
  const settings = useRemote((signal) => membershipApi.settings({ signal }), []);
  const templates = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    form.setFieldsValue({
      ...s,
      stores: Object.entries(s.storeMultipliers).map(([storeId, pct]) => ({ storeId, pct })),
      skus: Object.entries(s.skuMultipliers).map(([sku, pct]) => ({ sku, pct })),
      neverExpire: s.expiryMonths === null,
      expiryMonths: s.expiryMonths ?? 12,
    });
  }, [settings.data, form]);

  const save = async (v: FormValues) => {
    setSaving(true);
    try {
      const channelMultipliers = Object.fromEntries(Object.entries(v.channelMultipliers ?? {}).filter(([, pct]) => typeof pct === 'number' && pct !== 100));
      await membershipApi.saveSettings({
        pointsEnabled: v.pointsEnabled, pointsPerYuan: v.pointsPerYuan, channelMultipliers,
        storeMultipliers: Object.fromEntries((v.stores ?? []).map((x) => [x.storeId, x.pct])),
        skuMultipliers: Object.fromEntries((v.skus ?? []).map((x) => [x.sku.trim(), x.pct])),
        memberDayMultiplier: v.memberDayMultiplier, expiryMonths: v.neverExpire ? null : v.expiryMonths,
        tierBasis: v.tierBasis, tierWindowMonths: v.tierWindowMonths, memberDayWeekdays: v.memberDayWeekdays ?? [], memberDayTemplateId: v.memberDayTemplateId ?? null,
      });
      settings.reload();
      void message.success(t('member.rules.saved'));
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const lines = err.details.map((d) => {
          const [field, key] = pathParts(d.path);
          const reason = memberRefusalText(t, d);
          const label = fieldLabel(field, key);
          return label ? t('refusal.named', { field: label, reason }) : reason;
        });
        void message.error(lines.join('；'));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  /** A refused setting by the label the form shows it under (a store's multiplier by the store's name). */
  function fieldLabel(field: string | undefined, key: string | undefined): string | undefined {
    switch (field) {
      case 'pointsPerYuan': return t('member.rules.perYuan');
      case 'channelMultipliers': return key && (CHANNELS as readonly string[]).includes(key) ? t(`member.channel.${key as (typeof CHANNELS)[number]}`) : t('member.rules.channelHint');
      case 'storeMultipliers': return `${t('member.rules.stores')} · ${stores.data?.items.find((s) => s.id === key)?.name ?? key ?? ''}`;
      case 'skuMultipliers': return `${t('member.rules.skus')} · ${key ?? ''}`;
      case 'memberDayMultiplier': return t('member.rules.memberDayMultiplier');
      case 'memberDayTemplateId': return t('member.rules.memberDayCoupon');
      case 'memberDayWeekdays': return t('member.rules.weekdays');
      case 'expiryMonths': return t('member.rules.expiryMonths');
      case 'tierWindowMonths': return t('member.rules.window');
      case 'tierBasis': return t('member.rules.tierBasis');
      default: return undefined;
    }
  }

  if (settings.error) return <LoadError error={settings.error} onRetry={settings.reload} />;
  const pct = <InputNumber min={0} max={1000} precision={0} suffix="%" placeholder="100" style={{ width: 110 }} />;
  return (
    <Form form={form} layout="vertical" onFinish={(v) => void save(v)} data-testid="points-rules" disabled={!settings.data}>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card variant="borderless" className="panel" size="small" title={t('member.rules.earning')}>
            <Space size={24} wrap>
              <Form.Item name="pointsEnabled" label={t('member.rules.enabled')} valuePropName="checked"><Switch /></Form.Item>
              <Form.Item name="pointsPerYuan" label={t('member.rules.perYuan')}><InputNumber min={0} max={1000} precision={0} /></Form.Item>
            </Space>
            <div className="muted" style={{ marginBottom: 8 }}>{t('member.rules.channelHint')}</div>
            <Space size={12} wrap>
              {CHANNELS.map((c) => (
                <Form.Item key={c} name={['channelMultipliers', c]} label={t(`member.channel.${c}`)}>{pct}</Form.Item>
              ))}
            </Space>
            <Form.Item label={t('member.rules.stores')}>
              <Form.List name="stores">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f) => (
                      <Space key={f.key} align="baseline">
                        <Form.Item name={[f.name, 'storeId']} rules={[{ required: true }]}>
                          <Select style={{ width: 200 }} options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'pct']} rules={[{ required: true }]}>{pct}</Form.Item>
                        <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('member.remove')} />
                      </Space>
                    ))}
                    <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ pct: 200 })}>{t('member.rules.addStore')}</Button>
                  </>
                )}
              </Form.List>
            </Form.Item>
            <Form.Item label={t('member.rules.skus')}>
              <Form.List name="skus">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f) => (
                      <Space key={f.key} align="baseline">
                        <Form.Item name={[f.name, 'sku']} rules={[{ required: true, whitespace: true }]}><Input style={{ width: 200 }} placeholder={t('member.rules.sku')} /></Form.Item>
                        <Form.Item name={[f.name, 'pct']} rules={[{ required: true }]}>{pct}</Form.Item>
                        <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('member.remove')} />
                      </Space>
                    ))}
                    <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ pct: 200 })}>{t('member.rules.addSku')}</Button>
                  </>
                )}
              </Form.List>
            </Form.Item>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card variant="borderless" className="panel" size="small" title={t('member.rules.expiryAndTiers')} style={{ marginBottom: 16 }}>
            <Space size={24} wrap>
              <Form.Item name="neverExpire" label={t('member.rules.neverExpire')} valuePropName="checked"><Switch /></Form.Item>
              <Form.Item noStyle shouldUpdate={(a, b) => a.neverExpire !== b.neverExpire}>
                {({ getFieldValue }) => (
                  <Form.Item name="expiryMonths" label={t('member.rules.expiryMonths')} extra={t('member.rules.expiryHint')}>
                    <InputNumber min={1} max={120} precision={0} disabled={getFieldValue('neverExpire') === true} />
                  </Form.Item>
                )}
              </Form.Item>
            </Space>
            <Space size={24} wrap>
              <Form.Item name="tierBasis" label={t('member.rules.tierBasis')}>
                <Radio.Group options={[{ value: 'spend', label: t('member.rules.basis.spend') }, { value: 'points', label: t('member.rules.basis.points') }]} />
              </Form.Item>
              <Form.Item name="tierWindowMonths" label={t('member.rules.window')}><InputNumber min={1} max={60} precision={0} /></Form.Item>
            </Space>
          </Card>
          <Card variant="borderless" className="panel" size="small" title={t('member.rules.memberDay')}>
            <Form.Item name="memberDayWeekdays" label={t('member.rules.weekdays')}>
              <Checkbox.Group options={WEEKDAYS.map((d) => ({ value: d, label: t(`member.weekday.${d}`) }))} />
            </Form.Item>
            <Space size={24} wrap>
              <Form.Item name="memberDayMultiplier" label={t('member.rules.memberDayMultiplier')}><InputNumber min={100} max={1000} precision={0} suffix="%" /></Form.Item>
              <Form.Item name="memberDayTemplateId" label={t('member.rules.memberDayCoupon')} extra={t('member.rules.memberDayCouponHint')}>
                <Select allowClear style={{ width: 240 }} options={(templates.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} />
              </Form.Item>
            </Space>
          </Card>
        </Col>
      </Row>
      <Button type="primary" htmlType="submit" loading={saving} style={{ marginTop: 16 }}>{t('member.save')}</Button>
    </Form>
  );
}

