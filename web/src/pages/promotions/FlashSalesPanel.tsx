// Flash sales (秒杀) with live progress: stock left, orders and buyers, refreshed while open.
import { useEffect, useState } from 'react';
import { App, Button, Card, Popconfirm, Progress, Space, Table, Tag, type TableColumnsType } from 'antd';
import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { promotionsApi, type FlashSale } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { FlashSaleModal } from './FlashSaleModal.tsx';
import { errorText } from '../../refusal-text.ts';

const LIVE_MS = 5000;

type Phase = 'notStarted' | 'active' | 'soldOut' | 'ended' | 'cancelled';
function phaseOf(s: FlashSale, now: number): Phase {
  if (s.status === 'cancelled') return 'cancelled';
  if (now < Date.parse(s.startsAt)) return 'notStarted';
  if (now >= Date.parse(s.endsAt)) return 'ended';
  return s.remaining === 0 ? 'soldOut' : 'active';
}
const PHASE_COLORS: Record<Phase, string> = { notStarted: 'blue', active: 'green', soldOut: 'red', ended: 'default', cancelled: 'default' };

export function FlashSalesPanel() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const sales = useRemote((signal) => promotionsApi.flashSales({ signal }), []);
  const [creating, setCreating] = useState(false);
  const { reload } = sales;
  useEffect(() => {
    const timer = setInterval(reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const now = Date.now();

  const cancel = async (s: FlashSale) => {
    try {
      await promotionsApi.cancelFlashSale(s.id);
      reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<FlashSale> = [
    {
      title: t('promo.sale.name'),
      key: 'name',
      render: (_v, s) => (
        <div className="cell-stack">
          <span>{s.name}</span>
          <span className="muted cell-note">{s.itemName} · {s.sku}</span>
        </div>
      ),
    },
    {
      title: t('promo.sale.price'),
      key: 'price',
      width: 130,
      align: 'right',
      render: (_v, s) => (
        <div className="cell-stack" style={{ alignItems: 'flex-end' }}>
          <span className="num">{formatMoney(s.priceFen)}</span>
          <span className="num muted cell-note" style={{ textDecoration: 'line-through' }}>{formatMoney(s.originalPriceFen)}</span>
        </div>
      ),
    },
    {
      title: t('promo.sale.progress'),
      key: 'progress',
      width: 190,
      render: (_v, s) => (
        <div>
          <Progress percent={Math.round(((s.stock - s.remaining) / s.stock) * 100)} size="small" status={s.remaining === 0 ? 'success' : 'active'} />
          <span className="muted cell-note">{t('promo.sale.remaining', { remaining: formatCount(s.remaining), stock: formatCount(s.stock) })}</span>
        </div>
      ),
    },
    { title: t('promo.sale.orders'), dataIndex: 'orders', width: 80, align: 'right', render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('promo.sale.buyers'), dataIndex: 'buyers', width: 80, align: 'right', responsive: ['md'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('promo.sale.limit'), dataIndex: 'perCustomerLimit', width: 90, align: 'right', responsive: ['xl'], render: (n: number) => <span className="num">{n}</span> },
    {
      title: t('promo.sale.time'),
      key: 'time',
      width: 170,
      responsive: ['lg'],
      render: (_v, s) => <div className="cell-stack num muted nowrap"><span>{formatDateTime(s.startsAt, zone)}</span><span>{formatDateTime(s.endsAt, zone)}</span></div>,
    },
    { title: t('promo.coupon.status'), key: 'phase', width: 90, fixed: 'right', render: (_v, s) => { const p = phaseOf(s, now); return <Tag color={PHASE_COLORS[p]} variant="filled">{t(`promo.status.${p}`)}</Tag>; } },
    {
      title: '',
      key: 'actions',
      width: 60,
      align: 'right',
      fixed: 'right',
      render: (_v, s) => s.status === 'active' && (
        <Popconfirm title={t('promo.sale.cancelConfirm', { name: s.name })} onConfirm={() => void cancel(s)}>
          <Button size="small" danger icon={<StopOutlined />} aria-label={t('promo.sale.cancel')} />
        </Popconfirm>
      ),
    },
  ];

  return (
    <Card variant="borderless" className="panel" title={<Space>{t('promo.tab.flashSales')}<span className="muted cell-note">{t('promo.sale.live')}</span></Space>}
      extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="sale-new">{t('promo.sale.new')}</Button>}>
      {sales.error && <LoadError error={sales.error} onRetry={reload} />}
      <Table<FlashSale> rowKey="id" size="middle" columns={columns} dataSource={sales.data?.items ?? []} loading={sales.loading && !sales.data} pagination={false}
        locale={{ emptyText: sales.loading ? ' ' : t('promo.sale.empty') }} scroll={{ x: 'max-content' }} />
      {creating && <FlashSaleModal onClose={() => setCreating(false)} onSaved={() => { setCreating(false); reload(); }} />}
    </Card>
  );
}
