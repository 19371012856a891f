// Create or edit a tag group: name, description, and whether it is exclusive (a customer holds
// at most one of its tags — 会员等级, 生命周期).
import { useState } from 'react';
import { Alert, App, Form, Input, Modal, Switch } from 'antd';
import { api, type TagGroup } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';
import { errorText } from '../../refusal-text.ts';

export function TagGroupModal({ group, onClose, onSaved }: { group: TagGroup | undefined; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [exclusive, setExclusive] = useState(group?.exclusive ?? false);
  const [problem, setProblem] = useState<string>();
  const [saving, setSaving] = useState(false);

  const save = async () => {
    if (!name.trim()) return setProblem(t('tags.nameRequired'));
    setSaving(true);
    setProblem(undefined);
    try {
      const input = { name: name.trim(), description: description.trim(), exclusive };
      if (group) await api.updateTagGroup(group.id, input);
      else await api.createTagGroup(input);
      message.success(t('tags.saved'));
      onSaved();
    } catch (err) {
      setProblem(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={group ? t('tags.editGroup') : t('tags.newGroup')} okText={t('common.save')} confirmLoading={saving} onOk={() => void save()} onCancel={onClose}>
      <Form layout="vertical">
        <Form.Item label={t('tags.groupName')} required>
          <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={50} autoFocus placeholder={t('tags.groupNamePlaceholder')} data-testid="group-name" />
        </Form.Item>
        <Form.Item label={t('tags.description')}>
          <Input.TextArea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
        <Form.Item label={t('tags.exclusive')} extra={t('tags.exclusiveHelp')}>
          <Switch checked={exclusive} onChange={setExclusive} data-testid="group-exclusive" />
        </Form.Item>
        {problem && <Alert type="error" showIcon title={problem} />}
      </Form>
    </Modal>
  );
}
