// One condition of the builder: field, operator and a value editor that fits both (a tag picker,
// a store picker, days, a date range, yuan for money ...).
import type { ReactNode } from 'react';
import { Button, DatePicker, Input, InputNumber, Select, Space } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { SegmentCondition } from '../../api-segments.ts';
import { GroupPicker } from '../../components/GroupPicker.tsx';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { defaultValue, FIELD_GROUPS, FIELDS, isFen, newCondition, operatorsOf } from './segment-draft.ts';

export interface Choices {
  stores: { value: string; label: string }[];
  staff: { value: string; label: string }[];
  tags: { label: string; options: { value: string; label: string }[] }[];
  segments: { value: string; label: string }[];
}

const EVENT_TYPES = ['group_joined', 'group_left', 'contact_added', 'contact_deleted', 'message_received', 'message_sent', 'order_paid', 'order_refunded',
  'coupon_received', 'coupon_redeemed', 'form_submitted', 'page_viewed', 'store_visited', 'tag_added', 'segment_entered', 'segment_exited'];
const IDENTITY_KINDS = ['phone', 'unionid', 'openid', 'external_userid', 'member_no'];
const IDENTITY_LABELS: Record<string, string> = { phone: '手机号 phone', unionid: 'unionid', openid: 'openid', external_userid: '企微 external_userid', member_no: '会员号 member_no' };

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const numberOr = (v: unknown, fallback: number | null = null): number | null => (typeof v === 'number' ? v : fallback);

