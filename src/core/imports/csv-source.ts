// Reads an import file as CSV records with their line numbers, streaming: UTF-8 only (a BOM is
// dropped; GBK and other encodings are refused naming the first bad line), CRLF or LF.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { YuchiError } from '../errors.ts';

export interface CsvRecord {
  record: string[];
  /** The file line the record ends on (1 = the header). */
  line: number;
}

/** What csv-parse yields with `info: true`. */
function isParsedRecord(value: unknown): value is { record: string[]; info: { lines: number } } {
  if (typeof value !== 'object' || value === null || !('record' in value) || !('info' in value)) return false;
  const { record, info } = value;
  return Array.isArray(record) && typeof info === 'object' && info !== null && 'lines' in info && typeof info.lines === 'number';
}

/** Bytes that end inside a multi-byte character stay for the next chunk. */
function completeLength(data: Buffer): number {
  const len = data.length;
  for (let k = 1; k <= Math.min(3, len); k++) {
    const b = data[len - k] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    if (b < 0xc0) return len;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > k ? len - k : len;
  }
  return len;
}

function countNewlines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Passes bytes through unchanged while checking they are UTF-8, counting lines and bytes. The
 * check works on whole characters, and a newline is never inside one, so the bad line is exact.
 */
class Utf8Check extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 0;
  bytes = 0;

  constructor(private readonly file: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completeLength(data);
    const whole = data.subarray(0, cut);
    if (!isUtf8(whole)) {
      done(this.badLine(whole));
      return;
    }
    this.lines += countNewlines(whole);
    this.carry = Buffer.from(data.subarray(cut));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.carry.length > 0 ? this.badLine(this.carry) : null);
  }

  private badLine(data: Buffer): YuchiError {
    let line = this.lines + 1;
    let start = 0;
    for (;;) {
      const end = data.indexOf(10, start);
      const piece = data.subarray(start, end === -1 ? data.length : end);
      if (!isUtf8(piece) || end === -1) break;
      line++;
      start = end + 1;
    }
    return new YuchiError('invalid', `${this.file}: line ${line} is not valid UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel) — GBK and other encodings are not read`, [{ path: 'file', message: `line ${line} is not valid UTF-8`, code: 'not_utf8', params: { line } }]);
  }
}

export interface CsvSource {
  bytesTotal: number;
  /** Bytes read from the file so far. */
  bytesRead(): number;
  records: AsyncIterable<CsvRecord>;
  close(): void;
}

export async function openCsv(file: string): Promise<CsvSource> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new YuchiError('invalid', `${file} is not a file`, [{ path: 'file', message: 'is not a file' }]);
    size = info.size;
  } catch (err) {
    if (err instanceof YuchiError) throw err;
    throw new YuchiError('invalid', `cannot read ${file}: ${err instanceof Error && 'code' in err && err.code === 'ENOENT' ? 'no such file' : 'not readable'}`, [{ path: 'file', message: 'cannot be read' }]);
  }
  const check = new Utf8Check(file);
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  });
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  input.pipe(check).pipe(parser);
  // Errors of the earlier stages end the parser, so iterating it sees them.
  input.on('error', (err) => parser.destroy(err));
  check.on('error', (err) => parser.destroy(err));
  async function* records(): AsyncIterable<CsvRecord> {
    try {
      for await (const value of parser) {
        if (!isParsedRecord(value)) throw new Error('unexpected output from the CSV reader');
        yield { record: value.record, line: value.info.lines };
      }
    } catch (err) {
      if (err instanceof YuchiError) throw err;
      // csv-parse names the line in its own messages (an unclosed quote ...).
      const message = err instanceof Error ? err.message : String(err);
      throw new YuchiError('invalid', `${file}: ${message}`, [{ path: 'file', message, code: 'csv_unreadable', params: {} }]);
    }
  }
  return {
    bytesTotal: size,
    bytesRead: () => check.bytes,
    records: records(),
    close: () => {
      input.destroy();
      parser.destroy();
    },
  };
}
