// Starting and stopping a real `yuchi start` process for benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Platform {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Runs a command in the project root with extra environment; resolves when /healthz answers 200. */
export async function startPlatform(command: string[], env: Record<string, string>, port: number, timeoutMs = 600_000): Promise<Platform & { healthyMs: number }> {
  const started = performance.now();
  const [bin, ...args] = command;
  if (!bin) throw new Error('no command');
  const child = spawn(bin, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}):\n${log}`);
    if (performance.now() - started > timeoutMs) throw new Error(`not healthy after ${timeoutMs} ms:\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return { child, url, output: () => log, healthyMs: performance.now() - started };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Ctrl-C, as a user would; resolves with how the process ended (npm itself ends by the signal). */
export function stopPlatform(p: Platform): Promise<string> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve(`exit ${p.child.exitCode}`);
    p.child.once('exit', (code, signal) => resolve(code === null ? `signal ${signal ?? '?'}` : `exit ${code}`));
    // npm start runs node under sh: signal the whole process group, as a terminal's Ctrl-C does
    if (p.child.pid) process.kill(-p.child.pid, 'SIGINT');
  });
}
