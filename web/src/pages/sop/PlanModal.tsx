// A plan's settings: name, description and which groups it reaches (a kind, or chosen groups).
import { useEffect, useState } from 'react';
import { Form, Input, Modal, Radio, Select } from 'antd';
import { GROUP_KINDS, sopApi, type GroupKind, type Plan, type PlanInput } from '../../api-sop.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';

interface PlanForm {
  name: string;
  description: string;
  targetKind: 'group_kind' | 'groups';
  groupKind: GroupKind;
  groupIds: string[];
}

export function PlanModal({ plan, saving, onSave, onClose }: {
  plan: Plan | null;
  saving: boolean;
  onSave: (input: Omit<PlanInput, 'slots' | 'status'>) => void;
  onClose: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<PlanForm>();
  const [search, setSearch] = useState('');
  const groups = useRemote((signal) => sopApi.groups(search || undefined, { signal }), [search]);
  const targetKind = Form.useWatch('targetKind', form);

  useEffect(() => {
    form.setFieldsValue({
      name: plan?.name ?? '', description: plan?.description ?? '',
      targetKind: plan?.target.kind ?? 'group_kind',
      groupKind: plan?.target.kind === 'group_kind' ? plan.target.groupKind : 'value',
      groupIds: plan?.target.kind === 'groups' ? plan.target.groupIds : [],
    });
  }, [plan, form]);

  const submit = (v: PlanForm) => onSave({
    name: v.name, description: v.description,
    target: v.targetKind === 'group_kind' ? { kind: 'group_kind', groupKind: v.groupKind } : { kind: 'groups', groupIds: v.groupIds },
  });

  return (
    <Modal open title={plan ? t('sop.plan.edit') : t('sop.plan.new')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} cancelText={t('common.cancel')}>
      <Form<PlanForm> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="name" label={t('sop.plan.name')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 100 }]}>
          <Input data-testid="plan-name" />
        </Form.Item>
        <Form.Item name="description" label={t('sop.plan.description')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="targetKind" label={t('sop.plan.target')}>
          <Radio.Group optionType="button" options={[{ value: 'group_kind', label: t('sop.plan.targetKind') }, { value: 'groups', label: t('sop.plan.targetGroups') }]} />
        </Form.Item>
        {targetKind === 'groups' ? (
          <Form.Item name="groupIds" label={t('sop.plan.groups')} rules={[{ required: true, message: t('sop.slot.required') }]}>
            <Select mode="multiple" showSearch filterOption={false} onSearch={setSearch} loading={groups.loading} placeholder={t('sop.plan.groupsPlaceholder')}
              options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: `${g.name} · ${t(`sop.kind.${g.kind}`)}${g.ownerName ? ` · ${g.ownerName}` : ''}` }))} />
          </Form.Item>
        ) : (
          <Form.Item name="groupKind" label={t('sop.plan.groupKind')}>
            <Select options={GROUP_KINDS.map((k) => ({ value: k, label: t(`sop.kind.${k}`) }))} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
