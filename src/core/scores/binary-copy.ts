// PostgreSQL's binary COPY format, for moving a million per-customer rows between the database and
// the scoring run without turning ids and numbers into text and back: a uuid stays 16 bytes.
// Format: an 11-byte signature, flags and extension length; per row a field count (int16) and per
// field a length (int32, −1 for null) and the value in network byte order; an int16 −1 at the end.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);

/** Column kinds read and written: numbers arrive as doubles (int8 values here stay below 2^53). */
export type ColumnKind = 'uuid' | 'int2' | 'int4' | 'int8' | 'float8' | 'text';

const WIDTH: Record<Exclude<ColumnKind, 'text'>, number> = { uuid: 16, int2: 2, int4: 4, int8: 8, float8: 8 };

/**
 * Reads `copy (<query>) to stdout (format binary)` row by row. The callback gets the row's buffer
 * and the offset of each field (−1 for null) — reading the values is left to it, so nothing is
 * allocated per field.
 */
export async function readBinaryCopy(client: pg.PoolClient, query: string, fields: number, onRow: (buf: Buffer, offsets: Int32Array) => void): Promise<number> {
  const stream = client.query(copyStreams.to(`copy (${query}) to stdout (format binary)`));
  const offsets = new Int32Array(fields);
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  let rows = 0;
  let ended = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    if (!headerRead) {
      if (buf.length < 19) { pending = buf; continue; }
      const extension = buf.readInt32BE(15);
      at = 19 + extension;
      headerRead = true;
    }
    for (;;) {
      if (at + 2 > buf.length) break;
      const count = buf.readInt16BE(at);
      if (count === -1) { ended = true; at += 2; break; }
      if (count !== fields) throw new Error(`binary copy: expected ${fields} fields, got ${count}`);
      let p = at + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (p + 4 > buf.length) { complete = false; break; }
        const length = buf.readInt32BE(p);
        p += 4;
        if (length < 0) { offsets[f] = -1; continue; }
        if (p + length > buf.length) { complete = false; break; }
        offsets[f] = p;
        p += length;
      }
      if (!complete) break;
      onRow(buf, offsets);
      rows++;
      at = p;
    }
    pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    buf = Buffer.alloc(0);
  }
  if (!ended) throw new Error('binary copy: the data ended before its trailer');
  return rows;
}

/** Builds binary COPY data in large chunks. */
export class BinaryCopyWriter {
  private readonly chunks: Buffer[] = [HEADER];
  private buf = Buffer.allocUnsafe(1 << 20);
  private at = 0;

  constructor(private readonly kinds: readonly ColumnKind[]) {}

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(Math.max(1 << 20, bytes));
    this.at = 0;
  }

  /** Text values seen so far, encoded once: a run writes a handful of distinct cells, stages and tiers a million times. */
  private readonly encoded = new Map<string, Buffer>();

  /** One row; values in the order of the kinds: a Buffer (16 bytes) for a uuid, a string for text, null for null. */
  row(values: readonly (number | string | Buffer | null)[]): void {
    const kinds = this.kinds;
    this.room(2);
    this.buf.writeInt16BE(kinds.length, this.at);
    this.at += 2;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i] as ColumnKind;
      const value = values[i] ?? null;
      if (value === null) {
        this.room(4);
        this.buf.writeInt32BE(-1, this.at);
        this.at += 4;
        continue;
      }
      if (kind === 'text') {
        const text = String(value);
        let bytes = this.encoded.get(text);
        if (bytes === undefined) {
          bytes = Buffer.from(text);
          if (this.encoded.size < 1024) this.encoded.set(text, bytes);
        }
        this.room(4 + bytes.length);
        this.buf.writeInt32BE(bytes.length, this.at);
        bytes.copy(this.buf, this.at + 4);
        this.at += 4 + bytes.length;
        continue;
      }
      const width = WIDTH[kind];
      this.room(4 + width);
      this.buf.writeInt32BE(width, this.at);
      const p = this.at + 4;
      if (kind === 'uuid') (value as Buffer).copy(this.buf, p, 0, 16);
      else if (kind === 'int2') this.buf.writeInt16BE(Number(value), p);
      else if (kind === 'int4') this.buf.writeInt32BE(Number(value), p);
      else if (kind === 'int8') {
        // Two 32-bit halves instead of a BigInt per value (values stay within ±2^53).
        const v = Math.round(Number(value));
        const high = Math.floor(v / 4294967296);
        this.buf.writeInt32BE(high, p);
        this.buf.writeUInt32BE(v - high * 4294967296, p + 4);
      } else this.buf.writeDoubleBE(Number(value), p);
      this.at += 4 + width;
    }
  }

  /** The whole data, trailer included. */
  finish(): Buffer[] {
    this.room(2);
    this.buf.writeInt16BE(-1, this.at);
    this.at += 2;
    return [...this.chunks, this.buf.subarray(0, this.at)];
  }
}

export async function writeBinaryCopy(client: pg.PoolClient, table: string, columns: readonly string[], data: Buffer[]): Promise<void> {
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin (format binary)`));
  await pipeline(Readable.from(data), stream);
}
