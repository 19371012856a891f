// The console's words for the refusals accounts and keys can meet; anything else shows the
// server's own message with the field it names.
import { ApiError } from '../../api.ts';
import type { Translate } from '../../i18n/i18n.tsx';

export function refusalText(t: Translate, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'last_admin') return t('access.lastAdmin');
    if (err.code === 'wrong_password') return t('password.wrong');
    if (err.status === 409 && err.details.some((d) => d.path === 'email')) return t('access.emailTaken');
    if (err.details.length > 0) return err.details.map((d) => `${d.path}: ${d.message}`).join('；');
  }
  return err instanceof Error ? err.message : String(err);
}
