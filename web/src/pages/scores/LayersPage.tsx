// 客户分层 (/layers): RFM cells, lifecycle stages and predicted CLV from the latest scoring run,
// the tenant's scoring settings, and a button to recompute now.
import { useState } from 'react';
import { Alert, Select, Space, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { api } from '../../api.ts';
import { scoresApi } from '../../api-scores.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { ClvTab } from './ClvTab.tsx';
import { LifecycleTab } from './LifecycleTab.tsx';
import { RfmTab } from './RfmTab.tsx';
import { RunButton } from './RunButton.tsx';
import { SettingsTab } from './SettingsTab.tsx';
import './layers.css';

const TABS = ['rfm', 'lifecycle', 'clv', 'settings'] as const;
type TabKey = (typeof TABS)[number];

export default function LayersPage() {
  const t = useT();
  const zone = useTenantZone();
  const [params, setParams] = useSearchParams();
  const tab: TabKey = TABS.find((k) => k === params.get('tab')) ?? 'rfm';
  const [storeId, setStoreId] = useState<string>();
  // Bumped when a run finishes, so every tab reloads what it shows.
  const [version, setVersion] = useState(0);
  const runs = useRemote((signal) => scoresApi.runs({ signal }), [version]);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const latest = runs.data?.[0];

  return (
    <div className="page" data-testid="layers-page">
      <PageHeader
        title={t('layers.title')}
        subtitle={t('layers.subtitle', { zone })}
        extra={
          <Space wrap>
            {tab !== 'settings' && (
              <Select allowClear placeholder={t('common.allStores')} value={storeId} onChange={(v: string | undefined) => setStoreId(v)}
                options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} style={{ minWidth: 160 }} data-testid="layers-store" />
            )}
            <RunButton latest={latest} onFinished={() => setVersion((v) => v + 1)} />
          </Space>
        }
      />
      {runs.data && runs.data.length === 0 && <Alert type="info" showIcon title={t('layers.noRun')} style={{ marginBottom: 16 }} />}
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'rfm' ? {} : { tab: key }, { replace: true })}
        items={[
          { key: 'rfm', label: t('layers.tab.rfm'), children: <RfmTab storeId={storeId} version={version} /> },
          { key: 'lifecycle', label: t('layers.tab.lifecycle'), children: <LifecycleTab storeId={storeId} version={version} /> },
          { key: 'clv', label: t('layers.tab.clv'), children: <ClvTab storeId={storeId} version={version} /> },
          { key: 'settings', label: t('layers.tab.settings'), children: <SettingsTab onSaved={() => setVersion((v) => v + 1)} /> },
        ]}
        destroyOnHidden
      />
    </div>
  );
}
