import { Alert, Button } from 'antd';
import { useT } from '../i18n/i18n.tsx';

export function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const t = useT();
  return (
    <Alert
      type="error"
      showIcon
      title={t('common.loadFailed', { message: error.message })}
      action={<Button size="small" onClick={onRetry}>{t('common.retry')}</Button>}
      style={{ marginBottom: 16 }}
    />
  );
}
