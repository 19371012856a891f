// 会员积分: look a member up (balance, tier, ledger, adjust), the tiers, the points rules and the
// member day, the reward catalogue, and the member day's sales lift.
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { MemberDayPanel } from './MemberDayPanel.tsx';
import { MemberLookupPanel } from './MemberLookupPanel.tsx';
import { PointsRulesPanel } from './PointsRulesPanel.tsx';
import { RewardsPanel } from './RewardsPanel.tsx';
import { TiersPanel } from './TiersPanel.tsx';

const TABS = ['members', 'tiers', 'rules', 'rewards', 'member-day'] as const;

export default function MembershipPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'members';
  return (
    <div className="page" data-testid="membership-page">
      <PageHeader title={t('member.title')} subtitle={t('member.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'members' ? {} : { tab: key })}
        items={[
          { key: 'members', label: t('member.tab.members'), children: <MemberLookupPanel initialCustomerId={params.get('customer')} /> },
          { key: 'tiers', label: t('member.tab.tiers'), children: <TiersPanel /> },
          { key: 'rules', label: t('member.tab.rules'), children: <PointsRulesPanel /> },
          { key: 'rewards', label: t('member.tab.rewards'), children: <RewardsPanel /> },
          { key: 'member-day', label: t('member.tab.memberDay'), children: <MemberDayPanel /> },
        ]}
      />
    </div>
  );
}
