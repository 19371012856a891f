// The console's files as the server hands them to a browser.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_DIR } from '../../src/api/app.ts';
import { api } from './harness.ts';

let app: FastifyInstance;
let script: string;

beforeAll(async () => {
  // npm test has built the console already; this only builds when a source is newer.
  await promisify(execFile)(process.execPath, ['scripts/build-console.mjs', '--if-stale']);
  app = await api();
  const assets = await readdir(CONSOLE_DIR + 'assets');
  const js = assets.find((f) => f.endsWith('.js') && assets.includes(`${f}.br`));
  if (!js) throw new Error('the console build has no precompressed script');
  script = `/assets/${js}`;
});

describe('console files', () => {
  it('serves the page at / and for any client-side route', async () => {
    for (const url of ['/', '/customers/0190c3c0-0000-7000-8000-000000000000', '/login?next=%2F']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('sends brotli to browsers that take it, with a long cache for hashed assets', async () => {
    const res = await app.inject({ url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
    const plain = await app.inject({ url: script });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(res.rawPayload.length);
  });

  it('answers a missing asset with 404, never with the page', async () => {
    const res = await app.inject({ url: '/assets/missing-abc123.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).not.toMatch(/html/);
  });
});
