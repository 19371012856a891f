// Adding or changing a script: title, scenario, text and the tags it answers.
import { useState } from 'react';
import { AutoComplete, Form, Input, Modal, Select } from 'antd';
import type { TagGroup } from '../../api.ts';
import { sopApi, type Script, type ScriptInput } from '../../api-sop.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';

export function ScriptModal({ script, scenarios, tagGroups, onClose, onSaved }: {
  script: Script | null;
  scenarios: string[];
  tagGroups: TagGroup[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<ScriptInput>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: ScriptInput) => {
    setSaving(true);
    setError(null);
    try {
      if (script) await sopApi.updateScript(script.id, v);
      else await sopApi.createScript(v);
      onSaved();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={script ? t('sop.scripts.edit') : t('sop.scripts.new')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} cancelText={t('common.cancel')}>
      <Form<ScriptInput> form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}
        initialValues={script ? { title: script.title, scenario: script.scenario, body: script.body, tagIds: script.tags.map((tag) => tag.id) } : { title: '', scenario: scenarios[0] ?? '', body: '', tagIds: [] }}>
        <Form.Item name="title" label={t('sop.scripts.title')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 100 }]}><Input /></Form.Item>
        <Form.Item name="scenario" label={t('sop.scripts.scenario')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 30 }]}>
          <AutoComplete options={scenarios.map((s) => ({ value: s }))} filterOption />
        </Form.Item>
        <Form.Item name="body" label={t('sop.scripts.body')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 2000 }]}>
          <Input.TextArea rows={5} showCount maxLength={2000} />
        </Form.Item>
        <Form.Item name="tagIds" label={t('sop.scripts.tags')} extra={t('sop.scripts.tagsHelp')}>
          <Select mode="multiple" allowClear optionFilterProp="label"
            options={tagGroups.map((g) => ({ label: g.name, title: g.name, options: g.tags.map((tag) => ({ value: tag.id, label: tag.code ? `${tag.code} ${tag.name}` : tag.name })) }))} />
        </Form.Item>
        {error && <div className="ant-form-item-explain-error">{error}</div>}
      </Form>
    </Modal>
  );
}
