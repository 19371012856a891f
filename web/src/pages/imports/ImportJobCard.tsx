// One import as it runs and when it is done: a bar by bytes read, rows and rows per second while
// the worker reads the file; then what was stored, what was refused (the first errors, and a
// link to all of them as CSV), or why the import failed.
import { Alert, Card, Progress, Table, Tag, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { apiUrl, type ImportJob, type RowError } from '../../api.ts';
import { formatBytes, formatCount, formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { failureText, reasonText } from './reasons.ts';
import { importStatusLabel } from '../../labels.ts';

export const STATUS_COLORS: Record<ImportJob['status'], string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error' };

export function ImportJobCard({ job, zone, upload }: { job: ImportJob | undefined; zone: string; upload?: { sent: number; total: number } }) {
  const { t, locale } = useLocale();
  const uploading = upload && !job;
  const percent = uploading
    ? Math.floor((upload.sent / Math.max(1, upload.total)) * 100)
    : job
      ? job.status === 'done' ? 100 : Math.floor((job.bytesRead / Math.max(1, job.bytesTotal)) * 100)
      : 0;
  const status = job?.status === 'failed' ? 'exception' : job?.status === 'done' ? (job.rowsRejected > 0 ? 'normal' : 'success') : 'active';

  const columns: TableColumnsType<RowError> = [
    { title: t('imports.line'), dataIndex: 'line', width: 80, render: (n: number) => <span className="num">{n}</span> },
    { title: t('imports.column'), dataIndex: 'column', width: 140 },
    { title: t('imports.reason'), dataIndex: 'reason', render: (_: string, e: RowError) => reasonText(t, locale, e) },
  ];

  const kindLabel = job ? t(job.kind === 'customers' ? 'imports.customers' : 'imports.orders') : '';
  return (
    <Card
      variant="borderless"
      className="panel"
      data-testid="import-job"
      title={uploading ? t('imports.uploading') : job ? <span className="title-with-tag">{job.fileName}<Tag>{kindLabel}</Tag></span> : ''}
      extra={job && <Tag color={STATUS_COLORS[job.status]} data-testid="import-status">{importStatusLabel(t, job.status)}</Tag>}
    >
      <Progress percent={percent} status={status} data-testid="import-progress" />
      <div className="import-figures">
        {uploading ? (
          <span>{t('imports.uploaded', { sent: formatBytes(upload.sent), total: formatBytes(upload.total) })}</span>
        ) : job ? (
          <>
            <span data-testid="import-rows">{t('imports.rowsRead', { rows: formatCount(job.rows) })}</span>
            {job.rowsPerSecond > 0 && <span>{t('imports.rate', { rate: formatCount(job.rowsPerSecond) })}</span>}
            <span>{`${formatBytes(job.status === 'done' ? job.bytesTotal : job.bytesRead)} / ${formatBytes(job.bytesTotal)}`}</span>
            {job.allOrNothing && <span>{t('imports.allOrNothing')}</span>}
            {job.finishedAt && <span className="muted">{t('imports.finishedAt', { at: formatDateTime(job.finishedAt, zone) })}</span>}
          </>
        ) : null}
      </div>
      {job?.status === 'done' && (
        <div className="import-result" data-testid="import-result">
          {!job.stored && <Alert type="warning" showIcon title={t('imports.nothingStored')} className="import-alert" />}
          <div className="stat-grid import-stats">
            <div className="stat"><div className="stat-label">{t('imports.imported')}</div><div className="stat-value stat-strong" data-testid="import-imported">{formatCount(job.rowsImported)}</div></div>
            <div className="stat"><div className="stat-label">{t('imports.rejected')}</div><div className={`stat-value${job.rowsRejected > 0 ? ' stat-bad' : ''}`} data-testid="import-rejected">{formatCount(job.rowsRejected)}</div></div>
            <div className="stat"><div className="stat-label">{t(job.kind === 'customers' ? 'imports.newCustomers' : 'imports.newOrders')}</div><div className="stat-value">{formatCount(job.created)}</div></div>
            <div className="stat"><div className="stat-label">{t(job.kind === 'customers' ? 'imports.matchedCustomers' : 'imports.updatedOrders')}</div><div className="stat-value">{formatCount(job.updated)}</div></div>
            {job.kind === 'orders' && <div className="stat"><div className="stat-label">{t('imports.duplicates')}</div><div className="stat-value">{formatCount(job.duplicates)}</div></div>}
          </div>
          {job.error && <Alert type="warning" showIcon title={job.error} className="import-alert" />}
          {job.firstErrors.length > 0 && (
            <>
              <div className="import-errors-head">
                <span>{job.rowsRejected > job.firstErrors.length ? t('imports.firstErrors', { count: job.firstErrors.length }) : t('imports.errors')}</span>
                <a href={apiUrl(`/imports/${job.id}/errors.csv`)} download data-testid="import-errors-link">
                  <DownloadOutlined /> {t('imports.downloadErrors')}
                </a>
              </div>
              <Table<RowError> rowKey={(e) => `${e.line}:${e.column}:${e.reason}`} size="small" columns={columns} dataSource={job.firstErrors} pagination={false} scroll={{ x: 480 }} />
            </>
          )}
        </div>
      )}
      {job?.status === 'failed' && <Alert type="error" showIcon title={t('imports.failedTitle')} description={failureText(t, job)} data-testid="import-error" />}
    </Card>
  );
}
