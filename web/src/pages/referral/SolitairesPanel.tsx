// 群接龙: the 接龙 of the tenant's groups with live progress; a drawer shows the text to paste in
// WeChat (with a copy button), the numbered list, closing into orders and the pickup list.
import { useEffect, useState } from 'react';
import { App, Button, Card, Drawer, Input, Popconfirm, Progress, Space, Table, Tag, type TableColumnsType } from 'antd';
import { CopyOutlined, DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { fissionApi, type Solitaire, type SolitaireDetail, type SolitaireStatus } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { SolitaireModal } from './SolitaireModal.tsx';
import { errorText } from '../../refusal-text.ts';
import { GROUP_SELLING_WORDING } from './group-selling-refusals.ts';

const LIVE_MS = 5000;
const STATUS_COLORS: Record<SolitaireStatus, string> = { open: 'green', closed: 'blue', cancelled: 'default' };

export function SolitairesPanel() {
  const t = useT();
  const zone = useTenantZone();
  const canWrite = useCan('solitaires:write');
  const list = useRemote((signal) => fissionApi.solitaires({}, { signal }), []);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string>();
  const { reload } = list;
  useEffect(() => {
    const timer = setInterval(reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const columns: TableColumnsType<Solitaire> = [
    {
      title: t('fission.sol.title'), key: 'title',
      render: (_v, s) => <div className="cell-stack"><a onClick={() => setOpenId(s.id)}>{s.title}</a><span className="muted cell-note">{s.itemName} · {s.groupName}</span></div>,
    },
    { title: t('fission.sol.price'), dataIndex: 'priceFen', width: 110, align: 'right', render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
    {
      title: t('fission.sol.progress'), key: 'progress', width: 200,
      render: (_v, s) => (
        <div>
          <Progress percent={Math.round((s.taken / s.stock) * 100)} size="small" status={s.remaining === 0 ? 'success' : s.status === 'open' ? 'active' : 'normal'} />
          <span className="muted cell-note">{t('fission.sol.remaining', { remaining: formatCount(s.remaining), stock: formatCount(s.stock) })}</span>
        </div>
      ),
    },
    { title: t('fission.sol.participants'), dataIndex: 'participants', width: 80, align: 'right', render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('fission.sol.store'), dataIndex: 'storeName', width: 140, responsive: ['lg'] },
    { title: t('fission.sol.deadline'), dataIndex: 'deadlineAt', width: 150, responsive: ['md'], render: (at: string) => <span className="num muted nowrap">{formatDateTime(at, zone)}</span> },
    { title: t('fission.sol.status'), dataIndex: 'status', width: 90, render: (s: SolitaireStatus) => <Tag color={STATUS_COLORS[s]} variant="filled">{t(`fission.sol.status.${s}`)}</Tag> },
  ];

  return (
    <Card variant="borderless" className="panel" title={<Space>{t('fission.tab.solitaires')}<span className="muted cell-note">{t('fission.live')}</span></Space>}
      extra={<Space>
        <Button icon={<DownloadOutlined />} href={fissionApi.pickupsCsvUrl({})}>{t('fission.sol.pickupsAll')}</Button>
        {canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="solitaire-new">{t('fission.sol.new')}</Button>}
      </Space>}>
      {list.error && <LoadError error={list.error} onRetry={reload} />}
      <Table<Solitaire> rowKey="id" size="middle" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading && !list.data} pagination={false}
        onRow={(s) => ({ onDoubleClick: () => setOpenId(s.id) })} locale={{ emptyText: list.loading ? ' ' : t('fission.sol.empty') }} scroll={{ x: 'max-content' }} />
      {creating && <SolitaireModal onClose={() => setCreating(false)} onSaved={(id) => { setCreating(false); reload(); setOpenId(id); }} />}
      {openId && <SolitaireDrawer id={openId} canWrite={canWrite} onClose={() => setOpenId(undefined)} onChanged={reload} />}
    </Card>
  );
}

function SolitaireDrawer({ id, canWrite, onClose, onChanged }: { id: string; canWrite: boolean; onClose: () => void; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const detail = useRemote((signal) => fissionApi.solitaire(id, { signal }), [id]);
  const { reload } = detail;
  useEffect(() => {
    const timer = setInterval(reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const s = detail.data;

  const act = async (work: () => Promise<SolitaireDetail>) => {
    try {
      await work();
      reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(t, err, GROUP_SELLING_WORDING));
    }
  };
  const copy = async () => {
    if (!s) return;
    try {
      await navigator.clipboard.writeText(s.text);
      void message.success(t('fission.sol.copied'));
    } catch (err) {
      void message.error(errorText(t, err, GROUP_SELLING_WORDING));
    }
  };

  return (
    <Drawer open width={560} title={s ? <Space>{s.title}<Tag color={STATUS_COLORS[s.status]} variant="filled">{t(`fission.sol.status.${s.status}`)}</Tag></Space> : ' '} onClose={onClose}
      extra={s && canWrite && s.status === 'open' && (
        <Space>
          <Popconfirm title={t('fission.sol.cancel')} onConfirm={() => void act(() => fissionApi.cancelSolitaire(s.id))}><Button danger>{t('fission.sol.cancel')}</Button></Popconfirm>
          <Popconfirm title={t('fission.sol.closeConfirm', { title: s.title })} onConfirm={() => void act(() => fissionApi.closeSolitaire(s.id))}>
            <Button type="primary" data-testid="solitaire-close">{t('fission.sol.close')}</Button>
          </Popconfirm>
        </Space>
      )}>
      {detail.error && <LoadError error={detail.error} onRetry={reload} />}
      {s && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <div>
            <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
              <span className="muted">{t('fission.sol.text')}</span>
              <Button size="small" icon={<CopyOutlined />} onClick={() => void copy()} data-testid="solitaire-copy">{t('fission.sol.copy')}</Button>
            </Space>
            <Input.TextArea value={s.text} readOnly autoSize={{ minRows: 6, maxRows: 18 }} data-testid="solitaire-text" style={{ fontFamily: 'inherit' }} />
          </div>
          <Progress percent={Math.round((s.taken / s.stock) * 100)} status={s.remaining === 0 ? 'success' : 'active'} format={() => t('fission.sol.remaining', { remaining: formatCount(s.remaining), stock: formatCount(s.stock) })} />
          <Table rowKey="customerId" size="small" pagination={false} dataSource={s.entries} title={() => (
            <Space style={{ width: '100%', justifyContent: 'space-between' }}>
              <span>{s.status === 'closed' ? t('fission.sol.pickups') : t('fission.sol.entries')} · {s.storeName}</span>
              {s.status === 'closed' && <Button size="small" icon={<DownloadOutlined />} href={fissionApi.pickupsCsvUrl({ solitaireId: s.id })}>{t('fission.sol.downloadCsv')}</Button>}
            </Space>
          )} columns={[
            { title: t('fission.sol.no'), dataIndex: 'no', width: 60 },
            { title: t('fission.sol.nickname'), dataIndex: 'nickname' },
            { title: t('fission.sol.quantity'), dataIndex: 'quantity', width: 70, align: 'right' },
            { title: t('fission.sol.amount'), dataIndex: 'amountFen', width: 100, align: 'right', render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
            { title: t('fission.sol.orderNo'), dataIndex: 'orderNo', width: 110, render: (no: string | null) => (no ? <span className="muted cell-note">{no.slice(-10)}</span> : '—') },
          ]} />
        </Space>
      )}
    </Drawer>
  );
}
