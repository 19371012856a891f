// The mass-send wizard: audience (include and leave out), content from a template previewed on a
// real customer, schedule (now, a time, or each customer's local time), then the audience count
// after quotas, caps, quiet hours, consent and holdouts with the reasons for every exclusion.
import { useEffect, useState } from 'react';
import { Alert, App, Button, DatePicker, Descriptions, Input, InputNumber, Modal, Radio, Select, Space, Steps, Tag, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api.ts';
import { messagingApi, type AudienceKind, type AudienceSet, type MassChannel, type MassSendInput, type PlanCounts, type Preview, type Schedule } from '../../api-messaging.ts';
import { segmentsApi } from '../../api-segments.ts';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { reasonLabel } from './reasons.ts';
import { errorText } from '../../refusal-text.ts';

const KINDS: AudienceKind[] = ['all', 'segment', 'tag'];

function AudiencePicker({ value, onChange, allowNone }: { value: AudienceSet | null; onChange: (v: AudienceSet | null) => void; allowNone?: boolean }) {
  const t = useT();
  const segments = useRemote((signal) => segmentsApi.list({ signal }), []);
  const tags = useRemote((signal) => api.tagGroups({ signal }), []);
  const kind = value?.kind ?? 'none';
  const options = kind === 'segment'
    ? (segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))
    : (tags.data?.items ?? []).flatMap((g) => g.tags.map((tag) => ({ value: tag.id, label: `${g.name} / ${tag.name}` })));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Radio.Group value={kind} onChange={(e) => { const k = e.target.value as AudienceKind | 'none'; onChange(k === 'none' ? null : { kind: k, ids: [] }); }}>
        {allowNone && <Radio.Button value="none">{t('msg.wizard.none')}</Radio.Button>}
        {KINDS.filter((k) => !(allowNone && k === 'all')).map((k) => <Radio.Button key={k} value={k}>{t(`msg.audience.${k}`)}</Radio.Button>)}
      </Radio.Group>
      {value && value.kind !== 'all' && (
        <Select mode="multiple" style={{ width: '100%' }} value={value.ids} options={options} optionFilterProp="label" onChange={(ids: string[]) => onChange({ ...value, ids })} />
      )}
    </Space>
  );
}

