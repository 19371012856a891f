// API keys already checked, kept in the process so a request with a known key costs no database
// round trip (the POS prompt at the till answers hundreds of requests a second with one statement;
// the key look-up was the second). Only keys that were valid are kept.
//
// A key stops being valid when its row or its tenant's row changes or goes (revoked, deleted, the
// tenant renamed or moved to another zone): triggers on api_keys and tenants (migration 0034) send
// a notice on API_KEY_CHANGES in the changing transaction, and every process listening drops all it
// holds when it arrives. So a change is seen as soon as it commits, as when every request read the
// row. Until the listening connection is up, and whenever it is lost, nothing is kept or answered
// from here: every request reads the row, as before. A look-up that began before a change arrived
// is not kept (the generation counter), so a stale answer cannot slip in behind the notice.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Actor } from '../core/access/access.rules.ts';

export const API_KEY_CHANGES = 'yuchi_api_key_changes';
/** A bound on memory, not on freshness: a full cache starts over. */
const MAX_KEYS = 10_000;
/** Reconnect attempts after the listening connection is lost, at most this often. */
const RETRY_MS = 5_000;

export interface ApiKeyCache {
  /** Authenticates through `lookUp` unless the key is held; keeps what it finds while the notices are heard. */
  authenticate(key: string, lookUp: (key: string) => Promise<Actor | undefined>): Promise<Actor | undefined>;
  /** Drops everything held now: this process changed a key and need not wait for its own notice. */
  forget(): void;
  close(): Promise<void>;
}

export function apiKeyCache(url: string): ApiKeyCache {
  const held = new Map<string, Actor>();
  let generation = 0;
  let listening = false;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let lastAttempt = 0;
  let closed = false;

  const forget = (): void => {
    held.clear();
    generation += 1;
  };
  const lost = (): void => {
    listening = false;
    forget();
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
  };
  const listen = (): void => {
    if (closed || connecting || listening || Date.now() - lastAttempt < RETRY_MS) return;
    lastAttempt = Date.now();
    const c = new pg.Client({ connectionString: url, application_name: 'yuchi-api-keys' });
    client = c;
    c.on('notification', forget);
    c.on('error', lost);
    c.on('end', () => { if (client === c) lost(); });
    connecting = c.connect()
      .then(() => c.query(`listen ${API_KEY_CHANGES}`))
      .then(() => {
        if (closed || client !== c) return;
        // Whatever was looked up before the LISTEN took effect may predate a change not heard.
        forget();
        listening = true;
      })
      .catch(() => { if (client === c) lost(); })
      .finally(() => { connecting = undefined; });
  };
  const keyOf = (key: string): string => createHash('sha256').update(key).digest('base64url');

  return {
    async authenticate(key, lookUp) {
      listen();
      const id = keyOf(key);
      const known = listening ? held.get(id) : undefined;
      if (known) return { ...known };
      const at = generation;
      const actor = await lookUp(key);
      if (actor && listening && at === generation) {
        if (held.size >= MAX_KEYS) held.clear();
        held.set(id, { ...actor });
      }
      return actor;
    },
    forget,
    async close() {
      closed = true;
      listening = false;
      held.clear();
      await connecting?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
