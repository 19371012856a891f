// A from → to matrix of customer counts (RFM cells or lifecycle stages), rows = then, columns = now.
import { Table } from 'antd';
import type { Movement } from '../../api-scores.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

export function MovementTable({ movement, order, label, testId }: { movement: Movement; order: readonly string[]; label: (key: string) => string; testId?: string }) {
  const t = useT();
  const keys = [...order, 'none'].filter((k) => k !== 'none' || movement.items.some((i) => i.from === 'none' || i.to === 'none'));
  const count = (from: string, to: string) => movement.items.find((i) => i.from === from && i.to === to)?.customers ?? 0;
  const rows = keys.map((from) => ({ key: from, from, total: keys.reduce((s, to) => s + count(from, to), 0) }));
  return (
    <Table
      size="small"
      pagination={false}
      data-testid={testId}
      scroll={{ x: 'max-content' }}
      dataSource={rows}
      columns={[
        { title: `${movement.from} \\ ${movement.to}`, dataIndex: 'from', fixed: 'left', render: (key: string) => <strong>{label(key)}</strong> },
        ...keys.map((to) => ({
          title: label(to),
          key: to,
          align: 'right' as const,
          render: (_: unknown, row: { from: string }) => {
            const n = count(row.from, to);
            return <span className={row.from === to ? 'movement-stay' : n > 0 ? 'movement-move' : 'movement-zero'}>{n > 0 ? formatCount(n) : '·'}</span>;
          },
        })),
        { title: t('rfm.total'), dataIndex: 'total', align: 'right' as const, render: (n: number) => formatCount(n) },
      ]}
    />
  );
}
