// Runs every test suite: unit and engine tests with node's test runner (TypeScript through tsx), then the
// real-VS-Code tests when code-server is available (see test/e2e/README.md). Exit code is non-zero on failure.
// Its last lines say how many VS Code tests ran (scripts/vscode-tally.mjs); with CI set, none is a failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tallyVSCode, vscodeBanner } from './vscode-tally.mjs';

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
let e2eOutput = '';
const e2e = suites.includes('e2e');
if (e2e && fs.existsSync(path.join(root, 'test/e2e/run.mjs'))) {
  // Piped through, not inherited, so the counts it prints can be read back for the banner below.
  const child = spawn(process.execPath, [path.join(root, 'test/e2e/run.mjs')], { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
  child.stdout.on('data', (b) => {
    process.stdout.write(b);
    e2eOutput += b;
  });
  child.stderr.on('data', (b) => process.stderr.write(b));
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  if (code !== 0) failed = true;
}
const banner = vscodeBanner(tallyVSCode(e2eOutput), { ci: /^(1|true|yes)$/i.test(process.env.CI ?? ''), selected: e2e });
for (const l of banner.lines) console.log(l);
if (banner.fail) failed = true;
process.exit(failed ? 1 : 0);
