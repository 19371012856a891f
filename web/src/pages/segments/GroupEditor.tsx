// A group of conditions (all / any, optionally excluded) with nested groups, as a bordered box.
import { Button, Checkbox, Segmented, Space } from 'antd';
import { ApartmentOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useT } from '../../i18n/i18n.tsx';
import { ConditionRow, type Choices } from './ConditionRow.tsx';
import { newCondition, type DraftGroup, type DraftNode } from './segment-draft.ts';

export function GroupEditor({ group, choices, onChange, onRemove, depth = 0 }: {
  group: DraftGroup;
  choices: Choices;
  onChange: (next: DraftGroup) => void;
  onRemove?: () => void;
  depth?: number;
}) {
  const t = useT();
  const setChild = (i: number, next: DraftNode | undefined) => {
    const children = [...group.children];
    if (next) children[i] = next;
    else children.splice(i, 1);
    onChange({ ...group, children });
  };
  return (
    <div className={`segment-group${group.negated ? ' segment-group-negated' : ''}`} data-testid="condition-group">
      <Space wrap size={12} style={{ marginBottom: 8 }}>
        <Segmented
          value={group.mode}
          onChange={(mode) => onChange({ ...group, mode: mode === 'any' ? 'any' : 'all' })}
          options={[{ value: 'all', label: t('segments.group.all') }, { value: 'any', label: t('segments.group.any') }]}
        />
        <Checkbox checked={group.negated} onChange={(e) => onChange({ ...group, negated: e.target.checked })}>{t('segments.group.not')}</Checkbox>
        {onRemove && <Button type="text" size="small" icon={<DeleteOutlined />} onClick={onRemove}>{t('segments.group.remove')}</Button>}
      </Space>
      {group.children.map((child, i) =>
        'group' in child ? (
          <GroupEditor key={i} group={child.group} choices={choices} depth={depth + 1} onChange={(g) => setChild(i, { group: g })} onRemove={() => setChild(i, undefined)} />
        ) : (
          <ConditionRow key={i} condition={child.condition} choices={choices} onChange={(c) => setChild(i, { condition: c })} onRemove={() => setChild(i, undefined)} />
        ),
      )}
      {group.children.length === 0 && <div className="segment-group-empty">{t('segments.group.empty')}</div>}
      <Space size={8} style={{ marginTop: 4 }}>
        <Button size="small" icon={<PlusOutlined />} onClick={() => onChange({ ...group, children: [...group.children, { condition: newCondition('tags') }] })} data-testid="add-condition">
          {t('segments.group.addCondition')}
        </Button>
        {depth < 4 && (
          <Button size="small" icon={<ApartmentOutlined />} onClick={() => onChange({ ...group, children: [...group.children, { group: { mode: 'any', negated: false, children: [{ condition: newCondition('city') }] } }] })}>
            {t('segments.group.addGroup')}
          </Button>
        )}
      </Space>
    </div>
  );
}
