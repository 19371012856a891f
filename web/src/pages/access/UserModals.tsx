// The forms of the accounts table: add an account, change one, set a forgotten password.
import { Alert, Form, Input, Modal, Radio, Select, Space } from 'antd';
import type { Role, StaffMember } from '../../api.ts';
import { accessApi, MIN_PASSWORD_LENGTH, type UserAccount } from '../../api-access.ts';
import { useT } from '../../i18n/i18n.tsx';
import { activeStaffOptions, roleLabel } from '../../labels.ts';
import { useModalForm } from './useModalForm.ts';

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
            options={activeStaffOptions(staff)}
          />
        </Form.Item>
      )}
    </Form.Item>
  );
}

export function AddUserModal({ open, staff, onClose, onDone }: { open: boolean; staff: StaffMember[]; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<AccountValues>();
  const { saving, refusal, submit } = useModalForm(open, form, async (v) => {
    await accessApi.addUser({ email: v.email, name: v.name, role: v.role, staffId: v.staffId ?? null, password: v.password });
    onDone();
  });

  return (
    <Modal open={open} title={t('access.addUser')} className="add-account-modal" onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} data-testid="account-refusal" />}
      <Form<AccountValues> form={form} layout="vertical" initialValues={{ role: 'operator' }} onFinish={submit}>
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
  const { saving, refusal, submit } = useModalForm(!!user, form, async (v) => {
    if (!user) return;
    await accessApi.changeUser(user.id, { name: v.name, role: v.role, staffId: v.staffId ?? null });
    onDone();
  }, () => form.setFieldsValue({ name: user?.name, role: user?.role, staffId: user?.staff?.id }));

  return (
    <Modal open={!!user} title={`${t('access.edit')} · ${user?.email ?? ''}`} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} forceRender>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} data-testid="account-refusal" />}
      <Form form={form} layout="vertical" onFinish={submit}>
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
  const { saving, refusal, submit } = useModalForm(!!user, form, async ({ password }) => {
    if (!user) return;
    await accessApi.setPassword(user.id, password);
    onDone();
  });

  return (
    <Modal open={!!user} title={t('access.setPasswordFor', { name: user?.name ?? '' })} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} forceRender>
      <Alert type="info" showIcon title={t('access.setPasswordHint')} style={{ marginBottom: 16 }} />
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="password" label={t('access.newPassword')} rules={[{ required: true, min: MIN_PASSWORD_LENGTH, message: t('access.passwordRule', { n: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" data-testid="reset-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
