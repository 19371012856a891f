// Console calls for accounts, API keys, one's own password, and the sign-in page's demo logins.
import { call, type Ref, type Role, type Signal } from './api.ts';

export interface UserAccount {
  id: string;
  email: string;
  name: string;
  role: Role;
  staff: Ref | null;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  staff: Ref | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface DemoLogins {
  tenant: string;
  name: string;
  model: 'expert' | 'advisor' | 'shopping' | 'interest' | null;
  brand: string | null;
  logins: { role: Role; email: string; password: string }[];
}

export const MIN_PASSWORD_LENGTH = 8;

export const accessApi = {
  users: (opts: Signal = {}) => call<{ items: UserAccount[] }>('GET', '/users', opts),
  addUser: (body: { email: string; name?: string; role: Role; staffId?: string | null; password: string }) => call<UserAccount>('POST', '/users', { body }),
  changeUser: (id: string, body: { name?: string; role?: Role; staffId?: string | null; disabled?: boolean }) =>
    call<UserAccount>('PATCH', `/users/${encodeURIComponent(id)}`, { body }),
  setPassword: (id: string, password: string) => call<undefined>('POST', `/users/${encodeURIComponent(id)}/password`, { body: { password } }),
  changeOwnPassword: (currentPassword: string, newPassword: string) => call<undefined>('POST', '/auth/password', { body: { currentPassword, newPassword } }),
  apiKeys: (opts: Signal = {}) => call<{ items: ApiKeyInfo[] }>('GET', '/api-keys', opts),
  addApiKey: (body: { name: string; role: Role; staffId?: string | null }) => call<{ key: string; apiKey: ApiKeyInfo }>('POST', '/api-keys', { body }),
  revokeApiKey: (id: string) => call<ApiKeyInfo>('DELETE', `/api-keys/${encodeURIComponent(id)}`),
  demoLogins: (opts: Signal = {}) => call<{ demos: DemoLogins[] }>('GET', '/auth/demo-logins', opts),
};
