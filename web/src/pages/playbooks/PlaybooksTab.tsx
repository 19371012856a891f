// 运营方案: the four playbooks, the diagnosed model's first; a preview that shows every object and
// the names it will get, applying in one step, and the applied ones with undo.
import { useState } from 'react';
import { App, Button, Card, Col, List, Modal, Popconfirm, Row, Space, Table, Tag, Typography } from 'antd';
import { playbooksApi, type Application, type KpiKey, type OperatingModel, type PlaybookPreview, type Targets } from '../../api-playbooks.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

export function formatTarget(key: KpiKey, value: number): string {
  if (key === 'new_friends_per_store_week') return value.toFixed(value < 10 ? 1 : 0);
  if (key === 'member_day_lift') return `×${value.toFixed(2)}`;
  return `${Math.round(value * 100)}%`;
}

function TargetTags({ targets, t }: { targets: Targets; t: Translate }) {
  return (
    <Space size={[4, 4]} wrap>
      {(Object.entries(targets) as [KpiKey, number][]).map(([key, value]) => (
        <Tag key={key}>{t(`pb.kpi.${key}` as MessageKey)} ≥ {formatTarget(key, value)}</Tag>
      ))}
    </Space>
  );
}

type PreviewItem = PlaybookPreview['items'][number];

const ACTION_COLORS: Record<PreviewItem['action'], string> = { create: 'green', create_paused: 'orange', create_draft: 'orange', keep_existing: 'blue', skip: 'red' };

/** What applying will do with an item when it is not simply created, and the figures that matter (a code's rotation, a plan's groups). */
function ItemDecision({ item, t }: { item: PreviewItem; t: Translate }) {
  const lines: string[] = [];
  if (item.note === 'needs_staff_qr') lines.push(t('pb.note.needs_staff_qr', { n: item.noteDetail }));
  else if (item.note === 'channel_not_configured') lines.push(t('pb.note.channel_not_configured', { channels: item.noteDetail.split(', ').map((c) => t(`journeys.channel.${c}` as MessageKey)).join('、') }));
  else if (item.note === 'tiers_exist') lines.push(t('pb.note.tiers_exist', { tiers: item.noteDetail }));
  else if (item.note) lines.push(t(`pb.note.${item.note}` as MessageKey));
  if (item.kind === 'acquisition_code' && item.action === 'create') lines.push(t('pb.rotation', { n: item.noteDetail }));
  if (item.kind === 'sop_plan') {
    const [kind = 'other', n = '0'] = item.noteDetail.split(':');
    lines.push(t('pb.groupKind', { kind: t(`groups.kind.${kind}` as MessageKey), n }));
  }
  return (
    <>
      {item.action !== 'create' && <Tag color={ACTION_COLORS[item.action]} style={{ marginLeft: 8 }}>{t(`pb.action.${item.action}` as MessageKey)}</Tag>}
      {item.kind === 'journey' && item.action === 'create' && <Tag color="green" style={{ marginLeft: 8 }}>{t('pb.live')}</Tag>}
      {lines.map((line) => <div key={line}><Typography.Text type={item.note ? 'warning' : 'secondary'}>{line}</Typography.Text></div>)}
    </>
  );
}

const EXPLAINED = new Set(['coupon_template.ended', 'tag_group.kept', 'segment.kept', 'acquisition_code.paused', 'sop_plan.paused', 'journey.archived', 'membership_settings.disabled', 'membership_settings.kept', 'membership_tiers.kept']);

/** Why an object was not removed, in the console's language; the server's wording with its figures on hover. */
function OutcomeReason({ kind, outcome, reason, t }: { kind: string; outcome: string | null; reason: string; t: Translate }) {
  const key = `${kind}.${outcome ?? ''}`;
  return (
    <Typography.Text type="secondary" title={reason}>{EXPLAINED.has(key) ? t(`pb.why.${key}` as MessageKey) : reason}</Typography.Text>
  );
}

