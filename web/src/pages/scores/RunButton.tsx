// "Recompute now" and the latest run's status; polls while a run is queued or running.
import { useEffect, useState } from 'react';
import { App, Button, Space, Tag, Tooltip } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { scoresApi, type ScoringRun } from '../../api-scores.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

const COLOR = { queued: 'default', running: 'processing', done: 'success', failed: 'error' } as const;

export function RunButton({ latest, onFinished }: { latest: ScoringRun | undefined; onFinished: () => void }) {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const mayRun = useCan('scores:write');
  const [run, setRun] = useState<ScoringRun | undefined>(latest);
  const [starting, setStarting] = useState(false);

  useEffect(() => setRun(latest), [latest]);

  const pending = run?.status === 'queued' || run?.status === 'running';
  useEffect(() => {
    if (!run || !pending) return;
    const timer = setInterval(() => {
      scoresApi.run(run.id).then((next) => {
        setRun(next);
        if (next.status === 'done' || next.status === 'failed') onFinished();
      }).catch(() => {});
    }, 1500);
    return () => clearInterval(timer);
  }, [run?.id, pending]);

  const start = async () => {
    setStarting(true);
    try {
      setRun(await scoresApi.startRun());
      void message.success(t('run.started'));
    } catch (err) {
      void message.error(t('run.failed', { message: errorText(t, err) }));
    } finally {
      setStarting(false);
    }
  };

  const figures = run && run.status === 'done' && run.customers !== null
    ? t('run.figures', {
      customers: formatCount(run.customers), buyers: formatCount(run.buyers ?? 0), repeaters: formatCount(run.repeaters ?? 0),
      rows: formatCount(run.rowsWritten ?? 0),
      seconds: run.startedAt && run.finishedAt ? ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1) : '—',
    })
    : run?.error ?? '';
  return (
    <Space wrap>
      <Tooltip title={figures}>
        <span className="run-status" data-testid="run-status">
          {run
            ? <>{t('run.last', { time: formatDateTime(run.finishedAt ?? run.createdAt, zone) })}<Tag color={COLOR[run.status]}>{t(`run.status.${run.status}`)}</Tag></>
            : t('run.none')}
        </span>
      </Tooltip>
      {mayRun && (
        <Button type="primary" icon={<ReloadOutlined />} loading={starting || pending} onClick={() => void start()} data-testid="recompute">
          {t('run.recompute')}
        </Button>
      )}
    </Space>
  );
}