export function MassSendWizard({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const templates = useRemote((signal) => messagingApi.templates({ signal }), []);
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<MassChannel>('sandbox');
  const [include, setInclude] = useState<AudienceSet | null>({ kind: 'all', ids: [] });
  const [exclude, setExclude] = useState<AudienceSet | null>(null);
  const [templateId, setTemplateId] = useState<string>();
  const [customerId, setCustomerId] = useState<string>();
  const [customers, setCustomers] = useState<{ value: string; label: string }[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [when, setWhen] = useState<'now' | 'at' | 'local'>('now');
  const [at, setAt] = useState<Dayjs>(dayjs().add(1, 'day').hour(10).minute(0));
  const [priority, setPriority] = useState(40);
  const [holdout, setHoldout] = useState(10);
  const [conversionDays, setConversionDays] = useState(7);
  const [counts, setCounts] = useState<PlanCounts | null>(null);
  const [busy, setBusy] = useState(false);

  const searchCustomers = (q: string) => {
    void api.customers({ q, page: 1, pageSize: 10 }).then((p) => setCustomers(p.items.map((c) => ({ value: c.id, label: c.name || c.id.slice(0, 8) })))).catch(() => undefined);
  };
  useEffect(() => searchCustomers(''), []);
  useEffect(() => {
    setPreview(null);
    if (!templateId || !customerId) return;
    const controller = new AbortController();
    messagingApi.preview({ templateId, channel, customerId }, { signal: controller.signal }).then(setPreview).catch((err: unknown) => {
      if (!controller.signal.aborted) void message.error(errorText(t, err));
    });
    return () => controller.abort();
  }, [templateId, customerId, channel]);

  const schedule = (): Schedule => when === 'now' ? { now: true } : when === 'at' ? { at: at.toISOString() } : { date: at.format('YYYY-MM-DD'), localTime: at.format('HH:mm') };
  const input = (): MassSendInput => ({
    name: name || t('msg.send.new'), channel, templateId: templateId ?? '', schedule: schedule(), priority, holdoutPercent: holdout, conversionDays,
    audience: { include: include ?? { kind: 'all', ids: [] }, ...(exclude && exclude.ids.length > 0 ? { exclude } : {}) },
  });
  const run = async (what: 'dry' | 'create') => {
    setBusy(true);
    try {
      if (what === 'dry') setCounts(await messagingApi.dryRun(input()));
      else { await messagingApi.createMassSend(input()); void message.success(t('msg.wizard.created')); onCreated(); }
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const steps = [
    <Space key="a" direction="vertical" style={{ width: '100%' }} size={12}>
      <Input placeholder={t('msg.send.name')} value={name} onChange={(e) => setName(e.target.value)} data-testid="mass-send-name" />
      <Radio.Group value={channel} onChange={(e) => setChannel(e.target.value as MassChannel)}>
        {(['sandbox', 'wecom', 'sms', 'email'] as const).map((c) => <Radio.Button key={c} value={c}>{t(`msg.channel.${c}`)}</Radio.Button>)}
      </Radio.Group>
      {channel === 'wecom' && <Alert type="info" showIcon title={t('msg.wizard.wecomNote')} />}
      <Typography.Text strong>{t('msg.wizard.include')}</Typography.Text>
      <AudiencePicker value={include} onChange={setInclude} />
      <Typography.Text strong>{t('msg.wizard.exclude')}</Typography.Text>
      <AudiencePicker value={exclude} onChange={setExclude} allowNone />
    </Space>,
    <Space key="c" direction="vertical" style={{ width: '100%' }} size={12}>
      <Select placeholder={t('msg.wizard.template')} style={{ width: '100%' }} value={templateId} onChange={setTemplateId}
        options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} data-testid="mass-send-template" />
      <Select showSearch placeholder={t('msg.wizard.previewPick')} style={{ width: '100%' }} value={customerId} onChange={setCustomerId}
        filterOption={false} onSearch={searchCustomers} options={customers} data-testid="mass-send-preview-customer" />
      {preview && (
        <div className="phone-bubble out" data-testid="mass-send-preview">
          {preview.content.subject && <strong>{preview.content.subject}<br /></strong>}
          {preview.content.text}
          {preview.sms && <div className="muted cell-note">{t('msg.tpl.smsLength', { characters: preview.sms.characters, segments: preview.sms.segments, perSegment: preview.sms.perSegment })}</div>}
        </div>
      )}
    </Space>,
    <Space key="s" direction="vertical" style={{ width: '100%' }} size={12}>
      <Radio.Group value={when} onChange={(e) => setWhen(e.target.value as 'now' | 'at' | 'local')}>
        <Radio.Button value="now">{t('msg.wizard.now')}</Radio.Button>
        <Radio.Button value="at">{t('msg.wizard.at')}</Radio.Button>
        <Radio.Button value="local">{t('msg.wizard.local')}</Radio.Button>
      </Radio.Group>
      {when !== 'now' && (
        <Space>
          <DatePicker value={at} onChange={(d) => d && setAt(d)} />
          <TimePicker format="HH:mm" value={at} onChange={(d) => d && setAt(d)} />
        </Space>
      )}
      <Space wrap>
        <span>{t('msg.wizard.priority')}</span><InputNumber min={0} max={100} value={priority} onChange={(v) => setPriority(v ?? 40)} />
        <span>{t('msg.wizard.holdout')}</span><InputNumber min={0} max={50} value={holdout} onChange={(v) => setHoldout(v ?? 0)} />
        <span>{t('msg.wizard.conversionDays')}</span><InputNumber min={1} max={90} value={conversionDays} onChange={(v) => setConversionDays(v ?? 7)} />
      </Space>
    </Space>,
    <Space key="r" direction="vertical" style={{ width: '100%' }} size={12}>
      <Button onClick={() => void run('dry')} loading={busy} data-testid="mass-send-dry-run">{t('msg.wizard.dryRun')}</Button>
      {counts && (
        <Descriptions size="small" column={1} bordered data-testid="mass-send-counts" items={[
          { key: 'a', label: t('msg.count.audience'), children: formatCount(counts.audience) },
          { key: 'p', label: t('msg.count.planned'), children: <strong>{formatCount(counts.planned)}</strong> },
          { key: 'h', label: t('msg.count.heldOut'), children: formatCount(counts.heldOut) },
          { key: 'e', label: t('msg.count.excluded'), children: <Space wrap>{Object.entries(counts.excluded).map(([r, n]) => <Tag key={r}>{reasonLabel(t, r)} {formatCount(n)}</Tag>)}</Space> },
          { key: 'm', label: t('msg.count.moved'), children: <Space wrap>{Object.entries(counts.moved).map(([r, n]) => <Tag key={r} color="orange">{reasonLabel(t, r)} {formatCount(n)}</Tag>)}</Space> },
        ]} />
      )}
    </Space>,
  ];

  return (
    <Modal open width={720} title={t('msg.send.new')} onCancel={onClose} footer={
      <Space>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>←</Button>}
        {step < 3 && <Button type="primary" onClick={() => setStep(step + 1)} disabled={step === 1 && !templateId} data-testid="mass-send-next">→</Button>}
        {step === 3 && <Button type="primary" loading={busy} onClick={() => void run('create')} data-testid="mass-send-submit">{t('msg.wizard.submit')}</Button>}
      </Space>
    }>
      <Steps size="small" current={step} onChange={setStep} style={{ marginBottom: 16 }}
        items={[{ title: t('msg.wizard.audience') }, { title: t('msg.wizard.content') }, { title: t('msg.wizard.schedule') }, { title: t('msg.wizard.review') }]} />
      {steps[step]}
    </Modal>
  );
}
