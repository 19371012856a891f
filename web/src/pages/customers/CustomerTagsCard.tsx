// A customer's tags, by tag group, each in its colour. Those who may tag add and remove manual
// tags here; rule tags follow their rule and cannot be taken off by hand.
import { useState } from 'react';
import { App, Card, Empty, Select, Tag, Tooltip } from 'antd';
import { PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { api, type CustomerDetail, type TagGroup } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { tagSourceLabel } from '../../labels.ts';
import { useCan } from '../../permissions.ts';
import { renderTagOption, tagSelectOptions } from '../tags/tag-options.tsx';
import { errorText } from '../../refusal-text.ts';

type HeldTag = CustomerDetail['tags'][number];

function byGroup(tags: HeldTag[]): { group: HeldTag['group']; tags: HeldTag[] }[] {
  const groups = new Map<string, { group: HeldTag['group']; tags: HeldTag[] }>();
  for (const tag of tags) {
    const entry = groups.get(tag.group.id) ?? { group: tag.group, tags: [] };
    entry.tags.push(tag);
    groups.set(tag.group.id, entry);
  }
  return [...groups.values()];
}

export function CustomerTagsCard({ customer, tagGroups, zone, onChanged }: { customer: CustomerDetail; tagGroups: TagGroup[]; zone: string; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const canTag = useCan('customers:tag');
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);

  const run = async (change: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await change();
      onChanged();
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const held = new Set(customer.tags.map((tag) => tag.id));
  const options = tagSelectOptions(
    tagGroups.map((g) => ({ ...g, tags: g.tags.filter((tag) => !held.has(tag.id)) })),
    { manualOnly: true },
  );

  return (
    <Card variant="borderless" className="panel" title={t('customer.tags')} data-testid="customer-tags">
      {customer.tags.length === 0 && !canTag && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noTags')} />}
      <div className="tag-groups">
        {byGroup(customer.tags).map(({ group, tags }) => (
          <div className="tag-group-row" key={group.id}>
            <span className="tag-group-name">{group.name}</span>
            <div className="tag-chips">
              {tags.map((tag) => (
                <Tooltip key={tag.id} title={`${tagSourceLabel(t, tag.source)} · ${formatDateTime(tag.addedAt, zone)}`}>
                  <Tag
                    color={tag.color}
                    icon={tag.source === 'rule' ? <ThunderboltOutlined /> : undefined}
                    closable={canTag && tag.source !== 'rule' && !busy}
                    onClose={(event) => {
                      event.preventDefault();
                      void run(() => api.untagCustomer(customer.id, tag.id));
                    }}
                    data-testid="customer-tag"
                  >
                    {tag.name}
                  </Tag>
                </Tooltip>
              ))}
            </div>
          </div>
        ))}
      </div>
      {canTag && (
        <div className="tag-add">
          {adding ? (
            <Select
              autoFocus
              defaultOpen
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('customer.pickTag')}
              options={options}
              optionRender={renderTagOption}
              onChange={(tagId: string) => {
                setAdding(false);
                void run(() => api.tagCustomer(customer.id, [tagId]));
              }}
              onBlur={() => setAdding(false)}
              notFoundContent={t('customer.noMoreTags')}
              style={{ width: '100%' }}
              data-testid="customer-tag-select"
            />
          ) : (
            <Tag className="tag-add-button" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="customer-tag-add">
              {t('customer.addTag')}
            </Tag>
          )}
        </div>
      )}
    </Card>
  );
}
