// 会员日效果: GMV, orders and buyers on member days against other days, per day and per week.
import { useMemo, useState } from 'react';
import { Card, Col, DatePicker, Empty, Row, Statistic } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { membershipApi, type MemberDayLift } from '../../api-membership.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney, formatMoneyShort, todayIn } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';

const WEEKDAY_KEYS = ['member.weekday.1', 'member.weekday.2', 'member.weekday.3', 'member.weekday.4', 'member.weekday.5', 'member.weekday.6', 'member.weekday.7'] as const;
const MEMBER = '#d4a017';
const OTHER = '#8fb4f5';
const axis = { axisTick: { show: false }, axisLine: { lineStyle: { color: '#d9dee5' } }, axisLabel: { color: '#7a828e' } };

export function MemberDayPanel() {
  const { t, locale } = useLocale();
  const zone = useTenantZone();
  const today = todayIn(zone);
  const [range, setRange] = useState<[string, string]>([dayjs(today).subtract(12, 'week').format('YYYY-MM-DD'), dayjs(today).subtract(1, 'day').format('YYYY-MM-DD')]);
  const lift = useRemote((signal) => membershipApi.lift(range[0], range[1], { signal }), [range]);
  const data = lift.data;
  const ratio = (r: number | null) => (r === null ? '—' : `×${r.toFixed(2)}`);

  const daily = useMemo<ChartOption>(() => chartOf(data, t, locale), [data, t, locale]);
  const weekly = useMemo<ChartOption>(() => ({
    color: [MEMBER, OTHER],
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: (data?.weeks ?? []).map((w) => w.weekStart.slice(5)), ...axis },
    yAxis: { type: 'value', splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e', formatter: (v: number) => formatMoneyShort(v, locale) } },
    series: [
      { name: t('member.day.memberDayGmv'), type: 'bar', barMaxWidth: 18, data: (data?.weeks ?? []).map((w) => w.memberDayGmvFen), tooltip: { valueFormatter: (v) => formatMoney(Number(v)) } },
      { name: t('member.day.otherDayGmv'), type: 'bar', barMaxWidth: 18, data: (data?.weeks ?? []).map((w) => w.otherDayAvgGmvFen), tooltip: { valueFormatter: (v) => formatMoney(Number(v)) } },
    ],
  }), [data, t, locale]);

  return (
    <div data-testid="member-day-panel">
      <Card variant="borderless" className="panel" size="small" style={{ marginBottom: 16 }}
        title={data && data.weekdays.length > 0 ? t('member.day.titleWith', { days: data.weekdays.map((d) => t(WEEKDAY_KEYS[d - 1] ?? 'member.weekday.1')).join('、') }) : t('member.day.title')}
        extra={
          <DatePicker.RangePicker allowClear={false} value={[dayjs(range[0]), dayjs(range[1])]}
            onChange={(v) => { if (v?.[0] && v[1]) setRange([(v[0] as Dayjs).format('YYYY-MM-DD'), (v[1] as Dayjs).format('YYYY-MM-DD')]); }} />
        }>
        {lift.error ? <LoadError error={lift.error} onRetry={lift.reload} /> : data && data.weekdays.length === 0 ? <Empty description={t('member.day.noWeekdays')} /> : (
          <Row gutter={16}>
            <Col xs={12} md={6}><Statistic title={t('member.day.gmvLift')} value={ratio(data?.ratio.gmv ?? null)} /></Col>
            <Col xs={12} md={6}><Statistic title={t('member.day.ordersLift')} value={ratio(data?.ratio.orders ?? null)} /></Col>
            <Col xs={12} md={6}><Statistic title={t('member.day.customersLift')} value={ratio(data?.ratio.customers ?? null)} /></Col>
            <Col xs={12} md={6}>
              <Statistic title={t('member.day.avgGmv')} value={data ? formatMoney(data.memberDays.gmvFen) : '—'}
                suffix={<span className="muted" style={{ fontSize: 13 }}>{data ? t('member.day.vsOther', { gmv: formatMoney(data.otherDays.gmvFen) }) : ''}</span>} />
            </Col>
          </Row>
        )}
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card variant="borderless" className="panel" size="small" title={t('member.day.daily')}><EChart option={daily} height={300} testId="member-day-daily" /></Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card variant="borderless" className="panel" size="small" title={t('member.day.weekly')}><EChart option={weekly} height={300} testId="member-day-weekly" /></Card>
        </Col>
      </Row>
      {data && <div className="muted" style={{ marginTop: 8 }}>{t('member.day.footnote', { member: formatCount(data.memberDays.days), other: formatCount(data.otherDays.days) })}</div>}
    </div>
  );
}

function chartOf(data: MemberDayLift | undefined, t: ReturnType<typeof useLocale>['t'], locale: 'zh-CN' | 'en-US'): ChartOption {
  const days = data?.days ?? [];
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    legend: { top: 0, right: 0, data: [t('member.day.memberDay'), t('member.day.otherDay')] },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)), ...axis },
    yAxis: { type: 'value', splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#7a828e', formatter: (v: number) => formatMoneyShort(v, locale) } },
    series: [
      { name: t('member.day.memberDay'), type: 'bar', stack: 'gmv', color: MEMBER, barMaxWidth: 14, data: days.map((d) => (d.memberDay ? d.gmvFen : '-')), tooltip: { valueFormatter: (v) => (typeof v === 'number' ? formatMoney(v) : '') } },
      { name: t('member.day.otherDay'), type: 'bar', stack: 'gmv', color: OTHER, barMaxWidth: 14, data: days.map((d) => (d.memberDay ? '-' : d.gmvFen)), tooltip: { valueFormatter: (v) => (typeof v === 'number' ? formatMoney(v) : '') } },
    ],
  };
}
