// 超级用户: customers ranked by the value they bring — own spend, what the people they brought
// spent, and their group life — with a bar showing each one's share of the leader's value.
import { Card, Progress, Table, Tooltip, type TableColumnsType } from 'antd';
import { CrownFilled } from '@ant-design/icons';
import { Link } from 'react-router';
import { fissionApi, type Superuser } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

const MEDALS = ['#d4a017', '#a8a9ad', '#b87333'];

export function SuperusersPanel() {
  const t = useT();
  const board = useRemote((signal) => fissionApi.superusers({ limit: 50 }, { signal }), []);
  const top = board.data?.items[0]?.valueFen ?? 0;
  const money = (fen: number) => <span className="num">{formatMoney(fen)}</span>;
  const columns: TableColumnsType<Superuser> = [
    { title: t('fission.su.rank'), dataIndex: 'rank', width: 70, render: (r: number) => (r <= 3 ? <CrownFilled style={{ color: MEDALS[r - 1], fontSize: 18 }} aria-label={String(r)} /> : <span className="num muted">{r}</span>) },
    { title: t('fission.net.customer'), key: 'name', render: (_v, s) => <Link to={`/customers/${s.customerId}`}>{s.name || '—'}</Link> },
    {
      title: t('fission.su.value'), dataIndex: 'valueFen', width: 220,
      render: (fen: number) => <div><span className="num">{formatMoney(fen)}</span><Progress percent={top > 0 ? Math.round((fen / top) * 100) : 0} showInfo={false} size="small" status="normal" /></div>,
    },
    { title: t('fission.su.own'), dataIndex: 'ownSpentFen', width: 120, align: 'right', render: money },
    { title: t('fission.su.level1'), dataIndex: 'level1SpentFen', width: 130, align: 'right', render: money },
    { title: t('fission.su.level2'), dataIndex: 'level2SpentFen', width: 130, align: 'right', responsive: ['lg'], render: money },
    {
      title: t('fission.su.referred'), key: 'referred', width: 100, align: 'right',
      render: (_v, s) => <Tooltip title={`${t('fission.net.level1')} ${s.referredLevel1} · ${t('fission.net.level2')} ${s.referredLevel2}`}><span className="num">{formatCount(s.referredLevel1 + s.referredLevel2)}</span></Tooltip>,
    },
    { title: t('fission.su.actions'), dataIndex: 'groupActions', width: 100, align: 'right', responsive: ['md'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
  ];
  return (
    <Card variant="borderless" className="panel" title={t('fission.tab.superusers')} extra={<span className="muted cell-note">{t('fission.su.explain')}</span>}>
      {board.error && <LoadError error={board.error} onRetry={board.reload} />}
      <Table<Superuser> rowKey="customerId" size="middle" columns={columns} dataSource={board.data?.items ?? []} loading={board.loading && !board.data}
        pagination={{ pageSize: 20, hideOnSinglePage: true }} locale={{ emptyText: board.loading ? ' ' : t('fission.su.empty') }} scroll={{ x: 'max-content' }} data-testid="superusers" />
    </Card>
  );
}
