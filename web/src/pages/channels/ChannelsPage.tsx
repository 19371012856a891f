// /channels: one card per channel with its settings and a connection test.
import { channelsApi } from '../../api-channels.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { useT } from '../../i18n/i18n.tsx';
import { ChannelCard } from './ChannelCard.tsx';
import './channels.css';

export default function ChannelsPage() {
  const t = useT();
  const channels = useRemote((signal) => channelsApi.list({ signal }), []);
  return (
    <div data-testid="channels-page">
      <PageHeader title={t('channels.title')} subtitle={t('channels.subtitle')} />
      {channels.error && <LoadError error={channels.error} onRetry={channels.reload} />}
      <div className="channels-grid">
        {channels.data?.items.map((c) => <ChannelCard key={c.kind} channel={c} onChanged={channels.reload} />)}
      </div>
    </div>
  );
}
