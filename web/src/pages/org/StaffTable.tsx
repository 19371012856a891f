import { useState } from 'react';
import { Badge, Button, Table, type TableColumnsType } from 'antd';
import type { StaffMember } from '../../api.ts';
import { formatCount, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { staffTitleLabel } from '../../labels.ts';
import { useCan } from '../../permissions.ts';
import { ResignModal } from './ResignModal.tsx';

export function StaffTable({ staff, loading, onChanged }: { staff: StaffMember[]; loading: boolean; onChanged: () => void }) {
  const t = useT();
  const canResign = useCan('org:write');
  const [leaving, setLeaving] = useState<StaffMember>();
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
  if (canResign) {
    columns.push({
      key: 'actions', width: 100, align: 'right',
      render: (_v, s) => s.status === 'active' && <Button size="small" type="link" onClick={() => setLeaving(s)} data-testid="staff-resign">{t('org.resign')}</Button>,
    });
  }
  return (
    <>
      <Table<StaffMember> rowKey="id" size="middle" columns={columns} dataSource={staff} loading={loading} scroll={{ x: 'max-content' }} pagination={staff.length > 20 && { pageSize: 20, showSizeChanger: false }} />
      {leaving && <ResignModal leaving={leaving} onClose={() => setLeaving(undefined)} onDone={onChanged} />}
    </>
  );
}
