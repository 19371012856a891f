// 标签管理: tag groups and their tags (manual and rule), how many customers hold each, and
// pre-tags for people not seen yet (seed 003: source, frequency, spend, VIP, lifecycle, the
// questionnaire codebook).
import { useMemo, useState } from 'react';
import { Button, Card, Empty, Skeleton } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, type TagGroup, type TagView } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { PreTagsCard } from './PreTagsCard.tsx';
import { tagsById } from './tag-options.tsx';
import { TagGroupCard } from './TagGroupCard.tsx';
import { TagGroupModal } from './TagGroupModal.tsx';
import { TagModal } from './TagModal.tsx';

type Dialog =
  | { kind: 'group'; group: TagGroup | undefined }
  | { kind: 'tag'; editing: { tag: TagView } | { groupId: string } };

export default function TagsPage() {
  const t = useT();
  const zone = useTenantZone();
  const groups = useRemote((signal) => api.tagGroups({ signal }), []);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const [dialog, setDialog] = useState<Dialog>();
  const items = groups.data?.items ?? [];

  const names = useMemo(() => {
    const tags = tagsById(items);
    const places = new Map((stores.data?.items ?? []).map((s) => [s.id, s.name]));
    return { tagName: (id: string) => tags.get(id)?.name, storeName: (id: string) => places.get(id) };
  }, [items, stores.data]);
  const tagCount = items.reduce((n, g) => n + g.tags.length, 0);

  const saved = () => {
    setDialog(undefined);
    groups.reload();
  };

  return (
    <div className="page" data-testid="tags-page">
      <PageHeader
        title={t('tags.title')}
        subtitle={groups.data ? t('tags.subtitleCount', { groups: formatCount(items.length), tags: formatCount(tagCount) }) : t('tags.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'group', group: undefined })} data-testid="group-new">
            {t('tags.newGroup')}
          </Button>
        }
      />
      {groups.error && <LoadError error={groups.error} onRetry={groups.reload} />}
      {!groups.data && !groups.error && <Card variant="borderless" className="panel"><Skeleton active /></Card>}
      {groups.data && items.length === 0 && (
        <Card variant="borderless" className="panel">
          <Empty description={t('tags.empty')}>
            <Button type="primary" onClick={() => setDialog({ kind: 'group', group: undefined })}>{t('tags.newGroup')}</Button>
          </Empty>
        </Card>
      )}
      {items.map((group) => (
        <TagGroupCard
          key={group.id}
          group={group}
          names={names}
          onNewTag={() => setDialog({ kind: 'tag', editing: { groupId: group.id } })}
          onEditTag={(tag) => setDialog({ kind: 'tag', editing: { tag } })}
          onEditGroup={() => setDialog({ kind: 'group', group })}
          onChanged={groups.reload}
        />
      ))}
      {groups.data && <PreTagsCard tagGroups={items} zone={zone} onChanged={groups.reload} />}
      {dialog?.kind === 'group' && <TagGroupModal group={dialog.group} onClose={() => setDialog(undefined)} onSaved={saved} />}
      {dialog?.kind === 'tag' && (
        <TagModal editing={dialog.editing} tagGroups={items} stores={stores.data?.items ?? []} onClose={() => setDialog(undefined)} onSaved={saved} />
      )}
    </div>
  );
}
