// The rule of a rule tag as rows: each row one condition (spending, orders, purchase days in a
// window, recency, another tag, an identity, a source channel, a store), joined by all or any.
import { Button, Input, InputNumber, Segmented, Select } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { Comparison, Store, TagGroup } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';
import { identityKindLabel } from '../../labels.ts';
import { COMPARISONS, emptyRow, OP_SIGNS, IDENTITY_KINDS, METRICS, ROW_KINDS, ROW_LABELS, type RowKind, type RuleForm, type RuleRow } from './rule-form.ts';
import { renderTagOption, tagSelectOptions } from './tag-options.tsx';

const isMetric = (kind: RowKind): boolean => (METRICS as readonly string[]).includes(kind);

interface RuleEditorProps {
  value: RuleForm;
  onChange: (value: RuleForm) => void;
  tagGroups: TagGroup[];
  stores: Store[];
  /** The tag being edited, which its own rule may not ask about. */
  selfId?: string;
  /** The row the server or the form found wrong. */
  badRow?: number;
}

export function RuleEditor({ value, onChange, tagGroups, stores, selfId, badRow }: RuleEditorProps) {
  const t = useT();
  const setRow = (index: number, row: RuleRow) => onChange({ ...value, rows: value.rows.map((r, i) => (i === index ? row : r)) });
  const removeRow = (index: number) => onChange({ ...value, rows: value.rows.filter((_, i) => i !== index) });
  const groups = tagGroups.map((g) => ({ ...g, tags: g.tags.filter((tag) => tag.id !== selfId) }));

  const fields = (row: RuleRow, index: number) => {
    const set = (patch: Partial<RuleRow>) => setRow(index, { ...row, ...patch });
    if (isMetric(row.kind)) {
      return (
        <>
          <InputNumber<number>
            value={row.windowDays ?? null}
            onChange={(v) => set({ windowDays: v ?? undefined })}
            min={1}
            max={3650}
            precision={0}
            placeholder={t('rule.allTime')}
            prefix={t('rule.last')}
            suffix={t('rule.daysUnit')}
            className="rule-window"
            data-testid="rule-window"
          />
          <Select<Comparison> value={row.op} onChange={(op) => set({ op })} options={COMPARISONS.map((op) => ({ value: op, label: OP_SIGNS[op] }))} className="rule-op" data-testid="rule-op" />
          <InputNumber<number>
            value={row.value ?? null}
            onChange={(v) => set({ value: v ?? undefined })}
            min={0}
            precision={row.kind === 'spent_fen' ? 2 : 0}
            prefix={row.kind === 'spent_fen' ? '¥' : undefined}
            className="rule-value"
            data-testid="rule-value"
          />
        </>
      );
    }
    if (row.kind === 'lastOrderWithinDays' || row.kind === 'noOrderWithinDays') {
      return (
        <InputNumber<number>
          value={row.value ?? null}
          onChange={(v) => set({ value: v ?? undefined })}
          min={1}
          max={3650}
          precision={0}
          suffix={t('rule.daysUnit')}
          className="rule-value"
          data-testid="rule-days"
        />
      );
    }
    if (row.kind === 'hasTag') {
      return (
        <Select
          value={row.ref}
          onChange={(ref: string) => set({ ref })}
          showSearch={{ optionFilterProp: 'label' }}
          options={tagSelectOptions(groups)}
          optionRender={renderTagOption}
          placeholder={t('rule.pickTag')}
          className="rule-ref"
        />
      );
    }
    if (row.kind === 'identity') {
      return (
        <Select
          value={row.ref}
          onChange={(ref: string) => set({ ref })}
          options={IDENTITY_KINDS.map((kind) => ({ value: kind, label: identityKindLabel(t, kind) }))}
          placeholder={t('rule.pickIdentity')}
          className="rule-ref"
        />
      );
    }
    if (row.kind === 'storeId') {
      return (
        <Select
          value={row.ref}
          onChange={(ref: string) => set({ ref })}
          showSearch={{ optionFilterProp: 'label' }}
          options={stores.map((s) => ({ value: s.id, label: s.name }))}
          placeholder={t('rule.pickStore')}
          className="rule-ref"
        />
      );
    }
    return <Input value={row.ref} onChange={(e) => set({ ref: e.target.value })} maxLength={60} placeholder={t('rule.channelPlaceholder')} className="rule-ref" />;
  };

  return (
    <div className="rule-editor" data-testid="rule-editor">
      <div className="rule-match">
        <span>{t('rule.match')}</span>
        <Segmented<'all' | 'any'>
          size="small"
          value={value.match}
          onChange={(match) => onChange({ ...value, match })}
          options={[
            { value: 'all', label: t('rule.matchAll') },
            { value: 'any', label: t('rule.matchAny') },
          ]}
        />
      </div>
      {value.rows.map((row, index) => (
        <div className={`rule-row${badRow === index ? ' rule-row-bad' : ''}`} key={index} data-testid="rule-row">
          <Select<RowKind>
            value={row.kind}
            onChange={(kind) => setRow(index, emptyRow(kind))}
            options={ROW_KINDS.map((kind) => ({ value: kind, label: t(ROW_LABELS[kind]) }))}
            className="rule-kind"
            data-testid="rule-kind"
          />
          {fields(row, index)}
          <Button type="text" icon={<DeleteOutlined />} onClick={() => removeRow(index)} aria-label={t('common.delete')} disabled={value.rows.length === 1} />
        </div>
      ))}
      <Button type="dashed" icon={<PlusOutlined />} onClick={() => onChange({ ...value, rows: [...value.rows, emptyRow()] })} block>
        {t('rule.addRow')}
      </Button>
    </div>
  );
}
