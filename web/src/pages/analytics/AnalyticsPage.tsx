// 数据分析: one filter bar (period, store, segment) over six views — trends, repurchase, cohort
// heat map, AARRR funnel, breakdowns and LTV curves. The open view is in the URL (?view=).
import { useMemo, useState, type ReactElement } from 'react';
import { Button, DatePicker, Select, Tabs } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { api, type Query } from '../../api.ts';
import { analyticsApi, type AnalyticsFilters } from '../../api-analytics.ts';
import { segmentsApi } from '../../api-segments.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DAY, last12Months, usePeriodPresets, type Period } from '../../components/periods.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { BreakdownView } from './BreakdownView.tsx';
import { CohortView } from './CohortView.tsx';
import { FunnelView } from './FunnelView.tsx';
import { LtvView } from './LtvView.tsx';
import { RepurchaseView } from './RepurchaseView.tsx';
import { TrendsView } from './TrendsView.tsx';
import './analytics.css';

const VIEWS = ['trends', 'repurchase', 'cohorts', 'funnel', 'breakdown', 'ltv'] as const;
type View = (typeof VIEWS)[number];

/** The CSV download of a view with the page's filters. */
export function ExportButton({ view, filters, extra = {} }: { view: string; filters: AnalyticsFilters; extra?: Query }) {
  const t = useT();
  return (
    <Button size="small" icon={<DownloadOutlined />} href={analyticsApi.csvUrl(view, filters, extra)} data-testid={`export-${view}`}>
      {t('analytics.export')}
    </Button>
  );
}

export default function AnalyticsPage() {
  const t = useT();
  const zone = useTenantZone();
  const [params, setParams] = useSearchParams();
  const view: View = (VIEWS as readonly string[]).includes(params.get('view') ?? '') ? (params.get('view') as View) : 'trends';
  const { today, presets } = usePeriodPresets();
  const [period, setPeriod] = useState<Period>(() => last12Months(today));
  const [storeId, setStoreId] = useState<string>();
  const [segmentId, setSegmentId] = useState<string>();

  const stores = useRemote((signal) => api.stores({ signal }), []);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);

  const filters: AnalyticsFilters = useMemo(
    () => ({ from: period[0].format(DAY), to: period[1].format(DAY), storeId, segmentId }),
    [period, storeId, segmentId],
  );

  const body: Record<View, ReactElement> = {
    trends: <TrendsView filters={filters} />,
    repurchase: <RepurchaseView filters={filters} />,
    cohorts: <CohortView filters={filters} />,
    funnel: <FunnelView filters={filters} />,
    breakdown: <BreakdownView filters={filters} />,
    ltv: <LtvView filters={filters} />,
  };

  return (
    <div className="page" data-testid="analytics-page">
      <PageHeader
        title={t('analytics.title')}
        subtitle={t('analytics.subtitle', { zone })}
        extra={
          <div className="filters" data-testid="analytics-filters">
            <DatePicker.RangePicker
              value={period}
              allowClear={false}
              presets={presets}
              onChange={(values) => {
                const [from, to] = values ?? [];
                if (from && to) setPeriod([from, to]);
              }}
            />
            <Select
              allowClear
              placeholder={t('common.allStores')}
              value={storeId}
              onChange={(value: string | undefined) => setStoreId(value)}
              options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
              style={{ minWidth: 160 }}
              data-testid="analytics-store"
            />
            {(segments.data?.items.length ?? 0) > 0 && (
              <Select
                allowClear
                placeholder={t('analytics.allSegments')}
                value={segmentId}
                onChange={(value: string | undefined) => setSegmentId(value)}
                options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
                style={{ minWidth: 160 }}
                data-testid="analytics-segment"
              />
            )}
          </div>
        }
      />
      <Tabs
        activeKey={view}
        onChange={(key) => setParams((p) => { p.set('view', key); return p; }, { replace: true })}
        items={VIEWS.map((key) => ({ key, label: <span data-testid={`tab-${key}`}>{t(`analytics.tab.${key}`)}</span> }))}
      />
      {body[view]}
    </div>
  );
}
