// Actions on every customer the list's filter matches (not just the page shown): add or remove
// tags, after a confirmation that states how many people it touches; export as CSV or Excel.
import { useState } from 'react';
import { Alert, App, Button, Dropdown, Modal, Select, Space } from 'antd';
import { DownloadOutlined, TagsOutlined } from '@ant-design/icons';
import { api, apiUrl, type CustomerFilter, type TagGroup } from '../../api.ts';
import { formatCount } from '../../format.ts';
import { useLocale } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { renderTagOption, tagSelectOptions } from '../tags/tag-options.tsx';
import { errorText } from '../../refusal-text.ts';

type Mode = 'add' | 'remove';

const CONFIRM_TEST_ID = { 'data-testid': 'bulk-confirm' };

export function BulkActions({ filter, matched, tagGroups, onChanged }: { filter: CustomerFilter; matched: number | undefined; tagGroups: TagGroup[]; onChanged: () => void }) {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const canTag = useCan('tags:write');
  const canExport = useCan('customers:export');
  const [mode, setMode] = useState<Mode>();
  const [tagIds, setTagIds] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  if (!canTag && !canExport) return null;

  const open = (next: Mode) => {
    setTagIds([]);
    setMode(next);
  };
  const submit = async () => {
    if (!mode || tagIds.length === 0) return;
    setSaving(true);
    try {
      const result = await api.bulkTag({ filter, ...(mode === 'add' ? { add: tagIds } : { remove: tagIds }) });
      message.success(t('bulk.done', { matched: formatCount(result.matched), changed: formatCount(result.changed) }));
      setMode(undefined);
      onChanged();
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const exportHref = (format: 'csv' | 'xlsx') => apiUrl('/customers/export', { ...filter, format, lang: locale === 'zh-CN' ? 'zh' : 'en' });
  const count = matched === undefined ? '…' : formatCount(matched);

  return (
    <>
      <Space wrap className="bulk-actions" data-testid="bulk-actions">
        {canTag && (
          <Button icon={<TagsOutlined />} onClick={() => open('add')} disabled={matched === 0} data-testid="bulk-tag">
            {t('bulk.tag')}
          </Button>
        )}
        {canTag && (
          <Button onClick={() => open('remove')} disabled={matched === 0} data-testid="bulk-untag">
            {t('bulk.untag')}
          </Button>
        )}
        {canExport && (
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'csv', label: <a href={exportHref('csv')} download data-testid="export-csv">{t('bulk.exportCsv')}</a> },
                { key: 'xlsx', label: <a href={exportHref('xlsx')} download data-testid="export-xlsx">{t('bulk.exportXlsx')}</a> },
              ],
            }}
          >
            <Button icon={<DownloadOutlined />} disabled={matched === 0} data-testid="bulk-export">
              {t('bulk.export')}
            </Button>
          </Dropdown>
        )}
      </Space>
      <Modal
        open={mode !== undefined}
        title={mode === 'remove' ? t('bulk.untagTitle') : t('bulk.tagTitle')}
        okText={mode === 'remove' ? t('bulk.confirmUntag', { count }) : t('bulk.confirmTag', { count })}
        okButtonProps={{ disabled: tagIds.length === 0, danger: mode === 'remove', ...CONFIRM_TEST_ID }}
        confirmLoading={saving}
        onOk={() => void submit()}
        onCancel={() => setMode(undefined)}
        destroyOnHidden
      >
        <Alert
          type={mode === 'remove' ? 'warning' : 'info'}
          showIcon
          className="bulk-alert"
          title={t(mode === 'remove' ? 'bulk.untagScope' : 'bulk.tagScope', { count })}
        />
        <Select
          mode="multiple"
          autoFocus
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('bulk.pickTags')}
          value={tagIds}
          onChange={setTagIds}
          options={tagSelectOptions(tagGroups, { manualOnly: true })}
          optionRender={renderTagOption}
          style={{ width: '100%' }}
          data-testid="bulk-tag-select"
        />
      </Modal>
    </>
  );
}
