// A questionnaire's results: how many answered, for each choice question how often each option
// was chosen (a bar per option, with its code and the tag it codes), and the latest submissions
// with links to the customers who sent them.
import { useMemo } from 'react';
import { Breadcrumb, Button, Card, Table, Tag, type TableColumnsType } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Answer, type FormResults, type Questionnaire } from '../../api.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { FullPageSpin } from '../../components/FullPageSpin.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, formatShare } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { formStatusLabel } from '../../labels.ts';
import { useTenantZone } from '../../session.tsx';
import { tagsById } from '../tags/tag-options.tsx';
import { STATUS_COLORS } from './FormsPage.tsx';

type QuestionResult = FormResults['questions'][number];

function OptionChart({ question }: { question: QuestionResult }) {
  const t = useT();
  const option = useMemo<ChartOption>(() => {
    // ECharts draws the first category at the bottom; reversed, the first option is on top.
    const rows = [...question.options].reverse();
    return {
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f4' } } },
      yAxis: { type: 'category', data: rows.map((o) => `${o.label}（${o.code}）`), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d9dee5' } } },
      series: [
        {
          type: 'bar',
          name: t('forms.chosen'),
          data: rows.map((o) => o.count),
          barMaxWidth: 22,
          itemStyle: { color: '#13a8a8', borderRadius: [0, 4, 4, 0] },
          label: { show: true, position: 'right', formatter: (p) => `${String(p.value)} · ${formatShare(Number(p.value), question.answered)}` },
        },
      ],
    };
  }, [question, t]);
  return <EChart option={option} height={Math.max(120, question.options.length * 40 + 24)} testId={`chart-${question.id}`} />;
}

/** The latest text answers of a question (from the recent submissions). */
function TextAnswers({ answers }: { answers: { id: string; text: string }[] }) {
  const t = useT();
  if (answers.length === 0) return <p className="muted">{t('forms.noAnswers')}</p>;
  return (
    <>
      <div className="muted">{t('forms.latestText')}</div>
      <ul className="text-answers">{answers.slice(0, 5).map((a) => <li key={a.id}>{a.text}</li>)}</ul>
    </>
  );
}

function answerText(form: Questionnaire, questionId: string, answer: Answer): string {
  const question = form.questions.find((q) => q.id === questionId);
  const label = (code: string) => question?.options.find((o) => o.code === code)?.label ?? code;
  if (!question || question.type === 'text') return typeof answer === 'string' ? answer : answer.join(', ');
  return (Array.isArray(answer) ? answer : [answer]).map(label).join('、');
}

export default function FormResultsPage() {
  const t = useT();
  const zone = useTenantZone();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const form = useRemote((signal) => api.form(id, { signal }), [id]);
  const results = useRemote((signal) => api.formResults(id, { signal }), [id]);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const tags = useMemo(() => tagsById(tagGroups.data?.items ?? []), [tagGroups.data]);

  const crumbs = <Breadcrumb className="page-crumbs" items={[{ title: <Link to="/forms">{t('forms.title')}</Link> }, { title: form.data?.name ?? t('forms.results') }]} />;
  const error = form.error ?? results.error;
  if (error) {
    return (
      <div className="page">
        <PageHeader before={crumbs} title={t('forms.results')} />
        <LoadError error={error} onRetry={() => { form.reload(); results.reload(); }} />
      </div>
    );
  }
  const f = form.data;
  const r = results.data;
  if (!f || !r || f.id !== id) return <FullPageSpin />;

  const recentColumns: TableColumnsType<FormResults['recent'][number]> = [
    { title: t('forms.submittedAt'), dataIndex: 'submittedAt', width: 150, render: (iso: string) => <span className="num nowrap">{formatDateTime(iso, zone)}</span> },
    {
      title: t('forms.customer'),
      key: 'customer',
      width: 140,
      render: (_v, s) => (s.customerId ? <Link to={`/customers/${s.customerId}`} data-testid="submission-customer">{s.customerName || t('customers.unnamed')}</Link> : <span className="muted">—</span>),
    },
    {
      title: t('forms.answers'),
      key: 'answers',
      responsive: ['md'],
      render: (_v, s) => (
        <span className="answer-summary">
          {f.questions.map((q, i) => {
            const answer = s.answers[q.id];
            return answer === undefined ? null : (
              <span key={q.id} title={q.text}><span className="muted">{`${i + 1}. `}</span>{answerText(f, q.id, answer)}</span>
            );
          })}
        </span>
      ),
    },
  ];

  return (
    <div className="page" data-testid="form-results">
      <PageHeader
        before={crumbs}
        title={<span className="title-with-tag">{f.name}<Tag color={STATUS_COLORS[f.status]} variant="filled">{formStatusLabel(t, f.status)}</Tag></span>}
        subtitle={t('forms.resultsSubtitle', { count: formatCount(r.submissions) })}
        extra={<Button icon={<EditOutlined />} onClick={() => navigate(`/forms/${f.id}/edit`)}>{t('common.edit')}</Button>}
      />
      <div className="results-grid">
        {r.questions.map((q, i) => (
          <Card
            key={q.id}
            variant="borderless"
            className="panel"
            title={<span className="question-title">{`${i + 1}. ${q.text}`}</span>}
            extra={<span className="muted">{t('forms.answered', { count: formatCount(q.answered) })}</span>}
            data-testid="question-result"
          >
            {q.type === 'text' ? (
              <TextAnswers answers={r.recent.flatMap((sub) => { const a = sub.answers[q.id]; return typeof a === 'string' && a.trim() ? [{ id: sub.id, text: a }] : []; })} />
            ) : q.answered === 0 ? (
              <p className="muted">{t('forms.noAnswers')}</p>
            ) : (
              <>
                <OptionChart question={q} />
                <div className="codebook">
                  {q.options.filter((o) => o.tagId).map((o) => {
                    const tag = o.tagId ? tags.get(o.tagId) : undefined;
                    return (
                      <span key={o.code} className="codebook-entry">
                        <span className="code-chip">{o.code}</span>→<Tag color={tag?.color}>{tag ? `${tag.groupName}:${tag.name}` : o.tagId}</Tag>
                      </span>
                    );
                  })}
                </div>
              </>
            )}
          </Card>
        ))}
      </div>
      <Card variant="borderless" className="panel" title={t('forms.recent')}>
        <Table rowKey="id" size="small" columns={recentColumns} dataSource={r.recent} pagination={false} locale={{ emptyText: t('forms.noSubmissions') }} />
      </Card>
    </div>
  );
}
