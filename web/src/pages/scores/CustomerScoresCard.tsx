// On the customer 360: the customer's RFM cell and scores, lifecycle stage, value tier, chance of
// still buying (P(alive)) and predicted CLV, from the latest scoring run. Guides see it too.
import { Card, Descriptions, Tag } from 'antd';
import type { ProfileScores } from '../../api-scores.ts';
import { formatDate, formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

export function CustomerScoresCard({ scores, zone }: { scores: ProfileScores | null; zone: string }) {
  const t = useT();
  if (!scores) return null;
  const alive = scores.pAlive;
  return (
    <Card variant="borderless" className="panel" title={t('nav.layers')} size="small" data-testid="customer-scores"
      extra={<span style={{ color: "rgba(0, 0, 0, 0.45)", fontSize: 12 }}>{formatDate(scores.computedAt, zone)}</span>}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label="RFM" span={2}>
          {scores.rfmCell ? t(`cell.${scores.rfmCell}`) : '—'}
          {scores.rScore !== null && <span style={{ color: 'rgba(0, 0, 0, 0.45)', marginLeft: 8 }}>R{scores.rScore} F{scores.fScore} M{scores.mScore}</span>}
        </Descriptions.Item>
        <Descriptions.Item label={t('clv.stage')}>{t(`stage.${scores.lifecycleStage}`)}</Descriptions.Item>
        <Descriptions.Item label={t('clv.tier')}>{scores.valueTier ? <Tag color="gold">{scores.valueTier}</Tag> : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('clv.alive')}>
          <span style={{ color: alive !== null && alive < 0.3 ? '#de350b' : undefined }}>{alive === null ? '—' : `${(alive * 100).toFixed(0)}%`}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('clv.clv')}>{scores.clvFen === null ? '—' : formatMoney(scores.clvFen)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
