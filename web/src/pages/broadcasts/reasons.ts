// The engine's reason codes in the console's words.
import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';

export function reasonLabel(t: Translate, reason: string): string {
  const key = `msg.reason.${reason}`;
  return isKey(key) ? t(key) : reason;
}

function isKey(key: string): key is MessageKey {
  return key.startsWith('msg.reason.') && ['consent_withdrawn', 'no_consent', 'global_holdout', 'campaign_holdout', 'platform_quota_day', 'platform_quota_week',
    'platform_quota_month', 'frequency_cap', 'quiet_hours', 'no_slot', 'no_guide', 'wecom_not_set_up', 'guide_skipped'].includes(key.slice('msg.reason.'.length));
}
