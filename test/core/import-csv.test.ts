// Reading import files: BOM, CRLF, quoted fields over several lines, and files that are not UTF-8.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsv, type CsvRecord } from '../../src/core/imports/csv-source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yuchi-import-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(name: string, bytes: Buffer | string): Promise<CsvRecord[]> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const source = await openCsv(file);
  const records: CsvRecord[] = [];
  for await (const r of source.records) records.push(r);
  return records;
}

describe('openCsv', () => {
  it('drops a BOM, reads CRLF, skips empty lines and numbers lines as the file does', async () => {
    const records = await readAll('bom.csv', '\uFEFF手机号,姓名\r\n13800001111,陈美\r\n\r\n13800002222,"张,磊"\r\n');
    expect(records).toEqual([
      { record: ['手机号', '姓名'], line: 1 },
      { record: ['13800001111', '陈美'], line: 2 },
      { record: ['13800002222', '张,磊'], line: 4 },
    ]);
  });

  it('keeps a quoted field that spans lines whole', async () => {
    const records = await readAll('multiline.csv', 'phone,name\n13800001111,"陈\n美"\n13800002222,张磊\n');
    expect(records.map((r) => r.record)).toEqual([['phone', 'name'], ['13800001111', '陈\n美'], ['13800002222', '张磊']]);
    expect(records[2]?.line).toBe(4);
  });

  it('refuses a GBK file naming the first line that is not UTF-8', async () => {
    // "陈美" in GBK is C2 C0 C3 C0: not UTF-8.
    const gbk = Buffer.concat([Buffer.from('phone,name\n13800001111,ok\n13800002222,'), Buffer.from([0xb3, 0xc2, 0xc3, 0xc0]), Buffer.from('\n')]);
    await expect(readAll('gbk.csv', gbk)).rejects.toThrow('gbk.csv: line 3 is not valid UTF-8');
  });

  it('finds the bad line even when a character is split across read chunks', async () => {
    // 256 KiB chunks: put many 3-byte characters before the bad byte so one straddles a boundary.
    const good = '13800001111,' + '鱼'.repeat(100) + '\n';
    const lines = Array.from({ length: 3000 }, () => good).join('');
    const bad = Buffer.concat([Buffer.from('phone,name\n' + lines), Buffer.from([0xff]), Buffer.from('\n')]);
    await expect(readAll('split.csv', bad)).rejects.toThrow(`line ${3000 + 2} is not valid UTF-8`);
    const fine = await readAll('fine.csv', 'phone,name\n' + lines);
    expect(fine).toHaveLength(3001);
    expect(fine[3000]?.record[1]).toBe('鱼'.repeat(100));
  });

  it('refuses a file cut inside a character', async () => {
    const cut = Buffer.concat([Buffer.from('phone,name\n13800001111,'), Buffer.from('鱼').subarray(0, 2)]);
    await expect(readAll('cut.csv', cut)).rejects.toThrow('line 2 is not valid UTF-8');
  });

  it('names the line of an unclosed quote and a missing file', async () => {
    await expect(readAll('quote.csv', 'phone,name\n13800001111,"陈美\n')).rejects.toThrow(/quote\.csv: .*line/i);
    await expect(openCsv(path.join(dir, 'nope.csv'))).rejects.toThrow('no such file');
  });
});
