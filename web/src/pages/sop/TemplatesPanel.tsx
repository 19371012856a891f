// Ready-made SOP templates by operating model: preview a template's week, then apply it to a group
// kind or chosen groups. A taken name gets a number; nothing is overwritten.
import { useState } from 'react';
import { App, Button, Card, Checkbox, Col, Form, Input, Modal, Radio, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { GROUP_KINDS, sopApi, type GroupKind, type Plan, type SopTemplate } from '../../api-sop.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { pathParts } from '../../labels.ts';
import { WeekGrid } from './WeekGrid.tsx';
import { repeatLabel } from './sop-format.ts';
import { errorText, reasonText } from '../../refusal-text.ts';

const MODEL_COLOR: Record<string, string> = { knowledge_expert: 'geekblue', exclusive_advisor: 'gold', shopping_advisor: 'volcano', interest_community: 'magenta', community: 'cyan' };

export function TemplatesPanel({ onApplied }: { onApplied: (plan: Plan) => void }) {
  const t = useT();
  const templates = useRemote((signal) => sopApi.templates({ signal }), []);
  const [preview, setPreview] = useState<SopTemplate | null>(null);
  const [applying, setApplying] = useState<SopTemplate | null>(null);

  return (
    <>
      <Typography.Paragraph type="secondary">{t('sop.templates.hint')}</Typography.Paragraph>
      {templates.error && <LoadError error={templates.error} onRetry={templates.reload} />}
      <Row gutter={[16, 16]}>
        {(templates.data?.items ?? []).map((tpl) => (
          <Col key={tpl.key} xs={24} md={12} xl={8}>
            <Card variant="borderless" className="panel template-card" data-testid="sop-template">
              <Space size={6} wrap>
                <Tag color={MODEL_COLOR[tpl.model] ?? 'blue'} variant="filled">{t(`sop.model.${tpl.model}` as MessageKey)}</Tag>
                <Tag variant="outlined">{t('sop.template.suits', { kind: t(`sop.kind.${tpl.groupKind}`) })}</Tag>
              </Space>
              <Typography.Title level={5} style={{ margin: 0 }}>{tpl.name}</Typography.Title>
              <div className="template-summary">{tpl.summary}</div>
              <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                <span className="muted">{t('sop.plan.slots', { count: tpl.slots.length })}</span>
                <Space size={6}>
                  <Button size="small" icon={<EyeOutlined />} onClick={() => setPreview(tpl)}>{t('sop.template.preview')}</Button>
                  <Button size="small" type="primary" icon={<ThunderboltOutlined />} onClick={() => setApplying(tpl)} data-testid="template-apply">{t('sop.template.apply')}</Button>
                </Space>
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
      {preview && (
        <Modal open width={980} title={preview.name} onCancel={() => setPreview(null)}
          footer={<Button type="primary" onClick={() => { setApplying(preview); setPreview(null); }}>{t('sop.template.apply')}</Button>}>
          <Typography.Paragraph type="secondary">{preview.summary}</Typography.Paragraph>
          <WeekGrid slots={preview.slots} compact />
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(s) => `${s.weekday ?? 0}-${s.time}`}
            pagination={false}
            dataSource={preview.slots}
            columns={[
              { title: t('sop.slot.repeat'), key: 'repeat', width: 80, render: (_v, s) => repeatLabel(t, s.weekday) },
              { title: t('sop.slot.time'), dataIndex: 'time', width: 70 },
              { title: t('sop.slot.title'), dataIndex: 'title', width: 150, render: (title: string, s) => <Space size={4} direction="vertical"><span>{title}</span>{s.lever && <Tag variant="filled">{t('sop.template.lever')}·{s.lever}</Tag>}</Space> },
              { title: t('sop.slot.text'), dataIndex: 'text', render: (text: string) => <span className="muted">{text}</span> },
              { title: t('sop.slot.mode'), dataIndex: 'mode', width: 90, render: (m: 'task' | 'auto') => <Tag color={m === 'auto' ? 'green' : 'blue'} variant="filled">{t(`sop.mode.${m}`)}</Tag> },
            ]}
          />
        </Modal>
      )}
      {applying && <ApplyModal template={applying} onClose={() => setApplying(null)} onApplied={(plan) => { setApplying(null); onApplied(plan); }} />}
    </>
  );
}

function ApplyModal({ template, onClose, onApplied }: { template: SopTemplate; onClose: () => void; onApplied: (plan: Plan) => void }) {
  const t = useT();
  const planFieldLabel = (field: string | undefined): string | undefined =>
    field === 'name' ? t('sop.plan.name') : field === 'target' ? t('sop.plan.target') : undefined;
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; targetKind: 'group_kind' | 'groups'; groupKind: GroupKind; groupIds: string[]; paused: boolean }>();
  const [search, setSearch] = useState('');
  const groups = useRemote((signal) => sopApi.groups(search || undefined, { signal }), [search]);
  const targetKind = Form.useWatch('targetKind', form);

  const submit = async (v: { name: string; targetKind: 'group_kind' | 'groups'; groupKind: GroupKind; groupIds: string[]; paused: boolean }) => {
    setSaving(true);
    setError(null);
    try {
      const plan = await sopApi.applyTemplate(template.key, {
        name: v.name, status: v.paused ? 'paused' : 'active',
        target: v.targetKind === 'group_kind' ? { kind: 'group_kind', groupKind: v.groupKind } : { kind: 'groups', groupIds: v.groupIds },
      });
      void message.success(t('sop.template.applied', { name: plan.name }));
      onApplied(plan);
    } catch (err) {
      setError(err instanceof ApiError && err.details.length > 0 ? err.details.map((d) => { const field = planFieldLabel(pathParts(d.path)[0]); const reason = reasonText(t, d); return field ? t('refusal.named', { field, reason }) : reason; }).join('\n') : errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('sop.template.applyTitle', { name: template.name })} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('sop.template.apply')} cancelText={t('common.cancel')}>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}
        initialValues={{ name: template.name, targetKind: 'group_kind', groupKind: template.groupKind, groupIds: [], paused: false }}>
        <Form.Item name="name" label={t('sop.plan.name')} rules={[{ required: true, max: 90 }]}><Input /></Form.Item>
        <Form.Item name="targetKind" label={t('sop.plan.target')}>
          <Radio.Group optionType="button" options={[{ value: 'group_kind', label: t('sop.plan.targetKind') }, { value: 'groups', label: t('sop.plan.targetGroups') }]} />
        </Form.Item>
        {targetKind === 'groups' ? (
          <Form.Item name="groupIds" label={t('sop.plan.groups')} rules={[{ required: true, message: t('sop.slot.required') }]}>
            <Select mode="multiple" showSearch filterOption={false} onSearch={setSearch} loading={groups.loading} placeholder={t('sop.plan.groupsPlaceholder')}
              options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: `${g.name} · ${t(`sop.kind.${g.kind}`)}` }))} />
          </Form.Item>
        ) : (
          <Form.Item name="groupKind" label={t('sop.plan.groupKind')}>
            <Select options={GROUP_KINDS.map((k) => ({ value: k, label: t(`sop.kind.${k}`) }))} />
          </Form.Item>
        )}
        <Form.Item name="paused" valuePropName="checked"><Checkbox>{t('sop.template.startPaused')}</Checkbox></Form.Item>
        {error && <Typography.Text type="danger" style={{ whiteSpace: 'pre-wrap' }} data-testid="apply-error">{error}</Typography.Text>}
      </Form>
    </Modal>
  );
}
