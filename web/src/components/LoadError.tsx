import { Alert, Button } from 'antd';
import { ApiError } from '../api.ts';
import { useT } from '../i18n/i18n.tsx';
import { errorText } from '../refusal-text.ts';

export function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const t = useT();
  if (error instanceof ApiError && error.status === 403) {
    return <Alert type="warning" showIcon title={t('common.forbidden')} style={{ marginBottom: 16 }} />;
  }
  return (
    <Alert
      type="error"
      showIcon
      title={t('common.loadFailed', { message: errorText(t, error) })}
      action={<Button size="small" onClick={onRetry}>{t('common.retry')}</Button>}
      style={{ marginBottom: 16 }}
    />
  );
}
