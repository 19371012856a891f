#!/usr/bin/env node
// Builds the web console into web/dist with Vite. With --if-stale it builds only when the built
// index.html is missing or older than a source of the console, so `npm start` and `npm test`
// pay for a build only after the console changed.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const builtIndex = path.join(web, 'dist', 'index.html');
const sources = [path.join(web, 'src'), path.join(web, 'public'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts')];

async function mtimeOf(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The newest modification time of a file or of anything under a directory. */
async function newest(entry) {
  let info;
  try {
    info = await stat(entry);
  } catch (err) {
    if (err.code === 'ENOENT') return 0;
    throw err;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs; // a deleted file changes its directory's time
  for (const child of await readdir(entry)) latest = Math.max(latest, await newest(path.join(entry, child)));
  return latest;
}

async function isStale() {
  const built = await mtimeOf(builtIndex);
  if (built === undefined) return true;
  for (const source of sources) if ((await newest(source)) > built) return true;
  return false;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Writes .br and .gz beside each text asset; the server sends them to browsers that accept them. */
async function precompress(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await precompress(file);
    } else if (/\.(js|css|html|svg|json)$/.test(entry.name)) {
      const content = await readFile(file);
      if (content.length < 1024) continue;
      await writeFile(`${file}.br`, await brotli(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 10 } }));
      await writeFile(`${file}.gz`, await gzip(content, { level: 9 }));
    }
  }
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && !(await isStale())) {
  console.log('console: up to date (web/dist)');
} else {
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  await precompress(path.join(web, 'dist'));
  console.log(`console: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
