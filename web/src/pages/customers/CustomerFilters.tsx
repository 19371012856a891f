// The customer list's finer filters: tags the customer holds (all of them), spend range, and
// ordering recency. Values are committed to the URL by the page; number boxes commit on Enter or
// when they lose focus, so typing "2000" does not reload the list four times.
import { useState } from 'react';
import { InputNumber, Select, Space } from 'antd';
import type { CustomerFilter, TagGroup } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';
import { renderTagOption, tagSelectOptions } from '../tags/tag-options.tsx';
import { yuanToFen } from './filter-params.ts';

export type FilterChange = Record<string, string | number | undefined>;

type Recency = 'within' | 'without';

function NumberBox({ value, onCommit, ...rest }: { value: number | undefined; onCommit: (value: number | undefined) => void; placeholder: string; prefix?: string; suffix?: string; min: number; max?: number; precision: number; className?: string; testId: string }) {
  const [draft, setDraft] = useState<number | null>(value ?? null);
  const commit = () => {
    const next = draft ?? undefined;
    if (next !== value) onCommit(next);
  };
  return (
    <InputNumber<number>
      value={draft}
      onChange={(v) => setDraft(v)}
      onBlur={commit}
      onPressEnter={commit}
      placeholder={rest.placeholder}
      prefix={rest.prefix}
      suffix={rest.suffix}
      min={rest.min}
      max={rest.max}
      precision={rest.precision}
      className={rest.className}
      data-testid={rest.testId}
    />
  );
}

export function CustomerFilters({ filter, tagGroups, onChange }: { filter: CustomerFilter; tagGroups: TagGroup[]; onChange: (change: FilterChange) => void }) {
  const t = useT();
  const recency: Recency | undefined = filter.lastOrderWithinDays !== undefined ? 'within' : filter.noOrderWithinDays !== undefined ? 'without' : undefined;
  const days = filter.lastOrderWithinDays ?? filter.noOrderWithinDays;
  const setRecency = (kind: Recency | undefined, n: number | undefined) =>
    onChange({
      lastOrderWithinDays: kind === 'within' ? n : undefined,
      noOrderWithinDays: kind === 'without' ? n : undefined,
    });

  return (
    <div className="filters filters-more" data-testid="customer-more-filters">
      <Select
        mode="multiple"
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('customers.filterTags')}
        value={filter.tagIds ?? []}
        onChange={(ids: string[]) => onChange({ tagIds: ids.length > 0 ? ids.join(',') : undefined })}
        options={tagSelectOptions(tagGroups)}
        optionRender={renderTagOption}
        maxTagCount="responsive"
        className="filter-tags"
        data-testid="customer-tag-filter"
      />
      <Space.Compact className="filter-range">
        <NumberBox
          key={`min-${filter.minSpentFen ?? ''}`}
          value={filter.minSpentFen === undefined ? undefined : filter.minSpentFen / 100}
          onCommit={(v) => onChange({ minSpentFen: v === undefined ? undefined : yuanToFen(v) })}
          placeholder={t('customers.minSpent')}
          prefix="¥"
          min={0}
          precision={2}
          testId="customer-min-spent"
        />
        <NumberBox
          key={`max-${filter.maxSpentFen ?? ''}`}
          value={filter.maxSpentFen === undefined ? undefined : filter.maxSpentFen / 100}
          onCommit={(v) => onChange({ maxSpentFen: v === undefined ? undefined : yuanToFen(v) })}
          placeholder={t('customers.maxSpent')}
          prefix="¥"
          min={0}
          precision={2}
          testId="customer-max-spent"
        />
      </Space.Compact>
      <Space.Compact className="filter-recency">
        <Select<Recency>
          allowClear
          placeholder={t('customers.recency')}
          value={recency}
          onChange={(kind) => setRecency(kind, days ?? 30)}
          options={[
            { value: 'within', label: t('customers.orderedWithin') },
            { value: 'without', label: t('customers.notOrderedWithin') },
          ]}
          className="filter-recency-kind"
          data-testid="customer-recency"
        />
        <NumberBox
          key={`days-${recency ?? ''}-${days ?? ''}`}
          value={days}
          onCommit={(n) => setRecency(recency ?? 'within', n)}
          placeholder={t('customers.days')}
          suffix={t('rule.daysUnit')}
          min={1}
          max={3650}
          precision={0}
          className="filter-days"
          testId="customer-recency-days"
        />
      </Space.Compact>
    </div>
  );
}
