// The scoring run's binary COPY writer and reader against PostgreSQL itself: every field kind,
// nulls, negative and large int8 values, texts longer than a row's fixed room, and rows that cross
// the writer's 1 MB chunks, written into a table and read back both as text and through the reader.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BinaryCopyWriter, readBinaryCopy, writeBinaryCopy } from '../../src/core/scores/binary-copy.ts';
import { testDb } from '../helpers.ts';

interface Row { id: Buffer; small: number | null; int: number; big: number | null; real: number | null; text: string | null; day: number | null; flag: boolean }

const COLUMNS = ['id', 'small', 'int', 'big', 'real', 'label', 'day', 'flag'];

function sample(count: number): Row[] {
  const texts = [null, '重要价值客户', 'prospect', '', `${'钻石会员'.repeat(300)}`];
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      id: randomBytes(16),
      small: i % 7 === 0 ? null : (i % 65_536) - 32_768,
      int: i % 2 === 0 ? 5 - i * 1_000 : i * 1_000,
      big: i % 11 === 0 ? null : (i % 3 === 0 ? -1 : 1) * (2 ** 52 - i * 9_973),
      real: i % 13 === 0 ? null : (i - count / 2) / 7,
      text: texts[i % texts.length] ?? null,
      // days since 1970-01-01, before and after 2000-01-01 (PostgreSQL's day 0)
      day: i % 17 === 0 ? null : 5_000 + (i * 37) % 20_000,
      flag: i % 3 === 0,
    });
  }
  return rows;
}

function encode(rows: readonly Row[]): Buffer[] {
  const writer = new BinaryCopyWriter(COLUMNS.length);
  for (const r of rows) {
    writer.row();
    writer.uuid(r.id, 0);
    if (r.small === null) writer.null(); else writer.int2(r.small);
    writer.int4(r.int);
    if (r.big === null) writer.null(); else writer.int8(r.big);
    if (r.real === null) writer.null(); else writer.float8(r.real);
    if (r.text === null) writer.null(); else writer.text(r.text);
    if (r.day === null) writer.null(); else writer.date(r.day);
    writer.bool(r.flag);
  }
  return writer.finish();
}

const dateText = (epochDay: number): string => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);

const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

describe('binary COPY', () => {
  it('round-trips every kind through PostgreSQL, across chunks', async () => {
    const rows = sample(12_000);
    const data = encode(rows);
    expect(data.length).toBeGreaterThan(3); // header, several 1 MB chunks, the last one
    const client = await testDb().pool.connect();
    try {
      await client.query('begin');
      await client.query('create temp table copy_check (n serial, id uuid, small int2, int int4, big int8, real float8, label text, day date, flag boolean) on commit drop');
      await writeBinaryCopy(client, 'copy_check', COLUMNS, data);
      const stored = await client.query<{ id: string; small: number | null; int: number; big: string | null; real: number | null; label: string | null; day: string | null; flag: boolean }>(
        'select id::text, small, int, big::text, real, label, day::text, flag from copy_check order by n');
      expect(stored.rows.length).toBe(rows.length);
      stored.rows.forEach((s, i) => {
        const r = rows[i] as Row;
        expect([s.id, s.small, s.int, s.big, s.real, s.label, s.day, s.flag])
          .toEqual([uuidText(r.id), r.small, r.int, r.big === null ? null : String(r.big), r.real, r.text, r.day === null ? null : dateText(r.day), r.flag]);
      });

      // And back through the reader, field offsets and nulls included.
      const read: (string | number | null)[][] = [];
      await readBinaryCopy(client, 'select id, small, int, big, real, label from copy_check order by n', 6, (buf, at) => {
        const field = (k: number): number => at[k] ?? -1;
        read.push([
          uuidText(buf.subarray(field(0), field(0) + 16)),
          field(1) < 0 ? null : buf.readInt16BE(field(1)),
          buf.readInt32BE(field(2)),
          field(3) < 0 ? null : Number(buf.readBigInt64BE(field(3))),
          field(4) < 0 ? null : buf.readDoubleBE(field(4)),
          field(5) < 0 ? null : buf.toString('utf8', field(5), field(5) + buf.readInt32BE(field(5) - 4)),
        ]);
      });
      expect(read).toEqual(rows.map((r) => [uuidText(r.id), r.small, r.int, r.big, r.real, r.text]));
      await client.query('rollback');
    } finally {
      client.release();
    }
  });
});
