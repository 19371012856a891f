// A process that loads the embedded PostgreSQL ends with the exit code it set: the package's exit
// hook used to end every such process with 0, so failed test runs and failed commands looked green.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('exit codes', () => {
  it('keeps the code a program set when embedded PostgreSQL is loaded', () => {
    const script = "await import('./src/db/embedded.ts'); process.exitCode = 3;";
    const failed = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(failed.stderr).toBe('');
    expect(failed.status).toBe(3);
    const fine = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "await import('./src/db/embedded.ts');"], { cwd: root, encoding: 'utf8' });
    expect(fine.status).toBe(0);
  });
});
