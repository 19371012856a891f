// The Yuchi mark: a fish over two ripples, in a rounded pond-coloured tile.
import { useId } from 'react';

export function BrandMark({ size = 32 }: { size?: number }) {
  const gradient = `pond-${useId().replace(/:/g, '')}`;
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" role="img" aria-label="鱼池 Yuchi">
      <defs>
        <linearGradient id={gradient} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#22c3b5" />
          <stop offset="1" stopColor="#0a6fb8" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill={`url(#${gradient})`} />
      <path d="M5.5 13.5C8.6 8.8 14.8 7.9 19.8 11.4L25.5 7.8V19.2L19.8 15.6C14.8 19.1 8.6 18.2 5.5 13.5Z" fill="#fff" />
      <circle cx="10" cy="12.6" r="1.2" fill="#0a6fb8" />
      <path d="M5.5 23q2.6-2.2 5.2 0t5.2 0 5.2 0 5.2 0" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
      <path d="M8 27.2q2.4-1.8 4.8 0t4.8 0 4.8 0" fill="none" stroke="#fff" strokeOpacity=".55" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}

/** Mark and name together, as in the sider and on the login page. */
export function BrandLockup({ collapsed = false, light = false }: { collapsed?: boolean; light?: boolean }) {
  return (
    <span className={`brand-lockup${light ? ' brand-lockup-light' : ''}`}>
      <BrandMark />
      {!collapsed && (
        <span className="brand-words">
          <span className="brand-cn">鱼池</span>
          <span className="brand-en">Yuchi</span>
        </span>
      )}
    </span>
  );
}
