// 自动邀请入群: rules that invite the customers of a tag or segment, who are in no active group of a
// kind, into one at their store. Each invitation is a task for the group's owner (only a person can
// invite in WeCom); full groups roll over to the next of their series. Active rules run every
// night; 立即执行 runs one now and says what it did.
import { useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Segmented, Select, Switch, Table, Tag } from 'antd';
import { ArrowLeftOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, ApiError, type TagView } from '../../api.ts';
import { groupsApi, type GroupKind, type InviteRule, type InviteRuleInput } from '../../api-groups.ts';
import { segmentsApi } from '../../api-segments.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { reasonText } from '../../refusal-text.ts';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { tagSelectOptions, tagsById } from '../tags/tag-options.tsx';
import { validValues } from '../../form-values.ts';

const KINDS: GroupKind[] = ['value', 'interest', 'group_buy', 'vip', 'service', 'other'];

type Audience = 'tag' | 'segment';

const tagName = (tag: TagView | undefined): string | undefined => (tag ? `${tag.groupName}:${tag.name}` : undefined);
interface Values { name: string; audience: Audience; tagId?: string; segmentId?: string; kind: GroupKind; storeId?: string }

export default function GroupInvitesPage() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('groups:write');
  const [refresh, setRefresh] = useState(0);
  const rules = useRemote((signal) => groupsApi.inviteRules({ signal }), [refresh]);
  const tags = useRemote((signal) => api.tagGroups({ signal }), []);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [running, setRunning] = useState<string>();
  const [form] = Form.useForm<Values>();
  const audience = Form.useWatch('audience', form) ?? 'tag';

  const names = useMemo(() => ({
    tag: tagsById(tags.data?.items ?? []),
    segment: new Map((segments.data?.items ?? []).map((s) => [s.id, s.name])),
    store: new Map((stores.data?.items ?? []).map((s) => [s.id, s.name])),
  }), [tags.data, segments.data, stores.data]);

  const save = async () => {
    const v = await validValues(form);
    if (!v) return;
    const input: InviteRuleInput = {
      name: v.name, kind: v.kind, storeId: v.storeId ?? null,
      ...(v.audience === 'tag' ? { tagId: v.tagId ?? null } : { segmentId: v.segmentId ?? null }),
    };
    setSaving(true);
    try {
      await groupsApi.createInviteRule(input);
      message.success(t('groups.invites.saved'));
      setOpen(false);
      form.resetFields();
      setRefresh((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => ({ name: d.path.replace(/^body\./, '') as keyof Values, errors: [reasonText(t, d)] })));
      } else throw err;
    } finally {
      setSaving(false);
    }
  };

  const run = async (rule: InviteRule) => {
    setRunning(rule.id);
    try {
      const r = await groupsApi.runInviteRule(rule.id);
      const parts = [t('groups.invites.ran', { invited: formatCount(r.invited) })];
      if (r.groupsCreated.length > 0) parts.push(t('groups.invites.rolledOver', { groups: r.groupsCreated.map((g) => g.name).join('、') }));
      if (r.unrouted > 0) parts.push(t('groups.invites.unrouted', { count: formatCount(r.unrouted) }));
      message.success(parts.join('；'));
      setRefresh((n) => n + 1);
    } finally {
      setRunning(undefined);
    }
  };

  const toggle = async (rule: InviteRule, active: boolean) => {
    await groupsApi.setInviteRuleActive(rule.id, active);
    setRefresh((n) => n + 1);
  };

  return (
    <div className="page" data-testid="group-invites-page">
      <PageHeader
        before={<Link to="/groups" className="page-back"><ArrowLeftOutlined /> {t('groups.detail.back')}</Link>}
        title={t('groups.invites.title')} subtitle={t('groups.invites.subtitle')}
        extra={canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="invite-new">{t('groups.invites.new')}</Button>}
      />
      {rules.error && <LoadError error={rules.error} onRetry={rules.reload} />}
      <Card variant="borderless" className="panel">
        <Table<InviteRule> rowKey="id" dataSource={rules.data?.items ?? []} loading={rules.loading} pagination={false} locale={{ emptyText: t('groups.invites.empty') }}
          data-testid="invite-rules"
          columns={[
            { title: t('groups.invites.col.name'), key: 'name', render: (_, r) => r.name },
            {
              title: t('groups.invites.col.audience'), key: 'audience', render: (_, r) => (r.tagId
                ? <><Tag>{t('groups.invites.tag')}</Tag>{tagName(names.tag.get(r.tagId)) ?? r.tagId.slice(0, 8)}</>
                : <><Tag color="blue">{t('groups.invites.segment')}</Tag>{names.segment.get(r.segmentId ?? '') ?? (r.segmentId ?? '').slice(0, 8)}</>),
            },
            { title: t('groups.invites.col.kind'), key: 'kind', render: (_, r) => t(`groups.kind.${r.kind}` as MessageKey) },
            { title: t('groups.invites.col.store'), key: 'store', render: (_, r) => (r.storeId ? names.store.get(r.storeId) ?? r.storeId.slice(0, 8) : t('groups.invites.ownStore')) },
            { title: t('groups.invites.col.lastRun'), key: 'lastRun', render: (_, r) => (r.lastRunAt ? formatDateTime(r.lastRunAt, zone) : '—') },
            { title: t('groups.invites.col.active'), key: 'active', render: (_, r) => <Switch size="small" checked={r.active} disabled={!canWrite} onChange={(v) => void toggle(r, v)} /> },
            ...(canWrite ? [{
              title: '', key: 'run', render: (_: unknown, r: InviteRule) => (
                <Button size="small" icon={<PlayCircleOutlined />} loading={running === r.id} onClick={() => void run(r)} data-testid="invite-run">{t('groups.invites.run')}</Button>
              ),
            }] : []),
          ]} />
      </Card>
      <Modal open={open} title={t('groups.invites.new')} onCancel={() => setOpen(false)} onOk={() => void save()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
        <Form<Values> form={form} layout="vertical" initialValues={{ audience: 'tag', kind: 'value' }}>
          <Form.Item name="name" label={t('groups.invites.col.name')} rules={[{ required: true, whitespace: true, message: t('groups.invites.nameRequired') }]}>
            <Input maxLength={100} placeholder={t('groups.invites.namePlaceholder')} data-testid="invite-name" />
          </Form.Item>
          <Form.Item name="audience" label={t('groups.invites.col.audience')}>
            <Segmented<Audience> options={[{ value: 'tag', label: t('groups.invites.tag') }, { value: 'segment', label: t('groups.invites.segment') }]} data-testid="invite-audience" />
          </Form.Item>
          {audience === 'tag'
            ? (
              <Form.Item name="tagId" label={t('groups.invites.tag')} rules={[{ required: true, message: t('groups.invites.pickTag') }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={tagSelectOptions(tags.data?.items ?? [])} data-testid="invite-tag" />
              </Form.Item>
            )
            : (
              <Form.Item name="segmentId" label={t('groups.invites.segment')} rules={[{ required: true, message: t('groups.invites.pickSegment') }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={(segments.data?.items ?? []).filter((s) => s.status === 'active').map((s) => ({ value: s.id, label: s.name }))} data-testid="invite-segment" />
              </Form.Item>
            )}
          <Form.Item name="kind" label={t('groups.invites.col.kind')} extra={t('groups.invites.kindHelp')}>
            <Select options={KINDS.map((k) => ({ value: k, label: t(`groups.kind.${k}` as MessageKey) }))} data-testid="invite-kind" />
          </Form.Item>
          <Form.Item name="storeId" label={t('groups.invites.col.store')} extra={t('groups.invites.storeHelp')}>
            <Select allowClear placeholder={t('groups.invites.ownStore')} options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
