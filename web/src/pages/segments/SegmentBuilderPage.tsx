// 新建 / 编辑人群: nested and/or/not groups of conditions, a live (debounced) count and sample from
// the server's preview, and save (a changed definition becomes a new version).
import { useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, Skeleton, Space } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, type CustomerSummary } from '../../api.ts';
import { segmentsApi } from '../../api-segments.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { Choices } from './ConditionRow.tsx';
import { GroupEditor } from './GroupEditor.tsx';
import { MembersTable } from './MembersTable.tsx';
import { emptyGroup, fromDraft, toDraft, type DraftGroup } from './segment-draft.ts';
import './segments.css';
import { segmentRefusalText } from './segment-refusals.ts';
import { pathParts } from '../../labels.ts';
import { errorText, reasonText } from '../../refusal-text.ts';

type Preview = { state: 'loading' } | { state: 'done'; count: number; sample: CustomerSummary[] } | { state: 'invalid'; message: string };

export default function SegmentBuilderPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { id } = useParams();
  const existing = useRemote((signal) => (id ? segmentsApi.get(id, { signal }) : Promise.resolve(undefined)), [id]);
  const stores = useRemote((signal) => api.stores({ signal }), []);
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [draft, setDraft] = useState<DraftGroup>();
  const [preview, setPreview] = useState<Preview>({ state: 'loading' });
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (id && !existing.data) return;
    setName(existing.data?.name ?? '');
    setDescription(existing.data?.description ?? '');
    setDraft(existing.data ? toDraft(existing.data.definition) : emptyGroup());
  }, [id, existing.data]);

  const choices = useMemo<Choices>(() => ({
    stores: (stores.data?.items ?? []).map((s) => ({ value: s.id, label: s.name })),
    staff: (staff.data?.items ?? []).map((s) => ({ value: s.id, label: s.name })),
    tags: (tagGroups.data?.items ?? []).map((g) => ({ label: g.name, options: g.tags.map((tag) => ({ value: tag.id, label: tag.name })) })),
    segments: (segments.data?.items ?? []).filter((s) => s.id !== id).map((s) => ({ value: s.id, label: s.name })),
  }), [stores.data, staff.data, tagGroups.data, segments.data, id]);

  const definition = useMemo(() => (draft ? fromDraft(draft) : undefined), [draft]);
  const key = JSON.stringify(definition ?? null);

  // Preview 400 ms after the last change; a newer change aborts the older request.
  useEffect(() => {
    if (!definition) return;
    const controller = new AbortController();
    setPreview({ state: 'loading' });
    const timer = setTimeout(() => {
      segmentsApi.preview(definition, { signal: controller.signal })
        .then((r) => { if (!controller.signal.aborted) setPreview({ state: 'done', count: r.count, sample: r.sample }); })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          const detail = err instanceof ApiError ? err.details[0] : undefined;
          setPreview({ state: 'invalid', message: detail ? segmentRefusalText(t, detail, definition) : errorText(t, err) });
        });
    }, 400);
    return () => { clearTimeout(timer); controller.abort(); };
  }, [key]);

  const save = async () => {
    if (!definition) return;
    if (!name.trim()) { message.error(t('segments.builder.nameRequired')); return; }
    setSaving(true);
    try {
      const input = { name: name.trim(), description, definition };
      const saved = id ? await segmentsApi.update(id, input) : await segmentsApi.create(input);
      message.success(t('segments.builder.saved', { count: formatCount(saved.size) }));
      navigate(`/segments/${saved.id}`);
    } catch (err) {
      const details = err instanceof ApiError ? err.details : [];
      if (details.length > 0) {
        // the name field is the page's own; the rest are conditions
        const reasons = details.map((d) => (pathParts(d.path)[0] === 'name' ? t('refusal.named', { field: t('segments.builder.name'), reason: reasonText(t, d) }) : segmentRefusalText(t, d, definition)));
        message.error(t('segments.refusal.saveFailed', { reason: reasons.join('；') }));
      } else message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const title = id ? t('segments.builder.editTitle', { name: existing.data?.name ?? '' }) : t('segments.builder.newTitle');
  return (
    <div className="page" data-testid="segment-builder">
      <PageHeader
        title={title}
        subtitle={id ? t('segments.builder.versionNote') : t('segments.subtitle')}
        before={<div className="page-crumbs"><Link to="/segments">{t('segments.title')}</Link></div>}
        extra={
          <Space>
            <Button onClick={() => navigate(id ? `/segments/${id}` : '/segments')}>{t('segments.builder.cancel')}</Button>
            <Button type="primary" loading={saving} onClick={save} data-testid="segment-save">{t('segments.builder.save')}</Button>
          </Space>
        }
      />
      <div className="segment-builder">
        <Card variant="borderless" className="panel" title={t('segments.builder.conditions')}>
          <Form layout="vertical">
            <Form.Item label={t('segments.builder.name')} required>
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder={t('segments.builder.namePlaceholder')} data-testid="segment-name" />
            </Form.Item>
            <Form.Item label={t('segments.builder.description')}>
              <Input.TextArea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} autoSize={{ minRows: 1, maxRows: 3 }} />
            </Form.Item>
          </Form>
          {draft ? <GroupEditor group={draft} choices={choices} onChange={setDraft} /> : <Skeleton active />}
        </Card>
        <Card variant="borderless" className="panel" title={t('segments.preview.title')}>
          {preview.state === 'loading' && <div className="segment-preview-count" style={{ color: '#8a929d' }}>{t('segments.preview.loading')}</div>}
          {preview.state === 'invalid' && <div className="segment-preview-error" data-testid="preview-error">{t('segments.preview.invalid', { message: preview.message })}</div>}
          {preview.state === 'done' && (
            <>
              <div className="segment-preview-count" data-testid="preview-count">{t('segments.preview.count', { count: formatCount(preview.count) })}</div>
              <div className="page-subtitle" style={{ margin: '12px 0 6px' }}>{t('segments.preview.sample')}</div>
              {preview.sample.length === 0 ? <div className="page-subtitle">{t('segments.preview.none')}</div> : <MembersTable rows={preview.sample} compact />}
            </>
          )}
        </Card>
      </div>
    </div>
  );
}
