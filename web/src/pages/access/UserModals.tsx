// The forms of the accounts table: add an account, change one, set a forgotten password.
import { useEffect, useState } from 'react';
import { Alert, Form, Input, Modal, Radio, Select, Space } from 'antd';
import type { Role, StaffMember } from '../../api.ts';
import { accessApi, MIN_PASSWORD_LENGTH, type UserAccount } from '../../api-access.ts';
import { useT } from '../../i18n/i18n.tsx';
import { roleLabel } from '../../labels.ts';
import { refusalText } from './refusals.ts';

const ROLES: Role[] = ['admin', 'operator', 'guide'];

interface AccountValues {
  email: string;
  name?: string;
  role: Role;
  staffId?: string;
  password: string;
}

function RoleField() {
  const t = useT();
  return (
    <Form.Item name="role" label={t('access.role')} rules={[{ required: true }]}>
      <Radio.Group data-testid="account-role">
        <Space direction="vertical">
          {ROLES.map((r) => (
            <Radio key={r} value={r}>
              <strong>{roleLabel(t, r)}</strong> <span className="muted">{t(`access.roleHint.${r}`)}</span>
            </Radio>
          ))}
        </Space>
      </Radio.Group>
    </Form.Item>
  );
}

function StaffField({ staff }: { staff: StaffMember[] }) {
  const t = useT();
  return (
    <Form.Item noStyle shouldUpdate={(a: AccountValues, b: AccountValues) => a.role !== b.role}>
      {({ getFieldValue }) => (
        <Form.Item
          name="staffId"
          label={t('access.staff')}
          extra={t('access.staffHint')}
          rules={[{ required: getFieldValue('role') === 'guide', message: t('access.staffHint') }]}
        >
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            data-testid="account-staff"
            options={staff.filter((s) => s.status === 'active').map((s) => ({ value: s.id, label: s.store ? `${s.name} · ${s.store.name}` : s.name }))}
          />
        </Form.Item>
      )}
    </Form.Item>
  );
}

export function AddUserModal({ open, staff, onClose, onDone }: { open: boolean; staff: StaffMember[]; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<AccountValues>();
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  useEffect(() => {
    if (open) {
      form.resetFields();
      setRefusal(undefined);
    }
  }, [open, form]);

  const submit = async (v: AccountValues) => {
    setSaving(true);
    setRefusal(undefined);
    try {
      await accessApi.addUser({ email: v.email, name: v.name, role: v.role, staffId: v.staffId ?? null, password: v.password });
      onDone();
    } catch (err) {
      setRefusal(refusalText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open={open} title={t('access.addUser')} className="add-account-modal" onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} data-testid="account-refusal" />}
      <Form<AccountValues> form={form} layout="vertical" initialValues={{ role: 'operator' }} onFinish={(v) => void submit(v)}>
        <Form.Item name="email" label={t('access.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="off" data-testid="account-email" />
        </Form.Item>
        <Form.Item name="name" label={t('access.name')}>
          <Input data-testid="account-name" />
        </Form.Item>
        <RoleField />
        <StaffField staff={staff} />
        <Form.Item name="password" label={t('access.password')} rules={[{ required: true, min: MIN_PASSWORD_LENGTH, message: t('access.passwordRule', { n: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" data-testid="account-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function EditUserModal({ user, staff, onClose, onDone }: { user: UserAccount | undefined; staff: StaffMember[]; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<Omit<AccountValues, 'email' | 'password'>>();
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  useEffect(() => {
    if (user) {
      form.setFieldsValue({ name: user.name, role: user.role, staffId: user.staff?.id });
      setRefusal(undefined);
    }
  }, [user, form]);

  const submit = async (v: Omit<AccountValues, 'email' | 'password'>) => {
    if (!user) return;
    setSaving(true);
    setRefusal(undefined);
    try {
      await accessApi.changeUser(user.id, { name: v.name, role: v.role, staffId: v.staffId ?? null });
      onDone();
    } catch (err) {
      setRefusal(refusalText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open={!!user} title={`${t('access.edit')} · ${user?.email ?? ''}`} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} forceRender>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} data-testid="account-refusal" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item name="name" label={t('access.name')} rules={[{ required: true, whitespace: true }]}>
          <Input />
        </Form.Item>
        <RoleField />
        <StaffField staff={staff} />
      </Form>
    </Modal>
  );
}

export function SetPasswordModal({ user, onClose, onDone }: { user: UserAccount | undefined; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<{ password: string }>();
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  useEffect(() => {
    if (user) {
      form.resetFields();
      setRefusal(undefined);
    }
  }, [user, form]);

  const submit = async ({ password }: { password: string }) => {
    if (!user) return;
    setSaving(true);
    try {
      await accessApi.setPassword(user.id, password);
      onDone();
    } catch (err) {
      setRefusal(refusalText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open={!!user} title={t('access.setPasswordFor', { name: user?.name ?? '' })} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} forceRender>
      <Alert type="info" showIcon title={t('access.setPasswordHint')} style={{ marginBottom: 16 }} />
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item name="password" label={t('access.newPassword')} rules={[{ required: true, min: MIN_PASSWORD_LENGTH, message: t('access.passwordRule', { n: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" data-testid="reset-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
