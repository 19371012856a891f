// Create or edit a tag: its group, name, colour, codebook code, and — for a rule tag — the rule
// (rows, or JSON for rules the rows cannot show). The server evaluates a new or changed rule at once.
import { useState } from 'react';
import { Alert, App, Form, Input, Modal, Segmented, Select } from 'antd';
import { api, type Store, type TagGroup, type TagView } from '../../api.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { RuleEditor } from './RuleEditor.tsx';
import { emptyRow, formToRule, ruleToForm, type RuleForm } from './rule-form.ts';
import { ColorPicker, groupColor } from './tag-colors.tsx';
import { errorText } from '../../refusal-text.ts';

type Editing = { tag: TagView } | { groupId: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function TagModal({ editing, tagGroups, stores, onClose, onSaved }: { editing: Editing; tagGroups: TagGroup[]; stores: Store[]; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const existing = 'tag' in editing ? editing.tag : undefined;
  const [groupId, setGroupId] = useState(existing?.groupId ?? ('groupId' in editing ? editing.groupId : ''));
  const [name, setName] = useState(existing?.name ?? '');
  const [code, setCode] = useState(existing?.code ?? '');
  const [color, setColor] = useState(existing?.color ?? groupColor(tagGroups, groupId));
  const [kind, setKind] = useState<'manual' | 'rule'>(existing?.kind ?? 'manual');
  const initialForm = existing?.rule ? ruleToForm(existing.rule) : undefined;
  const [form, setForm] = useState<RuleForm>(initialForm ?? { match: 'all', rows: [emptyRow()] });
  const [asJson, setAsJson] = useState(Boolean(existing?.rule) && !initialForm);
  const [json, setJson] = useState(existing?.rule ? JSON.stringify(existing.rule, null, 2) : '');
  const [problem, setProblem] = useState<{ text: string; row?: number }>();
  const [saving, setSaving] = useState(false);

  /** The rule to send: from the rows, or the JSON as typed (the server checks it and names any problem by its path). */
  const ruleOf = (): unknown => {
    if (asJson) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        setProblem({ text: t('rule.badJson') });
        return undefined;
      }
      if (!isRecord(parsed)) {
        setProblem({ text: t('rule.badJson') });
        return undefined;
      }
      return parsed;
    }
    const result = formToRule(form);
    if ('row' in result) {
      setProblem({ text: `${t('rule.row', { n: result.row + 1 })}${t(result.problem)}`, row: result.row });
      return undefined;
    }
    return result.rule;
  };

  const save = async () => {
    setProblem(undefined);
    if (!name.trim()) return setProblem({ text: t('tags.nameRequired') });
    if (!groupId) return setProblem({ text: t('tags.groupRequired') });
    const rule = kind === 'rule' ? ruleOf() : undefined;
    if (kind === 'rule' && rule === undefined) return;
    setSaving(true);
    try {
      const input = { groupId, name: name.trim(), code: code.trim() || null, color, ...(rule === undefined ? {} : { rule }) };
      const saved = existing ? await api.updateTag(existing.id, input) : await api.createTag(input);
      message.success(saved.kind === 'rule' ? t('tags.savedRule', { count: formatCount(saved.customerCount) }) : t('tags.saved'));
      onSaved();
    } catch (err) {
      setProblem({ text: errorText(t, err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={existing ? t('tags.editTag') : t('tags.newTag')}
      okText={t('common.save')}
      confirmLoading={saving}
      onOk={() => void save()}
      onCancel={onClose}
      okButtonProps={{ ...SAVE_TEST_ID }}
    >
      <Form layout="vertical" className="tag-form">
        <div className="form-pair">
          <Form.Item label={t('tags.name')} required>
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={50} autoFocus data-testid="tag-name" />
          </Form.Item>
          <Form.Item label={t('tags.group')} required>
            <Select
              value={groupId || undefined}
              onChange={(id: string) => {
                setGroupId(id);
                if (!existing) setColor(groupColor(tagGroups, id));
              }}
              options={tagGroups.map((g) => ({ value: g.id, label: g.name }))}
              data-testid="tag-group"
            />
          </Form.Item>
        </div>
        <div className="form-pair">
          <Form.Item label={t('tags.code')} tooltip={t('tags.codeHelp')}>
            <Input value={code} onChange={(e) => setCode(e.target.value)} maxLength={20} placeholder={t('tags.codePlaceholder')} data-testid="tag-code" />
          </Form.Item>
          <Form.Item label={t('tags.color')}>
            <ColorPicker value={color} onChange={setColor} />
          </Form.Item>
        </div>
        <Form.Item label={t('tags.kind')}>
          <Segmented<'manual' | 'rule'>
            value={kind}
            disabled={Boolean(existing)}
            onChange={setKind}
            options={[
              { value: 'manual', label: t('tags.manual') },
              { value: 'rule', label: t('tags.rule') },
            ]}
            data-testid="tag-kind"
          />
        </Form.Item>
        {kind === 'rule' && (
          <Form.Item
            label={t('tags.ruleLabel')}
            extra={
              !asJson && (
                <a
                  onClick={() => {
                    const result = formToRule(form);
                    if ('rule' in result) setJson(JSON.stringify(result.rule, null, 2));
                    setAsJson(true);
                  }}
                >
                  {t('rule.asJson')}
                </a>
              )
            }
          >
            {asJson ? (
              <Input.TextArea value={json} onChange={(e) => setJson(e.target.value)} autoSize={{ minRows: 6, maxRows: 16 }} className="rule-json" spellCheck={false} />
            ) : (
              <RuleEditor value={form} onChange={setForm} tagGroups={tagGroups} stores={stores} selfId={existing?.id} badRow={problem?.row} />
            )}
          </Form.Item>
        )}
        {problem && <Alert type="error" showIcon title={problem.text} data-testid="tag-problem" />}
      </Form>
    </Modal>
  );
}

const SAVE_TEST_ID = { 'data-testid': 'tag-save' };
