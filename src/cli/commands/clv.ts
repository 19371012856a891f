// `yuchi clv fit`: buy-till-you-die models (BG/NBD + Gamma-Gamma) fitted on an order file, and
// optionally per-customer predictions. Needs no database: it reads a CSV and writes a CSV.
// The models and the CSV reader load inside the action, so that other commands start quickly.
import { createReadStream } from 'node:fs';
import { access, constants, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CustomerSummaries, TransactionRow } from '../../core/clv/clv.rules.ts';
import type { ClvModels, CustomerPrediction } from '../../core/clv/predict.ts';
import { YuchiError } from '../../core/errors.ts';
import { CommandError, fail, report } from '../output.ts';

const REQUIRED_COLUMNS = ['customer_id', 'ordered_at', 'amount'] as const;
const AMOUNT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface ClvFitOptions {
  transactions: string;
  calibrationEnd: string;
  predictWeeks?: string;
  out?: string;
  discountRate?: string;
  json?: boolean;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function isParsedRecord(value: unknown): value is ParsedRecord {
  if (typeof value !== 'object' || value === null || !('record' in value) || !('info' in value)) return false;
  const { record, info } = value;
  return Array.isArray(record) && record.every((f) => typeof f === 'string')
    && typeof info === 'object' && info !== null && 'lines' in info && typeof info.lines === 'number';
}

/** Reads `customer_id,ordered_at,amount[,...]`, checking every line; errors name file and line. */
export async function readTransactions(file: string): Promise<TransactionRow[]> {
  const [{ parse }, { calendarDay }] = await Promise.all([import('csv-parse'), import('../../core/clv/clv.rules.ts')]);
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err && err.code === 'ENOENT' ? 'no such file' : 'not readable';
    throw new CommandError(`--transactions: cannot read ${file} (${reason})`);
  }
  if (!(await stat(file)).isFile()) throw new CommandError(`--transactions: cannot read ${file} (not a file)`);
  const rows: TransactionRow[] = [];
  let columns: { id: number; at: number; amount: number } | null = null;
  const parser = createReadStream(file).pipe(parse({ bom: true, trim: true, skip_empty_lines: true, info: true }));
  try {
    for await (const chunk of parser) {
      if (!isParsedRecord(chunk)) throw new CommandError(`${file}: unexpected output from the CSV reader`);
      const { record, info } = chunk;
      if (columns === null) {
        const header = record.map((h) => h.toLowerCase());
        const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
        if (missing.length > 0) {
          throw new CommandError(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the header must name customer_id, ordered_at and amount (it has: ${record.join(', ')})`);
        }
        columns = { id: header.indexOf('customer_id'), at: header.indexOf('ordered_at'), amount: header.indexOf('amount') };
        continue;
      }
      const line = `${file} line ${info.lines}`;
      const customerId = record[columns.id] ?? '';
      const orderedAt = record[columns.at] ?? '';
      const amountText = record[columns.amount] ?? '';
      if (customerId === '') throw new CommandError(`${line}: customer_id is empty`);
      if (calendarDay(orderedAt) === null) throw new CommandError(`${line}: ordered_at "${orderedAt}" is not a date (YYYY-MM-DD or an ISO timestamp)`);
      if (!AMOUNT.test(amountText)) throw new CommandError(`${line}: amount "${amountText}" is not a number`);
      const amount = Number(amountText);
      if (!Number.isFinite(amount)) throw new CommandError(`${line}: amount "${amountText}" is not a finite number`);
      if (amount < 0) throw new CommandError(`${line}: amount ${amountText} is negative; net refunds into their orders before fitting`);
      rows.push({ customerId, orderedAt, amount });
    }
  } catch (err) {
    if (err instanceof CommandError) throw err;
    // csv-parse names the line in its own message (unclosed quote, wrong number of fields ...).
    throw new CommandError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    parser.destroy();
  }
  if (columns === null) throw new CommandError(`${file} is empty: expected a header customer_id,ordered_at,amount and one order a line`);
  if (rows.length === 0) throw new CommandError(`${file} has a header but no orders`);
  return rows;
}

const FLAG_OF_PATH: Record<string, string> = {
  calibrationEnd: '--calibration-end', weeks: '--predict-weeks', annualDiscountRate: '--discount-rate',
};

/** A domain failure in the CLI's words: the option it concerns, not the function argument. */
function asCommandError(err: unknown): unknown {
  if (!(err instanceof YuchiError)) return err;
  const detail = err.details[0];
  if (!detail) return new CommandError(err.message);
  const flag = FLAG_OF_PATH[detail.path];
  if (flag) return new CommandError(`${flag}: ${detail.message}`);
  // `invalid(path, message)` prefixes the argument path, which means nothing on the command line.
  return new CommandError(err.message.startsWith(`${detail.path}: `) ? detail.message : err.message);
}

function numberOption(flag: string, text: string): number {
  const value = AMOUNT.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new CommandError(`${flag}: expected a number, got "${text}"`);
  return value;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(10)));
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Written beside the target and renamed into place, so a failed write leaves no half file. */
async function writePredictions(file: string, predictions: CustomerPrediction[]): Promise<void> {
  const lines = ['customer_id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv'];
  for (const p of predictions) {
    lines.push([csvField(p.customerId), p.x, formatNumber(p.tx), formatNumber(p.T), formatNumber(p.pAlive), formatNumber(p.expectedPurchases), formatNumber(p.expectedSpend), formatNumber(p.clv)].join(','));
  }
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, lines.join('\n') + '\n');
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new CommandError(`--out: cannot write ${file} (${err instanceof Error ? err.message : String(err)})`);
  }
}

export interface ClvFitOutcome {
  json: {
    customers: number;
    repeaters: number;
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
    gammaGamma: { p: number; q: number; gamma: number };
  };
  human: string[];
}

export async function runClvFit(options: ClvFitOptions): Promise<ClvFitOutcome> {
  const [{ calendarDay, formatCalendarDay, summariseTransactions }, { fitClvModels, predict }, { populationMeanSpend }] = await Promise.all([
    import('../../core/clv/clv.rules.ts'), import('../../core/clv/predict.ts'), import('../../core/clv/gammagamma.ts'),
  ]);
  const endDay = /^\d{4}-\d{2}-\d{2}$/.test(options.calibrationEnd) ? calendarDay(options.calibrationEnd) : null;
  if (endDay === null) throw new CommandError(`--calibration-end: expected a date YYYY-MM-DD, got "${options.calibrationEnd}"`);
  if ((options.predictWeeks === undefined) !== (options.out === undefined)) {
    throw new CommandError('--predict-weeks and --out go together: give both to write predictions, or neither');
  }
  if (options.discountRate !== undefined && options.predictWeeks === undefined) {
    throw new CommandError('--discount-rate applies to predictions: give --predict-weeks and --out as well');
  }
  const weeks = options.predictWeeks === undefined ? null : numberOption('--predict-weeks', options.predictWeeks);
  if (weeks !== null && weeks <= 0) throw new CommandError(`--predict-weeks: expected a number of weeks above zero, got ${options.predictWeeks}`);
  const annualDiscountRate = options.discountRate === undefined ? 0 : numberOption('--discount-rate', options.discountRate);
  if (annualDiscountRate < 0 || annualDiscountRate > 1) {
    throw new CommandError(`--discount-rate: expected an annual rate between 0 and 1 (0.1 for 10 %), got ${options.discountRate}`);
  }

  const rows = await readTransactions(options.transactions);
  let models: ClvModels;
  let summaries: CustomerSummaries;
  try {
    summaries = summariseTransactions(rows, endDay);
    models = fitClvModels(summaries.customers);
  } catch (err) {
    throw asCommandError(err);
  }
  const { bgnbd, gammaGamma } = models;
  const human = [
    `Fitted on ${models.customers} customers (${models.repeaters} with a repeat purchase) from ${options.transactions}, orders up to ${formatCalendarDay(endDay)}; time unit: week.`,
    `BG/NBD       r = ${bgnbd.r.toFixed(4)}  alpha = ${bgnbd.alpha.toFixed(4)}  a = ${bgnbd.a.toFixed(4)}  b = ${bgnbd.b.toFixed(4)}  log-likelihood = ${bgnbd.logLikelihood.toFixed(2)}`,
    `Gamma-Gamma  p = ${gammaGamma.p.toFixed(4)}  q = ${gammaGamma.q.toFixed(4)}  gamma = ${gammaGamma.gamma.toFixed(4)}  (on ${gammaGamma.repeaters} repeaters${models.zeroSpendRepeaters > 0 ? `; ${models.zeroSpendRepeaters} whose repeat purchases were worth 0 left out` : ''})`,
  ];
  if (gammaGamma.q > 1) human.push(`Mean value of a purchase across customers: ${populationMeanSpend(gammaGamma).toFixed(2)}`);

  if (weeks !== null && options.out !== undefined) {
    let predictions: CustomerPrediction[];
    try {
      predictions = predict(summaries.customers, models, { weeks, annualDiscountRate });
    } catch (err) {
      throw asCommandError(err);
    }
    await writePredictions(options.out, predictions);
    const purchases = predictions.reduce((s, p) => s + p.expectedPurchases, 0);
    const clv = predictions.reduce((s, p) => s + p.clv, 0);
    human.push(
      `Predictions for the next ${weeks} weeks written to ${options.out} (${predictions.length} customers): ` +
      `${purchases.toFixed(1)} purchases, CLV ${clv.toFixed(2)} in total, ` +
      (annualDiscountRate > 0 ? `discounted at ${annualDiscountRate} a year.` : 'undiscounted.'),
    );
  }
  return {
    json: {
      customers: models.customers,
      repeaters: models.repeaters,
      bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b, logLikelihood: bgnbd.logLikelihood },
      gammaGamma: { p: gammaGamma.p, q: gammaGamma.q, gamma: gammaGamma.gamma },
    },
    human,
  };
}

export function registerClvCommands(program: Command): void {
  const clv = program.command('clv').description('customer lifetime value: buy-till-you-die models (BG/NBD + Gamma-Gamma)');
  clv
    .command('fit')
    .description('fit BG/NBD and Gamma-Gamma on an order file; optionally write per-customer predictions')
    .requiredOption('--transactions <file>', 'CSV with a header customer_id,ordered_at,amount (more columns are ignored)')
    .requiredOption('--calibration-end <date>', 'last day (YYYY-MM-DD) of the calibration period; later orders are ignored')
    .option('--predict-weeks <n>', 'forecast horizon in weeks after the calibration end (needs --out)')
    .option('--out <file>', 'CSV to write the per-customer predictions to (needs --predict-weeks)')
    .option('--discount-rate <rate>', 'annual discount rate for the CLV, e.g. 0.1 for 10 % (default 0: undiscounted)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', `
Time unit: the week. A purchase is a calendar day: orders on one day count as one purchase worth
their sum; ordered_at may be a date or an ISO timestamp, whose date is taken as written. Repeat
purchases x = purchase days after the first; t_x = weeks from the first purchase to the last;
T = weeks from the first purchase to the calibration end. Gamma-Gamma is fitted on customers with
x >= 1, on the mean value of their repeat purchase days (the first day's spend is left out).

Predictions (--predict-weeks N --out FILE.csv) have the columns
  customer_id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv
expected_purchases: purchases expected in the next N weeks (BG/NBD);
expected_spend: expected value of a purchase (Gamma-Gamma; the population mean without repeat purchases);
clv = expected_purchases x expected_spend over the N weeks, undiscounted. With --discount-rate, clv
instead discounts each expected purchase continuously to the calibration end (expected_purchases
stays undiscounted).`)
    .action(async (options: ClvFitOptions) => {
      try {
        const outcome = await runClvFit(options);
        report(options, outcome.json, outcome.human);
      } catch (err) {
        fail(options, asCommandError(err));
      }
    });
}
