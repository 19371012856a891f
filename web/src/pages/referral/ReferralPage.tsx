// 裂变与社群团购: 接龙 and 拼团 in the groups, the referral network and its superusers, the reward
// rules and their settlement — the 百果园 group playbook and seed 004's 二级分销 in one place.
// Tabs a role may not use are not shown (a guide sees 接龙 and 拼团).
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { GroupBuysPanel } from './GroupBuysPanel.tsx';
import { NetworkPanel } from './NetworkPanel.tsx';
import { RulesPanel } from './RulesPanel.tsx';
import { SettlementPanel } from './SettlementPanel.tsx';
import { SolitairesPanel } from './SolitairesPanel.tsx';
import { SuperusersPanel } from './SuperusersPanel.tsx';

export default function ReferralPage() {
  const t = useT();
  const analytics = useCan('analytics:read');
  const [params, setParams] = useSearchParams();
  const items = [
    { key: 'solitaires', label: t('fission.tab.solitaires'), children: <SolitairesPanel /> },
    { key: 'group-buys', label: t('fission.tab.groupBuys'), children: <GroupBuysPanel /> },
    ...(analytics ? [
      { key: 'network', label: t('fission.tab.network'), children: <NetworkPanel /> },
      { key: 'superusers', label: t('fission.tab.superusers'), children: <SuperusersPanel /> },
      { key: 'rules', label: t('fission.tab.rules'), children: <RulesPanel /> },
      { key: 'settlement', label: t('fission.tab.settlement'), children: <SettlementPanel /> },
    ] : []),
  ];
  const tab = items.find((x) => x.key === params.get('tab'))?.key ?? 'solitaires';
  return (
    <div className="page" data-testid="referral-page">
      <PageHeader title={t('fission.title')} subtitle={t('fission.subtitle')} />
      <Tabs activeKey={tab} onChange={(key) => setParams(key === 'solitaires' ? {} : { tab: key })} items={items} destroyOnHidden />
    </div>
  );
}
