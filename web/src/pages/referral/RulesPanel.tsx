// 奖励规则: what each level earns (commission on the first order or on orders within N days,
// fixed points, a coupon), saved as one set the server checks; and the log of refused attributions.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Select, Space, Table, Tag } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { promotionsApi } from '../../api-promotions.ts';
import { fissionApi, REWARD_KINDS, type Refusal, type RewardKind, type RewardRule } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useCan } from '../../permissions.ts';
import { detailText, pathParts } from '../../labels.ts';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

interface LevelValues {
  kind: RewardKind | 'none';
  percent?: number;
  windowDays?: number;
  points?: number;
  couponTemplateId?: string;
}

function toRule(level: 1 | 2, v: LevelValues): RewardRule | null {
  if (v.kind === 'none') return null;
  return {
    level, kind: v.kind, percentBp: v.kind.startsWith('percent') && v.percent !== undefined ? Math.round(v.percent * 100) : null,
    windowDays: v.kind === 'percent_window' ? (v.windowDays ?? null) : null, points: v.kind === 'points' ? (v.points ?? null) : null,
    couponTemplateId: v.kind === 'coupon' ? (v.couponTemplateId ?? null) : null,
  };
}

function fromRule(rule: RewardRule | undefined): LevelValues {
  if (!rule) return { kind: 'none' };
  return { kind: rule.kind, ...(rule.percentBp !== null ? { percent: rule.percentBp / 100 } : {}), ...(rule.windowDays !== null ? { windowDays: rule.windowDays } : {}),
    ...(rule.points !== null ? { points: rule.points } : {}), ...(rule.couponTemplateId !== null ? { couponTemplateId: rule.couponTemplateId } : {}) };
}

const RULE_REFUSALS = ['level_twice', 'percent_range', 'window_range', 'points_needed', 'coupon_needed', 'percent_total', 'unknown_coupon_template'] as const;
const RULE_FIELDS: Record<string, keyof LevelValues> = { level: 'kind', kind: 'kind', percentBp: 'percent', windowDays: 'windowDays', points: 'points', couponTemplateId: 'couponTemplateId' };

export function RulesPanel() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('referral:write');
  const rules = useRemote((signal) => fissionApi.rules({ signal }), []);
  const refusals = useRemote((signal) => fissionApi.refusals({ signal }), []);
  const templates = useRemote((signal) => promotionsApi.couponTemplates({ signal }), []);
  const [form] = Form.useForm<{ l1: LevelValues; l2: LevelValues }>();
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!rules.data) return;
    form.setFieldsValue({ l1: fromRule(rules.data.rules.find((r) => r.level === 1)), l2: fromRule(rules.data.rules.find((r) => r.level === 2)) });
  }, [rules.data, form]);

  const save = async () => {
    const v = form.getFieldsValue();
    let sent: RewardRule[] = [];
    setSaving(true);
    setError(undefined);
    try {
      sent = [toRule(1, v.l1), toRule(2, v.l2)].filter((r): r is RewardRule => r !== null);
      await fissionApi.setRules(sent);
      void message.success(t('fission.saved'));
      rules.reload();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        // rules[i] is the i-th level sent; its field sits in that level's card
        const elsewhere: string[] = [];
        form.setFields(err.details.flatMap((d) => {
          const [, at, field] = pathParts(d.path);
          const level = at === undefined ? undefined : sent[Number(at)]?.level;
          const name = field ? RULE_FIELDS[field] : undefined;
          const text = detailText(t, d, RULE_REFUSALS, (code) => `fission.refusal.${code}`);
          if (level === undefined || name === undefined) { elsewhere.push(text); return []; }
          return [{ name: [`l${level}`, name] as ['l1' | 'l2', keyof LevelValues], errors: [text] }];
        }));
        setError(elsewhere.length > 0 ? elsewhere.join('；') : undefined);
      } else setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  const run = async () => {
    try {
      const r = await fissionApi.run();
      void message.success(t('fission.rules.ran', r));
      refusals.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const level = (name: 'l1' | 'l2', n: 1 | 2) => (
    <Card size="small" title={t('fission.rules.level', { level: n })} key={name}>
      <Form.Item name={[name, 'kind']} label={t('fission.rules.kind')}>
        <Select disabled={!canWrite} options={[{ value: 'none', label: t('fission.rules.kind.none') }, ...REWARD_KINDS.map((k) => ({ value: k, label: t(`fission.rules.kind.${k}`) }))]} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate>
        {() => {
          const kind = form.getFieldValue([name, 'kind']) as LevelValues['kind'] | undefined;
          return (
            <Row gutter={12}>
              {(kind === 'percent_first_order' || kind === 'percent_window') && <Col span={12}><Form.Item name={[name, 'percent']} label={t('fission.rules.percent')}><InputNumber min={0.01} max={100} precision={2} suffix="%" style={{ width: '100%' }} /></Form.Item></Col>}
              {kind === 'percent_window' && <Col span={12}><Form.Item name={[name, 'windowDays']} label={t('fission.rules.windowDays')}><InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} /></Form.Item></Col>}
              {kind === 'points' && <Col span={12}><Form.Item name={[name, 'points']} label={t('fission.rules.points')}><InputNumber min={1} precision={0} style={{ width: '100%' }} /></Form.Item></Col>}
              {kind === 'coupon' && <Col span={24}><Form.Item name={[name, 'couponTemplateId']} label={t('fission.rules.coupon')}><Select options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} /></Form.Item></Col>}
            </Row>
          );
        }}
      </Form.Item>
    </Card>
  );

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={10}>
        <Card variant="borderless" className="panel" title={t('fission.tab.rules')} extra={canWrite && <Button type="primary" loading={saving} onClick={() => void save()} data-testid="rules-save">{t('fission.rules.save')}</Button>}>
          {rules.error && <LoadError error={rules.error} onRetry={rules.reload} />}
          <Alert type="info" showIcon message={t('fission.rules.help')} style={{ marginBottom: 12 }} />
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="rules-error" />}
          <Form form={form} layout="vertical" initialValues={{ l1: { kind: 'none' }, l2: { kind: 'none' } }}>
            <Space direction="vertical" style={{ width: '100%' }}>{level('l1', 1)}{level('l2', 2)}</Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={14}>
        <Card variant="borderless" className="panel" title={t('fission.rules.refusals')} extra={canWrite && <Button icon={<SyncOutlined />} onClick={() => void run()}>{t('fission.rules.run')}</Button>}>
          {refusals.error && <LoadError error={refusals.error} onRetry={refusals.reload} />}
          <Table<Refusal> rowKey="eventId" size="small" dataSource={refusals.data?.items ?? []} loading={refusals.loading && !refusals.data} pagination={{ pageSize: 10, hideOnSinglePage: true }}
            columns={[
              { title: t('fission.rules.at'), dataIndex: 'at', width: 150, render: (at: string) => <span className="num muted nowrap">{formatDateTime(at, zone)}</span> },
              { title: t('fission.rules.code'), dataIndex: 'code', width: 110, render: (c: string) => <Tag>{c}</Tag> },
              { title: t('fission.rules.reason'), dataIndex: 'reason', width: 120, render: (r: string) => <Tag color="red" variant="filled">{t(`fission.reason.${r}` as MessageKey)}</Tag> },
              { title: '', dataIndex: 'message', render: (m: string) => <span className="muted cell-note">{m}</span> },
            ]} />
        </Card>
      </Col>
    </Row>
  );
}
