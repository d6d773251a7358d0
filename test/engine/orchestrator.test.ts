// The engine end to end: real worker processes training real (tiny) networks, a journal on disk, crashes of
// the orchestrator and of workers, resume, and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as jsonc from 'jsonc-parser';
import type { RunEvent } from '../../src/shared/events';
import type { NasSpec } from '../../src/shared/spec';
import { EXIT } from '../../src/shared/cli';
import { main } from '../../src/cli/main';
import { loadDataset } from '../../src/core/data/dataset';
import { readJournal } from '../../src/core/journal';
import { readLock, runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { loadModel } from '../../src/engine/modelio';
import { Orchestrator } from '../../src/engine/orchestrator';
import { tinyWorkspace } from '../helpers/workspace';

const root = path.join(__dirname, '..', '..');

const workspace = (edit?: (spec: NasSpec) => void) => tinyWorkspace('nas-orch-', edit);

function state(runDir: string) {
  return RunState.from(readJournal(runPaths(runDir).journal).events);
}

function completedTwice(events: RunEvent[]): number[] {
  const seen = new Set<number>();
  const twice: number[] = [];
  for (const e of events) {
    if (e.type !== 'trial-completed') continue;
    if (seen.has(e.trial)) twice.push(e.trial);
    seen.add(e.trial);
  }
  return twice;
}

/** An onEvent (keeping the events in `events`) that SIGKILLs the worker of `trial` at the trial's first epoch: the
 *  worker then waits for that epoch's decision, so it is certainly mid-trial however fast the machine (a kill 50 ms
 *  after the trial's start once found a fast machine done with it). */
function killAtFirstEpoch(trial: number, events: RunEvent[] = []) {
  let pid: number | undefined;
  let killed = false;
  const onEvent = (e: RunEvent) => {
    events.push(e);
    if (e.type === 'trial-started' && e.trial === trial && pid === undefined) pid = e.pid;
    if (e.type === 'epoch' && e.trial === trial && !killed && pid) {
      killed = true;
      process.kill(pid, 'SIGKILL');
    }
  };
  return { onEvent, killed: () => killed };
}

test('a search runs to its budget; the best trial exports and scores what the journal says', async () => {
  await tf.setBackend('cpu');
  const ws = workspace();
  const events: RunEvent[] = [];
  const orch = new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, parallel: 2, onEvent: (e) => events.push(e) });
  const outcome = await orch.run();
  assert.equal(outcome.reason, 'budget');
  const st = state(outcome.runDir);
  assert.equal(st.counts().completed, 6, JSON.stringify(st.counts()));
  assert.equal(events.filter((e) => e.type === 'run-started').length, 1);
  // The panel's Worker column: forked workers train on this machine, in the pid the journal names.
  assert.ok([...st.trials.values()].every((t) => t.host === os.hostname() && t.pid! > 0 && !t.remote));
  assert.ok(!fs.existsSync(runPaths(outcome.runDir).lock), 'the lock is removed when the run ends');
  const best = st.best()!;
  assert.ok(best.hasWeights);

  const out = path.join(ws.dir, 'exported');
  const logs: string[] = [];
  assert.equal(
    await main(
      ['export', outcome.runDir, '--best', '--out', out],
      (s) => logs.push(s),
      (s) => logs.push(s),
    ),
    0,
    logs.join('\n'),
  );
  assert.deepEqual(fs.readdirSync(out).sort(), ['README.md', 'architecture.json', 'load.js', 'model.json', 'weights.bin']);
  const model = await loadModel(out);
  // The exported weights are the best epoch's: re-evaluating on the same validation split gives the same value.
  const data = loadDataset(ws.spec.dataset, ws.spec.task, ws.dir, ws.spec.search!.seed!);
  const n = data.val.length;
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  const xs = new Float32Array(n * f);
  data.val.forEach((idx, i) => xs.set(data.x.subarray(idx * f, idx * f + f), i * f));
  const pred = tf.tidy(() => (model.predict(tf.tensor(xs, [n, ...data.inputShape])) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  data.val.forEach((idx, i) => (correct += pred[i] === data.y[idx] ? 1 : 0));
  assert.ok(Math.abs(correct / n - best.value!) < 1e-6, `exported model scores ${correct / n}, journal says ${best.value}`);
  model.dispose();
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('SIGKILL of the orchestrator mid-run: resume loses and repeats no completed trial and finishes the budget', async () => {
  const ws = workspace((s) => {
    s.dataset = { source: 'synthetic', generator: 'shapes', samples: 800, imageSize: 8, classes: 3 };
    s.training = { learningRate: 0.01, batchSize: 16, epochs: 3 };
    s.search = { ...s.search, budget: { trials: 8 } };
  });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'run', ws.file, '--json', '--parallel', '2'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let runDir = '';
  let completed = 0;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no trial completed in time')), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (e.type === 'trial-completed') completed++;
        if (completed >= 2 && !child.killed) {
          runDir = path.join(ws.dir, '.nas-studio', 'runs', fs.readdirSync(path.join(ws.dir, '.nas-studio', 'runs'))[0]);
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.on('exit', () => resolve());
  });
  await new Promise((r) => child.once('exit', r).once('close', r));
  const before = state(runDir);
  const doneBefore = [...before.trials.values()].filter((t) => t.status === 'completed').map((t) => t.trial);
  assert.ok(doneBefore.length >= 2);
  assert.ok(!before.finished, 'a killed run has no run-finished event');
  const lock = readLock(runPaths(runDir));
  assert.ok(lock, 'the lock of the killed run is still there');

  const out: string[] = [];
  const code = await main(
    ['resume', runDir, '--json'],
    (s) => out.push(s),
    (s) => out.push(s),
  );
  assert.equal(code, 0, out.join('\n'));
  const { events } = readJournal(runPaths(runDir).journal);
  const after = RunState.from(events);
  assert.deepEqual(completedTwice(events), [], 'no trial completes twice');
  for (const t of doneBefore) assert.equal(after.trials.get(t)?.status, 'completed');
  assert.equal(after.counts().done, 8);
  assert.equal(after.nextIndex(), 8, 'no trial index beyond the budget');
  assert.equal(after.launches.length, 2);
  assert.equal(after.finished?.reason, 'budget');
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('SIGKILL of a worker mid-trial: the trial is retried once, then the search finishes', async () => {
  const ws = workspace((s) => {
    s.training = { learningRate: 0.01, batchSize: 32, epochs: 2 };
    s.search = { ...s.search, budget: { trials: 4 } };
  });
  const events: RunEvent[] = [];
  const kill = killAtFirstEpoch(1, events);
  const orch = new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, parallel: 2, onEvent: kill.onEvent });
  const outcome = await orch.run();
  assert.ok(kill.killed());
  assert.equal(outcome.reason, 'budget');
  const failed = events.filter((e) => e.type === 'trial-failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].type === 'trial-failed' && failed[0].retry, true);
  assert.match(failed[0].type === 'trial-failed' ? failed[0].error : '', /killed by SIGKILL/);
  const restarts = events.filter((e) => e.type === 'trial-started' && e.trial === 1);
  assert.equal(restarts.length, 2);
  const st = state(outcome.runDir);
  assert.equal(st.trials.get(1)?.status, 'completed');
  assert.equal(st.counts().completed, 4);
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test("with retries 0 a killed worker's trial is recorded as failed and the search goes on", async () => {
  const ws = workspace((s) => {
    s.training = { learningRate: 0.01, batchSize: 32, epochs: 2 };
    s.search = { ...s.search, budget: { trials: 3 }, retries: 0 };
  });
  const kill = killAtFirstEpoch(0);
  const orch = new Orchestrator({ spec: ws.spec, specText: ws.text, specFile: ws.file, parallel: 1, onEvent: kill.onEvent });
  const outcome = await orch.run();
  assert.ok(kill.killed());
  const st = state(outcome.runDir);
  assert.equal(st.trials.get(0)?.status, 'failed');
  assert.match(st.trials.get(0)?.error ?? '', /worker process/);
  assert.equal(st.counts().completed, 2);
  assert.equal(outcome.reason, 'budget');
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

test('resume refuses a spec whose space changed, naming the change; --force continues', async () => {
  const ws = workspace((s) => {
    s.search = { ...s.search, budget: { trials: 1 } };
  });
  const out: string[] = [];
  const io = (s: string) => out.push(s);
  assert.equal(await main(['run', ws.file, '--json', '--parallel', '1'], io, io), 0, out.join('\n'));
  const runDir = path.join(ws.dir, '.nas-studio', 'runs', fs.readdirSync(path.join(ws.dir, '.nas-studio', 'runs'))[0]);
  const changed = jsonc.parse(fs.readFileSync(ws.file, 'utf8')) as NasSpec;
  (changed.architecture as { layers: { units?: unknown }[] }).layers[2].units = { choice: [32, 64] };
  changed.search = { ...changed.search, budget: { trials: 2 } };
  fs.writeFileSync(ws.file, JSON.stringify(changed, null, 2));
  out.length = 0;
  assert.equal(await main(['resume', runDir], io, io), EXIT.specChanged);
  assert.match(out.join('\n'), /changed since this run started/);
  assert.match(out.join('\n'), /architecture\.layers\[2\]\.units\.choice\[0\]: 4 -> 32/);
  out.length = 0;
  assert.equal(await main(['resume', runDir, '--force', '--json'], io, io), 0, out.join('\n'));
  const st = state(runDir);
  assert.equal(st.counts().completed, 2);
  assert.deepEqual(
    (st.trials.get(1)?.config.arch as { layers: { type: string; units?: number }[] }).layers
      .filter((l) => l.type === 'dense')
      .map((l) => [32, 64].includes(l.units!)),
    [true],
  );
  fs.rmSync(ws.dir, { recursive: true, force: true });
});
