// One channel: its settings form (secrets masked), WeCom's callback URL, and the connection test.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Space, Switch, Tag, Typography } from 'antd';
import { ApiOutlined, CopyOutlined, SyncOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { channelsApi, type ChannelView, type TestResult } from '../../api-channels.ts';
import { useT } from '../../i18n/i18n.tsx';
import { FIELDS, FORMAT_REFUSALS, formFieldOf, fromForm, maskedHint, toForm } from './channel-fields.ts';
import { errorText, reasonText } from '../../refusal-text.ts';

export function ChannelCard({ channel, onChanged }: { channel: ChannelView; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const kind = channel.kind;
  const callbackUrl = channel.callbackPath ? `${window.location.origin}${channel.callbackPath}` : null;

  useEffect(() => {
    form.setFieldsValue(toForm(kind, channel.settings));
  }, [channel.settings]);

  const save = async (values: Record<string, unknown>) => {
    setSaving(true);
    try {
      await channelsApi.save(kind, fromForm(kind, values));
      void message.success(t('channels.saved'));
      setResult(null);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => {
          const name = formFieldOf(d.path);
          const format = FORMAT_REFUSALS[name];
          const patterned = d.code === 'invalid_format' || d.code === 'invalid_key';
          return { name, errors: [format && patterned ? t(format) : reasonText(t, d)] };
        }));
      } else {
        void message.error(errorText(t, err));
      }
    } finally {
      setSaving(false);
    }
  };

  const test = async () => {
    setTesting(true);
    try {
      setResult(await channelsApi.test(kind));
      onChanged();
    } catch (err) {
      setResult({ ok: false, detail: errorText(t, err) });
    } finally {
      setTesting(false);
    }
  };

  const sync = async () => {
    try {
      await channelsApi.syncWecom();
      void message.success(t('channels.syncQueued'));
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const shown = result ?? channel.lastTest;
  const shownAt = result ? null : channel.lastTest?.at ?? null;
  return (
    <Card
      className="channel-card"
      data-testid={`channel-${kind}`}
      title={<Space>{t(`channels.kind.${kind}`)}{channel.configured ? <Tag color="green">{t('channels.configured')}</Tag> : <Tag>{t('channels.notConfigured')}</Tag>}</Space>}
      extra={<Button icon={<ApiOutlined />} loading={testing} disabled={!channel.configured} onClick={() => void test()} data-testid={`test-${kind}`}>{t('channels.test')}</Button>}
    >
      <Typography.Paragraph type="secondary">{t(`channels.about.${kind}`)}</Typography.Paragraph>
      {channel.problem && (
        <Alert
          style={{ marginBottom: 16 }}
          type="warning"
          showIcon
          title={t('channels.secretUnreadable', { field: channel.problem.field })}
          description={channel.problem.message}
          data-testid={`problem-${kind}`}
        />
      )}
      {shown && (
        <Alert
          style={{ marginBottom: 16 }}
          type={shown.ok ? 'success' : 'error'}
          showIcon
          title={shown.ok ? t('channels.testOk') : t('channels.testFailed')}
          description={<>{shown.detail}{shownAt && <div className="channel-test-at">{t('channels.lastTest', { at: new Date(shownAt).toLocaleString() })}</div>}</>}
          data-testid={`result-${kind}`}
        />
      )}
      {callbackUrl && (
        <div className="channel-callback">
          <Typography.Text strong>{t('channels.callbackUrl')}</Typography.Text>
          <Space.Compact style={{ width: '100%', marginTop: 4 }}>
            <Input readOnly value={callbackUrl} data-testid="callback-url" />
            <Button icon={<CopyOutlined />} onClick={() => void navigator.clipboard?.writeText(callbackUrl).then(() => message.success(t('channels.copied')))}>{t('channels.copy')}</Button>
          </Space.Compact>
        </div>
      )}
      <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => void save(v)} size="middle">
        {FIELDS[kind].map((f) => {
          const hint = f.type === 'secret' ? maskedHint(kind, channel.settings, f.name) : null;
          const required = f.required && !(f.type === 'secret' && channel.configured && channel.problem?.field !== f.name);
          return (
            <Form.Item
              key={f.name}
              name={f.name}
              label={t(f.label)}
              valuePropName={f.type === 'switch' ? 'checked' : 'value'}
              rules={required ? [{ required: true, message: t('channels.required') }] : []}
              extra={hint ? t('channels.secretKept', { masked: hint }) : undefined}
            >
              {f.type === 'number' ? <InputNumber min={1} max={65535} precision={0} style={{ width: 160 }} />
                : f.type === 'switch' ? <Switch />
                : f.type === 'select' ? <Select options={(f.options ?? []).map((o) => ({ value: o, label: o }))} style={{ width: 160 }} />
                : f.type === 'textarea' ? <Input.TextArea rows={3} placeholder={f.placeholder} />
                : f.type === 'secret' && f.name === 'headers' ? <Input.TextArea rows={2} placeholder="X-Api-Key: …" autoComplete="off" />
                : f.type === 'secret' ? <Input.Password placeholder={hint ?? ''} autoComplete="new-password" />
                : <Input placeholder={f.placeholder} />}
            </Form.Item>
          );
        })}
        <Space>
          <Button type="primary" htmlType="submit" loading={saving} data-testid={`save-${kind}`}>{t('channels.save')}</Button>
          {kind === 'wecom' && channel.configured && (
            <Button icon={<SyncOutlined />} onClick={() => void sync()} data-testid="sync-wecom">{t('channels.sync')}</Button>
          )}
        </Space>
      </Form>
    </Card>
  );
}
