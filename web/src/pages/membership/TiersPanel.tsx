// 会员等级: the tiers as ranges of the qualifying value (¥ of rolling spend, or points), lowest
// first, each starting where the one before ends; benefits, member price and coupons on reaching.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Input, InputNumber, Select, Space, Table, Tag, type TableColumnsType } from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { membershipApi, type TierInput } from '../../api-membership.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { ErrorDetail } from '../../api.ts';
import { pathParts } from '../../labels.ts';
import { memberRefusalText } from './member-refusals.ts';
import { errorText } from '../../refusal-text.ts';

interface Row extends TierInput {
  key: string;
  members: number | null;
}

export function TiersPanel() {
  const t = useT();
  const { message } = App.useApp();
  const tiers = useRemote((signal) => membershipApi.tiers({ signal }), []);
  const settings = useRemote((signal) => membershipApi.settings({ signal }), []);
  const templates = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);
  const [rows, setRows] = useState<Row[]>([]);
  const [problems, setProblems] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  const spend = settings.data?.tierBasis !== 'points';
  // Spend is entered in ¥ and stored in fen.
  const scale = spend ? 100 : 1;

  useEffect(() => {
    if (tiers.data) setRows(tiers.data.items.map((x) => ({ ...x, key: x.id, members: x.members })));
  }, [tiers.data]);

  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const add = () => setRows((rs) => {
    const last = rs[rs.length - 1];
    const start = last ? (last.maxValue ?? last.minValue + 100 * scale) : 0;
    const closed = last ? rs.map((r, j) => (j === rs.length - 1 ? { ...r, maxValue: start } : r)) : rs;
    return [...closed, { key: crypto.randomUUID(), name: '', minValue: start, maxValue: null, benefits: '', memberPricePercent: null, couponTemplateIds: [], members: null }];
  });
  const remove = (i: number) => setRows((rs) => rs.filter((_, j) => j !== i));

  const save = async () => {
    setBusy(true);
    setProblems([]);
    try {
      await membershipApi.saveTiers(rows.map(({ key: _k, members: _m, ...tier }) => tier));
      tiers.reload();
      void message.success(t('member.tiers.saved'));
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setProblems(err.details);
      else void message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const recompute = async () => {
    setBusy(true);
    try {
      const r = await membershipApi.recomputeTiers();
      tiers.reload();
      void message.success(t('member.tiers.recomputed', { changed: formatCount(r.changed) }));
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (tiers.error) return <LoadError error={tiers.error} onRetry={tiers.reload} />;
  const fieldLabels: Record<string, string> = {
    name: t('member.tiers.name'), minValue: spend ? t('member.tiers.fromSpend') : t('member.tiers.fromPoints'), maxValue: t('member.tiers.to'),
    memberPricePercent: t('member.tiers.memberPrice'), benefits: t('member.tiers.benefits'), couponTemplateIds: t('member.tiers.coupons'),
  };
  // "L1 银卡 · 消费从（含）：…": the row by its level and name, the column by its heading.
  const problemLine = (p: ErrorDetail): string => {
    const reason = memberRefusalText(t, p, spend ? 'spend' : 'points');
    const [, at, field] = pathParts(p.path);
    const row = at === undefined ? undefined : rows[Number(at)];
    if (at === undefined || field === undefined) return reason;
    return t('member.refusal.tierAt', { level: at, name: row?.name ? ` ${row.name}` : '', field: fieldLabels[field] ?? field, reason });
  };
  const wrong = (i: number, field: string) => problems.some((p) => p.path === `body.tiers.${i}.${field}`);
  const valueInput = (i: number, field: 'minValue' | 'maxValue', value: number | null, open: boolean) => (
    <InputNumber size="small" min={0} precision={spend ? 2 : 0} style={{ width: 130 }} status={wrong(i, field) ? 'error' : undefined}
      value={value === null ? null : value / scale} placeholder={open ? t('member.tiers.open') : undefined} prefix={spend ? '¥' : undefined}
      onChange={(v) => update(i, { [field]: v === null ? null : Math.round(Number(v) * scale) })} />
  );
  const columns: TableColumnsType<Row> = [
    { title: t('member.tiers.level'), key: 'level', width: 60, render: (_v, _r, i) => <Tag>{`L${i}`}</Tag> },
    { title: t('member.tiers.name'), key: 'name', width: 150, render: (_v, r, i) => <Input size="small" value={r.name} status={wrong(i, 'name') ? 'error' : undefined} onChange={(e) => update(i, { name: e.target.value })} /> },
    { title: spend ? t('member.tiers.fromSpend') : t('member.tiers.fromPoints'), key: 'min', width: 150, render: (_v, r, i) => valueInput(i, 'minValue', r.minValue, false) },
    { title: t('member.tiers.to'), key: 'max', width: 150, render: (_v, r, i) => valueInput(i, 'maxValue', r.maxValue, true) },
    { title: t('member.tiers.memberPrice'), key: 'price', width: 110, render: (_v, r, i) => <InputNumber size="small" min={1} max={100} suffix="%" value={r.memberPricePercent} onChange={(v) => update(i, { memberPricePercent: v === null ? null : Number(v) })} /> },
    { title: t('member.tiers.benefits'), key: 'benefits', render: (_v, r, i) => <Input size="small" value={r.benefits} onChange={(e) => update(i, { benefits: e.target.value })} /> },
    {
      title: t('member.tiers.coupons'), key: 'coupons', width: 200, responsive: ['lg'],
      render: (_v, r, i) => (
        <Select size="small" mode="multiple" style={{ width: '100%' }} value={r.couponTemplateIds} onChange={(v: string[]) => update(i, { couponTemplateIds: v })}
          options={(templates.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} />
      ),
    },
    { title: t('member.tiers.members'), key: 'members', width: 90, align: 'right', render: (_v, r) => <span className="num">{r.members === null ? '—' : formatCount(r.members)}</span> },
    { key: 'remove', width: 40, render: (_v, _r, i) => <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('member.remove')} /> },
  ];
  return (
    <Card variant="borderless" className="panel" size="small" data-testid="tiers-panel"
      title={t(spend ? 'member.tiers.bySpend' : 'member.tiers.byPoints', { months: settings.data?.tierWindowMonths ?? 12 })}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void recompute()} disabled={busy || rows.length === 0}>{t('member.tiers.recompute')}</Button>
          <Button type="primary" onClick={() => void save()} loading={busy}>{t('member.save')}</Button>
        </Space>
      }>
      {problems.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} data-testid="tier-problems"
        title={<ul style={{ margin: 0, paddingLeft: 16 }}>{problems.map((p, i) => <li key={`${p.path}-${i}`}>{problemLine(p)}</li>)}</ul>} />}
      <Table rowKey="key" size="small" columns={columns} dataSource={rows} pagination={false} loading={tiers.loading} />
      <Button type="dashed" icon={<PlusOutlined />} onClick={add} style={{ marginTop: 12 }}>{t('member.tiers.add')}</Button>
    </Card>
  );
}
