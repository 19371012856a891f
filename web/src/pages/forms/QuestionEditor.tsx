// One question of the builder: its id, text and type, and for choice questions the options —
// each a code, a label and (the codebook) the tag that choosing it gives the customer.
import { Button, Card, Input, Segmented, Select, Tag, Tooltip } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { FormOption, FormQuestion, QuestionType, TagGroup } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';
import { renderTagOption, tagsById, tagSelectOptions } from '../tags/tag-options.tsx';
import { nextCode, withType } from './form-draft.ts';

interface QuestionEditorProps {
  index: number;
  count: number;
  question: FormQuestion;
  tagGroups: TagGroup[];
  onChange: (question: FormQuestion) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

export function QuestionEditor({ index, count, question, tagGroups, onChange, onMove, onRemove }: QuestionEditorProps) {
  const t = useT();
  const setOption = (i: number, option: FormOption) => onChange({ ...question, options: question.options.map((o, j) => (j === i ? option : o)) });
  const tagOptions = tagSelectOptions(tagGroups, { manualOnly: true });
  const tags = tagsById(tagGroups);
  // The chosen tag with its group, in its colour: 肤质 · 痘痘肌.
  const tagLabel = ({ value }: { value?: unknown }) => {
    const tag = typeof value === 'string' ? tags.get(value) : undefined;
    return tag ? <Tag color={tag.color} className="tag-option">{`${tag.groupName} · ${tag.name}`}</Tag> : String(value ?? '');
  };

  return (
    <Card
      size="small"
      className="question-card"
      data-testid="question"
      title={<span className="question-number">{t('forms.questionN', { n: index + 1 })}</span>}
      extra={
        <span className="question-tools">
          <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => onMove(-1)} aria-label={t('forms.moveUp')} />
          <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={index === count - 1} onClick={() => onMove(1)} aria-label={t('forms.moveDown')} />
          <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('common.delete')} />
        </span>
      }
    >
      <div className="question-head">
        <Tooltip title={t('forms.questionIdHelp')}>
          <Input value={question.id} onChange={(e) => onChange({ ...question, id: e.target.value })} maxLength={40} className="question-id" prefix="#" aria-label={t('forms.questionId')} />
        </Tooltip>
        <Input value={question.text} onChange={(e) => onChange({ ...question, text: e.target.value })} maxLength={200} placeholder={t('forms.questionText')} className="question-text" data-testid="question-text" />
        <Segmented<QuestionType>
          value={question.type}
          onChange={(type) => onChange(withType(question, type))}
          options={[
            { value: 'single', label: t('forms.single') },
            { value: 'multi', label: t('forms.multi') },
            { value: 'text', label: t('forms.text') },
          ]}
        />
      </div>
      {question.type !== 'text' && (
        <div className="option-list">
          <div className="option-row option-header muted">
            <span>{t('forms.code')}</span>
            <span>{t('forms.label')}</span>
            <span>{t('forms.tag')}</span>
            <span />
          </div>
          {question.options.map((option, i) => (
            <div className="option-row" key={i} data-testid="option">
              <Input value={option.code} onChange={(e) => setOption(i, { ...option, code: e.target.value })} maxLength={20} className="option-code" aria-label={t('forms.code')} data-testid="option-code" />
              <Input value={option.label} onChange={(e) => setOption(i, { ...option, label: e.target.value })} maxLength={100} placeholder={t('forms.label')} aria-label={t('forms.label')} data-testid="option-label" />
              <Select
                allowClear
                value={option.tagId}
                onChange={(tagId: string | undefined) => setOption(i, tagId ? { ...option, tagId } : { code: option.code, label: option.label })}
                showSearch={{ optionFilterProp: 'label' }}
                options={tagOptions}
                optionRender={renderTagOption}
                labelRender={tagLabel}
                placeholder={t('forms.noTag')}
                aria-label={t('forms.tag')}
                data-testid="option-tag"
              />
              <Button
                type="text"
                icon={<DeleteOutlined />}
                disabled={question.options.length <= 1}
                onClick={() => onChange({ ...question, options: question.options.filter((_, j) => j !== i) })}
                aria-label={t('common.delete')}
              />
            </div>
          ))}
          <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => onChange({ ...question, options: [...question.options, { code: nextCode(question.options), label: '' }] })} data-testid="option-add">
            {t('forms.addOption')}
          </Button>
        </div>
      )}
    </Card>
  );
}
