import { Badge, Table, type TableColumnsType } from 'antd';
import type { StaffMember } from '../../api.ts';
import { formatCount, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { staffTitleLabel } from '../../labels.ts';

export function StaffTable({ staff, loading }: { staff: StaffMember[]; loading: boolean }) {
  const t = useT();
  const none = t('common.none');
  const columns: TableColumnsType<StaffMember> = [
    { title: t('org.staffName'), dataIndex: 'name', width: 110, render: (name: string) => <strong>{name}</strong> },
    { title: t('org.staffStore'), key: 'store', width: 130, ellipsis: true, render: (_v, s) => s.store?.name ?? <span className="muted">{t('org.noStore')}</span> },
    { title: t('org.title_'), dataIndex: 'title', width: 80, responsive: ['sm'], render: (title: string) => staffTitleLabel(t, title) },
    { title: t('org.wecom'), dataIndex: 'wecomUserId', ellipsis: true, responsive: ['md'], render: (id: string | null) => <span className="num muted">{id ?? none}</span> },
    { title: t('org.staffPhone'), dataIndex: 'phone', width: 140, responsive: ['lg'], render: (phone: string | null) => <span className="num">{maskPhone(phone)}</span> },
    {
      title: t('org.status'),
      dataIndex: 'status',
      width: 100,
      responsive: ['sm'],
      render: (status: StaffMember['status']) => <Badge status={status === 'active' ? 'success' : 'default'} text={t(status === 'active' ? 'org.active' : 'org.resigned')} />,
    },
    { title: t('org.customerCount'), dataIndex: 'customerCount', align: 'right', width: 90, render: (n: number) => <span className="num">{formatCount(n)}</span> },
  ];
  return <Table<StaffMember> rowKey="id" size="middle" columns={columns} dataSource={staff} loading={loading} scroll={{ x: 'max-content' }} pagination={staff.length > 20 && { pageSize: 20, showSizeChanger: false }} />;
}
