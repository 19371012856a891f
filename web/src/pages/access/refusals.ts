// The console's words for the refusals accounts and keys can meet (each carries its code: a guide
// without a staff member, a password too short or unchanged, an email taken …), named by the
// field's label; the last administrator and a wrong current password read as whole sentences.
import { ApiError } from '../../api.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { errorText } from '../../refusal-text.ts';

const FIELD_LABELS: Record<string, MessageKey> = { name: 'access.name', email: 'access.email', role: 'access.role', password: 'access.password' };
// Sentences that already say what is wrong with what, so no field label goes before them.
const WHOLE = new Set(['last_admin', 'wrong_password', 'email_taken', 'guide_needs_staff', 'password_unchanged', 'key_name_needed']);

export function refusalText(t: Translate, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'last_admin') return t('access.lastAdmin');
    if (err.code === 'wrong_password') return t('password.wrong');
    const named = err.details.length > 0 && err.details.every((d) => !WHOLE.has(d.code ?? ''));
    return errorText(t, err, named ? { fieldOf: (parts) => { const key = FIELD_LABELS[parts.at(-1) ?? '']; return key ? t(key) : undefined; } } : {});
  }
  return errorText(t, err);
}
