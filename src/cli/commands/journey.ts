// `yuchi journey simulate --tenant S --journey ID --customer ID [--events FILE.json] [--at ISO]
// [--version N] [--json]`: walks one customer through a journey (the draft, or a published
// version) on a virtual clock and prints the path with virtual times and what would be sent.
// Nothing is kept and nothing is sent: the run happens in a transaction that is rolled back.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { YuchiError } from '../../core/errors.ts';
import type { SimulatedEvent, Simulation } from '../../core/journeys/simulate.service.ts';
import type { AppliedAction } from '../../core/journeys/actions.service.ts';
import { withDatabase } from '../context.ts';
import { CommandError, fail, report, type OutputOptions } from '../output.ts';

export interface SimulateCliOptions extends OutputOptions {
  tenant: string;
  journey: string;
  customer: string;
  events?: string;
  at?: string;
  version?: string;
}

/** Reads the events file: a JSON array of { type, at: ISO | "+2h", properties? }. */
export async function readSimulatedEvents(file: string): Promise<SimulatedEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CommandError(`--events: cannot read ${file}`, 2);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CommandError(`--events: ${file} is not JSON (${err instanceof Error ? err.message : String(err)})`, 2);
  }
  if (!Array.isArray(parsed)) throw new CommandError(`--events: ${file} must hold a JSON array of { type, at, properties? }`, 2);
  return parsed.map((e: unknown, i): SimulatedEvent => {
    if (typeof e !== 'object' || e === null || !('type' in e) || typeof e.type !== 'string' || !('at' in e) || typeof e.at !== 'string') {
      throw new CommandError(`--events: item ${i} needs "type" and "at" (an ISO time or an offset like "+2h")`, 2);
    }
    const properties = 'properties' in e && typeof e.properties === 'object' && e.properties !== null ? (e.properties as Record<string, unknown>) : {};
    return { type: e.type, at: e.at, properties };
  });
}

function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

function describeAction(a: AppliedAction): string {
  switch (a.kind) {
    case 'message': return `would send ${a.channel} (${a.purpose}, priority ${a.priority}): ${a.subject ? `[${a.subject}] ` : ''}${a.text}`;
    case 'add_tag': return `would add tag ${a.tagId}`;
    case 'remove_tag': return `would remove tag ${a.tagId}`;
    case 'coupon': return a.code ? `would grant coupon ${a.code} (template ${a.templateId})` : `coupon refused: ${a.refused ?? 'not issued'}`;
    case 'guide_task': return `would create ${a.taskKind} task: ${a.title}`;
  }
}

export function humanSimulation(s: Simulation, timeZone: string): string[] {
  const lines = [`journey ${s.journeyId} (${s.version === null ? 'draft' : `version ${s.version}`}) for customer ${s.customerId}, times in ${timeZone}`];
  if (s.entryEvent) lines.push(`entered by ${s.entryEvent.type} at ${localTime(s.entryEvent.at, timeZone)} ${JSON.stringify(s.entryEvent.properties)}`);
  for (const step of s.steps) {
    const what = step.actions.length > 0 ? step.actions.map(describeAction).join('; ') : `→ ${step.outcome}`;
    lines.push(`  ${localTime(step.at, timeZone)}  ${step.label.padEnd(14)} ${step.nodeType.padEnd(12)} ${what}`);
  }
  if (s.status === 'active') lines.push(`still at ${s.nodeId}${s.wakeAt ? `, waiting until ${localTime(s.wakeAt, timeZone)}` : ''}`);
  else lines.push(`${s.status} at ${s.nodeId}`);
  lines.push(`goal: ${s.convertedAt ? `converted at ${localTime(s.convertedAt, timeZone)}` : 'not converted'}; ${s.eventsFed} given event(s) fed; nothing was kept or sent`);
  return lines;
}

export async function runSimulate(o: SimulateCliOptions): Promise<{ simulation: Simulation; timeZone: string }> {
  const events = o.events ? await readSimulatedEvents(o.events) : [];
  const start = o.at ? new Date(o.at) : new Date();
  if (Number.isNaN(start.getTime())) throw new CommandError('--at must be an ISO time such as 2026-05-01T10:00:00+08:00', 2);
  const version = o.version === undefined ? undefined : Number(o.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CommandError('--version must be a published version number', 2);
  const [{ simulateJourney }, { getTenantBySlug }] = await Promise.all([
    import('../../core/journeys/simulate.service.ts'), import('../../core/tenants/tenants.service.ts'),
  ]);
  return withDatabase(async ({ db }) => {
    const tenant = await getTenantBySlug(db, o.tenant).catch((err: unknown) => {
      throw err instanceof YuchiError && err.code === 'not_found' ? new CommandError(`--tenant: no tenant ${o.tenant}`, 2) : err;
    });
    try {
      const simulation = await simulateJourney(db, tenant.id, { journeyId: o.journey, customerId: o.customer, start, events, ...(version ? { version } : {}) });
      return { simulation, timeZone: tenant.timezone };
    } catch (err) {
      if (err instanceof YuchiError) {
        const details = err.details.map((d) => `\n  ${d.path}: ${d.message}`).join('');
        throw new CommandError(`${err.message}${err.details.length > 1 ? details : ''}`, err.code === 'not_found' ? 2 : 1);
      }
      throw err;
    }
  });
}

export function registerJourneyCommands(program: Command): void {
  const command = program.command('journey').description('automated journeys (自动化旅程)');
  command
    .command('simulate')
    .description('walk one customer through a journey on a virtual clock and print the path (nothing is kept or sent)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--journey <id>', 'journey id')
    .requiredOption('--customer <id>', 'customer id')
    .option('--events <file>', 'JSON array of events the customer does: [{ "type": "order_paid", "at": "+2h", "properties": { "cartId": "C1" } }]')
    .option('--at <time>', 'virtual start time (ISO); now when left out')
    .option('--version <n>', 'a published version; the draft when left out')
    .option('--json', 'print the simulation as JSON')
    .action(async (o: SimulateCliOptions) => {
      try {
        const { simulation, timeZone } = await runSimulate(o);
        report(o, simulation, humanSimulation(simulation, timeZone));
      } catch (err) {
        fail(o, err);
      }
    });
}
