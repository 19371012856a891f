// Tags as Select options, grouped by their tag group, each with its colour.
import { Tag } from 'antd';
import type { TagGroup, TagView } from '../../api.ts';

export interface TagOption {
  value: string;
  label: string;
  color: string;
}

/** Options grouped by tag group; `manualOnly` leaves out rule tags (they apply themselves). */
export function tagSelectOptions(groups: readonly TagGroup[], options: { manualOnly?: boolean } = {}) {
  return groups
    .map((group) => ({
      label: group.name,
      title: group.name,
      options: group.tags
        .filter((tag) => !options.manualOnly || tag.kind === 'manual')
        .map((tag): TagOption => ({ value: tag.id, label: tag.name, color: tag.color })),
    }))
    .filter((group) => group.options.length > 0);
}

/** How an option looks in the dropdown: a chip in the tag's colour. */
export function renderTagOption(option: { data: { label?: unknown; color?: unknown } }) {
  const label = typeof option.data.label === 'string' ? option.data.label : '';
  const color = typeof option.data.color === 'string' ? option.data.color : undefined;
  return (
    <Tag color={color} className="tag-option">
      {label}
    </Tag>
  );
}

/** Every tag of every group, by id. */
export function tagsById(groups: readonly TagGroup[]): Map<string, TagView> {
  return new Map(groups.flatMap((g) => g.tags.map((t) => [t.id, t] as const)));
}
