// One tag group: its tags with codebook code, kind (a rule tag shows its rule in words), how many
// customers hold each (a link to that list), and the actions on them.
import { useState } from 'react';
import { App, Button, Card, Grid, Popconfirm, Space, Table, Tag, Tooltip, type TableColumnsType } from 'antd';
import { CalculatorOutlined, DeleteOutlined, EditOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, type TagGroup, type TagView } from '../../api.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { describeRule, type Names } from './rule-form.ts';
import { errorText } from '../../refusal-text.ts';

interface TagGroupCardProps {
  group: TagGroup;
  names: Names;
  onNewTag: () => void;
  onEditTag: (tag: TagView) => void;
  onEditGroup: () => void;
  onChanged: () => void;
}

export function TagGroupCard({ group, names, onNewTag, onEditTag, onEditGroup, onChanged }: TagGroupCardProps) {
  const t = useT();
  const { message } = App.useApp();
  const compact = Grid.useBreakpoint().md === false;
  const [evaluating, setEvaluating] = useState<string>();

  const fail = (err: unknown) => message.error(errorText(t, err));
  const remove = async (action: () => Promise<unknown>) => {
    try {
      await action();
      onChanged();
    } catch (err) {
      fail(err);
    }
  };
  const evaluate = async (tag: TagView) => {
    setEvaluating(tag.id);
    try {
      const result = await api.evaluateTag(tag.id);
      message.success(t('tags.evaluated', { tag: tag.name, added: formatCount(result.added), removed: formatCount(result.removed) }));
      onChanged();
    } catch (err) {
      fail(err);
    } finally {
      setEvaluating(undefined);
    }
  };

  const chip = (tag: TagView) => (
    <Tag color={tag.color} icon={tag.kind === 'rule' ? <ThunderboltOutlined /> : undefined} className="tag-chip">
      {tag.name}
    </Tag>
  );
  const count = (tag: TagView) => (
    <Link to={`/customers?tagIds=${tag.id}`} className="num" data-testid="tag-count">
      {formatCount(tag.customerCount)}
    </Link>
  );
  const actions = (tag: TagView) => (
    <Space size={0} wrap>
      {tag.kind === 'rule' && (
        <Tooltip title={t('tags.evaluate')}>
          <Button type="text" size="small" icon={<CalculatorOutlined />} loading={evaluating === tag.id} onClick={() => void evaluate(tag)} aria-label={t('tags.evaluate')} data-testid="tag-evaluate" />
        </Tooltip>
      )}
      <Tooltip title={t('common.edit')}>
        <Button type="text" size="small" icon={<EditOutlined />} onClick={() => onEditTag(tag)} aria-label={t('common.edit')} data-testid="tag-edit" />
      </Tooltip>
      <Popconfirm title={t('tags.deleteTag', { tag: tag.name })} description={t('tags.deleteTagHelp', { count: formatCount(tag.customerCount) })} onConfirm={() => remove(() => api.deleteTag(tag.id))} okButtonProps={{ danger: true }}>
        <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
      </Popconfirm>
    </Space>
  );

  const ruleText = (tag: TagView) => (tag.rule ? describeRule(tag.rule, t, names) : t('tags.manual'));
  const columns: TableColumnsType<TagView> = compact
    ? [
        { title: t('tags.name'), key: 'name', render: (_v, tag) => <div className="cell-stack">{chip(tag)}<span className="muted cell-note">{ruleText(tag)}</span></div> },
        { title: t('tags.customers'), key: 'count', align: 'right', width: 70, render: (_v, tag) => count(tag) },
        { title: '', key: 'actions', width: 96, align: 'right', render: (_v, tag) => actions(tag) },
      ]
    : [
        { title: t('tags.name'), key: 'name', width: 200, render: (_v, tag) => chip(tag) },
        { title: t('tags.code'), dataIndex: 'code', width: 90, render: (code: string | null) => (code ? <span className="code-chip">{code}</span> : <span className="muted">—</span>) },
        { title: t('tags.kindRule'), key: 'rule', render: (_v, tag) => <span className={tag.rule ? 'rule-text' : 'muted'}>{ruleText(tag)}</span> },
        { title: t('tags.customers'), key: 'count', align: 'right', width: 100, render: (_v, tag) => count(tag) },
        { title: '', key: 'actions', width: 120, align: 'right', render: (_v, tag) => actions(tag) },
      ];

  return (
    <Card
      variant="borderless"
      className="panel tag-group-card"
      data-testid="tag-group"
      title={
        <span className="tag-group-title">
          <span>{group.name}</span>
          {group.exclusive && <Tag color="purple" variant="filled">{t('tags.exclusiveBadge')}</Tag>}
          {group.description && !compact && <span className="muted tag-group-description">{group.description}</span>}
        </span>
      }
      extra={
        <Space size={4}>
          <Button size="small" icon={<PlusOutlined />} onClick={onNewTag} data-testid="tag-new">
            {compact ? null : t('tags.newTag')}
          </Button>
          <Button size="small" type="text" icon={<EditOutlined />} onClick={onEditGroup} aria-label={t('tags.editGroup')} />
          <Popconfirm title={t('tags.deleteGroup', { group: group.name })} description={t('tags.deleteGroupHelp')} onConfirm={() => remove(() => api.deleteTagGroup(group.id))} okButtonProps={{ danger: true }}>
            <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
          </Popconfirm>
        </Space>
      }
    >
      <Table<TagView>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={group.tags}
        pagination={false}
        locale={{ emptyText: t('tags.noTags') }}
      />
    </Card>
  );
}
