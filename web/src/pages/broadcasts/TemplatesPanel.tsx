// Message templates: per-channel content with variables; an unknown variable is refused by the
// server with the field named. The SMS text shows its length in characters and segments.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { messagingApi, type TemplateContent } from '../../api-messaging.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Draft { name: string; wecom?: string; sandbox?: string; sms?: string; emailSubject?: string; emailBody?: string }

/** Characters as code points and segments of 70 (67 once split) for Chinese, 160/153 for plain Latin — as the server counts. */
function smsSegments(text: string): { characters: number; segments: number; perSegment: number } {
  const n = Array.from(text).length;
  const gsm = /^[\x20-\x7e\n\r]*$/.test(text);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const segments = n === 0 ? 0 : n <= single ? 1 : Math.ceil(n / multi);
  return { characters: n, segments, perSegment: segments > 1 ? multi : single };
}

export function TemplatesPanel() {
  const t = useT();
  const { message } = App.useApp();
  const templates = useRemote((signal) => messagingApi.templates({ signal }), []);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Draft>();
  const sms = Form.useWatch('sms', form) ?? '';

  const save = async () => {
    const d = await validValues(form);
    if (!d) return;
    const content: TemplateContent = {
      ...(d.wecom ? { wecom: { text: d.wecom } } : {}), ...(d.sandbox ? { sandbox: { text: d.sandbox } } : {}),
      ...(d.sms ? { sms: { text: d.sms } } : {}), ...(d.emailSubject && d.emailBody ? { email: { subject: d.emailSubject, body: d.emailBody } } : {}),
    };
    try {
      await messagingApi.createTemplate({ name: d.name, content });
      setOpen(false);
      form.resetFields();
      templates.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  const length = smsSegments(sms);
  return (
    <Card extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{t('msg.tpl.new')}</Button>}>
      {templates.error && <LoadError error={templates.error} onRetry={templates.reload} />}
      <Table rowKey="id" size="middle" loading={templates.loading} dataSource={templates.data?.items ?? []} pagination={false} columns={[
        { title: t('msg.tpl.name'), dataIndex: 'name' },
        { title: '', key: 'channels', render: (_v, x) => Object.keys(x.content).map((c) => <Tag key={c}>{t(`msg.channel.${c as 'wecom'}`)}</Tag>) },
        { title: '', key: 'text', render: (_v, x) => <span className="muted">{x.content.wecom?.text ?? x.content.sandbox?.text ?? x.content.sms?.text ?? x.content.email?.subject}</span> },
      ]} />
      <Modal open={open} title={t('msg.tpl.new')} onCancel={() => setOpen(false)} onOk={() => void save()} width={640}>
        <p className="muted">{t('msg.tpl.variables')}</p>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('msg.tpl.name')} rules={[{ required: true, max: 100 }]}><Input /></Form.Item>
          <Form.Item name="wecom" label={t('msg.tpl.wecom')}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="sandbox" label={t('msg.tpl.sandbox')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="sms" label={t('msg.tpl.smsText')} extra={t('msg.tpl.smsLength', length)}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="emailSubject" label={t('msg.tpl.emailSubject')}><Input /></Form.Item>
          <Form.Item name="emailBody" label={t('msg.tpl.emailBody')}><Input.TextArea rows={3} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
