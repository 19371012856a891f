// `yuchi secrets seal` and `yuchi secrets rotate`: channel secrets at rest (src/core/channels/secret-box.ts).
import path from 'node:path';
import type { Command } from 'commander';
import { withDatabase } from '../context.ts';
import { fail, report, type OutputOptions } from '../output.ts';

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('channel secrets sealed at rest (AES-256-GCM)');
  secrets
    .command('seal')
    .description('seal every channel secret still stored in plain text, and reseal those under an older key (safe to repeat; start does it too)')
    .option('--json', 'print JSON')
    .action(async (o: OutputOptions) => {
      try {
        const { sealStoredSecrets } = await import('../../core/channels/settings.service.ts');
        const { secretKeyring } = await import('../../core/channels/secret-box.ts');
        const r = await withDatabase(({ db }) => sealStoredSecrets(db));
        report(o, { ...r, key: secretKeyring().current.id }, [`${r.sealed} of ${r.rows} channel settings sealed under key ${secretKeyring().current.id}`, ...r.unreadable]);
      } catch (err) {
        fail(o, err);
      }
    });
  secrets
    .command('rotate')
    .description('make a new current key and reseal every channel secret under it; with YUCHI_SECRET_KEY set, set the new key there and the old one in YUCHI_SECRET_KEYS_PREVIOUS first')
    .option('--json', 'print JSON')
    .action(async (o: OutputOptions) => {
      try {
        const { reloadSecretKeyring, rotateKeyFile, secretKeyring } = await import('../../core/channels/secret-box.ts');
        const { sealStoredSecrets } = await import('../../core/channels/settings.service.ts');
        if (!process.env.YUCHI_SECRET_KEY) {
          rotateKeyFile(path.resolve(process.env.YUCHI_DATA_DIR ?? '.yuchi'));
          reloadSecretKeyring();
        }
        const r = await withDatabase(({ db }) => sealStoredSecrets(db));
        report(o, { ...r, key: secretKeyring().current.id }, [`current key ${secretKeyring().current.id}; ${r.sealed} of ${r.rows} channel settings resealed`, ...r.unreadable]);
      } catch (err) {
        fail(o, err);
      }
    });
}
