// 问卷: questionnaires whose answers code tags (seed 003, 高姿's 密码本: option "3" = 痘痘 →
// 肤质:痘痘肌). The list, with how many answered each; open one to edit it or read its results.
import { Button, Card, Grid, Space, Table, Tag, type TableColumnsType } from 'antd';
import { BarChartOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { api, type FormStatus, type Questionnaire } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { formStatusLabel } from '../../labels.ts';
import { useTenantZone } from '../../session.tsx';

export const STATUS_COLORS: Record<FormStatus, string> = { draft: 'default', published: 'green', closed: 'orange' };

export default function FormsPage() {
  const t = useT();
  const zone = useTenantZone();
  const navigate = useNavigate();
  const compact = Grid.useBreakpoint().md === false;
  const forms = useRemote((signal) => api.forms({ signal }), []);

  const statusTag = (status: FormStatus) => <Tag color={STATUS_COLORS[status]} variant="filled">{formStatusLabel(t, status)}</Tag>;
  const coded = (f: Questionnaire) => f.questions.reduce((n, q) => n + q.options.filter((o) => o.tagId).length, 0);
  const columns: TableColumnsType<Questionnaire> = [
    {
      title: t('forms.name'),
      key: 'name',
      render: (_v, f) => (
        <div className="cell-stack">
          <Link to={`/forms/${f.id}`} data-testid="form-link">{f.name}</Link>
          {compact ? statusTag(f.status) : f.description && <span className="muted cell-note">{f.description}</span>}
        </div>
      ),
    },
    { title: t('forms.status'), dataIndex: 'status', width: 90, responsive: ['md'], render: statusTag },
    { title: t('forms.questions'), key: 'questions', width: 110, align: 'right', responsive: ['md'], render: (_v, f) => <span className="num">{formatCount(f.questions.length)}</span> },
    { title: t('forms.coded'), key: 'coded', width: 110, align: 'right', responsive: ['lg'], render: (_v, f) => <span className="num">{formatCount(coded(f))}</span> },
    { title: t('forms.submissions'), dataIndex: 'submissionCount', width: compact ? 70 : 110, align: 'right', render: (n: number) => <span className="num">{formatCount(n)}</span> },
    { title: t('forms.created'), dataIndex: 'createdAt', width: 150, responsive: ['lg'], render: (iso: string) => <span className="num muted nowrap">{formatDateTime(iso, zone)}</span> },
    {
      title: '',
      key: 'actions',
      width: compact ? 80 : 170,
      align: 'right',
      render: (_v, f) => (
        <Space size={4}>
          <Button size="small" icon={<EditOutlined />} onClick={() => navigate(`/forms/${f.id}/edit`)} aria-label={t('common.edit')}>{compact ? null : t('common.edit')}</Button>
          <Button size="small" icon={<BarChartOutlined />} onClick={() => navigate(`/forms/${f.id}`)} aria-label={t('forms.results')}>{compact ? null : t('forms.results')}</Button>
        </Space>
      ),
    },
  ];

  return (
    <div className="page" data-testid="forms-page">
      <PageHeader
        title={t('forms.title')}
        subtitle={t('forms.subtitle')}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/forms/new')} data-testid="form-new">{t('forms.new')}</Button>}
      />
      <Card variant="borderless" className="panel">
        {forms.error && <LoadError error={forms.error} onRetry={forms.reload} />}
        <Table<Questionnaire>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={forms.data?.items ?? []}
          loading={forms.loading}
          locale={{ emptyText: forms.loading ? ' ' : t('forms.empty') }}
          pagination={false}
        />
      </Card>
    </div>
  );
}
