// The console's words for the refusals accounts and keys can meet; anything else is worded
// generically (a length, a format) with the field's label, or shows the server's own message.
import { ApiError } from '../../api.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { namedDetailText, pathParts } from '../../labels.ts';
import { errorText } from '../../refusal-text.ts';

const FIELD_LABELS: Record<string, MessageKey> = { name: 'access.name', email: 'access.email', role: 'access.role', password: 'access.password' };

export function refusalText(t: Translate, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'last_admin') return t('access.lastAdmin');
    if (err.code === 'wrong_password') return t('password.wrong');
    if (err.status === 409 && err.details.some((d) => d.path === 'email')) return t('access.emailTaken');
    if (err.details.length > 0) {
      return err.details.map((d) => {
        const key = FIELD_LABELS[pathParts(d.path).at(-1) ?? ''];
        return namedDetailText(t, d, key ? t(key) : undefined);
      }).join('；');
    }
  }
  return errorText(t, err);
}
