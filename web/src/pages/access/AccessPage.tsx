// 账号与密钥: console accounts and API keys (administrators only).
import { api } from '../../api.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { KeysPanel } from './KeysPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';

export default function AccessPage() {
  const t = useT();
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  const members = staff.data?.items ?? [];
  return (
    <div className="page" data-testid="access-page">
      <PageHeader title={t('access.title')} subtitle={t('access.subtitle')} />
      <UsersPanel staff={members} />
      <KeysPanel staff={members} />
    </div>
  );
}
