// The columns the chosen kind of file takes, in Chinese and English, with a template to download.
import { Button, Card, Table, Tag, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { ImportKind } from '../../api.ts';
import { downloadText } from '../../download.ts';
import { useT } from '../../i18n/i18n.tsx';
import { TEMPLATES, templateCsv, type TemplateColumn } from './import-templates.ts';

export function TemplateHelp({ kind }: { kind: ImportKind }) {
  const t = useT();
  const columns: TableColumnsType<TemplateColumn> = [
    {
      title: t('template.header'),
      key: 'header',
      width: 150,
      render: (_v, c) => (
        <span className="cell-stack">
          <span className="template-zh">{c.zh}</span>
          <span className="muted cell-note template-en">{c.en}</span>
        </span>
      ),
    },
    {
      title: t('template.meaning'),
      key: 'help',
      render: (_v, c) => (
        <span className="cell-stack">
          <span>
            {c.need === 'required' && <Tag color="red" variant="filled" className="need-tag">{t('template.required')}</Tag>}
            {c.need === 'identity' && <Tag color="orange" variant="filled" className="need-tag">{t('template.identity')}</Tag>}
            {t(c.help)}
          </span>
        </span>
      ),
    },
  ];
  return (
    <Card
      variant="borderless"
      className="panel template-help"
      title={t(kind === 'customers' ? 'template.customersTitle' : 'template.ordersTitle')}
      data-testid="import-template"
    >
      <p className="muted card-intro">{t(kind === 'customers' ? 'template.customersIntro' : 'template.ordersIntro')}</p>
      <div className="template-downloads">
        <Button size="small" icon={<DownloadOutlined />} onClick={() => downloadText(`${kind}-template.csv`, templateCsv(kind, 'zh'), 'text/csv;charset=utf-8')}>{t('template.downloadZh')}</Button>
        <Button size="small" icon={<DownloadOutlined />} onClick={() => downloadText(`${kind}-template-en.csv`, templateCsv(kind, 'en'), 'text/csv;charset=utf-8')}>{t('template.downloadEn')}</Button>
      </div>
      <Table<TemplateColumn> rowKey="en" size="small" columns={columns} dataSource={TEMPLATES[kind]} pagination={false} />
    </Card>
  );
}
