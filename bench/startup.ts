// Time from `npm start` to a healthy server (GET /healthz → 200): the first boot on an empty data
// directory (initdb, migrations, demo seed) and later boots that reuse it.
// Run: npx tsx bench/startup.ts [--later 3]
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPlatform, stopPlatform } from './platform.ts';

const laterRuns = Number(process.argv[process.argv.indexOf('--later') + 1] || 3);
const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-start-'));
const env = { YUCHI_DATA_DIR: dataDir };
const port = 3900 + Math.floor(Math.random() * 90);
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

try {
  const first = await startPlatform(['npm', 'start', '--silent'], env, port);
  console.log(`first boot (empty data dir, demo seed of 5,000 customers): ${seconds(first.healthyMs)} s to healthy`);
  console.log(`  Ctrl-C: the npm process ended by ${await stopPlatform(first)}; PostgreSQL still running afterwards: ${existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))}`);
  const later: number[] = [];
  for (let i = 0; i < laterRuns; i++) {
    const run = await startPlatform(['npm', 'start', '--silent'], env, port);
    later.push(run.healthyMs);
    await stopPlatform(run);
  }
  later.sort((a, b) => a - b);
  console.log(`later boots (${laterRuns}): ${later.map(seconds).join(', ')} s; median ${seconds(later[Math.floor(later.length / 2)] ?? 0)} s`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
