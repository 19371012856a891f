// SOP 日历: the calendar editor, the template gallery, what was generated (done / missed), and the
// script library. Guides see only the script library.
import { useCallback } from 'react';
import { Tabs } from 'antd';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { CalendarPanel } from './CalendarPanel.tsx';
import { RunsPanel } from './RunsPanel.tsx';
import { ScriptsPanel } from './ScriptsPanel.tsx';
import { TemplatesPanel } from './TemplatesPanel.tsx';
import './sop.css';

const TABS = ['calendar', 'templates', 'runs', 'scripts'] as const;

export default function SopPage() {
  const t = useT();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [params, setParams] = useSearchParams();
  const operator = useCan('sop:write');
  const onScripts = pathname.startsWith('/sop/scripts');
  const tab = !operator || onScripts ? 'scripts' : TABS.find((x) => x === params.get('tab')) ?? 'calendar';
  const planId = params.get('plan') ?? undefined;
  const selectPlan = useCallback((id: string | undefined) => {
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (id) next.set('plan', id);
      else next.delete('plan');
      return next;
    }, { replace: true });
  }, [setParams]);

  const go = (key: string) => {
    if (key === 'scripts') navigate('/sop/scripts');
    else navigate(key === 'calendar' ? '/sop' : `/sop?tab=${key}`);
  };

  const scripts = { key: 'scripts', label: t('sop.tab.scripts'), children: <ScriptsPanel /> };
  return (
    <div className="page" data-testid="sop-page">
      <PageHeader title={operator ? t('sop.title') : t('sop.tab.scripts')} subtitle={operator ? t('sop.subtitle') : undefined} />
      <Tabs
        activeKey={tab}
        onChange={go}
        items={operator ? [
          { key: 'calendar', label: t('sop.tab.calendar'), children: <CalendarPanel selectedId={planId} onSelect={selectPlan} /> },
          { key: 'templates', label: t('sop.tab.templates'), children: <TemplatesPanel onApplied={(plan) => navigate(`/sop?plan=${plan.id}`)} /> },
          { key: 'runs', label: t('sop.tab.runs'), children: <RunsPanel /> },
          scripts,
        ] : [scripts]}
      />
    </div>
  );
}
