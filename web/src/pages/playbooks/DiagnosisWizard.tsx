// The diagnosis questionnaire in three steps. Frequency, ticket and repurchase show what the
// tenant's orders measure; left empty, the server uses the measurement.
import { useState } from 'react';
import { Alert, Button, Form, InputNumber, Radio, Select, Space, Steps, Tag } from 'antd';
import { CURRENT_STATES, INDUSTRIES, playbooksApi, type DiagnosisAnswers, type DiagnosisView, type Measured } from '../../api-playbooks.ts';
import { formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { errorText } from '../../refusal-text.ts';

interface Values {
  industry?: DiagnosisAnswers['industry'];
  purchasesPerYear?: number;
  averageTicketYuan?: number;
  repurchasePercent?: number;
  expertise?: DiagnosisAnswers['expertise'];
  social?: DiagnosisAnswers['social'];
  solution?: DiagnosisAnswers['solution'];
  serviceStaff?: number;
  stores?: number;
  currentState?: DiagnosisAnswers['currentState'];
}

const STEPS: { title: MessageKey; fields: (keyof Values)[] }[] = [
  { title: 'diag.step.business', fields: ['industry', 'purchasesPerYear', 'averageTicketYuan', 'repurchasePercent'] },
  { title: 'diag.step.customers', fields: ['expertise', 'social', 'solution', 'serviceStaff', 'stores'] },
  { title: 'diag.step.today', fields: ['currentState'] },
];
const LEVELS = ['low', 'medium', 'high'] as const;
const QUESTION_LABELS: Record<string, MessageKey> = {
  industry: 'diag.q.industry', expertise: 'diag.q.expertise', social: 'diag.q.social', solution: 'diag.q.solution', serviceStaff: 'diag.q.serviceStaff',
  stores: 'diag.q.stores', currentState: 'diag.q.currentState', purchasesPerYear: 'diag.q.purchasesPerYear', averageTicketFen: 'diag.q.averageTicket',
  repurchaseRate: 'diag.q.repurchaseRate',
};

export function DiagnosisWizard({ measured, previous, onDone }: { measured: Measured | undefined; previous: DiagnosisAnswers | undefined; onDone: (view: DiagnosisView) => void }) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [step, setStep] = useState(0);
  const [saving, setSaving] = useState(false);
  // answers.averageTicketFen → the question as the wizard asks it
  const questionLabel = (parts: string[]): string | undefined => {
    const field = parts[0] === 'answers' ? parts[1] : parts[0];
    const key = field === undefined ? undefined : QUESTION_LABELS[field];
    return key ? t(key) : undefined;
  };
  const [failure, setFailure] = useState<string>();
  const [values, setValues] = useState<Values>(() => ({
    industry: previous?.industry, expertise: previous?.expertise, social: previous?.social, solution: previous?.solution,
    serviceStaff: previous?.serviceStaff, stores: previous?.stores, currentState: previous?.currentState,
    purchasesPerYear: measured?.purchasesPerYear === null ? previous?.purchasesPerYear : undefined,
    averageTicketYuan: measured?.averageTicketFen === null && previous?.averageTicketFen ? previous.averageTicketFen / 100 : undefined,
    repurchasePercent: measured?.repurchaseRate === null && previous?.repurchaseRate !== undefined ? Math.round(previous.repurchaseRate * 100) : undefined,
  }));

  const measuredHint = (value: string | null) =>
    value === null
      ? <span className="diag-hint">{t('diag.notMeasured')}</span>
      : <span className="diag-hint"><Tag color="blue">{t('diag.measured')}</Tag>{value} · {t('diag.measuredHelp', { buyers: measured?.buyers ?? 0, days: measured?.days ?? 0 })}</span>;
  const m = measured;

  const submit = async (all: Values) => {
    setSaving(true);
    setFailure(undefined);
    const answers: DiagnosisAnswers = {
      industry: all.industry, expertise: all.expertise, social: all.social, solution: all.solution,
      serviceStaff: all.serviceStaff, stores: all.stores, currentState: all.currentState,
      purchasesPerYear: all.purchasesPerYear ?? undefined,
      averageTicketFen: all.averageTicketYuan ? Math.round(all.averageTicketYuan * 100) : undefined,
      repurchaseRate: all.repurchasePercent !== undefined && all.repurchasePercent !== null ? all.repurchasePercent / 100 : undefined,
    };
    try {
      onDone(await playbooksApi.diagnose(answers));
    } catch (err) {
      setFailure(errorText(t, err, { fieldOf: questionLabel }));
    } finally {
      setSaving(false);
    }
  };

  const next = async () => {
    const fields = STEPS[step]?.fields ?? [];
    const got = await form.validateFields(fields);
    const merged = { ...values, ...got };
    setValues(merged);
    if (step < STEPS.length - 1) setStep(step + 1);
    else await submit(merged);
  };

  const optional = (key: MessageKey) => <span>{t(key)}</span>;
  return (
    <div className="diag-wizard" data-testid="diag-wizard">
      <Steps current={step} items={STEPS.map((s) => ({ title: t(s.title) }))} style={{ marginBottom: 24 }} />
      <Form form={form} layout="vertical" initialValues={values} style={{ maxWidth: 640 }} requiredMark={false}>
        <div hidden={step !== 0}>
          <Form.Item name="industry" label={t('diag.q.industry')} rules={[{ required: true, message: t('diag.q.industry') }]}>
            <Select data-testid="diag-industry" options={INDUSTRIES.map((i) => ({ value: i, label: t(`diag.industry.${i}` as MessageKey) }))} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
          <Form.Item name="purchasesPerYear" label={optional('diag.q.purchasesPerYear')} extra={measuredHint(m?.purchasesPerYear != null ? m.purchasesPerYear.toFixed(1) : null)}
            rules={[{ required: m?.purchasesPerYear == null, message: t('diag.q.purchasesPerYear') }]}>
            <InputNumber min={0.01} max={365} step={1} style={{ width: 200 }} placeholder={m?.purchasesPerYear != null ? m.purchasesPerYear.toFixed(1) : undefined} />
          </Form.Item>
          <Form.Item name="averageTicketYuan" label={optional('diag.q.averageTicket')} extra={measuredHint(m?.averageTicketFen != null ? formatMoney(m.averageTicketFen) : null)}
            rules={[{ required: m?.averageTicketFen == null, message: t('diag.q.averageTicket') }]}>
            <InputNumber min={0.01} max={100_000_000} style={{ width: 200 }} prefix="¥" placeholder={m?.averageTicketFen != null ? (m.averageTicketFen / 100).toFixed(2) : undefined} />
          </Form.Item>
          <Form.Item name="repurchasePercent" label={optional('diag.q.repurchaseRate')} extra={measuredHint(m?.repurchaseRate != null ? `${(m.repurchaseRate * 100).toFixed(1)}%` : null)}
            rules={[{ required: m?.repurchaseRate == null, message: t('diag.q.repurchaseRate') }]}>
            <InputNumber min={0} max={100} style={{ width: 200 }} suffix="%" placeholder={m?.repurchaseRate != null ? (m.repurchaseRate * 100).toFixed(1) : undefined} />
          </Form.Item>
        </div>
        <div hidden={step !== 1}>
          <Form.Item name="expertise" label={t('diag.q.expertise')} rules={[{ required: true, message: t('diag.q.expertise') }]}>
            <Radio.Group optionType="button" options={LEVELS.map((l) => ({ value: l, label: t(`diag.level.${l}`) }))} data-testid="diag-expertise" />
          </Form.Item>
          <Form.Item name="social" label={t('diag.q.social')} extra={t('diag.q.socialHelp')}>
            <Radio.Group optionType="button" options={LEVELS.map((l) => ({ value: l, label: t(`diag.level.${l}`) }))} />
          </Form.Item>
          <Form.Item name="solution" label={t('diag.q.solution')} rules={[{ required: true, message: t('diag.q.solution') }]}>
            <Radio.Group options={(['single', 'partial', 'complete'] as const).map((s) => ({ value: s, label: t(`diag.solution.${s}`) }))} data-testid="diag-solution" />
          </Form.Item>
          <Space size="large" wrap>
            <Form.Item name="serviceStaff" label={t('diag.q.serviceStaff')} rules={[{ required: true, message: t('diag.q.serviceStaff') }]}>
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: 200 }} data-testid="diag-staff" />
            </Form.Item>
            <Form.Item name="stores" label={t('diag.q.stores')}>
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: 200 }} />
            </Form.Item>
          </Space>
        </div>
        <div hidden={step !== 2}>
          <Form.Item name="currentState" label={t('diag.q.currentState')} rules={[{ required: true, message: t('diag.q.currentState') }]}>
            <Radio.Group data-testid="diag-state" options={CURRENT_STATES.map((s) => ({ value: s, label: t(`diag.state.${s}`) }))} style={{ display: 'flex', flexDirection: 'column', gap: 8 }} />
          </Form.Item>
        </div>
      </Form>
      {failure && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16, maxWidth: 640 }} />}
      <Space>
        {step > 0 && <Button onClick={() => { setValues({ ...values, ...form.getFieldsValue() }); setStep(step - 1); }}>{t('diag.prev')}</Button>}
        <Button type="primary" loading={saving} onClick={() => void next().catch(() => undefined)} data-testid="diag-next">
          {step < STEPS.length - 1 ? t('diag.next') : t('diag.submit')}
        </Button>
      </Space>
    </div>
  );
}
