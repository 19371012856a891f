// 群发与触达: mass sends with their progress and lift, templates, the restraint settings, and the
// sandbox phone where sandbox messages land and a customer's reply can be typed.
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { MassSendsPanel } from './MassSendsPanel.tsx';
import { SandboxPanel } from './SandboxPanel.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { TemplatesPanel } from './TemplatesPanel.tsx';

const TABS = ['sends', 'templates', 'settings', 'sandbox'] as const;

export default function BroadcastsPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'sends';
  return (
    <div className="page" data-testid="broadcasts-page">
      <PageHeader title={t('msg.title')} subtitle={t('msg.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'sends' ? {} : { tab: key })}
        items={[
          { key: 'sends', label: t('msg.tab.sends'), children: <MassSendsPanel /> },
          { key: 'templates', label: t('msg.tab.templates'), children: <TemplatesPanel /> },
          { key: 'settings', label: t('msg.tab.settings'), children: <SettingsPanel /> },
          { key: 'sandbox', label: t('msg.tab.sandbox'), children: <SandboxPanel /> },
        ]}
      />
    </div>
  );
}
