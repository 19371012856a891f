// The questionnaire builder: name, status, and the questions with their coded options. The server
// checks the whole form and names each problem by its path (questions[1].options[0].code ...),
// which is shown as it says, question numbers counted from 1.
import { useEffect, useState } from 'react';
import { Alert, App, Breadcrumb, Button, Card, Form, Input, Segmented, Skeleton } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, type ErrorDetail, type FormQuestion, type FormStatus } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { pathParts } from '../../labels.ts';
import { cleanQuestions, newQuestion } from './form-draft.ts';
import { QuestionEditor } from './QuestionEditor.tsx';
import { errorText, reasonText } from '../../refusal-text.ts';

/** questions[1].options[0].code → 问题 2 · 选项 1 · code */
const FORM_REFUSALS = ['questions_range', 'not_object', 'id_format', 'id_twice', 'length_range', 'text_has_options', 'needs_options', 'code_twice', 'tag_id'] as const;
/** A question's or option's setting by the placeholder or heading the builder shows it with. */
const FIELD_LABELS: Record<string, MessageKey> = {
  id: 'forms.questionId', text: 'forms.questionText', type: 'forms.refusal.type', options: 'forms.refusal.options',
  code: 'forms.code', label: 'forms.label', tagId: 'forms.tag', name: 'forms.name', description: 'forms.description', status: 'forms.status',
};

/** 「问题 2 · 选项 1 · 编码：已在本题用过 A」 rather than questions[1].options[0].code: repeats … */
function refusalLine(d: ErrorDetail, t: ReturnType<typeof useT>): string {
  const parts = pathParts(d.path);
  const names: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? '';
    const n = Number(parts[i + 1]);
    if ((part === 'questions' || part === 'options') && Number.isInteger(n)) {
      names.push(t(part === 'questions' ? 'forms.questionN' : 'forms.optionN', { n: n + 1 }));
      i += 1;
    } else if (FIELD_LABELS[part]) names.push(t(FIELD_LABELS[part]).replace(/，.*$/, ''));
  }
  const reason = reasonText(t, d, { codes: FORM_REFUSALS, keyOf: (code) => `forms.refusal.${code}` });
  return names.length > 0 ? t('refusal.named', { field: names.join(' · '), reason }) : reason;
}

export default function FormBuilderPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { id } = useParams();
  const existing = useRemote((signal) => (id ? api.form(id, { signal }) : Promise.resolve(undefined)), [id]);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [status, setStatus] = useState<FormStatus>('published');
  const [questions, setQuestions] = useState<FormQuestion[]>(() => [newQuestion([])]);
  const [problem, setProblem] = useState<{ message: string; details: string[] }>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const form = existing.data;
    if (!form) return;
    setName(form.name);
    setDescription(form.description);
    setStatus(form.status);
    setQuestions(form.questions);
  }, [existing.data]);

  const setQuestion = (index: number, question: FormQuestion) => setQuestions((qs) => qs.map((q, i) => (i === index ? question : q)));
  const move = (index: number, by: -1 | 1) =>
    setQuestions((qs) => {
      const next = [...qs];
      const [moved] = next.splice(index, 1);
      if (moved) next.splice(index + by, 0, moved);
      return next;
    });

  const save = async () => {
    setProblem(undefined);
    if (!name.trim()) return setProblem({ message: t('forms.nameRequired'), details: [] });
    setSaving(true);
    try {
      const input = { name: name.trim(), description: description.trim(), status, questions: cleanQuestions(questions) };
      const saved = id ? await api.updateForm(id, input) : await api.createForm(input);
      message.success(t('forms.saved'));
      navigate(`/forms/${saved.id}`);
    } catch (err) {
      if (err instanceof ApiError) {
        const details = err.details.map((d) => refusalLine(d, t));
        setProblem({ message: details[0] ?? errorText(t, err), details });
      }
      else setProblem({ message: errorText(t, err), details: [] });
    } finally {
      setSaving(false);
    }
  };

  const crumbs = <Breadcrumb className="page-crumbs" items={[{ title: <Link to="/forms">{t('forms.title')}</Link> }, { title: id ? t('forms.edit') : t('forms.new') }]} />;
  if (existing.error) {
    return (
      <div className="page">
        <PageHeader before={crumbs} title={t('forms.edit')} />
        <LoadError error={existing.error} onRetry={existing.reload} />
      </div>
    );
  }

  return (
    <div className="page" data-testid="form-builder">
      <PageHeader
        before={crumbs}
        title={id ? t('forms.edit') : t('forms.new')}
        subtitle={t('forms.builderHelp')}
        extra={
          <Button type="primary" onClick={() => void save()} loading={saving} data-testid="form-save">
            {t('common.save')}
          </Button>
        }
      />
      {id && !existing.data ? (
        <Card variant="borderless" className="panel"><Skeleton active /></Card>
      ) : (
        <>
          <Card variant="borderless" className="panel">
            <Form layout="vertical" className="form-meta">
              <Form.Item label={t('forms.name')} required>
                <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder={t('forms.namePlaceholder')} data-testid="form-name" />
              </Form.Item>
              <Form.Item label={t('forms.description')}>
                <Input.TextArea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} autoSize={{ minRows: 1, maxRows: 4 }} />
              </Form.Item>
              <Form.Item label={t('forms.status')} extra={t('forms.statusHelp')}>
                <Segmented<FormStatus>
                  value={status}
                  onChange={setStatus}
                  options={[
                    { value: 'draft', label: t('forms.draft') },
                    { value: 'published', label: t('forms.published') },
                    { value: 'closed', label: t('forms.closed') },
                  ]}
                />
              </Form.Item>
            </Form>
          </Card>
          {questions.map((question, index) => (
            <QuestionEditor
              key={index}
              index={index}
              count={questions.length}
              question={question}
              tagGroups={tagGroups.data?.items ?? []}
              onChange={(q) => setQuestion(index, q)}
              onMove={(by) => move(index, by)}
              onRemove={() => setQuestions((qs) => qs.filter((_, i) => i !== index))}
            />
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => setQuestions((qs) => [...qs, newQuestion(qs)])} block data-testid="question-add">
            {t('forms.addQuestion')}
          </Button>
          {problem && (
            <Alert
              type="error"
              showIcon
              title={problem.message}
              description={problem.details.length > 1 ? <ul className="problem-list">{problem.details.map((d) => <li key={d}>{d}</li>)}</ul> : undefined}
              data-testid="form-problem"
            />
          )}
          <div className="form-actions">
            <Button onClick={() => navigate('/forms')}>{t('common.cancel')}</Button>
            <Button type="primary" onClick={() => void save()} loading={saving}>{t('common.save')}</Button>
          </div>
        </>
      )}
    </div>
  );
}
