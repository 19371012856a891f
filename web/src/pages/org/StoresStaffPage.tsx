// 门店与导购: the brand's stores, and the people who serve customers in them.
import { useState } from 'react';
import { Card, Select } from 'antd';
import { api } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { StaffTable } from './StaffTable.tsx';
import { StoresTable } from './StoresTable.tsx';

export default function StoresStaffPage() {
  const t = useT();
  const [storeId, setStoreId] = useState<string>();
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const staff = useRemote((signal) => api.staff(storeId ? { storeId } : {}, { signal }), [storeId]);
  const storeItems = stores.data?.items ?? [];
  const staffItems = staff.data?.items ?? [];

  return (
    <div className="page" data-testid="org-page">
      <PageHeader title={t('org.title')} subtitle={t('org.subtitle')} />
      <Card
        variant="borderless"
        className="panel"
        title={t('org.stores')}
        extra={<span className="muted">{t('common.total', { total: formatCount(storeItems.length) })}</span>}
        data-testid="stores-table"
      >
        {stores.error && <LoadError error={stores.error} onRetry={stores.reload} />}
        <StoresTable stores={storeItems} loading={stores.loading} />
      </Card>
      <Card
        variant="borderless"
        className="panel"
        title={t('org.staff')}
        extra={
          <Select
            allowClear
            size="small"
            placeholder={t('common.allStores')}
            value={storeId}
            onChange={(value: string | undefined) => setStoreId(value)}
            options={storeItems.map((s) => ({ value: s.id, label: s.name }))}
            style={{ minWidth: 150 }}
          />
        }
        data-testid="staff-table"
      >
        {staff.error && <LoadError error={staff.error} onRetry={staff.reload} />}
        <StaffTable staff={staffItems} loading={staff.loading} onChanged={() => { staff.reload(); stores.reload(); }} />
      </Card>
    </div>
  );
}
