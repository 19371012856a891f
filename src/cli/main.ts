// The `yuchi` command line. Each group of commands lives in ./commands/.
import { Command } from 'commander';
import { registerAccessCommands } from './commands/access.ts';
import { registerClvCommands } from './commands/clv.ts';
import { registerDemoCommands } from './commands/demo.ts';
import { registerImportCommands } from './commands/import.ts';
import { registerJourneyCommands } from './commands/journey.ts';
import { registerServerCommands } from './commands/server.ts';
import { registerWecomCommands } from './commands/wecom.ts';
import { registerSecretsCommands } from './commands/secrets.ts';

const program = new Command()
  .name('yuchi')
  .description('Yuchi (鱼池) — private-domain operations platform.\nDatabase: DATABASE_URL, or the embedded PostgreSQL in YUCHI_DATA_DIR (default ./.yuchi).')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`yuchi: ${text.replace(/^error: /, '')}`) });

// Usage errors (unknown command, missing option) exit 2; set before the commands so they inherit it.
program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});

registerServerCommands(program);
registerAccessCommands(program);
registerDemoCommands(program);
registerClvCommands(program);
registerImportCommands(program);
registerWecomCommands(program);
registerJourneyCommands(program);
registerSecretsCommands(program);
await program.parseAsync(process.argv);
