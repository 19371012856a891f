// What a task asks the guide to post or say, under its title: the text to copy (SOP posts, 群发
// handed over by hand, journey follow-ups), the pictures and links that go with it, and for a 群发
// sent by hand the customers to send it to. A guide at the counter copies it into WeCom.
import { Typography } from 'antd';
import { Link } from 'react-router';
import type { GuideTask } from '../../api-acquisition.ts';
import { useT } from '../../i18n/i18n.tsx';

interface Named { id: string; name: string; text?: string }

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const list = <T,>(v: unknown, ok: (x: unknown) => x is T): T[] => (Array.isArray(v) ? v.filter(ok) : []);
const isNamed = (x: unknown): x is Named => typeof x === 'object' && x !== null && typeof (x as Named).id === 'string';
const isLink = (x: unknown): x is { title?: string; url: string } => typeof x === 'object' && x !== null && typeof (x as { url?: unknown }).url === 'string';
const isString = (x: unknown): x is string => typeof x === 'string';

/** The content a task carries, whichever area made it. */
function contentOf(task: GuideTask): { text: string | null; images: string[]; links: { title?: string; url: string }[] } {
  const d = task.detail;
  if (task.kind === 'sop_post' && typeof d.content === 'object' && d.content !== null) {
    const c = d.content as Record<string, unknown>;
    return { text: text(c.text), images: list(c.images, isString), links: list(c.links, isLink) };
  }
  const attachments = list(d.attachments, isLink);
  return {
    text: text(d.text),
    images: attachments.filter((a) => (a as { kind?: string }).kind === 'image').map((a) => a.url),
    links: attachments.filter((a) => (a as { kind?: string }).kind !== 'image'),
  };
}

export function TaskDetail({ task }: { task: GuideTask }) {
  const t = useT();
  const d = task.detail;
  const content = contentOf(task);
  const customers = list(d.customers, isNamed);
  const handedByHand = task.kind === 'mass_send_confirm' && d.manual === true;
  const more = typeof d.messages === 'number' ? d.messages - customers.length : 0;
  const hint = handedByHand ? t('workbench.detail.byHand')
    : task.kind === 'send_by_hand' ? t('workbench.detail.oneByHand')
    : task.kind === 'mass_send_confirm' ? t('workbench.detail.confirmInWecom')
      : task.kind === 'sop_post' && text(d.groupName) ? t('workbench.detail.postTo', { group: String(d.groupName) })
        : task.kind === 'invite_to_group' && text(d.groupName) ? t('workbench.detail.inviteTo', { group: String(d.groupName) })
          : task.kind === 'remove_from_group' && text(d.excerpt) ? t('workbench.detail.removed', { rule: String(d.rule ?? ''), excerpt: String(d.excerpt) })
            : null;
  if (!hint && !content.text && customers.length === 0) return null;
  return (
    <div className="workbench-task-detail" data-testid="task-detail">
      {hint && <div className="muted cell-note">{hint}</div>}
      {content.text && <Typography.Paragraph className="workbench-task-copy" copyable={{ text: content.text, tooltips: [t('workbench.detail.copy'), t('workbench.detail.copied')] }}>{content.text}</Typography.Paragraph>}
      {content.images.length > 0 && (
        <div className="workbench-task-images">{content.images.map((url) => <a key={url} href={url} target="_blank" rel="noreferrer"><img src={url} alt="" /></a>)}</div>
      )}
      {content.links.map((l) => <div key={l.url} className="cell-note"><a href={l.url} target="_blank" rel="noreferrer">{l.title || l.url}</a></div>)}
      {customers.length > 0 && (
        <div className="workbench-task-customers">
          <span className="muted cell-note">{t('workbench.detail.sendTo')}</span>
          {customers.map((c) => (
            <span key={c.id} className="workbench-task-customer">
              <Link to={`/customers/${c.id}`}>{c.name || c.id.slice(0, 8)}</Link>
              {c.text && <Typography.Text copyable={{ text: c.text, tooltips: [t('workbench.detail.copy'), t('workbench.detail.copied')] }} />}
            </span>
          ))}
          {more > 0 && <span className="muted cell-note">{t('workbench.detail.more', { n: more })}</span>}
        </div>
      )}
    </div>
  );
}
