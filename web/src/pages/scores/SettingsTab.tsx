// The tenant's scoring settings. The server checks them (overlapping thresholds, tier gaps) and
// names the field; its messages are shown under that field.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { scoresApi, type ScoringSettings } from '../../api-scores.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { errorText, reasonText } from '../../refusal-text.ts';

/** The form holds yuan and percent; the API fen and rates. */
interface FormValues {
  rfm: ScoringSettings['rfm'];
  lifecycle: ScoringSettings['lifecycle'];
  tiers: { name: string; minYuan: number }[];
  clv: { horizonWeeks: number; discountPercent: number };
}

const toForm = (s: ScoringSettings): FormValues => ({
  rfm: s.rfm, lifecycle: s.lifecycle,
  tiers: s.tiers.map((tier) => ({ name: tier.name, minYuan: tier.minSpentFen / 100 })),
  clv: { horizonWeeks: s.clv.horizonWeeks, discountPercent: Math.round(s.clv.annualDiscountRate * 10000) / 100 },
});

const fromForm = (v: FormValues): ScoringSettings => ({
  rfm: v.rfm, lifecycle: v.lifecycle,
  tiers: v.tiers.map((tier) => ({ name: tier.name, minSpentFen: Math.round(tier.minYuan * 100) })),
  clv: { horizonWeeks: v.clv.horizonWeeks, annualDiscountRate: v.clv.discountPercent / 100 },
});

/** 'body.tiers.1.minSpentFen' → ['tiers', 1, 'minYuan'] */
function fieldOf(path: string): (string | number)[] {
  const parts: (string | number)[] = path.replace(/^body\.?/, '').split('.').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (parts[0] === 'tiers' && parts[2] === 'minSpentFen') parts[2] = 'minYuan';
  if (parts[0] === 'clv' && parts[1] === 'annualDiscountRate') parts[1] = 'discountPercent';
  return parts;
}

export function SettingsTab({ onSaved }: { onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const mayWrite = useCan('scores:write');
  const settings = useRemote((signal) => scoresApi.settings({ signal }), []);
  // Untyped: the server names fields by path, which the typed form would only take as literal tuples.
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (settings.data) form.setFieldsValue(toForm(settings.data));
  }, [settings.data]);

  const save = async (values: FormValues) => {
    setSaving(true);
    try {
      const saved = await scoresApi.saveSettings(fromForm(values));
      form.setFieldsValue(toForm(saved));
      void message.success(t('settings.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => ({ name: fieldOf(d.path), errors: [reasonText(t, d)] })));
      } else {
        void message.error(errorText(t, err));
      }
    } finally {
      setSaving(false);
    }
  };

  const days = (name: (string | number)[], label: string, help?: string) => (
    <Form.Item name={name} label={label} help={help} rules={[{ required: true }]}>
      <InputNumber min={1} max={3650} precision={0} style={{ width: 140 }} />
    </Form.Item>
  );

  return (
    <div className="layers-tab" data-testid="settings-tab">
      {settings.error && <LoadError error={settings.error} onRetry={settings.reload} />}
      {!mayWrite && <Alert type="info" showIcon title={t('settings.readOnly')} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" disabled={!mayWrite || !settings.data} onFinish={(v: FormValues) => void save(v)} data-testid="settings-form">
        <div className="layers-two">
          <Card title={t('settings.rfm')} size="small">
            {days(['rfm', 'windowDays'], t('settings.windowDays'), t('settings.windowDaysHelp'))}
            <Form.Item name={['rfm', 'highScore']} label={t('settings.highScore')} help={t('settings.highScoreHelp')} rules={[{ required: true }]}>
              <InputNumber min={2} max={5} precision={0} style={{ width: 140 }} />
            </Form.Item>
          </Card>
          <Card title={t('settings.lifecycle')} size="small">
            {days(['lifecycle', 'newDays'], t('settings.newDays'))}
            {days(['lifecycle', 'activeDays'], t('settings.activeDays'))}
            {days(['lifecycle', 'churnDays'], t('settings.churnDays'))}
            {days(['lifecycle', 'returnedDays'], t('settings.returnedDays'))}
          </Card>
          <Card title={t('settings.tiers')} size="small">
            <Form.List name="tiers">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((field) => (
                    <Space key={field.key} align="start">
                      <Form.Item name={[field.name, 'name']} label={field.name === 0 ? t('settings.tierName') : undefined} rules={[{ required: true }]}>
                        <Input maxLength={20} style={{ width: 140 }} />
                      </Form.Item>
                      <Form.Item name={[field.name, 'minYuan']} label={field.name === 0 ? t('settings.tierMin') : undefined} rules={[{ required: true }]}>
                        <InputNumber min={0} precision={2} style={{ width: 140 }} />
                      </Form.Item>
                      {fields.length > 1 && <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} style={{ marginTop: field.name === 0 ? 30 : 0 }} />}
                    </Space>
                  ))}
                  {fields.length < 10 && <div><Button icon={<PlusOutlined />} onClick={() => add({ name: '', minYuan: 0 })}>{t('settings.addTier')}</Button></div>}
                </>
              )}
            </Form.List>
          </Card>
          <Card title={t('settings.clv')} size="small">
            <Form.Item name={['clv', 'horizonWeeks']} label={t('settings.horizonWeeks')} rules={[{ required: true }]}>
              <InputNumber min={1} max={520} precision={0} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name={['clv', 'discountPercent']} label={t('settings.annualDiscountRate')} rules={[{ required: true }]}>
              <InputNumber min={0} max={100} precision={2} style={{ width: 140 }} />
            </Form.Item>
          </Card>
        </div>
        {mayWrite && (
          <Button type="primary" htmlType="submit" loading={saving} style={{ marginTop: 16 }} data-testid="settings-save">{t('settings.save')}</Button>
        )}
      </Form>
    </div>
  );
}