export function ConditionRow({ condition, choices, onChange, onRemove }: {
  condition: SegmentCondition;
  choices: Choices;
  onChange: (next: SegmentCondition) => void;
  onRemove: () => void;
}) {
  const t = useT();
  const spec = FIELDS[condition.field];
  const set = (patch: Partial<SegmentCondition>) => {
    const next: SegmentCondition = { ...condition, ...patch };
    for (const key of Object.keys(patch) as (keyof SegmentCondition)[]) if (patch[key] === undefined) delete next[key];
    onChange(next);
  };
  const money = isFen(condition.field);
  const toShown = (v: number | null) => (v === null ? null : money ? v / 100 : v);
  const toStored = (v: number | null) => (v === null ? undefined : money ? Math.round(v * 100) : v);

  const number = (value: unknown, onValue: (v: number | undefined) => void, testId?: string) => (
    <InputNumber
      value={toShown(numberOr(value))}
      min={spec?.min !== undefined ? toShown(spec.min) ?? undefined : undefined}
      max={spec?.max !== undefined ? toShown(spec.max) ?? undefined : undefined}
      step={spec?.integer && !money ? 1 : 0.01}
      onChange={(v) => onValue(toStored(typeof v === 'number' ? v : null))}
      style={{ width: 120 }}
      data-testid={testId}
    />
  );
  const pair = (value: unknown, render: (v: unknown, on: (x: unknown) => void, i: number) => ReactNode) => {
    const [lo, hi] = asList(value);
    return (
      <Space size={4}>
        {render(lo, (x) => set({ value: [x, hi] }), 0)}
        <span>—</span>
        {render(hi, (x) => set({ value: [lo, x] }), 1)}
      </Space>
    );
  };
  type Option = { value: string; label: string } | { label: string; options: { value: string; label: string }[] };
  const picker = (options: Option[], multiple: boolean) => (
    <Select
      mode={multiple ? 'multiple' : undefined}
      value={multiple ? asList(condition.value) : condition.value}
      options={options}
      onChange={(v: unknown) => set({ value: v })}
      placeholder={t('segments.value.pick')}
      style={{ minWidth: 220 }}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear={!multiple}
      data-testid="condition-value"
    />
  );

  const valueEditor = () => {
    if (!spec) return null;
    const op = condition.op;
    const multiple = op === 'in' || op === 'not_in';
    switch (spec.kind) {
      case 'choice':
        return picker((spec.choices ?? []).map((c) => ({ value: c, label: t(`segments.choice.${c}` as MessageKey) })), multiple);
      case 'text':
        return multiple
          ? <Select mode="tags" value={asList(condition.value)} onChange={(v: unknown) => set({ value: v })} placeholder={t('segments.value.text')} style={{ minWidth: 220 }} />
          : <Input value={typeof condition.value === 'string' ? condition.value : ''} onChange={(e) => set({ value: e.target.value })} style={{ width: 180 }} data-testid="condition-value" />;
      case 'number':
        return op === 'between' ? pair(condition.value, (v, on) => number(v, on)) : number(condition.value, (v) => set({ value: v }), 'condition-value');
      case 'time':
        if (op === 'exists' || op === 'not_exists') return null;
        if (op === 'within_days' || op === 'not_within_days') {
          return <Space size={4}><InputNumber min={1} max={3650} value={numberOr(condition.value)} onChange={(v) => set({ value: v ?? undefined })} style={{ width: 100 }} />{t('segments.value.days')}</Space>;
        }
        if (op === 'between') {
          const [from, to] = asList(condition.value);
          return (
            <DatePicker.RangePicker
              value={typeof from === 'string' && typeof to === 'string' ? [dayjs(from), dayjs(to)] : null}
              onChange={(range) => set({ value: range?.[0] && range[1] ? [range[0].format('YYYY-MM-DD'), range[1].format('YYYY-MM-DD')] : undefined })}
            />
          );
        }
        return (
          <DatePicker
            value={typeof condition.value === 'string' ? dayjs(condition.value) : null}
            onChange={(d: Dayjs | null) => set({ value: d ? d.format('YYYY-MM-DD') : undefined })}
          />
        );
      case 'ref':
        if (op === 'exists' || op === 'not_exists') return null;
        return picker(condition.field === 'store_id' ? choices.stores : choices.staff, multiple);
      case 'tags':
        return picker(choices.tags, true);
      case 'identity':
        return picker(IDENTITY_KINDS.map((k) => ({ value: k, label: IDENTITY_LABELS[k] ?? k })), false);
      case 'segment':
        return picker(choices.segments, false);
      case 'group':
        return op === 'in' || op === 'not_in'
          ? <GroupPicker value={typeof condition.value === 'string' ? condition.value : undefined} onChange={(id) => set({ value: id })} testId="condition-group-picker" />
          : null;
      case 'bucket':
        return (
          <Space size={4}>
            <Input value={condition.salt ?? ''} placeholder={t('segments.value.salt')} onChange={(e) => set({ salt: e.target.value })} style={{ width: 110 }} />
            {pair(condition.value, (v, on) => <InputNumber min={0} max={99} value={numberOr(v)} onChange={(x) => on(x ?? undefined)} style={{ width: 70 }} />)}
          </Space>
        );
      case 'event': {
        const [key, val] = Object.entries(condition.properties ?? {})[0] ?? ['', ''];
        const setProperty = (k: string, v: string) => set({ properties: k ? { [k]: v } : undefined });
        return (
          <Space size={4} wrap>
            <InputNumber min={0} value={numberOr(condition.value)} onChange={(v) => set({ value: v ?? undefined })} style={{ width: 80 }} />
            {t('segments.value.times')}
            <span>{t('segments.value.inLast')}</span>
            <InputNumber min={1} max={3650} value={numberOr(condition.withinDays)} placeholder={t('segments.value.withinDays')} onChange={(v) => set({ withinDays: v ?? undefined })} style={{ width: 110 }} />
            <span>{t('segments.value.days')}</span>
            <Input value={key} placeholder={t('segments.value.propertyKey')} onChange={(e) => setProperty(e.target.value.trim(), String(val))} style={{ width: 100 }} />
            <Input value={String(val)} placeholder={t('segments.value.propertyValue')} onChange={(e) => setProperty(key, e.target.value)} style={{ width: 110 }} disabled={!key} />
          </Space>
        );
      }
    }
  };

  return (
    <div className="segment-condition" data-testid="condition-row">
      <Space wrap size={8} align="center">
        <Select
          value={condition.field}
          onChange={(field: string) => onChange(newCondition(field))}
          options={FIELD_GROUPS.map((g) => ({ label: t(g.label), options: g.fields.map((f) => ({ value: f, label: t(`segments.field.${f}` as MessageKey) })) }))}
          style={{ width: 170 }}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="condition-field"
        />
        {condition.field === 'event' && (
          <Select
            value={condition.type}
            onChange={(type: string) => set({ type })}
            options={EVENT_TYPES.map((e) => ({ value: e, label: e }))}
            style={{ width: 170 }}
            showSearch
          />
        )}
        <Select
          value={condition.op}
          onChange={(op: string) => set({ op, value: defaultValue(condition.field, op) ?? (condition.field === 'tags' || condition.field === 'segment' || condition.field === 'store_id' || condition.field === 'guide_id' ? undefined : condition.value) })}
          options={operatorsOf(condition.field).map((op) => ({ value: op, label: t(`segments.op.${op}` as MessageKey) }))}
          style={{ width: 150 }}
          data-testid="condition-op"
        />
        {valueEditor()}
        <Button type="text" icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('segments.group.remove')} />
      </Space>
    </div>
  );
}
