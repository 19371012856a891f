// Shared by the ingestion tests.
import type { Actor } from '../../src/core/access/access.rules.ts';

/** An admin of a tenant, as the API would pass to the core. */
export function adminOf(tenantId: string): Actor {
  return { tenantId, tenantSlug: 'x', tenantName: 'x', timezone: 'Asia/Shanghai', role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'test' };
}
