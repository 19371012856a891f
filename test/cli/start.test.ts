// `yuchi start` as an operator runs it: against DATABASE_URL it starts no embedded server, answers
// /healthz, and stops cleanly on Ctrl-C (SIGINT).
import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

describe('yuchi start', () => {
  it('serves with DATABASE_URL, then exits 0 on SIGINT', async () => {
    const child = spawn('node', ['bin/yuchi.mjs', 'start', '--port', '0', '--no-demo', '--json'], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), YUCHI_DATA_DIR: '/nonexistent/never-used' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const summary = await new Promise<{ url: string; database: string; worker: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up summary: ${stdout}${stderr}`)), 60_000);
      child.stdout.on('data', () => {
        try {
          const parsed = JSON.parse(stdout) as { url: string; database: string; worker: boolean };
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          // not complete yet
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(summary.database).toBe('external');
    expect(summary.worker).toBe(true);
    const health = await fetch(`${summary.url}healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(`${summary.url}api/v1/customers`);
    expect(page.status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
