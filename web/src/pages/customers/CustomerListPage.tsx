// 客户列表: search and filters live in the URL, so a detail page's "back" returns to the same
// page of the same search; bulk tagging and export act on exactly the filtered list; ticked rows
// can be handed to another guide.
import { useState } from 'react';
import { Badge, Button, Card, Grid, Input, Select, Space, Table, type TableColumnsType } from 'antd';
import { FilterOutlined, SwapOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, type CustomerSummary } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatMoney, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { BulkActions } from './BulkActions.tsx';
import { CustomerFilters, type FilterChange } from './CustomerFilters.tsx';
import { CustomerName } from './CustomerName.tsx';
import { advancedCount, filterFromParams } from './filter-params.ts';
import { TransferModal, type TransferCandidate } from './TransferModal.tsx';
import { staffOption } from '../../labels.ts';

const PAGE_SIZES = [20, 50, 100];

function positiveInt(text: string | null, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export default function CustomerListPage() {
  const t = useT();
  const zone = useTenantZone();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const q = filter.q ?? '';
  const { storeId, guideId } = filter;
  const page = positiveInt(params.get('page'), 1);
  const pageSize = Math.min(positiveInt(params.get('pageSize'), 20), 200);
  const finer = advancedCount(filter);
  const [showMore, setShowMore] = useState(finer > 0);
  // A bulk change reloads the list (a tag filter may no longer match the same people).
  const [version, setVersion] = useState(0);
  const canTransfer = useCan('customers:transfer');
  const [selected, setSelected] = useState<TransferCandidate[]>([]);
  const [transferring, setTransferring] = useState(false);

  /** Changes some filters; any change but paging goes back to page 1. */
  const update = (changes: FilterChange) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, String(value));
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  // A phone shows two columns: who (name, masked phone) and what they spent (with order count).
  const compact = Grid.useBreakpoint().sm === false;

  const filterKey = JSON.stringify(filter);
  const customers = useRemote((signal) => api.customers({ ...filter, page, pageSize }, { signal }), [filterKey, page, pageSize, version]);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const staff = useRemote((signal) => api.staff(storeId ? { storeId } : {}, { signal }), [storeId]);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);

  const nameCell = (c: CustomerSummary) => (
    <Link to={`/customers/${c.id}`} className="customer-link" data-testid="customer-link">
      <CustomerName name={c.name} gender={c.gender} />
    </Link>
  );
  const compactColumns: TableColumnsType<CustomerSummary> = [
    {
      title: t('customers.name'),
      key: 'name',
      render: (_value, c) => (
        <div className="cell-stack">
          {nameCell(c)}
          <span className="num muted cell-sub">{maskPhone(c.phone)}</span>
        </div>
      ),
    },
    {
      title: t('customers.spent'),
      dataIndex: 'totalSpentFen',
      align: 'right',
      render: (fen: number, c) => (
        <div className="cell-stack cell-stack-end">
          <span className="num">{formatMoney(fen)}</span>
          <span className="num muted cell-sub">{`${t('customers.orders')} ${formatCount(c.orderCount)}`}</span>
        </div>
      ),
    },
  ];
  const columns: TableColumnsType<CustomerSummary> = [
    {
      title: t('customers.name'),
      key: 'name',
      width: 170,
      render: (_value, c) => nameCell(c),
    },
    { title: t('customers.phone'), dataIndex: 'phone', width: 140, render: (phone: string | null) => <span className="num">{maskPhone(phone)}</span> },
    { title: t('customers.store'), key: 'store', ellipsis: true, responsive: ['sm'], render: (_v, c) => c.store?.name ?? t('common.none') },
    { title: t('customers.guide'), key: 'guide', ellipsis: true, responsive: ['md'], render: (_v, c) => c.guide?.name ?? t('common.none') },
    { title: t('customers.orders'), dataIndex: 'orderCount', align: 'right', width: 90, responsive: ['md'], render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('customers.spent'), dataIndex: 'totalSpentFen', align: 'right', width: 130, render: (fen: number) => <span className="num">{formatMoney(fen)}</span> },
    { title: t('customers.lastOrder'), dataIndex: 'lastOrderAt', width: 150, responsive: ['sm'], render: (iso: string | null) => <span className="num muted nowrap">{formatDateTime(iso, zone)}</span> },
  ];

  return (
    <div className="page" data-testid="customers-page">
      <PageHeader
        title={t('customers.title')}
        subtitle={t('customers.subtitle')}
        extra={(
          <Space wrap>
            {selected.length > 0 && (
              <Button icon={<SwapOutlined />} onClick={() => setTransferring(true)} data-testid="customers-transfer">
                {t('transfer.selected', { count: formatCount(selected.length) })}
              </Button>
            )}
            <BulkActions filter={filter} matched={customers.loading ? undefined : customers.data?.total} tagGroups={tagGroups.data?.items ?? []} onChanged={() => setVersion((v) => v + 1)} />
          </Space>
        )}
      />
      {transferring && (
        <TransferModal customers={selected} onClose={() => setTransferring(false)}
          onDone={() => { setSelected([]); setVersion((v) => v + 1); }} />
      )}
      <Card variant="borderless" className="panel">
        <div className="filters filters-bar">
          <Input.Search
            key={q}
            allowClear
            defaultValue={q}
            placeholder={t('customers.search')}
            onSearch={(value) => update({ q: value.trim() })}
            className="filter-search"
            data-testid="customer-search"
          />
          <Select
            allowClear
            placeholder={t('common.allStores')}
            value={storeId}
            onChange={(value: string | undefined) => update({ storeId: value, guideId: undefined })}
            options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
            className="filter-select"
            data-testid="customer-store-filter"
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('common.allGuides')}
            value={guideId}
            onChange={(value: string | undefined) => update({ guideId: value })}
            options={(staff.data?.items ?? []).map(staffOption)}
            className="filter-select"
            data-testid="customer-guide-filter"
          />
          <Badge count={finer} size="small" color="#0b8a8f">
            <Button icon={<FilterOutlined />} type={showMore ? 'primary' : 'default'} ghost={showMore} onClick={() => setShowMore((v) => !v)} data-testid="customer-more">
              {t('customers.moreFilters')}
            </Button>
          </Badge>
        </div>
        {(showMore || finer > 0) && <CustomerFilters filter={filter} tagGroups={tagGroups.data?.items ?? []} onChange={update} />}
        {customers.error && <LoadError error={customers.error} onRetry={customers.reload} />}
        <Table<CustomerSummary>
          rowKey="id"
          size="middle"
          columns={compact ? compactColumns : columns}
          dataSource={customers.data?.items ?? []}
          loading={customers.loading}
          scroll={compact ? undefined : { x: 'max-content' }}
          locale={{ emptyText: customers.loading ? ' ' : t('customers.empty') }}
          {...(canTransfer ? {
            rowSelection: {
              selectedRowKeys: selected.map((c) => c.id),
              preserveSelectedRowKeys: true,
              // Rows ticked on another page stay ticked (antd keeps them; guard the gaps it may leave).
              onChange: (_keys: React.Key[], rows: (CustomerSummary | undefined)[]) => setSelected(rows.flatMap((c) => (c ? [{ id: c.id, name: c.name }] : []))),
            },
          } : {})}
          onRow={(c) => ({ onClick: (event) => {
            // Clicks on the name link navigate by themselves; a tick box only ticks.
            if (event.target instanceof Element && event.target.closest('a, .ant-table-selection-column')) return;
            navigate(`/customers/${c.id}`);
          }, className: 'clickable-row' })}
          pagination={{
            current: page,
            pageSize,
            total: customers.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES,
            showTotal: (total) => t('common.total', { total: formatCount(total) }),
            onChange: (nextPage, nextSize) => update(nextSize !== pageSize ? { pageSize: nextSize, page: 1 } : { page: nextPage }),
          }}
        />
      </Card>
    </div>
  );
}
