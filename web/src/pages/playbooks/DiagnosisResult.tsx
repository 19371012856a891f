// A diagnosis: the model with its reasons and the runner-up, the quadrant, the maturity level and
// what the next level needs, and seed 004's warnings with what to do instead.
import { Alert, Card, Col, Descriptions, List, Progress, Row, Steps, Tag, Typography } from 'antd';
import { CheckCircleFilled, ClockCircleOutlined } from '@ant-design/icons';
import type { DiagnosisView, Maturity } from '../../api-playbooks.ts';
import { formatDateTime, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useTenantZone } from '../../session.tsx';
import { QuadrantChart } from './QuadrantChart.tsx';

const LEVELS: Maturity[] = ['junior', 'intermediate', 'senior'];
const VERDICT_TYPE = { go: 'success', caution: 'warning', not_recommended: 'error' } as const;
const percent = (share: number) => Math.round(share * 100);

export function DiagnosisResult({ view }: { view: DiagnosisView }) {
  const t = useT();
  const zone = useTenantZone();
  const d = view.result;
  const source = (s: 'answered' | 'measured') => t(`diag.source.${s}`);
  const reason = (code: string, params: Record<string, number | string>): string => {
    const vars: Record<string, string | number> = { ...params };
    if (typeof params.fen === 'number') vars.money = formatMoney(params.fen);
    if (typeof params.lineFen === 'number') vars.line = formatMoney(params.lineFen);
    const text = t(`diag.reason.${code}` as MessageKey, vars);
    return typeof params.source === 'string' ? `${text} ${source(params.source as 'answered' | 'measured')}` : text;
  };

  return (
    <div data-testid="diag-result">
      <Alert type={VERDICT_TYPE[d.verdict]} showIcon title={t(`diag.verdict.${d.verdict}`)} style={{ marginBottom: 16 }} data-testid="diag-verdict" />
      {d.warnings.map((w) => (
        <Alert key={w.code} type={w.severity === 'critical' ? 'error' : 'warning'} style={{ marginBottom: 12 }}
          title={t(`diag.warning.${w.code}` as MessageKey, { ...w.params, rate: typeof w.params.rate === 'number' ? `${percent(w.params.rate)}%` : '', line: typeof w.params.line === 'number' ? `${percent(w.params.line)}%` : '' })}
          description={<ul className="diag-suggestions">{w.suggestions.map((s) => <li key={s}>{t(`diag.suggestion.${s}` as MessageKey)}</li>)}</ul>} />
      ))}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('diag.yourModel')} data-testid="diag-model">
            <Typography.Title level={2} style={{ marginTop: 0 }}>{t(`diag.model.${d.model}`)}</Typography.Title>
            <Typography.Paragraph type="secondary">{t(`diag.modelDesc.${d.model}`)}</Typography.Paragraph>
            {d.scores.map((s) => (
              <div key={s.model} className="diag-score">
                <span className="diag-score-name">{t(`diag.model.${s.model}`)}</span>
                <Progress percent={percent(s.share)} status={s.model === d.model ? 'active' : 'normal'} strokeColor={s.model === d.model ? undefined : '#bfbfbf'} />
              </div>
            ))}
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('diag.runnerUp', { model: t(`diag.model.${d.runnerUp.model}`), margin: percent(d.runnerUp.margin) })}
            </Typography.Paragraph>
            <Typography.Title level={5}>{t('diag.reasons')}</Typography.Title>
            <ul className="diag-reasons">{d.reasons.map((r) => <li key={r.code}>{reason(r.code, r.params)}</li>)}</ul>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('diag.quadrant')}>
            <QuadrantChart purchasesPerYear={d.inputs.purchasesPerYear.value} ticketFen={d.inputs.averageTicketFen.value} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('diag.maturity')} data-testid="diag-maturity">
            <Steps direction="vertical" size="small" current={LEVELS.indexOf(d.maturity.level)} items={LEVELS.map((l) => ({ title: t(`diag.maturity.${l}`) }))} />
            {d.maturity.answered !== d.maturity.level && (
              <Typography.Paragraph type="secondary">
                {t('diag.maturityAnswered', { level: t(`diag.maturity.${d.maturity.answered}`), seen: t(`diag.maturity.${d.maturity.level}`) })}
              </Typography.Paragraph>
            )}
            {d.maturity.next.length === 0 ? <Typography.Text>{t('diag.topLevel')}</Typography.Text> : (
              <List size="small" header={<strong>{t('diag.nextLevel')}</strong>} dataSource={d.maturity.next}
                renderItem={(i) => (
                  <List.Item>
                    {i.done ? <CheckCircleFilled style={{ color: '#52c41a', marginRight: 8 }} /> : <ClockCircleOutlined style={{ color: '#faad14', marginRight: 8 }} />}
                    {t(`diag.next.${i.item}` as MessageKey)}
                  </List.Item>
                )} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('diag.inputs')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('diag.q.purchasesPerYear')}>{d.inputs.purchasesPerYear.value} <Tag>{source(d.inputs.purchasesPerYear.source)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('diag.q.averageTicket')}>{formatMoney(d.inputs.averageTicketFen.value)} <Tag>{source(d.inputs.averageTicketFen.source)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('diag.q.repurchaseRate')}>{percent(d.inputs.repurchaseRate.value)}% <Tag>{source(d.inputs.repurchaseRate.source)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('diag.q.expertise')}>{t(`diag.level.${d.inputs.expertise}`)}</Descriptions.Item>
              <Descriptions.Item label={t('diag.q.social')}>{t(`diag.level.${d.inputs.social}`)}</Descriptions.Item>
              <Descriptions.Item label={t('diag.q.solution')}>{t(`diag.solution.${d.inputs.solution}` as MessageKey)}</Descriptions.Item>
              <Descriptions.Item label={t('diag.q.serviceStaff')}>{d.inputs.serviceStaff}</Descriptions.Item>
            </Descriptions>
            <Typography.Text type="secondary">{t('diag.at', { at: formatDateTime(view.createdAt, zone), by: view.createdBy })}</Typography.Text>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
