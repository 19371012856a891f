// The sandbox channel: a simulated phone per customer, for trying Yuchi without WeCom. A message
// lands in sandbox_inbox keyed by its message id, so a resend after a crash is absorbed (counted in
// redeliveries) instead of arriving twice — the de-duplication a real provider does by idempotency key.
import { sql } from 'kysely';
import type { ChannelAdapter } from './channel.ts';

export const sandboxChannel: ChannelAdapter = {
  kind: 'sandbox',
  async send(ctx, message) {
    await sql`insert into sandbox_inbox (tenant_id, id, customer_id, direction, content)
              values (${ctx.tenantId}, ${message.messageId}, ${message.customerId}, 'out', ${JSON.stringify(message.content)}::jsonb)
              on conflict (tenant_id, id) do update set redeliveries = sandbox_inbox.redeliveries + 1`.execute(ctx.db);
    return { ok: true, providerId: `sandbox:${message.messageId}` };
  },
  async sendForConfirmation(ctx, _staffId, messages) {
    for (const message of messages) await sandboxChannel.send(ctx, message);
    return { ok: true, providerId: `sandbox-batch:${messages[0]?.messageId ?? 'empty'}` };
  },
  async test() {
    return { ok: true, detail: 'the sandbox is always reachable' };
  },
};
