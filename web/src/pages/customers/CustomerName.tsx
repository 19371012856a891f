import { Avatar } from 'antd';
import type { Gender } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';

const TONES: Record<Gender, string> = { female: 'avatar-female', male: 'avatar-male', unknown: 'avatar-unknown' };

/** A customer's name with an initial avatar; a nameless profile (a bare openid) says so. */
export function CustomerName({ name, gender, size = 28 }: { name: string; gender: Gender; size?: number }) {
  const t = useT();
  const shown = name.trim() || t('customers.unnamed');
  return (
    <span className="customer-name">
      <Avatar size={size} className={TONES[gender]}>
        {name.trim().slice(0, 1) || '?'}
      </Avatar>
      <span className={name.trim() ? undefined : 'muted'}>{shown}</span>
    </span>
  );
}
