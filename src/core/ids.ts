import { v7 as uuidv7 } from 'uuid';

/** Time-ordered ids (UUIDv7): new rows land at the right edge of every btree. */
export function newId(): string {
  return uuidv7();
}

/** A deterministic time-ordered id, for generated data that must repeat exactly (demo seed). */
export function idAt(msecs: number, random: Uint8Array): string {
  return uuidv7({ msecs, random });
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
