// 自动回复与群规: keyword/regex auto-replies and banned-word/link rules for all groups or one, and
// the log of what they did. A refused pattern shows the reason under the field.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Switch, Table, Tag } from 'antd';
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { ApiError, type ErrorDetail } from '../../api.ts';
import { groupsApi, type GroupRule, type GroupRuleInput, type ModerationEntry, type RuleAction, type RuleKind, type RuleMatch } from '../../api-groups.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { reasonText } from '../../refusal-text.ts';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { validValues } from '../../form-values.ts';

const ACTIONS_OF: Record<RuleKind, RuleAction[]> = { auto_reply: ['reply'], banned_word: ['flag', 'remove'], link: ['flag', 'remove'] };
const MATCHES_OF: Record<RuleKind, RuleMatch[]> = { auto_reply: ['keyword', 'regex'], banned_word: ['keyword', 'regex'], link: ['any_link', 'keyword', 'regex'] };

const PROBLEMS = ['empty', 'too_long', 'invalid_regex', 'slow_regex', 'auto_reply_replies', 'moderation_acts', 'any_link_for_links'] as const;

const problemText = (t: Translate, d: ErrorDetail): string => reasonText(t, d, { codes: PROBLEMS, keyOf: (code) => `groups.rules.problem.${code}` });

