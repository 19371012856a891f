import type { ReactNode } from 'react';

/** The title band at the top of every page: title, one line of context, actions on the right. */
export function PageHeader({ title, subtitle, extra, before }: { title: ReactNode; subtitle?: ReactNode; extra?: ReactNode; before?: ReactNode }) {
  return (
    <div className="page-header">
      {before}
      <div className="page-header-row">
        <div className="page-header-text">
          <h1 className="page-title">{title}</h1>
          {subtitle && <div className="page-subtitle">{subtitle}</div>}
        </div>
        {extra && <div className="page-header-extra">{extra}</div>}
      </div>
    </div>
  );
}
