// The mass sends with progress, the wizard, and each send's results (lift with its interval,
// per-staff confirmation for WeCom).
import { useState } from 'react';
import { App, Button, Card, Descriptions, Drawer, Progress, Space, Table, Tag, type TableColumnsType } from 'antd';
import { BarChartOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { messagingApi, type Interval, type MassSend } from '../../api-messaging.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { MassSendWizard } from './MassSendWizard.tsx';
import { reasonLabel } from './reasons.ts';
import { errorText } from '../../refusal-text.ts';

const STATUS_COLORS: Record<MassSend['status'], string> = { planning: 'processing', planned: 'blue', done: 'green', cancelled: 'default' };
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function intervalText(i: Interval | null, format: (x: number) => string, none: string): string {
  return i === null ? none : `${format(i.difference)} [${format(i.low)}, ${format(i.high)}]`;
}

const STAFF_STATUSES = ['pending', 'handed_over', 'confirmed', 'failed'];
const STAFF_COLORS: Record<string, string> = { handed_over: 'gold', confirmed: 'green', failed: 'red' };

function Report({ send }: { send: MassSend }) {
  const t = useT();
  const zone = useTenantZone();
  const report = useRemote((signal) => messagingApi.report(send.id, { signal }), [send.id]);
  // the list leaves out who was handed what; one send's own view has it
  const full = useRemote((signal) => messagingApi.massSend(send.id, { signal }), [send.id]);
  const staff = full.data?.staff ?? send.staff;
  const r = report.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {report.error && <LoadError error={report.error} onRetry={report.reload} />}
      {r && (
        <Card size="small" title={t('msg.report.title')} data-testid="lift-report">
          <Descriptions size="small" column={1} bordered items={[
            { key: 'c', label: t('msg.report.customers'), children: `${t('msg.report.treated')} ${formatCount(r.treated.customers)} · ${t('msg.report.heldOut')} ${formatCount(r.heldOut.customers)}` },
            { key: 'r', label: t('msg.report.rate', { days: r.conversionDays }), children: `${pct(r.lift.treatedRate)} vs ${pct(r.lift.heldOutRate)}` },
            { key: 'rd', label: t('msg.report.diff'), children: intervalText(r.lift.conversion, pct, t('msg.report.noInterval')) },
            { key: 'v', label: t('msg.report.revenue'), children: `${formatMoney(Math.round(r.lift.treatedRevenuePerCustomerFen))} vs ${formatMoney(Math.round(r.lift.heldOutRevenuePerCustomerFen))}` },
            { key: 'vd', label: t('msg.report.diff'), children: intervalText(r.lift.revenuePerCustomer, (x) => formatMoney(Math.round(x)), t('msg.report.noInterval')) },
          ]} />
        </Card>
      )}
      {staff.length > 0 && (
        <Card size="small" title={t('msg.report.staff')}>
          <Table size="small" rowKey="staffId" pagination={false} dataSource={staff}
            columns={[
              { title: t('msg.staff.name'), dataIndex: 'name', className: 'nowrap' },
              { title: t('msg.staff.messages'), dataIndex: 'messages', align: 'right', width: 80 },
              { title: t('msg.staff.status'), dataIndex: 'status', width: 110, render: (s: string) => <Tag color={STAFF_COLORS[s]}>{STAFF_STATUSES.includes(s) ? t(`msg.staffStatus.${s as 'pending'}`) : s}</Tag> },
              { title: t('msg.staff.note'), dataIndex: 'reason', render: (r: string | null) => (r ? <span className="muted cell-note">{reasonLabel(t, r)}</span> : null) },
              { title: t('msg.staff.confirmedAt'), dataIndex: 'confirmedAt', width: 150, render: (at: string | null) => (at ? <span className="muted nowrap">{formatDateTime(at, zone)}</span> : null) },
            ]} />
        </Card>
      )}
    </Space>
  );
}

export function MassSendsPanel() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const sends = useRemote((signal) => messagingApi.massSends({ signal }), []);
  const [wizard, setWizard] = useState(false);
  const [open, setOpen] = useState<MassSend | null>(null);

  const cancel = async (s: MassSend) => {
    try {
      await messagingApi.cancelMassSend(s.id);
      sends.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<MassSend> = [
    { title: t('msg.send.name'), key: 'name', render: (_v, s) => <div className="cell-stack"><span>{s.name}</span><span className="muted cell-note">{t(`msg.channel.${s.channel}`)}</span></div> },
    { title: t('msg.send.status'), key: 'status', width: 100, render: (_v, s) => <Tag color={STATUS_COLORS[s.status]}>{t(`msg.status.${s.status}`)}</Tag> },
    { title: t('msg.send.sendAt'), key: 'sendAt', width: 170, render: (_v, s) => <span className="muted nowrap">{formatDateTime(s.sendAt, zone)}</span> },
    {
      title: t('msg.send.progress'), key: 'progress', render: (_v, s) => {
        const planned = s.counts.planned ?? 0;
        const sent = s.progress.sent ?? 0;
        return (
          <div className="cell-stack">
            <Progress percent={planned === 0 ? 0 : Math.round((sent / planned) * 100)} size="small" />
            <span className="muted cell-note">
              {t('msg.send.planned', { planned: formatCount(planned), audience: formatCount(s.counts.audience ?? 0) })}
              {' · '}{Object.entries(s.progress).map(([k, n]) => `${t(`msg.progress.${k}` as 'msg.progress.sent') ?? k} ${formatCount(n)}`).join(' · ')}
            </span>
          </div>
        );
      },
    },
    {
      title: '', key: 'actions', width: 180, align: 'right', render: (_v, s) => (
        <Space size={4}>
          <Button size="small" icon={<BarChartOutlined />} onClick={() => setOpen(s)} data-testid="mass-send-report">{t('msg.send.report')}</Button>
          <Button size="small" icon={<StopOutlined />} disabled={s.status === 'cancelled'} onClick={() => void cancel(s)}>{t('msg.send.cancel')}</Button>
        </Space>
      ),
    },
  ];

  return (
    <Card extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setWizard(true)} data-testid="mass-send-new">{t('msg.send.new')}</Button>}>
      {sends.error && <LoadError error={sends.error} onRetry={sends.reload} />}
      <Table rowKey="id" size="middle" loading={sends.loading} dataSource={sends.data?.items ?? []} columns={columns} pagination={false} />
      {wizard && <MassSendWizard onClose={() => setWizard(false)} onCreated={() => { setWizard(false); sends.reload(); }} />}
      <Drawer open={open !== null} width={560} title={open?.name} onClose={() => setOpen(null)}>
        {open && <Report send={open} />}
      </Drawer>
    </Card>
  );
}
