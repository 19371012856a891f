// 修改密码 from the user menu: the current password, the new one twice. Other sessions end; this
// one stays.
import { Alert, App, Form, Input, Modal } from 'antd';
import { accessApi, MIN_PASSWORD_LENGTH } from '../api-access.ts';
import { useT } from '../i18n/i18n.tsx';
import { useModalForm } from '../pages/access/useModalForm.ts';

interface Values {
  current: string;
  next: string;
  repeat: string;
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { saving, refusal, submit } = useModalForm(open, form, async (v) => {
    await accessApi.changeOwnPassword(v.current, v.next);
    message.success(t('password.changed'));
    onClose();
  });

  return (
    <Modal open={open} title={t('password.change')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} data-testid="password-refusal" />}
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="current" label={t('password.current')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="next" label={t('password.new')} rules={[{ required: true, min: MIN_PASSWORD_LENGTH, message: t('access.passwordRule', { n: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t('password.repeat')}
          dependencies={['next']}
          rules={[{ required: true }, ({ getFieldValue }) => ({
            validator: (_r, value: string) => (!value || value === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
          })]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-repeat" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
