// 话术库: guides search scripts by scenario and tag, copy one into WeCom (the copy is counted), and
// — opened from a customer (?customerId=) — see the scripts for that customer's tags first.
// Operators add, change and delete scripts.
import { useEffect, useState } from 'react';
import { App, Button, Card, Empty, Input, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { CopyOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { api } from '../../api.ts';
import { sopApi, type Script } from '../../api-sop.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { ScriptModal } from './ScriptModal.tsx';
import { errorText } from '../../refusal-text.ts';

/** The clipboard API needs a secure context; a hidden textarea covers plain-http installs. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function ScriptsPanel() {
  const t = useT();
  const { message } = App.useApp();
  const canEdit = useCan('sop:write');
  const [params] = useSearchParams();
  const customerId = params.get('customerId') ?? undefined;
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const [scenario, setScenario] = useState<string | undefined>();
  const [tagId, setTagId] = useState<string | undefined>();
  const [editing, setEditing] = useState<Script | 'new' | null>(null);
  const [counts, setCounts] = useState<Record<string, { useCount: number; usedByMe: number }>>({});
  const scripts = useRemote((signal) => sopApi.scripts({ ...(q ? { q } : {}), ...(scenario ? { scenario } : {}), ...(tagId ? { tagId } : {}), ...(customerId ? { customerId } : {}) }, { signal }), [q, scenario, tagId, customerId]);
  const tagGroups = useRemote((signal) => api.tagGroups({ signal }), []);

  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);

  const copy = async (s: Script) => {
    try {
      await copyText(s.body);
      void message.success(t('sop.scripts.copied'));
      const used = await sopApi.scriptUsed(s.id);
      setCounts((c) => ({ ...c, [s.id]: used }));
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const remove = async (s: Script) => {
    try {
      await sopApi.deleteScript(s.id);
      scripts.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const items = scripts.data?.items ?? [];
  return (
    <div data-testid="scripts-panel">
      <div className="scripts-filters">
        <Input.Search allowClear placeholder={t('sop.scripts.search')} value={typed} onChange={(e) => setTyped(e.target.value)} className="scripts-search" data-testid="scripts-search" />
        <Select allowClear placeholder={t('sop.scripts.allScenarios')} value={scenario} onChange={setScenario}
          options={(scripts.data?.scenarios ?? []).map((s) => ({ value: s, label: s }))} />
        <Select allowClear showSearch optionFilterProp="label" placeholder={t('sop.scripts.tag')} value={tagId} onChange={setTagId}
          options={(tagGroups.data?.items ?? []).map((g) => ({ label: g.name, title: g.name, options: g.tags.map((tag) => ({ value: tag.id, label: tag.code ? `${tag.code} ${tag.name}` : tag.name })) }))} />
        {canEdit && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="script-new">{t('sop.scripts.new')}</Button>}
      </div>
      {scripts.error && <LoadError error={scripts.error} onRetry={scripts.reload} />}
      {!scripts.loading && items.length === 0 && <Empty description={t('sop.scripts.empty')} />}
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        {items.map((s) => {
          const used = counts[s.id] ?? s;
          return (
            <Card key={s.id} variant="borderless" className="panel script-card" data-testid="script-card">
              <Space size={6} wrap>
                <Typography.Text strong>{s.title}</Typography.Text>
                <Tag color="blue" variant="filled">{s.scenario}</Tag>
                {s.tags.length === 0 ? <Tag variant="outlined">{t('sop.scripts.general')}</Tag> : s.tags.map((tag) => <Tag key={tag.id} color="purple" variant="outlined">{tag.name}</Tag>)}
                {s.matchedTags > 0 && <Tag color="green" variant="filled">{t('sop.scripts.matched', { count: s.matchedTags })}</Tag>}
              </Space>
              <div className="script-body">{s.body}</div>
              <div className="script-meta">
                <span className="muted">{t('sop.scripts.uses', { total: used.useCount, mine: used.usedByMe })}</span>
                <Space size={6}>
                  {canEdit && <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(s)} aria-label={t('common.edit')} />}
                  {canEdit && (
                    <Popconfirm title={t('sop.scripts.deleteConfirm', { name: s.title })} onConfirm={() => void remove(s)}>
                      <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('sop.scripts.delete')} />
                    </Popconfirm>
                  )}
                  <Button size="small" type="primary" icon={<CopyOutlined />} onClick={() => void copy(s)} data-testid="script-copy">{t('sop.scripts.copy')}</Button>
                </Space>
              </div>
            </Card>
          );
        })}
      </Space>
      {editing && (
        <ScriptModal script={editing === 'new' ? null : editing} scenarios={scripts.data?.scenarios ?? []} tagGroups={tagGroups.data?.items ?? []}
          onClose={() => setEditing(null)} onSaved={() => { setEditing(null); scripts.reload(); }} />
      )}
    </div>
  );
}
