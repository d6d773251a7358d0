// The worker forked at the CLI's start (EarlyWorker): the run's first link takes over that very process, and
// a command that ends without adopting it (a spec error) kills it, so the CLI's process still exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as jsonc from 'jsonc-parser';
import { EXIT } from '../../src/shared/cli';
import type { FromWorker } from '../../src/shared/protocol';
import type { NasSpec } from '../../src/shared/spec';
import { defaultWorkerEntry, EarlyWorker, ForkTransport } from '../../src/engine/pool';
import type { LinkEvents } from '../../src/engine/transport';
import { tinyWorkspace } from '../helpers/workspace';

const root = path.join(__dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `pid` is gone; rejects after `ms` (a process that is never killed never goes). */
async function gone(pid: number, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) throw new Error(`process ${pid} is still alive`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the first link adopts the early worker, which trains as a fresh one would; the next link forks its own', async () => {
  const spec = jsonc.parse(fs.readFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), 'utf8')) as NasSpec;
  const early = new EarlyWorker(defaultWorkerEntry());
  const earlyPid = early.pid!;
  const transport = new ForkTransport(defaultWorkerEntry(), undefined, early);
  const ready = new Map<number, () => void>();
  const events: LinkEvents = {
    message: (w, m: FromWorker) => {
      if (m.method === 'init-failed') assert.fail(m.params.error);
      if (m.method === 'ready') ready.get(w.id)?.();
    },
    exit: () => {},
  };
  const first = transport.open(0, events);
  const second = transport.open(1, events);
  try {
    assert.equal(first.pid, earlyPid, 'the first link runs in the early process');
    assert.notEqual(second.pid, earlyPid);
    // Released after adoption: the process belongs to its link now and stays.
    early.release();
    const isReady = new Promise<void>((r) => ready.set(0, r));
    first.send({ method: 'init', params: { dataset: spec.dataset, task: spec.task, baseDir: root, seed: 1, backend: 'cpu' } });
    await isReady;
    assert.ok(alive(earlyPid) && !first.exited);
  } finally {
    first.kill();
    second.kill();
  }
});

test('an early worker nothing adopted ends on release', async () => {
  const early = new EarlyWorker(defaultWorkerEntry());
  const pid = early.pid!;
  assert.ok(alive(pid));
  early.release();
  await gone(pid);
});

test('a spec error ends the CLI process (its early worker killed) with the spec-invalid exit code', async () => {
  const ws = tinyWorkspace('nas-early-worker-', (spec) => {
    spec.training = { ...spec.training, epochs: -3 };
  });
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, path.join(root, 'src/cli/main.ts'), 'run', ws.file, '--json'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // A live child process would keep the CLI's event loop alive for good: the deadline only catches that hang.
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the CLI did not exit after the spec error'));
    }, 120_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, EXIT.failed, out);
  assert.match(out, /spec-invalid/);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

// dist/cli.js is a stub (src/cli/entry.ts) that forks the worker before it requires the CLI's bundle.
const builtCli = path.join(root, 'dist', 'cli.js');
const notBuilt = fs.existsSync(path.join(root, 'dist', 'cli-main.js')) ? undefined : 'dist/cli.js is not built (npm run build)';

/** The built CLI with a preload that logs each fork and the moment dist/cli-main.js is read, in order. */
function tracedCli(args: string[], dir: string): Promise<{ code: number | null; out: string; log: string[] }> {
  const logFile = path.join(dir, 'trace.log');
  const preload = path.join(dir, 'trace.cjs');
  fs.writeFileSync(
    preload,
    `const fs = require('fs'); const cp = require('child_process');
const log = (s) => fs.appendFileSync(${JSON.stringify(logFile)}, s + '\\n');
const fork = cp.fork; cp.fork = function (...a) { log('fork ' + process.pid); return fork.apply(this, a); };
const read = fs.readFileSync; fs.readFileSync = function (f) { if (String(f).endsWith('cli-main.js')) log('cli-main'); return read.apply(this, arguments); };`,
  );
  const child = spawn(process.execPath, [builtCli, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The code cache (engine/codeCache.ts) goes into the test's folder, not the user's.
    env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, XDG_CACHE_HOME: dir },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit: ${out}`));
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : [];
      // The CLI's own forks (a worker forks nothing), pid left out.
      resolve({ code, out, log: log.filter((l) => l === 'cli-main' || l === `fork ${child.pid}`).map((l) => l.split(' ')[0]) });
    });
  });
}

test("dist/cli.js forks the run's worker before it loads the CLI bundle, and the run adopts that process", { skip: notBuilt }, async () => {
  const ws = tinyWorkspace('nas-early-stub-', (spec) => {
    spec.search = { ...spec.search, budget: { trials: 2 }, parallel: 1 };
  });
  const r = await tracedCli(['run', ws.file, '--json', '--backend', 'cpu'], ws.dir);
  assert.equal(r.code, EXIT.ok, r.out);
  assert.match(r.out, /"type":"summary"/);
  // One fork in all (the run took the stub's worker over rather than forking another), before the bundle loads.
  assert.deepEqual(r.log, ['fork', 'cli-main']);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('dist/cli.js: a usage error after the early fork still exits at once; check and a queued run fork nothing', { skip: notBuilt }, async () => {
  const ws = tinyWorkspace('nas-early-stub-');
  const usage = await tracedCli(['run', ws.file, 'second-file', '--json'], ws.dir);
  assert.equal(usage.code, EXIT.usage, usage.out);
  assert.deepEqual(usage.log, ['fork', 'cli-main']);
  for (const args of [
    ['check', ws.file],
    ['run', ws.file, '--queue=redis://127.0.0.1:1', '--json', '--max-trials', '0.5'],
  ]) {
    fs.rmSync(path.join(ws.dir, 'trace.log'), { force: true });
    const r = await tracedCli(args, ws.dir);
    assert.deepEqual(r.log, ['cli-main'], `${args.join(' ')}: ${r.out}`);
  }
  fs.rmSync(ws.dir, { recursive: true, force: true });
});
