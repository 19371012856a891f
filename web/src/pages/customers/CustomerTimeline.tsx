// Everything that happened to the customer, newest first: WeCom contacts and groups, orders,
// tag changes, questionnaires, consent, merges. Pages of 20; "load more" follows the cursor.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Button, Card, Empty, Spin } from 'antd';
import {
  CommentOutlined,
  EyeOutlined,
  FormOutlined,
  MergeCellsOutlined,
  MessageOutlined,
  RollbackOutlined,
  SafetyCertificateOutlined,
  ShoppingOutlined,
  TagOutlined,
  ThunderboltOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import { api, type TimelineEntry } from '../../api.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { describeEvent, type EventTone } from './timeline-lines.ts';

const PAGE = 20;

const ICONS: Record<EventTone, ReactNode> = {
  contact: <UserAddOutlined />,
  group: <CommentOutlined />,
  order: <ShoppingOutlined />,
  refund: <RollbackOutlined />,
  tag: <TagOutlined />,
  message: <MessageOutlined />,
  form: <FormOutlined />,
  privacy: <SafetyCertificateOutlined />,
  merge: <MergeCellsOutlined />,
  visit: <EyeOutlined />,
  other: <ThunderboltOutlined />,
};

interface Loaded {
  items: TimelineEntry[];
  next: string | null;
}

export function CustomerTimeline({ customerId, zone, version }: { customerId: string; zone: string; version: number }) {
  const t = useT();
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<Error>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  const stores = useRemote((signal) => api.stores({ signal }), []);

  // The first page again whenever the customer changes or something was done to them.
  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    api
      .timeline(customerId, { limit: PAGE }, { signal: controller.signal })
      .then((page) => setLoaded({ items: page.items, next: page.nextCursor }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(err instanceof Error ? err : new Error(String(err)));
      });
    return () => controller.abort();
  }, [customerId, version, attempt]);

  const more = async () => {
    if (!loaded?.next) return;
    setLoadingMore(true);
    try {
      const page = await api.timeline(customerId, { before: loaded.next, limit: PAGE });
      setLoaded({ items: [...loaded.items, ...page.items], next: page.nextCursor });
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setLoadingMore(false);
    }
  };

  const lookups = useMemo(() => {
    const people = new Map<string, string>();
    for (const s of staff.data?.items ?? []) {
      people.set(s.id, s.name);
      if (s.wecomUserId) people.set(s.wecomUserId, s.name);
    }
    const places = new Map((stores.data?.items ?? []).map((s) => [s.id, s.name]));
    return { staffName: (ref: string) => people.get(ref), storeName: (id: string) => places.get(id) };
  }, [staff.data, stores.data]);

  return (
    <Card variant="borderless" className="panel" title={t('customer.timeline')} data-testid="customer-timeline">
      {error && <LoadError error={error} onRetry={() => setAttempt((n) => n + 1)} />}
      {!loaded && !error && <div className="timeline-loading"><Spin /></div>}
      {loaded && loaded.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noEvents')} />}
      {loaded && loaded.items.length > 0 && (
        <ol className="timeline">
          {loaded.items.map((entry) => {
            const line = describeEvent(entry, t, lookups);
            return (
              <li key={entry.id} className={`timeline-item timeline-${line.tone}`} data-testid="timeline-entry" data-type={entry.type}>
                <span className="timeline-icon">{ICONS[line.tone]}</span>
                <div className="timeline-body">
                  <div className="timeline-text">{line.text}</div>
                  <div className="timeline-meta muted">
                    <span className="num">{formatDateTime(entry.occurredAt, zone)}</span>
                    {line.detail && <span className="timeline-detail">{line.detail}</span>}
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {loaded?.next && (
        <div className="timeline-more">
          <Button onClick={() => void more()} loading={loadingMore} data-testid="timeline-more">
            {t('customer.loadMore')}
          </Button>
        </div>
      )}
    </Card>
  );
}
