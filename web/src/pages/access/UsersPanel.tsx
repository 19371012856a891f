// 控制台账号: everyone who can sign in, their role and staff member; add, change, disable,
// set a forgotten password.
import { useState } from 'react';
import { App, Badge, Button, Card, Popconfirm, Space, Table, Tag, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { StaffMember } from '../../api.ts';
import { accessApi, type UserAccount } from '../../api-access.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { roleLabel } from '../../labels.ts';
import { useMe } from '../../session.tsx';
import { AddUserModal, EditUserModal, SetPasswordModal } from './UserModals.tsx';
import { refusalText } from './refusals.ts';

export function UsersPanel({ staff }: { staff: StaffMember[] }) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const users = useRemote((signal) => accessApi.users({ signal }), []);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<UserAccount>();
  const [resetting, setResetting] = useState<UserAccount>();
  const zone = me.tenant.timezone;

  const toggle = async (u: UserAccount) => {
    try {
      await accessApi.changeUser(u.id, { disabled: !u.disabled });
      message.success(t('access.saved'));
      users.reload();
    } catch (err) {
      message.error(refusalText(t, err));
    }
  };

  const columns: TableColumnsType<UserAccount> = [
    {
      title: t('access.name'), dataIndex: 'name', width: 140,
      render: (name: string, u) => <Space size={4}><strong>{name}</strong>{u.id === me.id && <Tag>{t('access.you')}</Tag>}</Space>,
    },
    { title: t('access.email'), dataIndex: 'email', ellipsis: true },
    { title: t('access.role'), dataIndex: 'role', width: 90, render: (role: UserAccount['role']) => <Tag color={role === 'admin' ? 'gold' : role === 'operator' ? 'blue' : 'cyan'}>{roleLabel(t, role)}</Tag> },
    { title: t('access.staff'), key: 'staff', width: 110, responsive: ['md'], render: (_v, u) => u.staff?.name ?? <span className="muted">{t('common.none')}</span> },
    { title: t('access.status'), dataIndex: 'disabled', width: 90, render: (disabled: boolean) => <Badge status={disabled ? 'default' : 'success'} text={t(disabled ? 'access.disabled' : 'access.active')} /> },
    { title: t('access.lastSignIn'), dataIndex: 'lastSignInAt', width: 150, responsive: ['lg'], render: (at: string | null) => <span className="num muted">{at ? formatDateTime(at, zone) : t('access.never')}</span> },
    {
      title: '', key: 'actions', width: 200, align: 'right',
      render: (_v, u) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing(u)} data-testid={`edit-${u.email}`}>{t('access.edit')}</Button>
          <Button type="link" size="small" onClick={() => setResetting(u)}>{t('access.setPassword')}</Button>
          {u.disabled ? (
            <Button type="link" size="small" onClick={() => void toggle(u)}>{t('access.enable')}</Button>
          ) : (
            <Popconfirm title={t('access.disableConfirm', { name: u.name })} onConfirm={() => toggle(u)} okButtonProps={{ danger: true }}>
              <Button type="link" size="small" danger data-testid={`disable-${u.email}`}>{t('access.disable')}</Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card
      variant="borderless"
      className="panel"
      title={t('access.users')}
      extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-account">{t('access.addUser')}</Button>}
      data-testid="accounts-table"
    >
      {users.error && <LoadError error={users.error} onRetry={users.reload} />}
      <Table<UserAccount>
        rowKey="id" size="middle" columns={columns} dataSource={users.data?.items ?? []} loading={users.loading}
        scroll={{ x: 'max-content' }} pagination={false} rowClassName={(u) => (u.disabled ? 'row-muted' : '')}
      />
      <AddUserModal open={adding} staff={staff} onClose={() => setAdding(false)} onDone={() => { setAdding(false); message.success(t('access.saved')); users.reload(); }} />
      <EditUserModal user={editing} staff={staff} onClose={() => setEditing(undefined)} onDone={() => { setEditing(undefined); message.success(t('access.saved')); users.reload(); }} />
      <SetPasswordModal user={resetting} onClose={() => setResetting(undefined)} onDone={() => { setResetting(undefined); message.success(t('access.passwordSet')); users.reload(); }} />
    </Card>
  );
}
