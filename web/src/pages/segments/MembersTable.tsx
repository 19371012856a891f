// Customers of a segment (or of a preview): name linking to the 360, phone, city, spending.
import { Table, type TableColumnsType, type TablePaginationConfig } from 'antd';
import { Link } from 'react-router';
import type { CustomerSummary } from '../../api.ts';
import { formatDateTime, formatMoney, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';

export function MembersTable({ rows, loading, pagination, compact = false }: {
  rows: CustomerSummary[];
  loading?: boolean;
  pagination?: TablePaginationConfig | false;
  compact?: boolean;
}) {
  const t = useT();
  const zone = useTenantZone();
  const columns: TableColumnsType<CustomerSummary> = [
    { title: t('segments.col.customer'), key: 'name', render: (_, c) => <Link to={`/customers/${c.id}`}>{c.name || c.id.slice(0, 8)}</Link> },
    ...(compact ? [] : [{ title: t('segments.col.phone'), key: 'phone', render: (_: unknown, c: CustomerSummary) => maskPhone(c.phone) }]),
    { title: t('segments.col.city'), dataIndex: 'city', key: 'city' },
    { title: t('segments.col.spent'), key: 'spent', align: 'right', render: (_, c) => formatMoney(c.totalSpentFen) },
    ...(compact ? [] : [{ title: t('segments.col.lastOrder'), key: 'last', render: (_: unknown, c: CustomerSummary) => formatDateTime(c.lastOrderAt, zone) }]),
  ];
  return <Table rowKey="id" size="small" columns={columns} dataSource={rows} loading={loading} pagination={pagination ?? false} data-testid="members-table" />;
}
