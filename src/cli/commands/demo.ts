// demo seed: fills an empty tenant with the demo world (a Shenzhen fruit chain's stores, staff,
// members and a year of orders) drawn from the stochastic model in src/core/demo/demo.rules.ts;
// with --model, builds the operating-model demo tenants (src/core/demo/model-demos.ts).
import type { Command } from 'commander';
import { demoEndOf, seedDemo, type SeedDemoResult } from '../../core/demo/demo.service.ts';
import { MODEL_DEMO_CUSTOMERS } from '../../core/demo/demo.models.ts';
import type { ModelDemoResult } from '../../core/demo/model-demos.ts';

/** In the issue's order: shopping advisor, knowledge expert, exclusive advisor, interest community. */
const MODEL_NAMES: readonly OperatingModel[] = ['shopping', 'expert', 'advisor', 'interest'];
import type { OperatingModel } from '../../core/diagnosis/diagnosis.rules.ts';
import { getTenantBySlug } from '../../core/tenants/tenants.service.ts';
import { CommandError, fail, note, report, type OutputOptions } from '../output.ts';
import { withDatabase } from '../context.ts';

interface SeedOptions extends OutputOptions {
  tenant?: string;
  model?: string;
  reset?: boolean;
  customers?: string;
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
    .description('fill an empty tenant with a fruit chain: 10 Shenzhen stores, guides, members, a year of orders (same seed + end → same data); '
      + 'or, with --model, build an operating-model demo tenant: seeded, diagnosed and with its playbook applied')
    .option('--tenant <slug>', 'tenant slug (the tenant must have no customers, stores or orders yet)')
    .option('--model <model>', `an operating-model demo tenant: ${MODEL_NAMES.join(', ')} or all`)
    .option('--reset', 'with --model: delete and rebuild a demo tenant that exists')
    .option('--customers <n>', `number of members (default 5000; ${MODEL_DEMO_CUSTOMERS} with --model)`)
    .option('--months <m>', 'months of history', '12')
    .option('--seed <k>', 'random seed', '1')
    .option('--end <date>', 'the world as it stands when this day begins, YYYY-MM-DD in the tenant\'s zone (default today)')
    .option('--json', 'print JSON')
    .action(async (o: SeedOptions) => {
      try {
        if (o.model !== undefined) {
          await seedModels(o);
          return;
        }
        if (o.tenant === undefined) throw new CommandError(`say which tenant: --tenant <slug>, or --model ${MODEL_NAMES.join('|')}|all for an operating-model demo`, 2);
        if (o.reset) throw new CommandError('--reset goes with --model (a tenant of your own is never deleted)', 2);
        const slug = o.tenant;
        const customers = wholeNumber('--customers', o.customers ?? '5000', 1);
        const months = wholeNumber('--months', o.months, 1);
        const seed = wholeNumber('--seed', o.seed, 0);
        const end = o.end === undefined ? undefined : calendarDate(o.end);
        const progress = progressPrinter();
        const result = await withDatabase(async (handle) => {
          const tenant = await getTenantBySlug(handle.db, slug);
          const endDay = end === undefined ? undefined : demoEndOf(end, tenant.timezone);
          return seedDemo(handle, { tenantId: tenant.id, customers, months, seed, end: endDay, onProgress: progress });
        });
        printResult(o, result, { tenant: slug, customers, months, seed });
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

/** `--model shopping|expert|advisor|interest|all`: the operating-model demo tenants, one after another. */
async function seedModels(o: SeedOptions): Promise<void> {
  const asked = o.model ?? '';
  const valid = [...MODEL_NAMES, 'all'];
  if (!valid.includes(asked)) throw new CommandError(`unknown --model "${asked}": use one of ${valid.join(', ')}`, 2);
  if (o.tenant !== undefined) throw new CommandError('--model builds its own tenant (demo-fruit, demo-formula, demo-printer, demo-sport): leave out --tenant', 2);
  const models: OperatingModel[] = asked === 'all' ? [...MODEL_NAMES] : MODEL_NAMES.filter((m) => m === asked);
  const customers = wholeNumber('--customers', o.customers ?? String(MODEL_DEMO_CUSTOMERS), 1);
  // the diagnosis measures repurchase only over half a year of orders or more
  const months = wholeNumber('--months', o.months, 7);
  const seed = wholeNumber('--seed', o.seed, 0);
  const end = o.end === undefined ? undefined : demoEndOf(calendarDate(o.end), 'Asia/Shanghai');
  const { seedModelDemo } = await import('../../core/demo/model-demos.ts');
  const results = await withDatabase(async (handle) => {
    const out: ModelDemoResult[] = [];
    for (const model of models) {
      if (!o.json) note(`demo ${model}: …`);
      out.push(await seedModelDemo(handle, model, {
        customers, months, seed, end, reset: o.reset === true,
        onProgress: o.json ? undefined : ({ phase, done, total }) => { if (phase !== 'customers' || done === total) note(`  ${phase}${phase === 'customers' ? ` ${total.toLocaleString('en')}` : ''}`); },
      }));
    }
    return out;
  });
  report(o, asked === 'all' ? results : results[0], results.flatMap(modelLines));
  if (results.some((r) => r.status === 'incomplete')) process.exitCode = 1;
}

const MODEL_WORDS: Record<OperatingModel, string> = { shopping: '购物参谋 shopping', expert: '知识专家 expert', advisor: '专属顾问 advisor', interest: '兴趣同好 interest' };

function modelLines(r: ModelDemoResult): string[] {
  const login = `  login: tenant "${r.login.tenant}", email ${r.login.email}, password ${r.login.password}`;
  if (r.status === 'exists') return [`${r.slug} (${MODEL_WORDS[r.model]}) exists: left as it is (--reset rebuilds it)`, login];
  if (r.status === 'incomplete') return [`${r.slug} (${MODEL_WORDS[r.model]}) exists but is incomplete (an earlier seed stopped part-way, or one is running now): --reset rebuilds it`];
  const fmt = (n: number): string => n.toLocaleString('en');
  const lines = [`${r.slug} ${r.name}: created in ${r.seconds.toFixed(1)} s`];
  if (r.seeded) lines.push(`  ${fmt(r.seeded.stores)} stores, ${fmt(r.seeded.staff)} staff, ${fmt(r.seeded.customers)} customers, ${fmt(r.seeded.orders)} orders, ${fmt(r.seeded.groups)} groups (${r.seeded.from} to ${r.seeded.to})`);
  if (r.diagnosis) {
    const d = r.diagnosis;
    lines.push(`  diagnosis: ${MODEL_WORDS[d.model]} (${Math.round(d.share * 100)}%, runner-up ${d.runnerUp} by ${d.margin.toFixed(2)}) from ${d.purchasesPerYear.toFixed(1)} purchases a year, `
      + `¥${(d.averageTicketFen / 100).toFixed(2)} a ticket, ${Math.round(d.repurchaseRate * 100)}% repurchase (measured); verdict ${d.verdict}`);
  }
  if (r.playbook) lines.push(`  playbook ${MODEL_WORDS[r.model]} applied: ${r.playbook.objects} objects recorded`);
  lines.push(login);
  return lines;
}
