// What every outgoing channel (WeCom, email, SMS, webhook, the sandbox) offers the delivery
// engine. The engine decides when a message may go; an adapter only knows how to send it.
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessageContent } from '../../db/schema.ts';

export interface ChannelContext {
  db: Db;
  tenantId: string;
}

/** One message for one customer, as the engine hands it to a channel. */
export interface OutgoingMessage {
  /** messages.id: an adapter passes it on where the provider de-duplicates, so a resend after a crash is not a second message. */
  messageId: string;
  customerId: string;
  /** The guide it goes out as (WeCom), when there is one. */
  staffId: string | null;
  content: MessageContent;
}

export type SendOutcome =
  | { ok: true; providerId?: string }
  /**
   * retryable: a timeout, rate limit or 5xx (tried again with backoff); otherwise failed for good
   * with the reason. notSetUp: the tenant has not configured this channel at all (a WeCom mass
   * send then goes to the guides by hand instead).
   */
  | { ok: false; retryable: boolean; reason: string; notSetUp?: true };

export interface ChannelAdapter {
  readonly kind: MessageChannel;
  /** Sends one message to one customer. */
  send(ctx: ChannelContext, message: OutgoingMessage): Promise<SendOutcome>;
  /**
   * WeCom mass sends: one request per staff member for many of their customers, which the staff
   * member confirms on their phone (add_msg_template). providerId is WeCom's msgid, for results.
   */
  sendForConfirmation?(ctx: ChannelContext, staffId: string, messages: OutgoingMessage[]): Promise<SendOutcome>;
  /** Posts to customer groups through their owner (WeCom add_msg_template with chat_type group). */
  sendToGroups?(ctx: ChannelContext, staffId: string, chatIds: string[], content: MessageContent): Promise<SendOutcome>;
  /** The console's connection test: checks the tenant's settings against the provider. */
  test?(ctx: ChannelContext): Promise<{ ok: boolean; detail: string }>;
}
