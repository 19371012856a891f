// On the customer 360: the customer's RFM cell and scores, lifecycle stage, value tier, chance of
// still buying (P(alive)) and predicted CLV, from the latest scoring run. Guides see it too.
import { Card, Tag } from 'antd';
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
      <div className="stat-grid">
        <div className="stat">
          <div className="stat-label">RFM</div>
          <div className="stat-value">{scores.rfmCell ? t(`cell.${scores.rfmCell}`) : '—'}</div>
          {scores.rScore !== null && <div style={{ color: "rgba(0, 0, 0, 0.45)", fontSize: 12 }}>R{scores.rScore} F{scores.fScore} M{scores.mScore}</div>}
        </div>
        <div className="stat">
          <div className="stat-label">{t('clv.stage')}</div>
          <div className="stat-value">{t(`stage.${scores.lifecycleStage}`)}</div>
        </div>
        <div className="stat">
          <div className="stat-label">{t('clv.tier')}</div>
          <div className="stat-value">{scores.valueTier ? <Tag color="gold">{scores.valueTier}</Tag> : '—'}</div>
        </div>
        <div className="stat">
          <div className="stat-label">{t('clv.alive')}</div>
          <div className="stat-value" style={{ color: alive !== null && alive < 0.3 ? '#de350b' : undefined }}>{alive === null ? '—' : `${(alive * 100).toFixed(0)}%`}</div>
        </div>
        <div className="stat">
          <div className="stat-label">{t('clv.clv')}</div>
          <div className="stat-value">{scores.clvFen === null ? '—' : formatMoney(scores.clvFen)}</div>
        </div>
      </div>
    </Card>
  );
}
