// 营销活动: coupons (templates, issuance and what they drove), price rules with a quote tester,
// and flash sales with live progress — the 百果园 / Tim Hortons playbook of seed 002.
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { CouponTemplatesPanel } from './CouponTemplatesPanel.tsx';
import { FlashSalesPanel } from './FlashSalesPanel.tsx';
import { PriceRulesPanel } from './PriceRulesPanel.tsx';

const TABS = ['coupons', 'price-rules', 'flash-sales'] as const;

export default function PromotionsPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'coupons';
  return (
    <div className="page" data-testid="promotions-page">
      <PageHeader title={t('promo.title')} subtitle={t('promo.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'coupons' ? {} : { tab: key })}
        items={[
          { key: 'coupons', label: t('promo.tab.coupons'), children: <CouponTemplatesPanel /> },
          { key: 'price-rules', label: t('promo.tab.priceRules'), children: <PriceRulesPanel /> },
          { key: 'flash-sales', label: t('promo.tab.flashSales'), children: <FlashSalesPanel /> },
        ]}
      />
    </div>
  );
}
