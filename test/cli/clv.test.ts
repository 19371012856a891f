// `yuchi clv fit` as a user runs it (a real process: exit codes, --json, the predictions file),
// and its answers to bad input through the same code in-process, which is quicker.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClvFit } from '../../src/cli/commands/clv.ts';
import { CommandError } from '../../src/cli/output.ts';
import { yuchi } from './yuchi.ts';

const SAMPLE = fileURLToPath(new URL('../data/cdnow/sample-transactions.csv', import.meta.url));



let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yuchi-clv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The CommandError message runClvFit fails with. */
async function failure(options: Parameters<typeof runClvFit>[0]): Promise<string> {
  try {
    await runClvFit(options);
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected runClvFit to fail');
}

describe('yuchi clv fit', () => {
  it('prints the fitted models of the CDNOW sample as one JSON object', async () => {
    const result = await yuchi(['clv', 'fit', '--transactions', SAMPLE, '--calibration-end', '1997-09-30', '--json']);
    expect(result.code).toBe(0);
    const fitted: unknown = JSON.parse(result.stdout);
    expect(fitted).toEqual({
      customers: 2357,
      repeaters: 946,
      bgnbd: { r: expect.any(Number), alpha: expect.any(Number), a: expect.any(Number), b: expect.any(Number), logLikelihood: expect.any(Number) },
      gammaGamma: { p: expect.any(Number), q: expect.any(Number), gamma: expect.any(Number) },
    });
    // Published: Fader, Hardie & Lee (2005) for BG/NBD; Fader & Hardie (2013) for Gamma-Gamma.
    expect(fitted).toMatchObject({
      bgnbd: { r: expect.closeTo(0.243, 3), alpha: expect.closeTo(4.414, 3), a: expect.closeTo(0.793, 3), b: expect.closeTo(2.426, 3), logLikelihood: expect.closeTo(-9582.4, 1) },
      gammaGamma: { p: expect.closeTo(6.25, 2), q: expect.closeTo(3.74, 2), gamma: expect.closeTo(15.44, 2) },
    });
  });

  it('writes per-customer predictions and a readable summary', async () => {
    const out = path.join(dir, 'predictions.csv');
    const result = await yuchi(['clv', 'fit', '--transactions', SAMPLE, '--calibration-end', '1997-09-30', '--predict-weeks', '39', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Fitted on 2357 customers (946 with a repeat purchase)');
    expect(result.stdout).toMatch(/BG\/NBD\s+r = 0\.2426\s+alpha = 4\.4136\s+a = 0\.7929\s+b = 2\.4259/);
    expect(result.stdout).toContain(`Predictions for the next 39 weeks written to ${out} (2357 customers)`);
    const [header, ...rows] = (await readFile(out, 'utf8')).trim().split('\n');
    expect(header).toBe('customer_id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv');
    expect(rows).toHaveLength(2357);
    const byId = new Map(rows.map((line) => {
      const [id = '', ...numbers] = line.split(',');
      return [id, numbers.map(Number)] as const;
    }));
    for (const [, values] of byId) {
      expect(values).toHaveLength(7);
      const [, , , pAlive = Number.NaN, purchases = Number.NaN, spend = Number.NaN, clv = Number.NaN] = values;
      expect(pAlive).toBeGreaterThan(0);
      expect(pAlive).toBeLessThanOrEqual(1);
      expect(clv).toBeCloseTo(purchases * spend, 6);
    }
    // 00004: first purchase 1997-01-01, repeats on 01-18 and 08-02; T = 272 days.
    expect(byId.get('00004')?.slice(0, 3)).toEqual([2, Number((213 / 7).toPrecision(10)), Number((272 / 7).toPrecision(10))]);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it('fails with a JSON error and exit code 1 under --json, and non-zero when a required option is missing', async () => {
    const missing = await yuchi(['clv', 'fit', '--transactions', path.join(dir, 'nope.csv'), '--calibration-end', '1997-09-30', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { message: expect.stringContaining('cannot read') } });
    const noEnd = await yuchi(['clv', 'fit', '--transactions', SAMPLE]);
    expect(noEnd.code).not.toBe(0);
    expect(noEnd.stderr).toContain('--calibration-end');
  });
});

describe('yuchi clv fit: bad input', () => {
  const fit = (transactions: string, extra: Partial<Parameters<typeof runClvFit>[0]> = {}): Promise<string> =>
    failure({ transactions, calibrationEnd: '1997-09-30', ...extra });

  it('names a missing or unreadable file', async () => {
    expect(await fit(path.join(dir, 'absent.csv'))).toBe(`--transactions: cannot read ${path.join(dir, 'absent.csv')} (no such file)`);
    expect(await fit(dir)).toBe(`--transactions: cannot read ${dir} (not a file)`);
  });

  it('names missing columns', async () => {
    const file = await csv('columns.csv', 'customer_id,date,amount\n1,1997-01-01,3\n');
    expect(await fit(file)).toMatch(/missing column ordered_at; the header must name customer_id, ordered_at and amount \(it has: customer_id, date, amount\)/);
    expect(await fit(await csv('empty.csv', ''))).toMatch(/is empty/);
    expect(await fit(await csv('header-only.csv', 'customer_id,ordered_at,amount\n'))).toMatch(/has a header but no orders/);
  });

  it('names the line of an unparseable date or amount', async () => {
    const badDate = await csv('date.csv', 'customer_id,ordered_at,amount\na,1997-01-01,3\nb,1997-02-30,4\n');
    expect(await fit(badDate)).toBe(`${badDate} line 3: ordered_at "1997-02-30" is not a date (YYYY-MM-DD or an ISO timestamp)`);
    const badAmount = await csv('amount.csv', 'customer_id,ordered_at,amount,note\na,1997-01-01,3,x\na,1997-01-05,¥4,y\n');
    expect(await fit(badAmount)).toBe(`${badAmount} line 3: amount "¥4" is not a number`);
    const negative = await csv('negative.csv', 'customer_id,ordered_at,amount\na,1997-01-01,3\n\na,1997-01-05,-4\n');
    expect(await fit(negative)).toMatch(/line 4: amount -4 is negative/);
    const ragged = await csv('ragged.csv', 'customer_id,ordered_at,amount\na,1997-01-01\n');
    expect(await fit(ragged)).toMatch(/line 2/);
  });

  it('refuses a calibration end that is not a date, or earlier than every order', async () => {
    expect(await fit(SAMPLE, { calibrationEnd: '30/09/1997' })).toBe('--calibration-end: expected a date YYYY-MM-DD, got "30/09/1997"');
    expect(await fit(SAMPLE, { calibrationEnd: '1997-09-31' })).toMatch(/--calibration-end: expected a date/);
    expect(await fit(SAMPLE, { calibrationEnd: '1996-12-31' })).toBe('--calibration-end: 1996-12-31 is earlier than every order (the first is on 1997-01-01)');
  });

  it('says how many repeaters there are when the model needs more', async () => {
    const lines = ['customer_id,ordered_at,amount'];
    for (let c = 0; c < 30; c++) lines.push(`c${c},1997-01-0${1 + (c % 9)},10`);
    for (let c = 0; c < 3; c++) lines.push(`c${c},1997-03-01,12`);
    expect(await fit(await csv('few.csv', lines.join('\n')))).toBe('only 3 of 30 customers have a repeat purchase; the BG/NBD model needs at least 10 to be identified');
  });

  it('reports a fit that does not converge', async () => {
    // The CDNOW sample with every order worth the same: nothing for the spend model to fit.
    const flat = (await readFile(SAMPLE, 'utf8')).replace(/^([^,\n]+,[^,\n]+),[^,\n]+/gm, (line, head: string) => (line.startsWith('customer_id') ? line : `${head},10`));
    expect(await fit(await csv('flat.csv', flat))).toMatch(/^the Gamma-Gamma fit did not converge: .+; the spend data do not pin the model down$/);
  });

  it('checks the prediction options', async () => {
    expect(await fit(SAMPLE, { predictWeeks: '39' })).toMatch(/--predict-weeks and --out go together/);
    expect(await fit(SAMPLE, { predictWeeks: 'soon', out: path.join(dir, 'p.csv') })).toBe('--predict-weeks: expected a number, got "soon"');
    expect(await fit(SAMPLE, { predictWeeks: '0', out: path.join(dir, 'p.csv') })).toMatch(/--predict-weeks: expected a number of weeks above zero/);
    expect(await fit(SAMPLE, { discountRate: '0.1' })).toMatch(/--discount-rate applies to predictions/);
    expect(await fit(SAMPLE, { predictWeeks: '39', out: path.join(dir, 'p.csv'), discountRate: '10' })).toMatch(/--discount-rate: expected an annual rate between 0 and 1/);
    expect(await fit(SAMPLE, { predictWeeks: '39', out: path.join(dir, 'no-such-dir', 'p.csv') })).toMatch(/^--out: cannot write/);
  });

  it('discounts the CLV but not the expected purchases', async () => {
    const plain = path.join(dir, 'plain.csv');
    const discounted = path.join(dir, 'discounted.csv');
    await runClvFit({ transactions: SAMPLE, calibrationEnd: '1997-09-30', predictWeeks: '52', out: plain });
    await runClvFit({ transactions: SAMPLE, calibrationEnd: '1997-09-30', predictWeeks: '52', out: discounted, discountRate: '0.2' });
    const rowsOf = async (file: string): Promise<number[][]> => (await readFile(file, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
    const [a, b] = await Promise.all([rowsOf(plain), rowsOf(discounted)]);
    expect(a).toHaveLength(b.length);
    a.forEach((row, i) => {
      const other = b[i] ?? [];
      expect(other.slice(0, 6)).toEqual(row.slice(0, 6));
      expect(other[6] ?? Number.NaN).toBeLessThan(row[6] ?? Number.NaN);
      // Over one year at 20 %, discounting takes off at most 1 − 1/1.2 of the value.
      expect(other[6] ?? Number.NaN).toBeGreaterThan((row[6] ?? Number.NaN) / 1.2);
    });
  });
});
