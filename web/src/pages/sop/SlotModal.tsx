// One slot of a plan: when it repeats, its time and length, what is posted, who posts it and how.
import { useEffect } from 'react';
import { Alert, Button, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { promotionsApi } from '../../api-promotions.ts';
import type { SlotInput, SlotMode } from '../../api-sop.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { activeStaffOptions } from '../../labels.ts';

interface SlotForm {
  repeat: number;
  time: string;
  durationMinutes: number;
  title: string;
  text: string;
  images: string[];
  couponTemplateId: string | null;
  ownerStaffId: string | null;
  mode: SlotMode;
}

export function SlotModal({ slot, saving, refusal, onSave, onDelete, onClose }: {
  slot: SlotInput;
  saving: boolean;
  /** The server's reasons for refusing the last save (an overlap), shown where the user is looking. */
  refusal?: { title: string; reasons: string[] } | null;
  onSave: (slot: SlotInput) => void;
  onDelete?: () => void;
  onClose: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<SlotForm>();
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  const coupons = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);

  useEffect(() => {
    form.setFieldsValue({
      repeat: slot.weekday ?? 0, time: slot.time, durationMinutes: slot.durationMinutes ?? 30, title: slot.title, text: slot.content.text,
      images: slot.content.images ?? [], couponTemplateId: slot.content.couponTemplateId ?? null, ownerStaffId: slot.ownerStaffId ?? null, mode: slot.mode,
    });
  }, [slot, form]);

  const submit = (v: SlotForm) => {
    const content = { text: v.text, ...(v.images.length > 0 ? { images: v.images } : {}), ...(v.couponTemplateId ? { couponTemplateId: v.couponTemplateId } : {}), ...(slot.content.links ? { links: slot.content.links } : {}) };
    onSave({
      ...(slot.id ? { id: slot.id } : {}), weekday: v.repeat === 0 ? null : v.repeat, time: v.time, durationMinutes: v.durationMinutes,
      title: v.title, content, ownerStaffId: v.ownerStaffId, mode: v.mode,
    });
  };

  const mode = Form.useWatch('mode', form);
  return (
    <Modal
      open
      title={slot.id ? t('sop.slot.edit') : t('sop.slot.new')}
      onCancel={onClose}
      width={640}
      footer={(
        <Space style={{ width: '100%', justifyContent: 'space-between' }}>
          <span>
            {onDelete && (
              <Popconfirm title={t('sop.slot.delete')} onConfirm={onDelete}>
                <Button danger icon={<DeleteOutlined />}>{t('sop.slot.delete')}</Button>
              </Popconfirm>
            )}
          </span>
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="slot-save">{t('common.save')}</Button>
          </Space>
        </Space>
      )}
    >
      {refusal && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} data-testid="slot-refusal" title={refusal.title}
          description={<ul style={{ margin: 0, paddingLeft: 18 }}>{refusal.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>} />
      )}
      <Form<SlotForm> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Space wrap size={12} style={{ width: '100%' }}>
          <Form.Item name="repeat" label={t('sop.slot.repeat')} style={{ minWidth: 130 }}>
            <Select options={[{ value: 0, label: t('sop.everyDay') }, ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`sop.weekday.${d}` as 'sop.weekday.1') }))]} />
          </Form.Item>
          <Form.Item name="time" label={t('sop.slot.time')} rules={[{ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t('sop.slot.timeInvalid') }]} style={{ width: 110 }}>
            <Input placeholder="08:30" maxLength={5} data-testid="slot-time" />
          </Form.Item>
          <Form.Item name="durationMinutes" label={t('sop.slot.duration')} tooltip={t('sop.slot.durationHelp')} style={{ width: 130 }}>
            <InputNumber min={5} max={720} step={5} style={{ width: '100%' }} />
          </Form.Item>
        </Space>
        <Form.Item name="title" label={t('sop.slot.title')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 100 }]}>
          <Input placeholder={t('sop.slot.titlePlaceholder')} data-testid="slot-title" />
        </Form.Item>
        <Form.Item name="text" label={t('sop.slot.text')} rules={[{ required: true, message: t('sop.slot.required') }, { max: 2000 }]}>
          <Input.TextArea rows={4} placeholder={t('sop.slot.textPlaceholder')} showCount maxLength={2000} data-testid="slot-text" />
        </Form.Item>
        <Form.Item name="images" label={t('sop.slot.images')}>
          <Select mode="tags" placeholder={t('sop.slot.imagesPlaceholder')} tokenSeparators={[' ', ',']} open={false} />
        </Form.Item>
        <Space wrap size={12} style={{ width: '100%' }}>
          <Form.Item name="couponTemplateId" label={t('sop.slot.coupon')} style={{ minWidth: 220 }}>
            <Select allowClear placeholder={t('sop.slot.couponNone')} loading={coupons.loading}
              options={[{ value: null, label: t('sop.slot.couponNone') }, ...(coupons.data?.items ?? []).filter((c) => c.status === 'active' || c.id === slot.content.couponTemplateId).map((c) => ({ value: c.id, label: c.name }))]} />
          </Form.Item>
          <Form.Item name="ownerStaffId" label={t('sop.slot.owner')} style={{ minWidth: 220 }}>
            <Select showSearch optionFilterProp="label" loading={staff.loading}
              options={[{ value: null, label: t('sop.slot.ownerGroup') }, ...activeStaffOptions(staff.data?.items ?? [])]} />
          </Form.Item>
        </Space>
        <Form.Item name="mode" label={t('sop.slot.mode')} extra={mode ? t(`sop.modeHelp.${mode}`) : undefined}>
          <Radio.Group optionType="button" options={[{ value: 'task', label: t('sop.mode.task') }, { value: 'auto', label: t('sop.mode.auto') }]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
