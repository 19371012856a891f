// Console calls for channels: settings per channel (secrets come back masked) and connection tests.
import { call, type Signal } from './api.ts';

export type ChannelKind = 'wecom' | 'email' | 'sms' | 'webhook';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['wecom', 'email', 'sms', 'webhook'];

export interface ChannelView {
  kind: ChannelKind;
  configured: boolean;
  /** Secrets masked (••••1234). */
  settings: Record<string, unknown> | null;
  updatedAt: string | null;
  lastTest: { at: string; ok: boolean; detail: string } | null;
  /** A stored secret this server cannot open: typing it again fixes it. */
  problem: { code: string; message: string; field: string } | null;
  /** WeCom only: the path of the callback URL for WeCom admin. */
  callbackPath: string | null;
}

export interface TestResult {
  ok: boolean;
  detail: string;
}

export const channelsApi = {
  list: ({ signal }: Signal = {}) => call<{ items: ChannelView[] }>('GET', '/channels', signal ? { signal } : {}),
  save: (kind: ChannelKind, settings: Record<string, unknown>) => call<ChannelView>('PUT', `/channels/${kind}`, { body: settings }),
  test: (kind: ChannelKind) => call<TestResult>('POST', `/channels/${kind}/test`),
  syncWecom: () => call<{ queued: boolean }>('POST', '/channels/wecom/sync'),
};
