// 入群欢迎语: the group's own welcome (or the one of its kind it inherits), edited in place.
import { useEffect, useState } from 'react';
import { App, Button, Card, Input, Space, Switch, Typography } from 'antd';
import { groupsApi, type GroupKind } from '../../api-groups.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';

export function GroupWelcomeCard({ groupId, kind, canWrite }: { groupId: string; kind: GroupKind; canWrite: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [refresh, setRefresh] = useState(0);
  const welcomes = useRemote((signal) => groupsApi.welcomes({ signal }), [refresh]);
  const own = welcomes.data?.items.find((w) => w.groupId === groupId);
  const ofKind = welcomes.data?.items.find((w) => w.groupKind === kind);
  const [text, setText] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [saving, setSaving] = useState(false);
  useEffect(() => { setText(own?.text ?? ''); setEnabled(own?.enabled ?? true); }, [own?.text, own?.enabled]);
  const save = async () => {
    setSaving(true);
    try {
      await groupsApi.saveWelcome({ groupId, text, enabled });
      message.success(t('groups.welcome.saved'));
      setRefresh((n) => n + 1);
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card variant="borderless" className="panel" style={{ marginTop: 16 }} title={t('groups.welcome.title')} data-testid="group-welcome">
      <Typography.Paragraph type="secondary">{t('groups.welcome.help')}</Typography.Paragraph>
      {!own && ofKind ? <Typography.Paragraph>{t('groups.welcome.inherited')} {ofKind.text}</Typography.Paragraph> : null}
      <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} autoSize={{ minRows: 2, maxRows: 6 }} disabled={!canWrite} />
      {own?.wecomDetail ? <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{own.wecomDetail}</Typography.Paragraph> : null}
      {canWrite ? (
        <Space style={{ marginTop: 8 }}>
          <Switch checked={enabled} onChange={setEnabled} /> {t('groups.welcome.enabled')}
          <Button type="primary" loading={saving} disabled={text.trim() === ''} onClick={() => void save()}>{t('groups.welcome.save')}</Button>
        </Space>
      ) : null}
    </Card>
  );
}
