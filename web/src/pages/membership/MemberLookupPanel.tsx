// Find a member by name or phone; see their balance, tier and ledger; adjust points with a reason.
import { useState } from 'react';
import { App, Button, Card, Descriptions, Empty, Form, Input, InputNumber, Select, Space, Table, Tag, type TableColumnsType } from 'antd';
import { Link } from 'react-router';
import { api, ApiError, type CustomerSummary } from '../../api.ts';
import { membershipApi, type EntryKind, type LedgerEntry } from '../../api-membership.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDate, formatDateTime, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { lastValidDay } from './member-format.ts';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { errorText, reasonText } from '../../refusal-text.ts';
import { pathParts } from '../../labels.ts';

export const KIND_COLORS: Record<EntryKind, string> = { earn: 'green', redeem: 'blue', expire: 'default', adjust: 'purple', reverse: 'orange' };
const PAGE_SIZE = 10;
const ADJUST_FIELDS = new Set(['points', 'reason']);

export function MemberLookupPanel({ initialCustomerId }: { initialCustomerId: string | null }) {
  const t = useT();
  const [query, setQuery] = useState('');
  const [customerId, setCustomerId] = useState<string | null>(initialCustomerId);
  const found = useRemote((signal) => (query.trim() ? api.customers({ q: query.trim(), page: 1, pageSize: 10 }, { signal }) : Promise.resolve(undefined)), [query]);
  const options = (found.data?.items ?? []).map((c: CustomerSummary) => ({ value: c.id, label: `${c.name || t('customers.unnamed')}${c.phone ? ` · ${maskPhone(c.phone)}` : ''}` }));
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card variant="borderless" className="panel" size="small">
        <Select
          showSearch
          style={{ width: 360, maxWidth: '100%' }}
          placeholder={t('member.lookup.placeholder')}
          filterOption={false}
          onSearch={setQuery}
          onChange={(v: string) => setCustomerId(v)}
          options={options}
          loading={found.loading && query !== ''}
          notFoundContent={query ? t('member.lookup.none') : null}
          data-testid="member-lookup"
        />
      </Card>
      {customerId ? <MemberView customerId={customerId} /> : <Empty description={t('member.lookup.hint')} />}
    </Space>
  );
}

function MemberView({ customerId }: { customerId: string }) {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const mayAdjust = useCan('promotions:write');
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const member = useRemote((signal) => membershipApi.member(customerId, { signal }), [customerId, version]);
  const ledger = useRemote((signal) => membershipApi.ledger(customerId, page, PAGE_SIZE, { signal }), [customerId, page, version]);
  const [form] = Form.useForm<{ points: number; reason: string }>();
  const [saving, setSaving] = useState(false);

  const adjust = async (values: { points: number; reason: string }) => {
    setSaving(true);
    try {
      await membershipApi.adjust(customerId, { ...values, requestKey: crypto.randomUUID() });
      form.resetFields();
      setPage(1);
      setVersion((v) => v + 1);
      void message.success(t('member.adjust.done'));
    } catch (err) {
      // A refused points or reason shows under its input; anything else (the customer gone) as a toast.
      const fields = err instanceof ApiError ? err.details.filter((d) => ADJUST_FIELDS.has(pathParts(d.path)[0] ?? '')) : [];
      if (err instanceof ApiError && fields.length === err.details.length && fields.length > 0) {
        form.setFields(fields.map((d) => ({ name: pathParts(d.path)[0] as 'points' | 'reason', errors: [reasonText(t, d)] })));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  if (member.error) return <LoadError error={member.error} onRetry={member.reload} />;
  const m = member.data;
  const columns: TableColumnsType<LedgerEntry> = [
    { title: t('member.ledger.at'), dataIndex: 'at', width: 170, render: (at: string) => <span className="nowrap">{formatDateTime(at, zone)}</span> },
    { title: t('member.ledger.kind'), dataIndex: 'kind', width: 100, render: (k: EntryKind) => <Tag color={KIND_COLORS[k]}>{t(`member.kind.${k}`)}</Tag> },
    { title: t('member.ledger.points'), dataIndex: 'points', width: 100, align: 'right', render: (p: number) => <span className="num" style={{ color: p > 0 ? '#389e0d' : '#cf1322' }}>{p > 0 ? `+${formatCount(p)}` : formatCount(p)}</span> },
    {
      title: t('member.ledger.detail'), key: 'detail',
      render: (_v, e) => (
        <span className="muted">
          {[e.orderNo && t('member.ledger.order', { no: e.orderNo }), e.rewardName && `${e.rewardName}${e.quantity && e.quantity > 1 ? ` × ${e.quantity}` : ''}`, e.kind !== 'redeem' ? e.reason : '']
            .filter(Boolean).join(' · ')}
        </span>
      ),
    },
    { title: t('member.ledger.actor'), dataIndex: 'actor', width: 140, responsive: ['lg'], render: (a: string) => <span className="muted">{a}</span> },
  ];

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="member-view">
      <Card variant="borderless" className="panel" size="small" loading={!m}
        title={m && <Link to={`/customers/${m.customer.id}`}>{m.customer.name || t('customers.unnamed')}</Link>}>
        {m && (
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
            <Descriptions.Item label={t('member.balance')}><strong className="num" data-testid="member-balance">{formatCount(m.balance)}</strong></Descriptions.Item>
            <Descriptions.Item label={t('member.tier')}>{m.tier ? <Tag color="gold">{m.tier.name}</Tag> : '—'}{m.tier?.since && <span className="muted"> {t('member.since', { date: formatDate(m.tier.since, zone) })}</span>}</Descriptions.Item>
            <Descriptions.Item label={t('member.nextExpiry')}>{m.nextExpiry ? t('member.expiring', { points: formatCount(m.nextExpiry.points), date: lastValidDay(m.nextExpiry.at, zone) }) : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('member.benefits')}>{m.tier?.benefits || '—'}</Descriptions.Item>
          </Descriptions>
        )}
      </Card>
      {mayAdjust && (
        <Card variant="borderless" className="panel" size="small" title={t('member.adjust.title')}>
          <Form form={form} layout="inline" onFinish={(v) => void adjust(v)} data-testid="adjust-form">
            <Form.Item name="points" rules={[{ required: true, message: t('member.adjust.pointsNeeded') }]}>
              <InputNumber placeholder={t('member.adjust.points')} precision={0} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="reason" rules={[{ required: true, whitespace: true, message: t('member.adjust.reasonNeeded') }]}>
              <Input placeholder={t('member.adjust.reason')} maxLength={200} style={{ width: 280 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={saving}>{t('member.adjust.submit')}</Button>
          </Form>
        </Card>
      )}
      <Card variant="borderless" className="panel" size="small" title={t('member.ledger.title')}>
        {ledger.error ? <LoadError error={ledger.error} onRetry={ledger.reload} /> : (
          <Table rowKey="id" size="small" columns={columns} dataSource={ledger.data?.items ?? []} loading={ledger.loading} data-testid="member-ledger"
            pagination={{ current: page, pageSize: PAGE_SIZE, total: ledger.data?.total ?? 0, onChange: setPage, showSizeChanger: false }} />
        )}
      </Card>
    </Space>
  );
}
