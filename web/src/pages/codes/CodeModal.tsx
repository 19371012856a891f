// Create or edit an acquisition code: where it is printed, who answers it (the rotation editor:
// staff, daily cap, their WeCom QR, backup), working hours, tags on add, the welcome message in
// the persona's voice and the welcome coupon. The server's refusals are shown on their fields.
import { useState } from 'react';
import { App, Button, Col, Form, Input, InputNumber, Modal, Row, Select, Switch } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { ApiError, api, type ErrorDetail } from '../../api.ts';
import { acquisitionApi, CODE_KINDS, type AcquisitionCode, type CodeInput, type CodeKind, type RotationMemberInput } from '../../api-acquisition.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { useRemote } from '../../components/useRemote.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import { activeStaffOptions } from '../../labels.ts';
import { errorText, reasonText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  name: string;
  kind: CodeKind;
  storeId?: string | null;
  campaign?: string;
  state?: string;
  worksFrom?: string;
  worksTo?: string;
  rotation: RotationMemberInput[];
  tagIds: string[];
  welcomeText?: string;
  welcomePersona?: string;
  welcomeCouponTemplateId?: string | null;
  routingRadiusKm?: number;
  status: 'active' | 'paused';
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function initial(c: AcquisitionCode | null): Values {
  if (!c) return { name: '', kind: 'store_counter', rotation: [{ staffId: '', dailyCap: 200, qrUrl: '', backup: false }], tagIds: [], status: 'active', routingRadiusKm: 10 };
  return {
    name: c.name, kind: c.kind, storeId: c.store?.id ?? null, campaign: c.campaign, state: c.state, worksFrom: c.worksFrom ?? '', worksTo: c.worksTo ?? '',
    rotation: c.rotation.map(({ staffId, dailyCap, qrUrl, backup }) => ({ staffId, dailyCap, qrUrl, backup })), tagIds: c.tagIds,
    welcomeText: c.welcomeText, welcomePersona: c.welcomePersona, welcomeCouponTemplateId: c.welcomeCouponTemplateId, routingRadiusKm: c.routingRadiusKm, status: c.status,
  };
}

function toInput(v: Values): CodeInput {
  return {
    name: v.name.trim(), kind: v.kind, storeId: v.storeId ?? null, campaign: v.campaign ?? '', ...(v.state?.trim() ? { state: v.state.trim() } : {}),
    rotation: v.rotation.map((m) => ({ staffId: m.staffId, dailyCap: m.dailyCap ?? null, qrUrl: m.qrUrl.trim(), backup: Boolean(m.backup) })),
    worksFrom: v.worksFrom?.trim() || null, worksTo: v.worksTo?.trim() || null, tagIds: v.tagIds,
    welcomeText: v.welcomeText ?? '', welcomePersona: v.welcomePersona ?? '', welcomeCouponTemplateId: v.welcomeCouponTemplateId ?? null,
    routingRadiusKm: v.routingRadiusKm ?? 10, status: v.status,
  };
}

/** 'body.rotation.0.staffId' → ['rotation', 0, 'staffId'], the form's name path. */
function fieldOf(path: string): (string | number)[] {
  return path.replace(/^body\./, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const PROBLEMS = ['rotation_empty', 'rotation_twice', 'rotation_inactive', 'rotation_all_backup', 'unknown_variable'] as const;

const problemText = (t: Translate, d: ErrorDetail): string => reasonText(t, d, { codes: PROBLEMS, keyOf: (code) => `codes.problem.${code}` });

export function CodeModal({ code, onClose, onSaved }: { code: AcquisitionCode | null; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const kind = Form.useWatch('kind', form);
  const options = useRemote(async (signal) => {
    const [stores, staff, tagGroups, coupons] = await Promise.all([
      api.stores({ signal }), api.staff({}, { signal }), api.tagGroups({ signal }), promotionsApi.couponTemplates({ signal }),
    ]);
    return { stores: stores.items, staff: staff.items, tagGroups: tagGroups.items, coupons: coupons.items };
  }, []);

  const save = async () => {
    const values = await validValues(form);
    if (!values) return;
    setSaving(true);
    try {
      const input = toInput(values);
      if (code) await acquisitionApi.updateCode(code.id, input);
      else await acquisitionApi.createCode(input);
      void message.success(t('codes.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => ({ name: fieldOf(d.path) as never, errors: [problemText(t, d)] })));
        // A refusal about the whole rotation has no field of its own: show the first reason as well.
        void message.error(problemText(t, err.details[0] ?? { path: '', message: err.message }));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const data = options.data;
  return (
    <Modal open title={code ? t('codes.edit') : t('codes.new')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} width={820}
      okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial(code)} requiredMark="optional">
        <Row gutter={12}>
          <Col xs={24} md={12}><Form.Item name="name" label={t('codes.form.name')} rules={[{ required: true, max: 100 }]}><Input data-testid="code-name" /></Form.Item></Col>
          <Col xs={24} md={12}>
            <Form.Item name="kind" label={t('codes.form.kind')} rules={[{ required: true }]}>
              <Select options={CODE_KINDS.map((k) => ({ value: k, label: t(`codes.kind.${k}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="storeId" label={t('codes.form.store')}>
              <Select allowClear showSearch optionFilterProp="label" options={(data?.stores ?? []).map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}><Form.Item name="campaign" label={t('codes.form.campaign')}><Input maxLength={100} /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name="state" label={t('codes.form.state')} extra={t('codes.form.stateHelp')}><Input maxLength={30} /></Form.Item></Col>
          <Col xs={24} md={12}>
            <Form.Item label={t('codes.form.hours')} extra={t('codes.form.hoursHelp')} style={{ marginBottom: 0 }}>
              <Row gutter={8}>
                <Col span={12}><Form.Item name="worksFrom" rules={[{ pattern: HHMM, message: 'HH:MM' }]}><Input placeholder="09:00" /></Form.Item></Col>
                <Col span={12}><Form.Item name="worksTo" rules={[{ pattern: HHMM, message: 'HH:MM' }]}><Input placeholder="21:00" /></Form.Item></Col>
              </Row>
            </Form.Item>
          </Col>
        </Row>

        <Form.Item label={t('codes.form.rotation')} extra={t('codes.form.rotationHelp')}>
          <Form.List name="rotation">
            {(fields, { add, remove }) => (
              <div className="rotation-list" data-testid="rotation-editor">
                {fields.map((field) => (
                  <div className="rotation-row" key={field.key}>
                    <Form.Item name={[field.name, 'staffId']} rules={[{ required: true, message: t('codes.form.staff') }]} style={{ marginBottom: 8 }}>
                      <Select showSearch optionFilterProp="label" placeholder={t('codes.form.staff')}
                        options={activeStaffOptions(data?.staff ?? [])} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'dailyCap']} style={{ marginBottom: 8 }}>
                      <InputNumber min={1} max={100000} placeholder={t('codes.form.dailyCap')} style={{ width: '100%' }} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'qrUrl']} rules={[{ required: true, type: 'url', message: t('codes.form.qrUrl') }]} style={{ marginBottom: 8 }}>
                      <Input placeholder={t('codes.form.qrUrl')} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'backup']} valuePropName="checked" style={{ marginBottom: 8 }}>
                      <Switch checkedChildren={t('codes.form.backup')} unCheckedChildren={t('codes.form.backup')} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('common.delete')} />
                  </div>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ staffId: undefined, dailyCap: 200, qrUrl: '', backup: false })} data-testid="rotation-add">{t('codes.form.addMember')}</Button>
              </div>
            )}
          </Form.List>
        </Form.Item>

        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="tagIds" label={t('codes.form.tags')}>
              <Select mode="multiple" allowClear optionFilterProp="label"
                options={(data?.tagGroups ?? []).map((g) => ({ label: g.name, options: g.tags.filter((x) => x.kind === 'manual').map((x) => ({ value: x.id, label: x.name })) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="welcomeCouponTemplateId" label={t('codes.form.coupon')}>
              <Select allowClear options={(data?.coupons ?? []).filter((c) => c.status === 'active').map((c) => ({ value: c.id, label: c.name }))} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="welcomeText" label={t('codes.form.welcome')} extra={t('codes.form.welcomeHelp')}>
              <Input.TextArea rows={3} maxLength={1000} placeholder="{nickname} 你好，我是{store}的{guide}，送你一张新人券～" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}><Form.Item name="welcomePersona" label={t('codes.form.persona')}><Input maxLength={50} placeholder="果果" /></Form.Item></Col>
          {kind === 'store_routing' && (
            <Col xs={24} md={8}><Form.Item name="routingRadiusKm" label={t('codes.form.radius')}><InputNumber min={0.1} max={500} style={{ width: '100%' }} /></Form.Item></Col>
          )}
          <Col xs={24} md={8}>
            <Form.Item name="status" label={t('codes.form.status')}>
              <Select options={(['active', 'paused'] as const).map((s) => ({ value: s, label: t(`codes.status.${s}`) }))} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
