// A refused row's reason in the console's language: by its code (web/src/i18n/imports.ts) with the
// code's values, or the server's English words when the code is unknown here (or absent: jobs
// run before reasons had codes).
// Plain TypeScript (no JSX, no React) so that the server's tests can check it against the codes.
import { zhCN, type MessageKey } from '../../i18n/zh-CN.ts';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export interface ReasonOf {
  reason: string;
  code?: string;
  params?: Record<string, string | number>;
}

const isKey = (key: string): key is MessageKey => Object.hasOwn(zhCN, key);

/** Why a job failed: by its code where the server gave one, else the server's words. */
export function failureText(t: Translate, job: { error: string | null; errorWorded?: { code: string; params: Record<string, string | number | null> } | null }): string {
  const worded = job.errorWorded;
  const key = worded ? `imports.failure.${worded.code}` : '';
  if (!worded || !isKey(key)) return job.error ?? '';
  return t(key, Object.fromEntries(Object.entries(worded.params).map(([name, value]) => [name, value ?? ''])));
}

export function reasonText(t: Translate, locale: 'zh-CN' | 'en-US', e: ReasonOf): string {
  if (e.code === undefined) return e.reason;
  if (e.code === 'rejected') {
    // Refused when written: the English words carry the details (which order, which id), so an
    // English console shows them as they are.
    const key = `imports.rejected.${String(e.params?.code ?? '')}`;
    return locale !== 'en-US' && isKey(key) ? t(key) : e.reason;
  }
  const key = `imports.reason.${e.code}`;
  return isKey(key) ? t(key, e.params) : e.reason;
}