export function PlaybooksTab({ recommended, onApplied }: { recommended: OperatingModel | undefined; onApplied: () => void }) {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('playbooks:write');
  const [version, setVersion] = useState(0);
  const [previewing, setPreviewing] = useState<PlaybookPreview>();
  const [applying, setApplying] = useState(false);
  const playbooks = useRemote((signal) => playbooksApi.playbooks({ signal }), [version]);
  const applications = useRemote((signal) => playbooksApi.applications({ signal }), [version]);
  const ordered = [...(playbooks.data ?? [])].sort((a, b) => Number(b.model === recommended) - Number(a.model === recommended));

  const apply = async (model: OperatingModel) => {
    setApplying(true);
    try {
      const app = await playbooksApi.apply(model);
      void message.success(t('pb.applied', { name: app.name }));
      setPreviewing(undefined);
      setVersion((v) => v + 1);
      onApplied();
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setApplying(false);
    }
  };
  const undo = async (app: Application) => {
    try {
      await playbooksApi.undo(app.id);
      void message.success(t('pb.undone'));
      setVersion((v) => v + 1);
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  return (
    <div data-testid="playbooks-tab">
      {playbooks.error && <LoadError error={playbooks.error} onRetry={playbooks.reload} />}
      <Row gutter={[16, 16]}>
        {ordered.map((p) => (
          <Col xs={24} md={12} key={p.model}>
            <Card title={<Space>{p.name}{p.model === recommended && <Tag color="green">{t('pb.recommended')}</Tag>}</Space>}
              extra={canWrite && <Button type={p.model === recommended ? 'primary' : 'default'} onClick={() => setPreviewing(p)} data-testid={`pb-preview-${p.model}`}>{t('pb.preview')}</Button>}
              style={{ height: '100%' }}>
              <Typography.Paragraph>{p.summary}</Typography.Paragraph>
              <ul className="diag-reasons">{p.plan.map((line) => <li key={line}>{line}</li>)}</ul>
              <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>{t('pb.items', { n: p.items.length })}</Typography.Paragraph>
            </Card>
          </Col>
        ))}
      </Row>

      <Typography.Title level={5} style={{ marginTop: 24 }}>{t('pb.history')}</Typography.Title>
      <Table<Application> rowKey="id" size="small" loading={applications.loading} dataSource={applications.data ?? []} pagination={false}
        locale={{ emptyText: t('pb.none') }} data-testid="pb-history"
        expandable={{ expandedRowRender: (a) => (
          <List size="small" dataSource={a.objects} renderItem={(o) => (
            <List.Item>
              <Space><Tag>{t(`pb.kind.${o.kind}` as MessageKey)}</Tag>{o.name}
                {o.outcome && <Tag color={o.outcome === 'removed' || o.outcome === 'gone' ? 'default' : 'orange'}>{t(`pb.outcome.${o.outcome}` as MessageKey)}</Tag>}
                {o.outcomeReason && <OutcomeReason kind={o.kind} outcome={o.outcome} reason={o.outcomeReason} t={t} />}
              </Space>
            </List.Item>
          )} />
        ) }}
        columns={[
          { title: t('pb.tab.playbooks'), dataIndex: 'name' },
          { title: t('pb.appliedAt'), dataIndex: 'appliedAt', render: (v: string) => formatDateTime(v, zone) },
          { title: t('pb.appliedBy'), dataIndex: 'appliedBy' },
          { title: t('pb.objects'), render: (_: unknown, a) => a.objects.length },
          { title: '', dataIndex: 'status', render: (s: Application['status'], a) => s === 'undone'
            ? <Tag>{t('pb.status.undone')}</Tag>
            : <Space><Tag color="green">{t('pb.status.applied')}</Tag>
                {canWrite && <Popconfirm title={t('pb.undoConfirm')} onConfirm={() => undo(a)}><Button size="small" danger>{t('pb.undo')}</Button></Popconfirm>}
              </Space> },
        ]} />

      <Modal open={previewing !== undefined} width={720} title={previewing?.name} onCancel={() => setPreviewing(undefined)}
        okText={t('pb.apply')} confirmLoading={applying} onOk={() => previewing && apply(previewing.model)} okButtonProps={{ 'data-testid': 'pb-apply' } as Record<`data-${string}`, string>}>
        {previewing && (
          <div data-testid="pb-preview">
            <Typography.Paragraph type="secondary">{t('pb.applyConfirm')}</Typography.Paragraph>
            <Typography.Title level={5}>{t('pb.creates')}</Typography.Title>
            <Table size="small" rowKey="key" pagination={false} dataSource={previewing.items}
              columns={[
                { title: '', dataIndex: 'kind', width: 110, render: (k: string) => <Tag>{t(`pb.kind.${k}` as MessageKey)}</Tag> },
                { title: '', dataIndex: 'finalName', render: (name: string, i) => (
                  <div>
                    <div>{name}{i.clash && <Tag color="orange" style={{ marginLeft: 8 }}>{t('pb.clash', { name })}</Tag>}<ItemDecision item={i} t={t} /></div>
                    {i.description && <Typography.Text type="secondary">{i.description}</Typography.Text>}
                  </div>
                ) },
              ]} />
            <Typography.Title level={5} style={{ marginTop: 16 }}>{t('pb.targets')}</Typography.Title>
            <TargetTags targets={previewing.targets} t={t} />
          </div>
        )}
      </Modal>
    </div>
  );
}