export default function GroupRulesPage() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('groups:write');
  const [refresh, setRefresh] = useState(0);
  const rules = useRemote((signal) => groupsApi.rules(undefined, { signal }), [refresh]);
  const log = useRemote((signal) => groupsApi.moderationLog({ limit: 50 }, { signal }), [refresh]);
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<GroupRuleInput>();
  const kind = Form.useWatch('kind', form) ?? 'auto_reply';
  const match = Form.useWatch('match', form);

  const save = async () => {
    const values = await validValues(form);
    if (!values) return;
    setSaving(true);
    try {
      await groupsApi.createRule(values);
      message.success(t('groups.rules.saved'));
      setOpen(false);
      form.resetFields();
      setRefresh((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => ({ name: d.path.replace(/^body\./, ''), errors: [problemText(t, d)] })) as Parameters<typeof form.setFields>[0]);
      } else throw err;
    } finally {
      setSaving(false);
    }
  };

  const toggle = async (rule: GroupRule, active: boolean) => {
    await groupsApi.updateRule(rule.id, { active });
    setRefresh((n) => n + 1);
  };

  return (
    <div className="page" data-testid="group-rules-page">
      <PageHeader
        before={<Link to="/groups" className="page-back"><ArrowLeftOutlined /> {t('groups.detail.back')}</Link>}
        title={t('groups.rules.title')} subtitle={t('groups.rules.subtitle')}
        extra={canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="rule-new">{t('groups.rules.new')}</Button>}
      />
      {rules.error && <LoadError error={rules.error} onRetry={rules.reload} />}
      <Card variant="borderless" className="panel">
        <Table<GroupRule> rowKey="id" dataSource={rules.data?.items ?? []} loading={rules.loading} pagination={false} locale={{ emptyText: t('groups.rules.empty') }}
          columns={[
            { title: t('groups.rules.col.name'), key: 'name', render: (_, r) => <><span>{r.name}</span>{r.replyTemplate && <div className="page-subtitle">{r.replyTemplate}</div>}</> },
            { title: t('groups.rules.col.kind'), key: 'kind', render: (_, r) => <Tag color={r.kind === 'auto_reply' ? 'blue' : 'volcano'}>{t(`groups.rules.kind.${r.kind}` as MessageKey)}</Tag> },
            { title: t('groups.rules.col.match'), key: 'match', render: (_, r) => <>{t(`groups.rules.match.${r.match}` as MessageKey)} {r.pattern && <code>{r.pattern}</code>}</> },
            { title: t('groups.rules.col.action'), key: 'action', render: (_, r) => t(`groups.rules.action.${r.action}` as MessageKey) },
            { title: t('groups.rules.col.scope'), key: 'scope', render: (_, r) => (r.groupId ? <Link to={`/groups/${r.groupId}`}>{r.groupId.slice(0, 8)}</Link> : t('groups.rules.allGroups')) },
            { title: t('groups.rules.col.active'), key: 'active', render: (_, r) => <Switch size="small" checked={r.active} disabled={!canWrite} onChange={(v) => void toggle(r, v)} /> },
            ...(canWrite ? [{ title: '', key: 'delete', render: (_: unknown, r: GroupRule) => (
              <Popconfirm title={t('groups.rules.delete')} onConfirm={async () => { await groupsApi.deleteRule(r.id); setRefresh((n) => n + 1); }}><a>{t('groups.rules.delete')}</a></Popconfirm>
            ) }] : []),
          ]} />
      </Card>
      <Card variant="borderless" className="panel" title={t('groups.rules.log')} style={{ marginTop: 16 }}>
        <Table<ModerationEntry> rowKey="id" size="small" dataSource={log.data?.items ?? []} loading={log.loading} pagination={false} locale={{ emptyText: t('groups.rules.log.empty') }}
          columns={[
            { title: t('groups.rules.log.at'), key: 'at', render: (_, e) => formatDateTime(e.at, zone) },
            { title: t('groups.rules.log.group'), key: 'group', render: (_, e) => <Link to={`/groups/${e.groupId}`}>{e.groupName || e.groupId.slice(0, 8)}</Link> },
            { title: t('groups.rules.log.customer'), key: 'customer', render: (_, e) => (e.customerId ? <Link to={`/customers/${e.customerId}`}>{e.customerName || e.customerId.slice(0, 8)}</Link> : '—') },
            { title: t('groups.rules.log.rule'), key: 'rule', render: (_, e) => e.ruleName ?? '—' },
            { title: t('groups.rules.log.action'), key: 'action', render: (_, e) => <Tag color={e.action === 'reply' ? 'blue' : 'red'}>{t(`groups.rules.action.${e.action}` as MessageKey)}</Tag> },
            { title: '', key: 'excerpt', render: (_, e) => <span className="page-subtitle">{typeof e.detail.excerpt === 'string' ? e.detail.excerpt : ''}</span> },
          ]} />
      </Card>
      <Modal open={open} title={t('groups.rules.new')} onCancel={() => setOpen(false)} onOk={() => void save()} confirmLoading={saving} okText={t('groups.rules.form.save')} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ kind: 'auto_reply', match: 'keyword', action: 'reply' }}
          onValuesChange={(changed: Partial<GroupRuleInput>) => {
            if (changed.kind) form.setFieldsValue({ action: ACTIONS_OF[changed.kind][0], match: MATCHES_OF[changed.kind][0] });
          }}>
          <Form.Item name="name" label={t('groups.rules.form.name')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
          <Form.Item name="kind" label={t('groups.rules.col.kind')}>
            <Select options={(['auto_reply', 'banned_word', 'link'] as RuleKind[]).map((k) => ({ value: k, label: t(`groups.rules.kind.${k}` as MessageKey) }))} />
          </Form.Item>
          <Form.Item name="match" label={t('groups.rules.col.match')}>
            <Select options={MATCHES_OF[kind].map((m) => ({ value: m, label: t(`groups.rules.match.${m}` as MessageKey) }))} />
          </Form.Item>
          {match !== 'any_link' && <Form.Item name="pattern" label={t('groups.rules.form.pattern')} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>}
          <Form.Item name="action" label={t('groups.rules.col.action')}>
            <Select options={ACTIONS_OF[kind].map((a) => ({ value: a, label: t(`groups.rules.action.${a}` as MessageKey) }))} />
          </Form.Item>
          {kind === 'auto_reply' && <Form.Item name="replyTemplate" label={t('groups.rules.form.reply')} rules={[{ required: true }]}><Input.TextArea rows={3} maxLength={1000} /></Form.Item>}
        </Form>
      </Modal>
    </div>
  );
}
