// 经营诊断 (/playbooks): the latest diagnosis (or the questionnaire when there is none or the
// operator asks again), the four playbooks with the diagnosed one first, and the applied
// playbook's KPIs.
import { useState } from 'react';
import { Alert, Button, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { playbooksApi, type DiagnosisView } from '../../api-playbooks.ts';
import { FullPageSpin } from '../../components/FullPageSpin.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { DiagnosisResult } from './DiagnosisResult.tsx';
import { DiagnosisWizard } from './DiagnosisWizard.tsx';
import { HealthTab } from './HealthTab.tsx';
import { PlaybooksTab } from './PlaybooksTab.tsx';
import './playbooks.css';

export default function DiagnosisPage() {
  const t = useT();
  const canRun = useCan('playbooks:write');
  const [asking, setAsking] = useState(false);
  const [fresh, setFresh] = useState<DiagnosisView>();
  const latest = useRemote(async (signal) => {
    try {
      return await playbooksApi.latest({ signal });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, []);
  const measured = useRemote((signal) => playbooksApi.measured({ signal }), []);
  const view = fresh ?? latest.data ?? undefined;
  const showWizard = canRun && (asking || (latest.data === null && !fresh));
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'diagnosis';
  const [applied, setApplied] = useState(0);

  return (
    <div className="page" data-testid="diagnosis-page">
      <PageHeader title={t('diag.title')} subtitle={t('diag.subtitle')}
        extra={tab === 'diagnosis' && canRun && view && !asking && <Button onClick={() => setAsking(true)} data-testid="diag-again">{t('diag.again')}</Button>} />
      <Tabs activeKey={tab} onChange={(key) => setParams(key === 'diagnosis' ? {} : { tab: key }, { replace: true })} destroyOnHidden
        items={[
          { key: 'diagnosis', label: t('pb.tab.diagnosis'), children: (
            <>
              {latest.error && <LoadError error={latest.error} onRetry={latest.reload} />}
              {latest.loading && latest.data === undefined && <FullPageSpin />}
              {latest.data === null && !fresh && !asking && <Alert type="info" showIcon title={t('diag.none')} style={{ marginBottom: 16 }} />}
              {showWizard && (measured.data || measured.error) ? (
                <DiagnosisWizard measured={measured.data?.measured} previous={view?.answers}
                  onDone={(v) => { setFresh(v); setAsking(false); }} />
              ) : view && <DiagnosisResult view={view} />}
            </>
          ) },
          { key: 'playbooks', label: t('pb.tab.playbooks'), children: <PlaybooksTab recommended={view?.result.model} onApplied={() => setApplied((n) => n + 1)} /> },
          { key: 'health', label: t('pb.tab.health'), children: <HealthTab version={applied} /> },
        ]} />
    </div>
  );
}
