// `yuchi wecom sync`: pull a tenant's WeCom contacts and customer groups into Yuchi.
import type { Command } from 'commander';
import { getTenantBySlug } from '../../core/tenants/tenants.service.ts';
import { withDatabase } from '../context.ts';
import { fail, report, type OutputOptions } from '../output.ts';

interface SyncOptions extends OutputOptions {
  tenant: string;
}

export function registerWecomCommands(program: Command): void {
  const wecom = program.command('wecom').description('WeCom (企业微信)');
  wecom
    .command('sync')
    .description('pull every staff member\'s external contacts and every customer group into Yuchi (new ones only; safe to repeat)')
    .requiredOption('--tenant <slug>', 'tenant slug (WeCom must be set up: PUT /api/v1/channels/wecom)')
    .option('--json', 'print JSON')
    .action(async (o: SyncOptions) => {
      try {
        const { syncWecom } = await import('../../core/channels/wecom/wecom.sync.service.ts');
        const r = await withDatabase(async (handle) => syncWecom(handle.db, (await getTenantBySlug(handle.db, o.tenant)).id));
        report(o, r, [
          `WeCom sync for ${o.tenant}: ${r.contacts} contacts of ${r.staff} staff members, ${r.memberships} memberships in ${r.groups} groups`,
          `${r.accepted} new events, ${r.duplicates} already known, ${r.rejected.length} refused`,
          ...r.rejected.slice(0, 10).map((x) => `  refused: ${x.code} ${x.message}`),
        ]);
      } catch (err) {
        fail(o, err);
      }
    });
}
