// The sandbox phone: pick a customer who received messages, read their inbox as a chat, and type
// their reply (ingested as message_received, so journeys and auto-replies see it).
import { useState } from 'react';
import { App, Button, Card, Empty, Input, List, Space } from 'antd';
import { messagingApi } from '../../api-messaging.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

function Phone({ customerId, name }: { customerId: string; name: string }) {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const inbox = useRemote((signal) => messagingApi.inbox(customerId, { signal }), [customerId]);
  const [text, setText] = useState('');
  const send = async () => {
    if (!text.trim()) return;
    try {
      await messagingApi.reply(customerId, text.trim());
      setText('');
      inbox.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  return (
    <div className="sandbox-phone" data-testid="sandbox-phone">
      <div className="sandbox-phone-title">{name}</div>
      <div className="sandbox-phone-screen">
        {inbox.error && <LoadError error={inbox.error} onRetry={inbox.reload} />}
        {(inbox.data?.items ?? []).map((m) => (
          <div key={m.id} className={`phone-row ${m.direction}`}>
            <div className={`phone-bubble ${m.direction}`}>
              {m.content.subject && <strong>{m.content.subject}<br /></strong>}
              {m.content.text}
              <div className="phone-time">{formatDateTime(m.at, zone)}{m.redeliveries > 0 ? ` · ${t('msg.box.resent', { n: m.redeliveries })}` : ''}</div>
            </div>
          </div>
        ))}
      </div>
      <Space.Compact style={{ width: '100%' }}>
        <Input value={text} placeholder={t('msg.box.reply')} onChange={(e) => setText(e.target.value)} onPressEnter={() => void send()} data-testid="sandbox-reply" />
        <Button type="primary" onClick={() => void send()}>{t('msg.box.send')}</Button>
      </Space.Compact>
    </div>
  );
}

export function SandboxPanel() {
  const t = useT();
  const phones = useRemote((signal) => messagingApi.phones({ signal }), []);
  const [picked, setPicked] = useState<{ customerId: string; name: string } | null>(null);
  const current = picked ?? phones.data?.items[0] ?? null;
  if (phones.error) return <LoadError error={phones.error} onRetry={phones.reload} />;
  if (phones.data && phones.data.items.length === 0) return <Card><Empty description={t('msg.box.empty')} /></Card>;
  return (
    <div className="sandbox-layout">
      <Card size="small" title={t('msg.box.phones')} className="sandbox-list">
        <List size="small" loading={phones.loading} dataSource={phones.data?.items ?? []} renderItem={(p) => (
          <List.Item onClick={() => setPicked(p)} className={current?.customerId === p.customerId ? 'active' : ''} style={{ cursor: 'pointer' }}>
            <List.Item.Meta title={`${p.name || p.customerId.slice(0, 8)} (${p.messages})`} description={<span className="muted">{p.lastText.slice(0, 24)}</span>} />
          </List.Item>
        )} />
      </Card>
      {current && <Phone key={current.customerId} customerId={current.customerId} name={current.name} />}
    </div>
  );
}
