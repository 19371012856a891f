// How a group's health reads on screen: badge colours, reasons in words with shares as percents.
import { Tag } from 'antd';
import type { GroupAction, GroupHealth, GroupKind, HealthClass, HealthReason } from '../../api-groups.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';

export const CLASS_COLOR: Record<HealthClass, string> = { value: 'green', chicken_rib: 'gold', dead: 'default', spam: 'red' };
export const CLASSES: HealthClass[] = ['value', 'chicken_rib', 'dead', 'spam'];
export const KINDS: GroupKind[] = ['value', 'interest', 'group_buy', 'vip', 'service', 'other'];

export function HealthBadge({ health, t }: { health: GroupHealth | null; t: Translate }) {
  if (!health) return <Tag>{t('groups.noHealth')}</Tag>;
  return <Tag color={CLASS_COLOR[health.class]} data-testid="health-badge">{t(`groups.class.${health.class}` as MessageKey)}</Tag>;
}

const SHARES = new Set(['share', 'threshold', 'meshShare']);

/** A reason in words: shares and thresholds as percents, counts as they are. */
export function reasonText(reason: HealthReason, t: Translate): string {
  const vars: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(reason.values)) vars[k] = SHARES.has(k) && v <= 1 ? `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%` : v;
  return t(`groups.reason.${reason.code}` as MessageKey, vars);
}

export const actionText = (action: GroupAction, t: Translate): string => t(`groups.action.${action}` as MessageKey);
