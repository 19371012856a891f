// The SOP calendar editor: plans on the left, the chosen plan's week on the right. Every change
// (a slot added, moved, removed; the plan's settings) saves the whole plan, and the server's
// refusal — an overlap for some group — is shown with its reasons.
import { useEffect, useState } from 'react';
import { Alert, App, Badge, Button, Card, Col, Empty, List, Popconfirm, Row, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, PauseCircleOutlined, PlayCircleOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { sopApi, type Plan, type PlanInput, type SlotInput } from '../../api-sop.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PlanModal } from './PlanModal.tsx';
import { SlotModal } from './SlotModal.tsx';
import { WeekGrid } from './WeekGrid.tsx';
import { refusalReasons, targetSummary } from './sop-format.ts';
import { errorText } from '../../refusal-text.ts';

function inputOf(plan: Plan): PlanInput {
  return { name: plan.name, description: plan.description, target: plan.target, status: plan.status, slots: plan.slots };
}

export function CalendarPanel({ selectedId, onSelect }: { selectedId: string | undefined; onSelect: (id: string | undefined) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const plans = useRemote((signal) => sopApi.plans({ signal }), []);
  const [editingPlan, setEditingPlan] = useState<Plan | 'new' | null>(null);
  const [editingSlot, setEditingSlot] = useState<{ slot: SlotInput; index: number | null } | null>(null);
  const [saving, setSaving] = useState(false);
  // A refused save, with the slots it sent: the reasons name slots by their index in them.
  const [refusal, setRefusal] = useState<{ error: ApiError; sent: SlotInput[] } | null>(null);

  const items = plans.data?.items ?? [];
  const plan = items.find((p) => p.id === selectedId) ?? items[0];
  useEffect(() => { if (plan && plan.id !== selectedId) onSelect(plan.id); }, [plan, selectedId, onSelect]);

  const save = async (work: () => Promise<Plan>, after: () => void, sent: SlotInput[] = plan?.slots ?? []) => {
    setSaving(true);
    setRefusal(null);
    try {
      const saved = await work();
      after();
      onSelect(saved.id);
      plans.reload();
      void message.success(t('sop.plan.saved'));
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setRefusal({ error: err, sent });
      else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const refusalTitle = refusal?.error.code === 'slot_overlap' ? t('sop.overlap') : refusal ? t('refusal.fallback') : ''; // the reasons, worded, are listed below it

  const saveSlots = (slots: SlotInput[]) => {
    if (!plan) return;
    void save(() => sopApi.updatePlan(plan.id, { ...inputOf(plan), slots }), () => setEditingSlot(null), slots);
  };

  const remove = async (p: Plan) => {
    try {
      await sopApi.deletePlan(p.id);
      onSelect(undefined);
      plans.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={7} xl={6}>
        <Card variant="borderless" className="panel" title={t('sop.plans')}
          extra={<Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setEditingPlan('new')} data-testid="plan-new">{t('sop.plan.new')}</Button>}>
          {plans.error && <LoadError error={plans.error} onRetry={plans.reload} />}
          <List<Plan>
            className="plan-list"
            loading={plans.loading && !plans.data}
            dataSource={items}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sop.plan.empty')} /> }}
            renderItem={(p) => (
              <List.Item className={p.id === plan?.id ? 'plan-selected' : ''} onClick={() => { setRefusal(null); onSelect(p.id); }} data-testid="plan-item">
                <List.Item.Meta
                  title={<Space size={6}><Badge status={p.status === 'active' ? 'success' : 'default'} />{p.name}</Space>}
                  description={<span className="muted">{targetSummary(t, p.target)} · {t('sop.plan.slots', { count: p.slots.length })}</span>}
                />
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={17} xl={18}>
        {plan ? (
          <Card
            variant="borderless"
            className="panel"
            title={(
              <Space size={8} wrap>
                <span>{plan.name}</span>
                <Tag color={plan.status === 'active' ? 'green' : 'orange'} variant="filled">{t(`sop.status.${plan.status}`)}</Tag>
                <Typography.Text type="secondary" style={{ fontWeight: 400 }}>{targetSummary(t, plan.target)}</Typography.Text>
              </Space>
            )}
            extra={(
              <Space size={6} wrap>
                <Button size="small" icon={<PlusOutlined />} onClick={() => setEditingSlot({ index: null, slot: { weekday: null, time: '09:00', durationMinutes: 30, title: '', content: { text: '' }, ownerStaffId: null, mode: 'task' } })} data-testid="slot-new">{t('sop.slot.new')}</Button>
                <Button size="small" icon={<SettingOutlined />} onClick={() => setEditingPlan(plan)}>{t('sop.plan.edit')}</Button>
                <Button size="small" icon={plan.status === 'active' ? <PauseCircleOutlined /> : <PlayCircleOutlined />}
                  onClick={() => void save(() => sopApi.setPlanStatus(plan.id, plan.status === 'active' ? 'paused' : 'active'), () => {})}>
                  {plan.status === 'active' ? t('sop.plan.pause') : t('sop.plan.resume')}
                </Button>
                <Popconfirm title={t('sop.plan.deleteConfirm', { name: plan.name })} onConfirm={() => void remove(plan)}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('sop.plan.delete')} />
                </Popconfirm>
              </Space>
            )}
          >
            {refusal && !editingSlot && (
              <Alert type="error" showIcon closable onClose={() => setRefusal(null)} style={{ marginBottom: 12 }} data-testid="sop-refusal"
                title={refusalTitle}
                description={<ul style={{ margin: 0, paddingLeft: 18 }}>{refusalReasons(t, refusal.error, refusal.sent).map((r, i) => <li key={i}>{r}</li>)}</ul>} />
            )}
            {plan.description && <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>{plan.description}</Typography.Paragraph>}
            <WeekGrid
              slots={plan.slots}
              onSlot={(index) => { const slot = plan.slots[index]; if (slot) setEditingSlot({ slot, index }); }}
              onEmpty={(weekday, hour) => setEditingSlot({ index: null, slot: { weekday, time: `${String(hour).padStart(2, '0')}:00`, durationMinutes: 30, title: '', content: { text: '' }, ownerStaffId: null, mode: 'task' } })}
            />
            <div className="week-legend">
              <span><i style={{ background: '#1677ff' }} />{t('sop.mode.task')}</span>
              <span><i style={{ background: '#2ea65e' }} />{t('sop.mode.auto')}</span>
              <span>{t('sop.week.hint')}</span>
            </div>
          </Card>
        ) : (
          !plans.loading && <Card variant="borderless" className="panel"><Empty description={t('sop.plan.empty')} /></Card>
        )}
      </Col>
      {editingPlan && (
        <PlanModal
          plan={editingPlan === 'new' ? null : editingPlan}
          saving={saving}
          onClose={() => setEditingPlan(null)}
          onSave={(settings) => {
            const current = editingPlan === 'new' ? null : editingPlan;
            void save(
              () => (current ? sopApi.updatePlan(current.id, { ...inputOf(current), ...settings }) : sopApi.createPlan({ ...settings, slots: [] })),
              () => setEditingPlan(null),
            );
          }}
        />
      )}
      {editingSlot && plan && (
        <SlotModal
          slot={editingSlot.slot}
          saving={saving}
          refusal={refusal ? { title: refusalTitle, reasons: refusalReasons(t, refusal.error, refusal.sent) } : null}
          onClose={() => { setEditingSlot(null); setRefusal(null); }}
          onSave={(slot) => {
            const slots: SlotInput[] = [...plan.slots];
            if (editingSlot.index === null) slots.push(slot);
            else slots[editingSlot.index] = slot;
            saveSlots(slots);
          }}
          {...(editingSlot.index !== null ? { onDelete: () => saveSlots(plan.slots.filter((_s, i) => i !== editingSlot.index)) } : {})}
        />
      )}
    </Row>
  );
}
