// Picks one WeCom group by name: a tenant can hold tens of thousands of groups, so the choices are
// searched on the server (20 at a time) rather than loaded whole. A group already chosen shows its
// name, fetched once.
import { useEffect, useRef, useState } from 'react';
import { Select } from 'antd';
import { groupsApi, type GroupSummary } from '../api-groups.ts';
import { useT } from '../i18n/i18n.tsx';

interface Option { value: string; label: string }

const optionOf = (g: Pick<GroupSummary, 'id' | 'name' | 'store' | 'members'>): Option => ({
  value: g.id,
  label: [g.name || g.id.slice(0, 8), g.store?.name, `${g.members}`].filter(Boolean).join(' · '),
});

export function GroupPicker({ value, onChange, width = 300, testId }: { value: string | undefined; onChange: (id: string | undefined) => void; width?: number; testId?: string }) {
  const t = useT();
  const [options, setOptions] = useState<Option[]>([]);
  const [loading, setLoading] = useState(false);
  const latest = useRef<AbortController | undefined>(undefined);

  const search = (q: string) => {
    latest.current?.abort();
    const controller = new AbortController();
    latest.current = controller;
    setLoading(true);
    groupsApi.list({ q: q.trim() || undefined, status: 'active', page: 1, pageSize: 20 }, { signal: controller.signal })
      .then((page) => setOptions((held) => {
        const chosen = held.filter((o) => o.value === value);
        const found = page.items.map(optionOf);
        return [...chosen.filter((c) => !found.some((f) => f.value === c.value)), ...found];
      }))
      .catch(() => undefined)
      .finally(() => { if (latest.current === controller) setLoading(false); });
  };

  // the first 20 groups on opening; later searches come from typing
  useEffect(() => {
    search('');
    return () => latest.current?.abort();
  }, []);

  useEffect(() => {
    if (!value || options.some((o) => o.value === value)) return;
    const controller = new AbortController();
    groupsApi.get(value, { signal: controller.signal })
      .then((g) => setOptions((held) => [optionOf(g), ...held.filter((o) => o.value !== g.id)]))
      .catch(() => setOptions((held) => [{ value, label: value }, ...held]));
    return () => controller.abort();
  }, [value, options]);

  return (
    <Select
      showSearch
      filterOption={false}
      onSearch={search}
      value={value}
      onChange={(v: string | undefined) => onChange(v)}
      options={options}
      loading={loading}
      allowClear
      placeholder={t('groups.picker.placeholder')}
      notFoundContent={loading ? undefined : t('groups.picker.none')}
      style={{ width }}
      data-testid={testId}
    />
  );
}
