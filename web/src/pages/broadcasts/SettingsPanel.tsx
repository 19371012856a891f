// The restraint settings: WeCom's platform quota, marketing caps per channel, quiet hours,
// what a lower-priority message does when a cap is reached, consent and the global control group.
import { useEffect, useState } from 'react';
import { App, Button, Card, Checkbox, InputNumber, Radio, Space, Switch, TimePicker, Typography } from 'antd';
import dayjs from 'dayjs';
import { messagingApi, type MessageChannel, type MessagingSettings } from '../../api-messaging.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';

const CHANNELS: MessageChannel[] = ['wecom', 'sandbox', 'sms', 'email'];

export function SettingsPanel() {
  const t = useT();
  const { message } = App.useApp();
  const remote = useRemote((signal) => messagingApi.settings({ signal }), []);
  const [s, setS] = useState<MessagingSettings>();
  useEffect(() => setS(remote.data), [remote.data]);
  if (remote.error) return <LoadError error={remote.error} onRetry={remote.reload} />;
  if (!s) return <Card loading />;
  const cap = (channel: MessageChannel) => s.frequencyCaps.find((c) => c.channel === channel);
  const setCap = (channel: MessageChannel, patch: { max?: number; days?: number }) =>
    setS({ ...s, frequencyCaps: [...s.frequencyCaps.filter((c) => c.channel !== channel), { channel, max: 2, days: 7, ...cap(channel), ...patch }] });
  const save = async () => {
    try {
      setS(await messagingApi.saveSettings(s));
      void message.success(t('msg.set.saved'));
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  return (
    <Card data-testid="messaging-settings" extra={<Button type="primary" onClick={() => void save()}>{t('msg.set.save')}</Button>}>
      <Space direction="vertical" size={20} style={{ width: '100%' }}>
        <section>
          <Typography.Title level={5}>{t('msg.set.platform')}</Typography.Title>
          <Space wrap>
            {(['perDay', 'perWeek', 'perMonth'] as const).map((k) => (
              <span key={k}>{t(`msg.set.${k}`)} <InputNumber min={0} max={310} value={s.platformQuota[k]} onChange={(v) => setS({ ...s, platformQuota: { ...s.platformQuota, [k]: v ?? 0 } })} /></span>
            ))}
          </Space>
        </section>
        <section>
          <Typography.Title level={5}>{t('msg.set.caps')}</Typography.Title>
          <Space direction="vertical">
            {CHANNELS.map((c) => (
              <Space key={c}>
                <span style={{ width: 80, display: 'inline-block' }}>{t(`msg.channel.${c}`)}</span>
                <InputNumber min={1} max={90} value={cap(c)?.days ?? 7} onChange={(v) => setCap(c, { days: v ?? 7 })} addonAfter={t('msg.set.daysUnit')} />
                <InputNumber min={0} max={100} value={cap(c)?.max ?? 0} onChange={(v) => setCap(c, { max: v ?? 0 })} addonAfter={t('msg.set.messagesUnit')} />
              </Space>
            ))}
          </Space>
        </section>
        <section>
          <Typography.Title level={5}>{t('msg.set.quiet')}</Typography.Title>
          <Space wrap>
            <Switch checked={s.quietHours.enabled} onChange={(enabled) => setS({ ...s, quietHours: { ...s.quietHours, enabled } })} />
            <TimePicker.RangePicker format="HH:mm" order={false} value={[dayjs(s.quietHours.start, 'HH:mm'), dayjs(s.quietHours.end, 'HH:mm')]}
              onChange={(r) => r?.[0] && r[1] && setS({ ...s, quietHours: { ...s.quietHours, start: r[0].format('HH:mm'), end: r[1].format('HH:mm') } })} />
            <Checkbox checked={s.quietHours.appliesTo === 'all'} onChange={(e) => setS({ ...s, quietHours: { ...s.quietHours, appliesTo: e.target.checked ? 'all' : 'marketing' } })}>{t('msg.set.quietAll')}</Checkbox>
          </Space>
        </section>
        <section>
          <Typography.Title level={5}>{t('msg.set.priorities')}</Typography.Title>
          <Space wrap>
            <Radio.Group value={s.priorities.onCapReached} onChange={(e) => setS({ ...s, priorities: { ...s.priorities, onCapReached: e.target.value as 'reschedule' | 'drop' } })}>
              <Radio value="reschedule">{t('msg.set.reschedule')}</Radio>
              <Radio value="drop">{t('msg.set.drop')}</Radio>
            </Radio.Group>
            <span>{t('msg.set.within')} <InputNumber min={1} max={60} value={s.priorities.rescheduleWithinDays} onChange={(v) => setS({ ...s, priorities: { ...s.priorities, rescheduleWithinDays: v ?? 14 } })} /></span>
          </Space>
        </section>
        <section>
          <Typography.Title level={5}>{t('msg.set.consent')}</Typography.Title>
          <Checkbox.Group value={s.consent.requireGrantFor} options={CHANNELS.map((c) => ({ value: c, label: t(`msg.channel.${c}`) }))}
            onChange={(v) => setS({ ...s, consent: { requireGrantFor: v } })} />
        </section>
        <section>
          <Typography.Title level={5}>{t('msg.set.holdout')}</Typography.Title>
          <InputNumber min={0} max={20} step={0.5} value={s.globalHoldoutPercent} onChange={(v) => setS({ ...s, globalHoldoutPercent: v ?? 0 })} />
        </section>
      </Space>
    </Card>
  );
}
