// The acceptance test 1: a search through a real redis-server with two `nas-studio worker` processes in
// separate temporary folders; one worker is SIGKILLed mid-trial, Redis is restarted once (its append-only file
// brings the queue back), the orchestrator is SIGKILLed and resumed. The journal must end with every trial
// completed exactly once, the killed worker's trial retried, and weights and test scores for the kept trials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT } from '../../src/shared/cli';
import type { RunEvent } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { blobs } from '../helpers/data';
import { redisMissing, TestRedis, TestWorker } from '../helpers/redis';

const root = path.join(__dirname, '..', '..');
const skip = redisMissing();
// Enough trials (of enough epochs, below) that some are still to run after the Redis restart on a quiet machine
// (with 8, a fast run had ended before the orchestrator could be killed mid-trial).
const TRIALS = 16;

function orchestrator(cwd: string, ...args: string[]): { proc: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, path.join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { proc, output: () => out, exit: new Promise((resolve) => proc.once('exit', (code) => resolve(code))) };
}

function events(runDir: string): RunEvent[] {
  try {
    return readJournal(runPaths(runDir).journal).events;
  } catch {
    return [];
  }
}

async function until(what: string, ok: () => boolean, ms = 90_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A folder with a CSV of blobs and a spec whose trials train a few seconds an epoch (many small batches). */
function workspace(dir: string, o: { trials: number; epochs: number; parallel: number; pruner?: object }): string {
  fs.mkdirSync(dir);
  const { x, y } = blobs(1500, 11, { spread: 3 });
  fs.writeFileSync(
    path.join(dir, 'blobs.csv'),
    ['a,b,c,d,label', ...x.map((r, i) => [...r.map((v) => v.toFixed(4)), y[i].indexOf(1)].join(','))].join('\n') + '\n',
  );
  const spec = {
    name: 'queue-faults',
    dataset: { source: 'csv', path: 'blobs.csv', label: 'label', test: { fraction: 0.2 } },
    architecture: {
      type: 'sequential',
      layers: [
        { type: 'dense', units: { choice: [16, 32] } },
        { type: 'dense', units: 16 },
      ],
    },
    training: { learningRate: 0.01, batchSize: 4, epochs: o.epochs },
    search: {
      strategy: 'random',
      budget: { trials: o.trials },
      parallel: o.parallel,
      seed: 9,
      keepTop: 2,
      retries: 3,
      ...(o.pruner ? { pruner: o.pruner } : {}),
    },
  } as unknown as NasSpec;
  fs.writeFileSync(path.join(dir, 'faults.nas.json'), JSON.stringify(spec, null, 2));
  return path.join(dir, 'run');
}

test('a worker SIGKILLed, Redis restarted, the orchestrator killed and resumed: every trial once', { skip, timeout: 400_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-faults-'));
  const redis = await TestRedis.start(path.join(tmp, 'redis'));
  const w1 = new TestWorker(path.join(tmp, 'w1'), redis.url);
  const w2 = new TestWorker(path.join(tmp, 'w2'), redis.url);
  let orch: ReturnType<typeof orchestrator> | undefined;
  try {
    await Promise.all([w1, w2].map((w) => w.waitFor(/serving redis:/)));
    const dir = path.join(tmp, 'orchestrator');
    // 20 epochs (~3 s a trial on a quiet machine): the ~8 s in which the killed worker's job is found stalled
    // and the Redis restart must leave trials to run for step 3; with 3 epochs (0.5 s a trial) a quiet machine
    // had finished the whole run by then.
    const runDir = workspace(dir, { trials: TRIALS, epochs: 20, parallel: 2 });
    orch = orchestrator(dir, 'run', 'faults.nas.json', '--run-dir', runDir, '--queue', redis.url, '--json');

    // 1. A worker dies mid-trial: its job stalls, fails once, and the orchestrator retries the trial.
    await w1.waitFor(/training in pid/);
    await until('an epoch of w1', () => events(runDir).some((e) => e.type === 'epoch'));
    w1.proc.kill('SIGKILL');
    if (process.env.QUEUE_DEBUG) console.error('killed w1');
    await until('the retry of the killed worker’s trial', () => events(runDir).some((e) => e.type === 'trial-failed' && e.retry), 60_000);

    // 2. Redis restarts while w2 trains; the run goes on.
    const before = RunState.from(events(runDir)).counts().completed;
    if (process.env.QUEUE_DEBUG) console.error('restarting redis');
    await redis.restart();
    await until('a trial completed after the Redis restart', () => RunState.from(events(runDir)).counts().completed > before, 120_000);

    // 3. The orchestrator is killed mid-trial and resumed: it re-attaches to the job still in the queue.
    await until('a trial running', () => RunState.from(events(runDir)).unfinished().length > 0);
    if (process.env.QUEUE_DEBUG) console.error('killing the orchestrator');
    orch.proc.kill('SIGKILL');
    await orch.exit;
    const resumed = orchestrator(dir, 'resume', runDir, '--json');
    orch = resumed;
    const code = await Promise.race([resumed.exit, new Promise((r) => setTimeout(() => r('timeout'), 120_000).unref())]);
    assert.equal(code, EXIT.ok, resumed.output());
    // The trials of both links may be in the queue (one training, one waiting for the lone worker).
    assert.match(resumed.output(), /re-attached to [12] trials? still in the queue/);

    // The journal is the truth: every trial ended once, as completed; the killed one was retried.
    const all = events(runDir);
    const state = RunState.from(all);
    const ends = new Map<number, number>();
    for (const e of all) {
      if (e.type === 'trial-completed' || e.type === 'trial-pruned' || (e.type === 'trial-failed' && !e.retry)) ends.set(e.trial, (ends.get(e.trial) ?? 0) + 1);
    }
    assert.deepEqual(
      [...ends.entries()].sort((a, b) => a[0] - b[0]),
      Array.from({ length: TRIALS }, (_, i) => [i, 1]),
      `each trial ends exactly once:\n${resumed.output()}`,
    );
    assert.equal(state.counts().completed, TRIALS);
    assert.ok(all.some((e) => e.type === 'trial-failed' && e.retry && /lost/.test(e.error)));
    for (const t of state.ranked().slice(0, 2)) {
      assert.ok(fs.existsSync(path.join(runDir, 'trials', String(t.trial).padStart(4, '0'), 'weights.bin')), `weights of kept trial ${t.trial}`);
      assert.ok(t.test && typeof t.test.accuracy === 'number', `test score of kept trial ${t.trial}`);
    }
  } finally {
    orch?.proc.kill('SIGKILL');
    if (process.env.QUEUE_DEBUG) console.error(`--- orchestrator\n${orch?.output()}\n--- w1\n${w1.output}\n--- w2\n${w2.output}`);
    await Promise.all([w1.stop('SIGKILL'), w2.stop('SIGKILL')]);
    await redis.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a worker cut off from Redis longer than --stall-seconds abandons its trial, and the trial is retried', { skip, timeout: 300_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-outage-'));
  const redis = await TestRedis.start(path.join(tmp, 'redis'));
  // --stall-seconds 3 (TestWorker): the job's lock is gone 3 s into an outage.
  const w = new TestWorker(path.join(tmp, 'w'), redis.url);
  let orch: ReturnType<typeof orchestrator> | undefined;
  try {
    await w.waitFor(/serving redis:/);
    const dir = path.join(tmp, 'orchestrator');
    // One trial of many epochs under a pruner that decides every epoch: each epoch waits for the orchestrator's
    // answer through Redis, so the trial cannot run to its end during the outage however fast the machine (with
    // no pruner, a fast machine finished all 30 epochs on the worker side before it gave the job up, and its
    // buffered messages completed the trial once Redis was back).
    const runDir = workspace(dir, { trials: 1, epochs: 30, parallel: 1, pruner: { type: 'median' } });
    orch = orchestrator(dir, 'run', 'faults.nas.json', '--run-dir', runDir, '--queue', redis.url, '--json');
    await until('the first epoch', () => events(runDir).some((e) => e.type === 'epoch'));
    await redis.down();
    // Redis stays away until the worker has given the job up, however slow the machine.
    await w.waitFor(/abandoned: Redis has not answered for \d+ s, longer than --stall-seconds/, 120_000);
    await redis.up();
    assert.equal(await orch.exit, EXIT.ok, orch.output());
    const ev = events(runDir);
    // The abandoned attempt failed (its lock expired) and was retried; the trial completed once.
    assert.ok(
      ev.some((e) => e.type === 'trial-failed' && e.retry),
      ev.map((e) => e.type).join(' '),
    );
    assert.equal(ev.filter((e) => e.type === 'trial-completed').length, 1);
  } finally {
    orch?.proc.kill('SIGKILL');
    await w.stop('SIGKILL');
    await redis.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
