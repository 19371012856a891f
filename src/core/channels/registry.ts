// The channels Yuchi can send through. Each channel adds its adapter to this list.
import type { MessageChannel } from '../../db/schema.ts';
import type { ChannelAdapter } from './channel.ts';
import { wecomAdapter } from './wecom/wecom.adapter.ts';
import { emailAdapter } from './email.adapter.ts';
import { smsAdapter } from './sms.adapter.ts';
import { webhookAdapter } from './webhook.adapter.ts';
import { sandboxChannel } from './sandbox.ts';

const ADAPTERS: ChannelAdapter[] = [
  wecomAdapter,
  emailAdapter,
  smsAdapter,
  webhookAdapter,
  sandboxChannel,
];

export function channelFor(kind: MessageChannel): ChannelAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.kind === kind);
}
