// 拼团: open group buys with how full they are and a countdown to their time limit; succeeded and
// failed ones below. Refreshed while the page is open; the countdown ticks every second.
import { useEffect, useState } from 'react';
import { App, Avatar, Button, Card, Popconfirm, Progress, Segmented, Space, Table, Tag, Tooltip, type TableColumnsType } from 'antd';
import { StopOutlined } from '@ant-design/icons';
import { fissionApi, type GroupBuy, type GroupBuyStatus } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { errorText } from '../../refusal-text.ts';
import { GROUP_SELLING_WORDING } from './group-selling-refusals.ts';

const LIVE_MS = 5000;
const STATUS_COLORS: Record<GroupBuyStatus, string> = { open: 'processing', succeeded: 'green', cancelled: 'default' };

/** "01:59:07" (or "2d 03:04:05") until an instant. */
export function countdown(untilMs: number, nowMs: number): string | null {
  const left = Math.floor((untilMs - nowMs) / 1000);
  if (left <= 0) return null;
  const days = Math.floor(left / 86_400);
  const hms = [Math.floor((left % 86_400) / 3600), Math.floor((left % 3600) / 60), left % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
}

export function GroupBuysPanel() {
  const t = useT();
  const { message } = App.useApp();
  const canCancel = useCan('promotions:write');
  const [status, setStatus] = useState<GroupBuyStatus | 'all'>('open');
  const list = useRemote((signal) => fissionApi.groupBuys(status === 'all' ? {} : { status }, { signal }), [status]);
  const [now, setNow] = useState(Date.now());
  const { reload } = list;
  useEffect(() => {
    const poll = setInterval(reload, LIVE_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [reload]);

  const cancel = async (g: GroupBuy) => {
    try {
      await fissionApi.cancelGroupBuy(g.id);
      reload();
    } catch (err) {
      void message.error(errorText(t, err, GROUP_SELLING_WORDING));
    }
  };

  const columns: TableColumnsType<GroupBuy> = [
    { title: t('fission.gb.item'), key: 'item', render: (_v, g) => <div className="cell-stack"><span>{g.itemName}</span><span className="muted cell-note">{g.sku}</span></div> },
    { title: t('fission.gb.leader'), dataIndex: 'leaderName', width: 110 },
    {
      title: t('fission.gb.price'), key: 'price', width: 120, align: 'right',
      render: (_v, g) => <div className="cell-stack" style={{ alignItems: 'flex-end' }}><span className="num">{formatMoney(g.priceFen)}</span><span className="num muted cell-note" style={{ textDecoration: 'line-through' }}>{formatMoney(g.originalPriceFen)}</span></div>,
    },
    {
      title: t('fission.gb.progress'), key: 'progress', width: 220,
      render: (_v, g) => (
        <div>
          <Progress percent={Math.round((g.joined / g.targetSize) * 100)} size="small" steps={Math.min(g.targetSize, 10)} status={g.status === 'succeeded' ? 'success' : g.status === 'cancelled' ? 'exception' : 'active'} />
          <span className="muted cell-note">{t('fission.gb.joined', { joined: g.joined, target: g.targetSize })}</span>
        </div>
      ),
    },
    {
      title: t('fission.gb.members'), key: 'members', width: 150, responsive: ['md'],
      render: (_v, g) => <Avatar.Group max={{ count: 5 }} size="small">{g.members.map((m) => <Tooltip key={m.customerId} title={m.name}><Avatar>{(m.name || '?').slice(0, 1)}</Avatar></Tooltip>)}</Avatar.Group>,
    },
    {
      title: t('fission.gb.countdown'), key: 'countdown', width: 120,
      render: (_v, g) => (g.status === 'open' ? <span className="num" data-testid="gb-countdown">{countdown(Date.parse(g.expiresAt), now) ?? t('fission.gb.expired')}</span> : <span className="muted">—</span>),
    },
    { title: t('fission.gb.status'), dataIndex: 'status', width: 90, render: (s: GroupBuyStatus) => <Tag color={STATUS_COLORS[s]} variant="filled">{t(`fission.gb.status.${s}`)}</Tag> },
    { title: t('fission.gb.share'), dataIndex: 'shareToken', width: 130, responsive: ['xl'], render: (token: string) => <span className="muted cell-note">{token}</span> },
    {
      title: '', key: 'actions', width: 50, align: 'right',
      render: (_v, g) => canCancel && g.status === 'open' && (
        <Popconfirm title={t('fission.gb.cancelConfirm')} onConfirm={() => void cancel(g)}><Button size="small" danger icon={<StopOutlined />} aria-label={t('fission.gb.cancel')} /></Popconfirm>
      ),
    },
  ];

  return (
    <Card variant="borderless" className="panel" title={<Space>{t('fission.tab.groupBuys')}<span className="muted cell-note">{t('fission.live')}</span></Space>}
      extra={<Segmented<GroupBuyStatus | 'all'> value={status} onChange={setStatus} options={[
        { value: 'open', label: t('fission.gb.status.open') }, { value: 'succeeded', label: t('fission.gb.status.succeeded') },
        { value: 'cancelled', label: t('fission.gb.status.cancelled') }, { value: 'all', label: t('fission.gb.filter.all') },
      ]} />}>
      {list.error && <LoadError error={list.error} onRetry={reload} />}
      <Table<GroupBuy> rowKey="id" size="middle" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading && !list.data} pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: list.loading ? ' ' : t('fission.gb.empty') }} scroll={{ x: 'max-content' }} />
    </Card>
  );
}
