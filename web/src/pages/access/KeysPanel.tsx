// API 密钥: the keys other systems call the API with. A new key is shown once; a revoked key stops
// working at once.
import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { Role, StaffMember } from '../../api.ts';
import { accessApi, type ApiKeyInfo } from '../../api-access.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { roleLabel } from '../../labels.ts';
import { useMe } from '../../session.tsx';
import { refusalText } from './refusals.ts';
import { useModalForm } from './useModalForm.ts';

interface KeyValues {
  name: string;
  role: Role;
  staffId?: string;
}

function NewKeyModal({ open, staff, onClose, onCreated }: { open: boolean; staff: StaffMember[]; onClose: () => void; onCreated: (key: string) => void }) {
  const t = useT();
  const [form] = Form.useForm<KeyValues>();
  const { saving, refusal, submit } = useModalForm(open, form, async (v) => {
    const created = await accessApi.addApiKey({ name: v.name, role: v.role, staffId: v.staffId ?? null });
    onCreated(created.key);
  });

  return (
    <Modal open={open} title={t('access.addKey')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      {refusal && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} />}
      <Form<KeyValues> form={form} layout="vertical" initialValues={{ role: 'operator' }} onFinish={submit}>
        <Form.Item name="name" label={t('access.keyName')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder={t('access.keyNamePlaceholder')} data-testid="key-name" />
        </Form.Item>
        <Form.Item name="role" label={t('access.role')} extra={<Form.Item noStyle shouldUpdate>{({ getFieldValue }) => t(`access.roleHint.${getFieldValue('role') as Role}`)}</Form.Item>}>
          <Select options={(['admin', 'operator', 'guide'] as Role[]).map((r) => ({ value: r, label: roleLabel(t, r) }))} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: KeyValues, b: KeyValues) => a.role !== b.role}>
          {({ getFieldValue }) => getFieldValue('role') === 'guide' && (
            <Form.Item name="staffId" label={t('access.staff')} rules={[{ required: true, message: t('access.staffHint') }]}>
              <Select showSearch optionFilterProp="label" options={staff.filter((s) => s.status === 'active').map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          )}
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function KeysPanel({ staff }: { staff: StaffMember[] }) {
  const t = useT();
  const zone = useMe().tenant.timezone;
  const { message } = App.useApp();
  const keys = useRemote((signal) => accessApi.apiKeys({ signal }), []);
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<string>();

  const revoke = async (k: ApiKeyInfo) => {
    try {
      await accessApi.revokeApiKey(k.id);
      keys.reload();
    } catch (err) {
      message.error(refusalText(t, err));
    }
  };

  const columns: TableColumnsType<ApiKeyInfo> = [
    { title: t('access.keyName'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    { title: t('access.role'), dataIndex: 'role', width: 90, render: (role: Role, k) => <Tag>{roleLabel(t, role)}{k.staff ? ` · ${k.staff.name}` : ''}</Tag> },
    { title: t('access.keyPrefix'), dataIndex: 'prefix', responsive: ['md'], render: (p: string) => <Typography.Text code>{p}</Typography.Text> },
    { title: t('access.created'), dataIndex: 'createdAt', width: 150, responsive: ['lg'], render: (at: string) => <span className="num muted">{formatDateTime(at, zone)}</span> },
    { title: t('access.lastUsed'), dataIndex: 'lastUsedAt', width: 150, render: (at: string | null) => <span className="num muted">{at ? formatDateTime(at, zone) : t('access.never')}</span> },
    {
      title: t('access.status'), key: 'status', width: 210, align: 'right',
      render: (_v, k) => k.revokedAt
        ? <Badge status="default" text={`${t('access.revoked')} ${formatDateTime(k.revokedAt, zone)}`} />
        : (
          <Popconfirm title={t('access.revokeConfirm', { name: k.name })} onConfirm={() => revoke(k)} okButtonProps={{ danger: true }}>
            <Button type="link" size="small" danger data-testid={`revoke-${k.name}`}>{t('access.revoke')}</Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Card
      variant="borderless"
      className="panel"
      title={t('access.keys')}
      extra={<Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-key">{t('access.addKey')}</Button>}
      data-testid="keys-table"
    >
      {keys.error && <LoadError error={keys.error} onRetry={keys.reload} />}
      <Table<ApiKeyInfo> rowKey="id" size="middle" columns={columns} dataSource={keys.data?.items ?? []} loading={keys.loading} scroll={{ x: 'max-content' }} pagination={false} />
      <NewKeyModal open={adding} staff={staff} onClose={() => setAdding(false)} onCreated={(key) => { setAdding(false); setShown(key); keys.reload(); }} />
      <Modal open={!!shown} title={t('access.keyCreated')} closable={false} maskClosable={false} onOk={() => setShown(undefined)} okText={t('access.done')} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title={t('access.keyOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: shown, tooltips: [t('access.copy'), t('access.copied')] }} code data-testid="new-key" style={{ wordBreak: 'break-all' }}>
          {shown}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
