// Issue a template's coupons to everyone with a tag or in a segment (a background job), and the
// template's past issue jobs.
import { useMemo, useState } from 'react';
import { App, Alert, Form, List, Modal, Radio, Select, Tag } from 'antd';
import { api } from '../../api.ts';
import { promotionsApi, type CouponTemplate, type IssueJob } from '../../api-promotions.ts';
import { segmentsApi } from '../../api-segments.ts';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

const JOB_COLORS: Record<IssueJob['status'], string> = { queued: 'default', running: 'blue', done: 'green', failed: 'red' };

export function IssueModal({ template, onClose }: { template: CouponTemplate; onClose: () => void }) {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const [targetKind, setTargetKind] = useState<'tag' | 'segment'>('tag');
  const [targetId, setTargetId] = useState<string>();
  const [saving, setSaving] = useState(false);
  // One request key per opening of the dialog: a double click issues once.
  const requestKey = useMemo(() => `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, []);
  const groups = useRemote((signal) => api.tagGroups({ signal }), []);
  const jobs = useRemote((signal) => promotionsApi.issueJobs(template.id, { signal }), [template.id]);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const liveSegments = (segments.data?.items ?? []).filter((s) => s.status === 'active');
  const targetName = new Map([
    ...(groups.data?.items ?? []).flatMap((g) => g.tags.map((tag) => [tag.id, `${g.name} / ${tag.name}`] as const)),
    ...(segments.data?.items ?? []).map((s) => [s.id, `${t('promo.issue.segment')} / ${s.name}`] as const),
  ]);

  const submit = async () => {
    if (!targetId) return;
    setSaving(true);
    try {
      await promotionsApi.createIssueJob(template.id, { targetKind, targetId: targetId.trim(), requestKey });
      void message.success(t('promo.issue.queued'));
      jobs.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('promo.issue.title', { name: template.name })} onCancel={onClose} onOk={() => void submit()} okButtonProps={{ disabled: !targetId }} confirmLoading={saving} okText={t('promo.coupon.issue')} width={620} destroyOnHidden>
      <Alert type="info" showIcon title={t('promo.issue.hint')} style={{ marginBottom: 16 }} />
      <Form layout="vertical">
        <Form.Item label={t('promo.issue.target')}>
          <Radio.Group value={targetKind} onChange={(e) => { setTargetKind(e.target.value as 'tag' | 'segment'); setTargetId(undefined); }} optionType="button"
            options={[{ value: 'tag', label: t('promo.issue.tag') }, { value: 'segment', label: t('promo.issue.segment') }]} />
        </Form.Item>
        {targetKind === 'tag' ? (
          <Form.Item label={t('promo.issue.pickTag')}>
            <Select showSearch optionFilterProp="label" value={targetId} onChange={setTargetId} loading={groups.loading} data-testid="issue-tag"
              options={(groups.data?.items ?? []).map((g) => ({ label: g.name, options: g.tags.map((tag) => ({ value: tag.id, label: `${tag.name} (${formatCount(tag.customerCount)})` })) }))} />
          </Form.Item>
        ) : (
          <Form.Item label={t('promo.issue.pickSegment')}>
            <Select showSearch optionFilterProp="label" value={targetId} onChange={setTargetId} loading={segments.loading} data-testid="issue-segment"
              options={liveSegments.map((s) => ({ value: s.id, label: `${s.name} (${formatCount(s.size)})` }))} />
          </Form.Item>
        )}
      </Form>
      {(jobs.data?.items.length ?? 0) > 0 && (
        <List
          size="small"
          header={t('promo.issue.jobs')}
          dataSource={jobs.data?.items ?? []}
          renderItem={(j) => (
            <List.Item>
              <span>
                <Tag color={JOB_COLORS[j.status]} variant="filled">{t(`promo.job.${j.status}`)}</Tag>
                {t('promo.issue.job', { target: targetName.get(j.targetId) ?? j.targetId.slice(0, 8), issued: formatCount(j.issued), skipped: formatCount(j.skipped) })}
                {j.error && <span className="muted"> · {j.error}</span>}
              </span>
              <span className="muted num nowrap">{formatDateTime(j.createdAt, zone)}</span>
            </List.Item>
          )}
        />
      )}
    </Modal>
  );
}
