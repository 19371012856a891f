// 首页: the period's KPIs, GMV by month, channel mix and the best stores, from one summary call.
import { useState } from 'react';
import { Card, DatePicker, Empty, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DAY, usePeriodPresets } from '../../components/periods.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { ChannelChart } from './ChannelChart.tsx';
import { GmvChart } from './GmvChart.tsx';
import { KpiCards } from './KpiCards.tsx';
import { TopStoresTable } from './TopStoresTable.tsx';

interface Range {
  from: string;
  to: string;
}


export default function DashboardPage() {
  const t = useT();
  const zone = useTenantZone();
  // Until the user picks a period the server's default applies (the 12 months up to today in
  // the tenant's zone) and the picker shows the range the server answered with.
  const [range, setRange] = useState<Range>();
  const [storeId, setStoreId] = useState<string>();

  const summary = useRemote((signal) => api.dashboard({ ...range, ...(storeId ? { storeId } : {}) }, { signal }), [range?.from, range?.to, storeId]);
  const stores = useRemote((signal) => api.stores({ signal }), []);

  const shown = range ?? summary.data?.range;
  const pickerValue: [Dayjs, Dayjs] | null = shown ? [dayjs(shown.from, DAY), dayjs(shown.to, DAY)] : null;

  const { presets } = usePeriodPresets();

  const data = summary.data;
  return (
    <div className="page" data-testid="dashboard-page">
      <PageHeader
        title={t('dashboard.title')}
        subtitle={t('dashboard.subtitle', { zone })}
        extra={
          <div className="filters" data-testid="dashboard-filters">
            <DatePicker.RangePicker
              value={pickerValue}
              allowClear={false}
              presets={presets}
              onChange={(values) => {
                const [from, to] = values ?? [];
                if (from && to) setRange({ from: from.format(DAY), to: to.format(DAY) });
              }}
            />
            <Select
              allowClear
              placeholder={t('common.allStores')}
              value={storeId}
              onChange={(value: string | undefined) => setStoreId(value)}
              options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
              style={{ minWidth: 160 }}
              data-testid="dashboard-store"
            />
          </div>
        }
      />
      {summary.error && <LoadError error={summary.error} onRetry={summary.reload} />}
      <KpiCards summary={data} />
      <div className="dashboard-grid">
        <Card className="panel panel-wide" title={t('dashboard.gmvByMonth')} variant="borderless" loading={!data}>
          {data && <GmvChart months={data.gmvByMonth} />}
        </Card>
        <Card className="panel" title={t('dashboard.channels')} variant="borderless" loading={!data}>
          {data && (data.channels.length > 0 ? <ChannelChart channels={data.channels} /> : <Empty description={t('dashboard.empty')} />)}
        </Card>
        <Card className="panel panel-full" title={t('dashboard.topStores')} variant="borderless" loading={!data}>
          <div data-testid="top-stores">{data && <TopStoresTable stores={data.topStores} totalGmvFen={data.orders.gmvFen} />}</div>
        </Card>
      </div>
    </div>
  );
}
