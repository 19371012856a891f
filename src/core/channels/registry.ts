// The channels Yuchi can send through. Each channel adds its adapter to this list.
import type { MessageChannel } from '../../db/schema.ts';
import type { ChannelAdapter } from './channel.ts';
import { sandboxChannel } from './sandbox.ts';

const ADAPTERS: ChannelAdapter[] = [
  sandboxChannel,
];

export function channelFor(kind: MessageChannel): ChannelAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.kind === kind);
}
