// Runs every test suite: unit and engine tests with node's test runner (TypeScript through tsx), then the
// real-VS-Code tests when code-server is available (see test/e2e/README.md). Exit code is non-zero on failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const suites = only.length ? only : ['unit', 'engine', 'e2e'];

function files(dir) {
  const d = path.join(root, 'test', dir);
  if (!fs.existsSync(d)) return [];
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join('test', dir, f));
}

let failed = false;
const nodeSuites = suites.filter((s) => s !== 'e2e').flatMap(files);
if (nodeSuites.length) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...nodeSuites], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NAS_STUDIO_TEST: '1' },
  });
  if (r.status !== 0) failed = true;
}
if (suites.includes('e2e') && fs.existsSync(path.join(root, 'test/e2e/run.mjs'))) {
  const r = spawnSync(process.execPath, [path.join(root, 'test/e2e/run.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
