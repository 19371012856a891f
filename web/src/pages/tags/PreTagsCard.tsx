// Pre-tags: tag people before they are ever seen — paste phone numbers or unionids, pick tags;
// each applies when a customer with that identity appears (at once for people already known).
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Table, Tag, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, type IdentityKind, type PreTag, type TagGroup } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { identityKindLabel } from '../../labels.ts';
import { IDENTITY_KINDS } from './rule-form.ts';
import { renderTagOption, tagSelectOptions } from './tag-options.tsx';
import { errorText } from '../../refusal-text.ts';

const PAGE_SIZE = 10;

/** Values pasted from a spreadsheet or a chat: one per line, or separated by commas, spaces or semicolons. */
export function pastedValues(text: string): string[] {
  return [...new Set(text.split(/[\s,;，；]+/).map((v) => v.trim()).filter(Boolean))];
}

function PreTagModal({ tagGroups, onClose, onSaved }: { tagGroups: TagGroup[]; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [kind, setKind] = useState<IdentityKind>('phone');
  const [text, setText] = useState('');
  const [tagIds, setTagIds] = useState<string[]>([]);
  const [problem, setProblem] = useState<string>();
  const [saving, setSaving] = useState(false);
  const values = pastedValues(text);

  const save = async () => {
    setSaving(true);
    setProblem(undefined);
    try {
      const result = await api.createPreTags({ kind, values, tagIds });
      message.success(t('pretags.saved', { created: formatCount(result.created), applied: formatCount(result.applied) }));
      onSaved();
    } catch (err) {
      setProblem(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('pretags.new')}
      okText={t('pretags.create', { count: formatCount(values.length) })}
      okButtonProps={{ disabled: values.length === 0 || tagIds.length === 0 }}
      confirmLoading={saving}
      onOk={() => void save()}
      onCancel={onClose}
    >
      <Form layout="vertical">
        <Form.Item label={t('pretags.kind')}>
          <Select<IdentityKind> value={kind} onChange={setKind} options={IDENTITY_KINDS.map((k) => ({ value: k, label: identityKindLabel(t, k) }))} />
        </Form.Item>
        <Form.Item label={t('pretags.values')} extra={t('pretags.valuesHelp', { count: formatCount(values.length) })}>
          <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 4, maxRows: 10 }} placeholder={t('pretags.valuesPlaceholder')} data-testid="pretag-values" />
        </Form.Item>
        <Form.Item label={t('pretags.tags')}>
          <Select mode="multiple" value={tagIds} onChange={setTagIds} showSearch={{ optionFilterProp: 'label' }} options={tagSelectOptions(tagGroups, { manualOnly: true })} optionRender={renderTagOption} data-testid="pretag-tags" />
        </Form.Item>
        {problem && <Alert type="error" showIcon title={problem} />}
      </Form>
    </Modal>
  );
}

export function PreTagsCard({ tagGroups, zone, onChanged }: { tagGroups: TagGroup[]; zone: string; onChanged: () => void }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  const preTags = useRemote((signal) => api.preTags({ page, pageSize: PAGE_SIZE }, { signal }), [page, version]);

  const columns: TableColumnsType<PreTag> = [
    {
      title: t('pretags.value'),
      key: 'value',
      render: (_v, p) => (
        <div className="cell-stack">
          <span className="num">{p.kind === 'phone' ? maskPhone(p.value) : p.value}</span>
          <span className="muted cell-note">{identityKindLabel(t, p.kind)}</span>
        </div>
      ),
    },
    { title: t('pretags.tag'), dataIndex: 'tagName', render: (name: string) => <Tag>{name}</Tag> },
    {
      title: t('pretags.status'),
      key: 'status',
      render: (_v, p) =>
        p.appliedAt ? (
          <span className="cell-stack">
            <Tag color="green" variant="filled">{t('pretags.applied')}</Tag>
            {p.appliedCustomerId && <Link to={`/customers/${p.appliedCustomerId}`} className="cell-note">{formatDateTime(p.appliedAt, zone)}</Link>}
          </span>
        ) : (
          <Tag variant="filled">{t('pretags.pending')}</Tag>
        ),
    },
    { title: t('pretags.created'), dataIndex: 'createdAt', responsive: ['md'], render: (iso: string) => <span className="num muted nowrap">{formatDateTime(iso, zone)}</span> },
  ];

  return (
    <Card
      variant="borderless"
      className="panel"
      title={t('pretags.title')}
      extra={<Button size="small" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="pretag-new">{t('pretags.new')}</Button>}
      data-testid="pretags"
    >
      <p className="muted card-intro">{t('pretags.intro')}</p>
      {preTags.error && <LoadError error={preTags.error} onRetry={preTags.reload} />}
      <Table<PreTag>
        rowKey={(p) => `${p.kind}:${p.value}:${p.tagId}`}
        size="small"
        columns={columns}
        dataSource={preTags.data?.items ?? []}
        loading={preTags.loading}
        locale={{ emptyText: t('pretags.empty') }}
        pagination={(preTags.data?.total ?? 0) > PAGE_SIZE && { current: page, pageSize: PAGE_SIZE, total: preTags.data?.total ?? 0, showSizeChanger: false, onChange: setPage }}
      />
      {open && (
        <PreTagModal
          tagGroups={tagGroups}
          onClose={() => setOpen(false)}
          onSaved={() => {
            setOpen(false);
            setPage(1);
            setVersion((v) => v + 1);
            onChanged();
          }}
        />
      )}
    </Card>
  );
}
