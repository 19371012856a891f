// demo seed: fills an empty tenant with the demo world (a Shenzhen fruit chain's stores, staff,
// members and a year of orders) drawn from the stochastic model in src/core/demo/demo.rules.ts.
import type { Command } from 'commander';
import { demoEndOf, seedDemo, type SeedDemoResult } from '../../core/demo/demo.service.ts';
import { getTenantBySlug } from '../../core/tenants/tenants.service.ts';
import { CommandError, fail, note, report, type OutputOptions } from '../output.ts';
import { withDatabase } from '../context.ts';

interface SeedOptions extends OutputOptions {
  tenant: string;
  customers: string;
  months: string;
  seed: string;
  end?: string;
}

function wholeNumber(option: string, value: string, min: number): number {
  const n = /^\d+$/.test(value.replaceAll('_', '')) ? Number(value.replaceAll('_', '')) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new CommandError(`${option} must be a whole number ≥ ${min} (got "${value}")`);
  return n;
}

/** YYYY-MM-DD, a real calendar date. */
function calendarDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ok = m !== null && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!ok) throw new CommandError(`--end must be a date as YYYY-MM-DD (got "${value}")`);
  return value;
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo world');
  demo
    .command('seed')
    .description('fill an empty tenant with a fruit chain: 10 Shenzhen stores, guides, members, a year of orders (same seed + end → same data)')
    .requiredOption('--tenant <slug>', 'tenant slug (the tenant must have no customers, stores or orders yet)')
    .option('--customers <n>', 'number of members', '5000')
    .option('--months <m>', 'months of history', '12')
    .option('--seed <k>', 'random seed', '1')
    .option('--end <date>', 'the world as it stands when this day begins, YYYY-MM-DD in the tenant\'s zone (default today)')
    .option('--json', 'print JSON')
    .action(async (o: SeedOptions) => {
      try {
        const customers = wholeNumber('--customers', o.customers, 1);
        const months = wholeNumber('--months', o.months, 1);
        const seed = wholeNumber('--seed', o.seed, 0);
        const end = o.end === undefined ? undefined : calendarDate(o.end);
        const progress = progressPrinter();
        const result = await withDatabase(async (handle) => {
          const tenant = await getTenantBySlug(handle.db, o.tenant);
          const endDay = end === undefined ? undefined : demoEndOf(end, tenant.timezone);
          return seedDemo(handle, { tenantId: tenant.id, customers, months, seed, end: endDay, onProgress: progress });
        });
        printResult(o, result, { tenant: o.tenant, customers, months, seed });
      } catch (err) {
        fail(o, err);
      }
    });
}

function progressPrinter(): (p: { phase: string; done: number; total: number }) => void {
  let lastPercent = -1;
  return ({ phase, done, total }) => {
    if (phase !== 'customers') {
      note(`demo seed: ${phase}…`);
      return;
    }
    const percent = Math.floor((100 * done) / total);
    if (percent >= lastPercent + 10 || done === total) {
      lastPercent = percent;
      note(`demo seed: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} customers`);
    }
  };
}

function printResult(o: OutputOptions, r: SeedDemoResult, asked: { tenant: string; customers: number; months: number; seed: number }): void {
  const rows = r.stores + r.staff + r.customers + r.identities + r.orders + r.orderItems + r.contacts + r.groups + r.groupMembers;
  const rowsPerSecond = Math.round(rows / r.seconds);
  const fmt = (n: number): string => n.toLocaleString('en');
  report(
    o,
    {
      tenant: asked.tenant,
      seed: asked.seed,
      months: asked.months,
      from: r.from,
      to: r.to,
      stores: r.stores,
      staff: r.staff,
      customers: r.customers,
      identities: r.identities,
      orders: r.orders,
      orderItems: r.orderItems,
      contacts: r.contacts,
      groups: r.groups,
      groupMembers: r.groupMembers,
      rows,
      seconds: Number(r.seconds.toFixed(3)),
      rowsPerSecond,
    },
    [
      `seeded tenant ${asked.tenant} with the demo world (seed ${asked.seed}, ${r.from} to ${r.to}, end day excluded):`,
      `  stores       ${fmt(r.stores).padStart(12)}`,
      `  staff        ${fmt(r.staff).padStart(12)}`,
      `  customers    ${fmt(r.customers).padStart(12)}`,
      `  identities   ${fmt(r.identities).padStart(12)}`,
      `  orders       ${fmt(r.orders).padStart(12)}`,
      `  order items  ${fmt(r.orderItems).padStart(12)}`,
      `  friends      ${fmt(r.contacts).padStart(12)}`,
      `  groups       ${fmt(r.groups).padStart(12)}`,
      `  in groups    ${fmt(r.groupMembers).padStart(12)}`,
      `  ${fmt(rows)} rows in ${r.seconds.toFixed(1)} s (${fmt(rowsPerSecond)} rows/s)`,
    ],
  );
}
