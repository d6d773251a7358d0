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
