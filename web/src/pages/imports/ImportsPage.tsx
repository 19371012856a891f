// 数据导入: upload a customers or orders CSV; the server imports it in the background (the same
// import as `yuchi import`) and this page polls the job every second for its progress, then
// shows the result. Recent imports are listed below; the columns each kind takes are on the side.
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Radio, Segmented, Table, Tag, Upload, type TableColumnsType } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { api, type ImportJob, type ImportKind } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatBytes, formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { importStatusLabel } from '../../labels.ts';
import { useTenantZone } from '../../session.tsx';
import { ImportJobCard, STATUS_COLORS } from './ImportJobCard.tsx';
import { TemplateHelp } from './TemplateHelp.tsx';
import { errorText } from '../../refusal-text.ts';

const POLL_MS = 1000;
const MAX_BYTES = 512 * 1024 * 1024;

const finished = (job: ImportJob | undefined): boolean => job !== undefined && (job.status === 'done' || job.status === 'failed');

export default function ImportsPage() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const [kind, setKind] = useState<ImportKind>('customers');
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [upload, setUpload] = useState<{ sent: number; total: number }>();
  const [job, setJob] = useState<ImportJob>();
  const recent = useRemote((signal) => api.imports({ signal }), []);
  const reloadRecent = recent.reload;

  // While the shown job is queued or running, ask for it every second.
  useEffect(() => {
    if (!job || finished(job)) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.importJob(job.id, { signal: controller.signal }).then(
        (next) => {
          setJob(next);
          if (finished(next)) reloadRecent();
        },
        (err: unknown) => {
          // A failed poll is tried again on the next tick: the job runs on regardless.
          if (!controller.signal.aborted) setJob({ ...job });
          console.warn('import progress', err);
        },
      );
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [job, reloadRecent]);

  const start = useCallback(
    async (file: File) => {
      if (file.size > MAX_BYTES) {
        message.error(t('imports.tooLarge', { size: formatBytes(MAX_BYTES) }));
        return;
      }
      setJob(undefined);
      setUpload({ sent: 0, total: file.size });
      try {
        const started = await api.startImport({ kind, allOrNothing, file }, (sent, total) => setUpload({ sent, total }));
        setJob(started.job);
        reloadRecent();
      } catch (err) {
        message.error(errorText(t, err));
      } finally {
        setUpload(undefined);
      }
    },
    [kind, allOrNothing, message, t, reloadRecent],
  );

  const busy = upload !== undefined || (job !== undefined && !finished(job));
  const columns: TableColumnsType<ImportJob> = [
    { title: t('imports.startedAt'), dataIndex: 'createdAt', width: 150, render: (iso: string) => <span className="num nowrap">{formatDateTime(iso, zone)}</span> },
    { title: t('imports.file'), key: 'file', ellipsis: true, render: (_v, j) => <span className="cell-stack"><span>{j.fileName}</span><span className="muted cell-note">{`${t(j.kind === 'customers' ? 'imports.customers' : 'imports.orders')} · ${formatBytes(j.bytesTotal)}`}</span></span> },
    { title: t('imports.status'), dataIndex: 'status', width: 90, render: (s: ImportJob['status']) => <Tag color={STATUS_COLORS[s]}>{importStatusLabel(t, s)}</Tag> },
    { title: t('imports.rows'), dataIndex: 'rows', width: 90, align: 'right', responsive: ['sm'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('imports.imported'), dataIndex: 'rowsImported', width: 90, align: 'right', responsive: ['md'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('imports.rejected'), dataIndex: 'rowsRejected', width: 90, align: 'right', responsive: ['md'], render: (n: number) => <span className={`num${n > 0 ? ' text-bad' : ''}`}>{formatCount(n)}</span> },
    { title: t('imports.by'), dataIndex: 'createdBy', width: 110, ellipsis: true, responsive: ['lg'], render: (who: string | null) => who ?? '—' },
  ];

  return (
    <div className="page" data-testid="imports-page">
      <PageHeader title={t('imports.title')} subtitle={t('imports.subtitle')} />
      <div className="imports-grid">
        <div className="imports-main">
          <Card variant="borderless" className="panel" title={t('imports.upload')}>
            <div className="import-options">
              <Segmented<ImportKind>
                value={kind}
                onChange={setKind}
                disabled={busy}
                options={[
                  { value: 'customers', label: t('imports.customers') },
                  { value: 'orders', label: t('imports.orders') },
                ]}
                data-testid="import-kind"
              />
              <Radio.Group value={allOrNothing} onChange={(e) => setAllOrNothing(e.target.value === true)} disabled={busy} data-testid="import-mode">
                <Radio value={false}>{t('imports.partial')}</Radio>
                <Radio value={true}>{t('imports.allOrNothing')}</Radio>
              </Radio.Group>
            </div>
            <p className="muted import-mode-help">{allOrNothing ? t('imports.allOrNothingHelp') : t('imports.partialHelp')}</p>
            <Upload.Dragger
              accept=".csv,text/csv"
              multiple={false}
              showUploadList={false}
              disabled={busy}
              beforeUpload={(file) => {
                void start(file);
                return false;
              }}
              data-testid="import-dropzone"
            >
              <p className="ant-upload-drag-icon"><InboxOutlined /></p>
              <p className="ant-upload-text">{t('imports.drop', { kind: t(kind === 'customers' ? 'imports.customers' : 'imports.orders') })}</p>
              <p className="ant-upload-hint">{t('imports.dropHint', { size: formatBytes(MAX_BYTES) })}</p>
            </Upload.Dragger>
          </Card>
          {(upload || job) && <ImportJobCard job={job} zone={zone} upload={upload} />}
          <Card variant="borderless" className="panel" title={t('imports.recent')} extra={<Button size="small" onClick={recent.reload}>{t('common.refresh')}</Button>}>
            {recent.error && <LoadError error={recent.error} onRetry={recent.reload} />}
            <Table<ImportJob>
              rowKey="id"
              size="small"
              columns={columns}
              dataSource={recent.data?.items ?? []}
              loading={recent.loading && !recent.data}
              pagination={false}
              locale={{ emptyText: t('imports.none') }}
              onRow={(j) => ({ onClick: () => setJob(j), className: `clickable-row${job?.id === j.id ? ' row-selected' : ''}` })}
              // beside the column help the card is narrow: scroll rather than squeeze the file name to a few letters
              scroll={{ x: 800 }}
              data-testid="import-recent"
            />
          </Card>
        </div>
        <TemplateHelp kind={kind} />
      </div>
    </div>
  );
}
