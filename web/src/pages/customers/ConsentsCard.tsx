// Marketing consent per channel (PIPL). Every channel is listed, recorded or not; those who may
// record consent flip a switch and say where the customer gave or withdrew it.
import { useState } from 'react';
import { Alert, App, AutoComplete, Card, Modal, Switch, Tag } from 'antd';
import { api, CONSENT_CHANNELS, type ConsentChannel, type CustomerDetail } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { consentChannelLabel } from '../../labels.ts';
import { useCan } from '../../permissions.ts';
import { errorText } from '../../refusal-text.ts';

/** Usual places consent is given; any other text is accepted too. */
const SOURCES = ['store_paper_form', 'miniprogram_signup', 'wecom_sidebar', 'phone_call', 'console'];

export function ConsentsCard({ customer, zone, onChanged }: { customer: CustomerDetail; zone: string; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const canWrite = useCan('privacy:write');
  const [change, setChange] = useState<{ channel: ConsentChannel; granted: boolean }>();
  const [source, setSource] = useState('console');
  const [saving, setSaving] = useState(false);
  const held = new Map(customer.consents.map((c) => [c.channel, c]));

  const save = async () => {
    if (!change || !source.trim()) return;
    setSaving(true);
    try {
      await api.setConsent(customer.id, change.channel, { granted: change.granted, source: source.trim() });
      setChange(undefined);
      onChanged();
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card variant="borderless" className="panel" title={t('customer.consents')} data-testid="customer-consents">
      <ul className="consent-list">
        {CONSENT_CHANNELS.map((channel) => {
          const consent = held.get(channel);
          return (
            <li key={channel} data-testid={`consent-${channel}`}>
              <div className="consent-main">
                <span className="consent-channel">{consentChannelLabel(t, channel)}</span>
                {consent ? (
                  <Tag color={consent.granted ? 'green' : 'red'} variant="filled">{consent.granted ? t('consent.granted') : t('consent.withdrawn')}</Tag>
                ) : (
                  <Tag variant="filled">{t('consent.unknown')}</Tag>
                )}
              </div>
              {consent && <div className="consent-sub muted">{`${consent.source} · ${formatDateTime(consent.updatedAt, zone)}`}</div>}
              {canWrite && (
                <Switch
                  size="small"
                  className="consent-switch"
                  checked={consent?.granted ?? false}
                  aria-label={consentChannelLabel(t, channel)}
                  onChange={(granted) => {
                    setSource('console');
                    setChange({ channel, granted });
                  }}
                  data-testid={`consent-switch-${channel}`}
                />
              )}
            </li>
          );
        })}
      </ul>
      <Modal
        open={change !== undefined}
        title={change ? t(change.granted ? 'consent.grantTitle' : 'consent.withdrawTitle', { channel: consentChannelLabel(t, change.channel) }) : ''}
        okText={t('common.save')}
        okButtonProps={{ disabled: !source.trim() }}
        confirmLoading={saving}
        onOk={() => void save()}
        onCancel={() => setChange(undefined)}
        destroyOnHidden
      >
        <Alert type="info" showIcon title={t('consent.sourceHelp')} className="consent-help" />
        <AutoComplete
          value={source}
          onChange={setSource}
          options={SOURCES.map((value) => ({ value }))}
          showSearch={{ filterOption: (input, option) => (option?.value ?? '').toString().includes(input.trim()) }}
          maxLength={50}
          style={{ width: '100%' }}
          placeholder={t('consent.source')}
          data-testid="consent-source"
        />
      </Modal>
    </Card>
  );
}
