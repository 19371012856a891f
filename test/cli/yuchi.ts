// Runs the `yuchi` command as a user does: a real process, its exit code and output. By default on
// the test database; `env` replaces that (an empty DATABASE_URL means none, as in a user's shell).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

export interface CliResult { code: number; stdout: string; stderr: string }

export async function yuchi(args: string[], env: Record<string, string> = { DATABASE_URL: inject('databaseUrl') }): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', ['bin/yuchi.mjs', ...args], { env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
