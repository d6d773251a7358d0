// The V8 code cache our bundles load through (src/engine/codeCache.ts): used once written, keyed by the bundle's
// text, ignored when damaged, never in the way when it cannot be written, and off with NAS_STUDIO_CODE_CACHE=0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeCacheDir, requireCached } from '../../src/engine/codeCache';

/**
 * A load in a fresh process, saved at its end as dist/cli.js and worker-boot.js do (within one process V8's own
 * compilation cache would answer instead of the file).
 */
function loadApart(file: string, cache: string): { used: boolean; exports: unknown } {
  const script = `const { requireCached } = require(${JSON.stringify(path.join(__dirname, '../../src/engine/codeCache.ts'))});
const l = requireCached(${JSON.stringify(file)}, module, ${JSON.stringify(cache)}); l.save();
process.stdout.write(JSON.stringify({ used: l.used, exports: l.exports }));`;
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { used: boolean; exports: unknown };
}

function bundle(dir: string, body: string): string {
  const file = path.join(dir, 'bundle.js');
  // Enough functions that V8 has code worth caching; `module`, `require` and the paths as Node's loader gives them.
  const fns = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  fs.writeFileSync(
    file,
    `${fns}\nmodule.exports = { body: ${body}, sum: f7(2) + f9(1), file: __filename, dir: __dirname, req: typeof require('node:path').join };\n`,
  );
  return file;
}

test('the second load takes the cached code; the exports are those require would give', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-code-cache-'));
  const cache = path.join(dir, 'cache');
  const file = bundle(dir, '1');
  const expected = { body: 1, sum: 7 * 2 + 7 + 9 + 9, file, dir, req: 'function' };
  const first = loadApart(file, cache);
  assert.equal(first.used, false);
  assert.deepEqual(first.exports, expected);
  const written = fs.readdirSync(cache);
  assert.equal(written.length, 1);
  assert.match(written[0], /^bundle-[0-9a-f]{16}-.+\.bin$/);
  const stamp = fs.statSync(path.join(cache, written[0])).mtimeMs;
  const second = loadApart(file, cache);
  assert.equal(second.used, true, 'the cache written by the first load was not taken');
  assert.deepEqual(second.exports, expected);
  assert.equal(fs.statSync(path.join(cache, written[0])).mtimeMs, stamp, 'a load that used the cache rewrote it');

  // A new build of the bundle: another key, compiled afresh; its save replaces the old build's cache.
  bundle(dir, '2');
  const rebuilt = loadApart(file, cache);
  assert.equal(rebuilt.used, false);
  assert.equal((rebuilt.exports as { body: number }).body, 2);
  const now = fs.readdirSync(cache);
  assert.equal(now.length, 1);
  assert.notEqual(now[0], written[0]);
  assert.equal(loadApart(file, cache).used, true);

  // A damaged cache under the right name: V8 rejects it, the bundle compiles, and a good cache replaces it.
  fs.writeFileSync(path.join(cache, now[0]), Buffer.alloc(4096, 7));
  const damaged = loadApart(file, cache);
  assert.equal(damaged.used, false);
  assert.equal((damaged.exports as { body: number }).body, 2);
  assert.equal(loadApart(file, cache).used, true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a cache folder that cannot be written costs nothing but the cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-code-cache-'));
  const file = bundle(dir, '3');
  const blocker = path.join(dir, 'a-file');
  fs.writeFileSync(blocker, '');
  const loaded = requireCached(file, module, path.join(blocker, 'cache'));
  assert.equal((loaded.exports as { body: number }).body, 3);
  assert.doesNotThrow(() => loaded.save());
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the cache lives in the user's cache folder, and NAS_STUDIO_CODE_CACHE=0 turns it off", () => {
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }), path.join('/x/cache', 'nas-studio', 'v8'));
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', NAS_STUDIO_CODE_CACHE: '0' }), undefined);
  assert.equal(codeCacheDir({}), path.join(os.homedir(), '.cache', 'nas-studio', 'v8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-code-cache-'));
  const off = requireCached(bundle(dir, '4'), module, undefined);
  assert.equal(off.used, false);
  assert.equal((off.exports as { body: number }).body, 4);
  fs.rmSync(dir, { recursive: true, force: true });
});
