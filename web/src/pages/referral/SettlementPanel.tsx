// 结算: per referrer for a period — people brought, orders and GMV, rewards per level, what refunds
// clawed back, and what is payable — with totals and a CSV download.
import { useState } from 'react';
import { Button, Card, DatePicker, Space, Table, Tag, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { fissionApi, type SettlementRow } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

export function SettlementPanel() {
  const t = useT();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('month'), dayjs().endOf('month')]);
  const query = { from: range[0].startOf('day').toISOString(), to: range[1].add(1, 'day').startOf('day').toISOString() };
  const report = useRemote((signal) => fissionApi.settlement(query, { signal }), [query.from, query.to]);
  const rows = report.data?.items ?? [];
  const sum = (f: (r: SettlementRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const money = (fen: number) => <span className="num">{formatMoney(fen)}</span>;
  const count = (n: number) => <span className="num">{formatCount(n)}</span>;
  const columns: TableColumnsType<SettlementRow> = [
    { title: t('fission.st.referrer'), key: 'name', render: (_v, r) => <Space><span>{r.name || '—'}</span><Tag variant="filled">{t(`fission.net.partner.kind.${r.partnerKind}`)}</Tag></Space> },
    { title: t('fission.st.referred1'), dataIndex: 'referredLevel1', align: 'right', width: 90, render: count },
    { title: t('fission.st.referred2'), dataIndex: 'referredLevel2', align: 'right', width: 90, render: count },
    { title: t('fission.st.orders'), dataIndex: 'orders', align: 'right', width: 80, render: count },
    { title: t('fission.st.gmv'), dataIndex: 'gmvFen', align: 'right', width: 120, render: money },
    { title: t('fission.st.reward1'), dataIndex: 'rewardLevel1Fen', align: 'right', width: 110, render: money },
    { title: t('fission.st.reward2'), dataIndex: 'rewardLevel2Fen', align: 'right', width: 110, render: money },
    { title: t('fission.st.points'), dataIndex: 'points', align: 'right', width: 80, responsive: ['lg'], render: count },
    { title: t('fission.st.clawed'), dataIndex: 'clawedBackFen', align: 'right', width: 110, render: (fen: number) => <span className="num" style={{ color: fen > 0 ? '#cf1322' : undefined }}>{fen > 0 ? `-${formatMoney(fen)}` : formatMoney(0)}</span> },
    { title: t('fission.st.payable'), dataIndex: 'payableFen', align: 'right', width: 120, render: (fen: number) => <strong className="num">{formatMoney(fen)}</strong> },
  ];
  return (
    <Card variant="borderless" className="panel" title={t('fission.tab.settlement')}
      extra={<Space>
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => { if (v?.[0] && v[1]) setRange([v[0], v[1]]); }} aria-label={t('fission.st.period')} />
        <Button icon={<DownloadOutlined />} href={fissionApi.settlementCsvUrl(query)} data-testid="settlement-csv">{t('fission.sol.downloadCsv')}</Button>
      </Space>}>
      {report.error && <LoadError error={report.error} onRetry={report.reload} />}
      <Table<SettlementRow> rowKey="partnerId" size="middle" columns={columns} dataSource={rows} loading={report.loading && !report.data} pagination={false}
        locale={{ emptyText: report.loading ? ' ' : t('fission.st.empty') }} scroll={{ x: 'max-content' }}
        summary={() => rows.length > 0 && (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}><strong>{t('fission.st.total')}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">{count(sum((r) => r.referredLevel1))}</Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right">{count(sum((r) => r.referredLevel2))}</Table.Summary.Cell>
            <Table.Summary.Cell index={3} align="right">{count(sum((r) => r.orders))}</Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right">{money(sum((r) => r.gmvFen))}</Table.Summary.Cell>
            <Table.Summary.Cell index={5} align="right">{money(sum((r) => r.rewardLevel1Fen))}</Table.Summary.Cell>
            <Table.Summary.Cell index={6} align="right">{money(sum((r) => r.rewardLevel2Fen))}</Table.Summary.Cell>
            <Table.Summary.Cell index={7} align="right">{count(sum((r) => r.points))}</Table.Summary.Cell>
            <Table.Summary.Cell index={8} align="right">{money(-sum((r) => r.clawedBackFen))}</Table.Summary.Cell>
            <Table.Summary.Cell index={9} align="right"><strong>{money(sum((r) => r.payableFen))}</strong></Table.Summary.Cell>
          </Table.Summary.Row>
        )} />
    </Card>
  );
}
