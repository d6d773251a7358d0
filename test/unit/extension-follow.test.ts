// Following a run from its folder: the journal tail, progress and ETA, and what a folder says about its run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import type { TrialConfig } from '../../src/shared/arch';
import { LineTail, parseEvents } from '../../src/extension/tail';
import { ProgressTracker } from '../../src/extension/progress';
import { clock, formatValue } from '../../src/shared/format';
import { endedStatus, lastFinish, liveness } from '../../src/extension/runFolder';
import { cliLaunch, exportArgs, lastLines, resumeArgs, runArgs, runsRootFor } from '../../src/extension/cli';
import { started as runStarted } from '../helpers/events';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nas-ext-'));
const config: TrialConfig = {
  arch: { kind: 'sequential', layers: [] },
  training: { optimizer: 'adam', learningRate: 0.001, batchSize: 8, epochs: 1 },
  params: {},
};

function started(time: string, trials = 4, extra: Partial<Extract<RunEvent, { type: 'run-started' }>> = {}): RunEvent {
  return runStarted(0, { time, budget: { trials }, specFile: '/s.nas.json', inputShape: [2], outputs: 2, ...extra });
}
function trial(n: number, startAt: string, endAt: string, value: number): RunEvent[] {
  return [
    { type: 'trial-started', time: startAt, trial: n, attempt: 1, worker: 0, config },
    {
      type: 'trial-completed',
      time: endAt,
      trial: n,
      value,
      bestEpoch: 0,
      metrics: { loss: 1, val_loss: 1 },
      epochs: 1,
      params: 5,
      durationMs: 1000,
      stopReason: 'epochs',
    },
  ];
}

test('the tail hands out complete lines only, across partial writes and multi-byte characters', () => {
  const dir = tmp();
  const file = path.join(dir, 'j.jsonl');
  const t = new LineTail(file);
  assert.deepEqual(t.read(), [], 'a missing file is not an error');
  fs.writeFileSync(file, '{"a":1}\n{"b":');
  assert.deepEqual(t.read(), ['{"a":1}']);
  const euro = Buffer.from('"€"}\n');
  fs.appendFileSync(file, euro.subarray(0, 2));
  assert.deepEqual(t.read(), []);
  fs.appendFileSync(file, euro.subarray(2));
  assert.deepEqual(t.read(), ['{"b":"€"}']);
  assert.equal(t.position, fs.statSync(file).size);
});

test('torn and foreign lines are skipped, events kept', () => {
  const e = started('2026-01-01T00:00:00Z');
  assert.deepEqual(parseEvents(['{"type":"trial-sta', JSON.stringify(e), 'run folder: x', '{"type":"summary"}']), [e]);
});

test('progress: done out of budget, best so far, ETA from this launch pace', () => {
  const p = new ProgressTracker();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  for (const e of [started(at(0)), ...trial(0, at(1), at(10), 0.5), ...trial(1, at(10), at(20), 0.7)]) p.apply(e);
  const r = p.progress(t0 + 20_000);
  assert.equal(r.done, 2);
  assert.equal(r.total, 4);
  assert.deepEqual(r.best, { trial: 1, value: 0.7, metric: 'val_accuracy' });
  assert.equal(r.etaMs, 20_000);
  // A resume: the pace restarts, the time budget counts the earlier launch.
  const q = new ProgressTracker();
  for (const e of [
    started(at(0), 4, { budget: { trials: 4, minutes: 1 } }),
    ...trial(0, at(1), at(10), 0.5),
    started(at(100), 4, { budget: { trials: 4, minutes: 1 }, resumed: true }),
  ])
    q.apply(e);
  assert.equal(q.progress(t0 + 110_000).etaMs, 40_000);
  q.apply({ type: 'run-finished', time: at(111), reason: 'stopped' });
  assert.equal(q.progress(t0 + 120_000).etaMs, undefined);
  assert.equal(q.progress().finished?.reason, 'stopped');
});

test('clock and values print compactly', () => {
  assert.equal(clock(42_000), '0:42');
  assert.equal(clock(3_723_000), '1:02:03');
  assert.equal(formatValue(0.912345), '0.9123');
});

test('a folder tells running, dead, elsewhere and ended apart', () => {
  const dir = tmp();
  const probe = { hostname: 'here', alive: (pid: number) => pid === 42 };
  assert.deepEqual(liveness(dir, probe), { kind: 'unlocked' });
  const lock = (pid: number, host = 'here') => fs.writeFileSync(path.join(dir, 'lock.json'), JSON.stringify({ pid, host, started: 'x' }));
  lock(42);
  assert.equal(liveness(dir, probe).kind, 'running');
  lock(43);
  assert.equal(liveness(dir, probe).kind, 'dead');
  lock(42, 'there');
  assert.equal(liveness(dir, probe).kind, 'elsewhere');
});

test('the last launch decides how a run ended', () => {
  const fin = { type: 'run-finished', time: 'x', reason: 'stopped' } as const;
  assert.equal(lastFinish([started('x'), fin]), fin);
  assert.equal(lastFinish([started('x'), fin, started('y')]), undefined, 'resumed after the stop');
  assert.deepEqual(endedStatus(fin, true), { status: 'stopped', canResume: true, message: undefined });
  assert.equal(endedStatus({ ...fin, reason: 'budget' }, true).canResume, false);
  assert.equal(endedStatus({ ...fin, reason: 'error', message: 'boom' }, true).message, 'boom');
  assert.equal(endedStatus(undefined, true).status, 'crashed');
  assert.equal(endedStatus(undefined, true).canResume, true);
});

test('command lines: VS Code runs the CLI as Node unless a node is configured', () => {
  const host = { extensionPath: '/ext', execPath: '/vscode/code', env: { ELECTRON_RUN_AS_NODE: undefined, PATH: '/bin' } };
  const own = cliLaunch(host, undefined, ['check', 'x']);
  assert.equal(own.command, '/vscode/code');
  assert.deepEqual(own.args, [path.join('/ext', 'dist', 'cli.js'), 'check', 'x']);
  assert.equal(own.env.ELECTRON_RUN_AS_NODE, '1');
  const node = cliLaunch({ ...host, env: { ELECTRON_RUN_AS_NODE: '1' } }, '/usr/bin/node', []);
  assert.equal(node.command, '/usr/bin/node');
  assert.equal(node.env.ELECTRON_RUN_AS_NODE, undefined);
  assert.deepEqual(runArgs('/w/a.nas.json', '/w/.nas-studio/runs/r1', { parallel: null, backend: 'auto' }), [
    'run',
    '/w/a.nas.json',
    '--json',
    '--run-dir',
    '/w/.nas-studio/runs/r1',
  ]);
  assert.deepEqual(resumeArgs('/r', { parallel: 2, backend: 'wasm' }, true), ['resume', '/r', '--json', '--parallel', '2', '--backend', 'wasm', '--force']);
  assert.deepEqual(exportArgs('/r', 'best', '/o'), ['export', '/r', '--best', '--out', '/o']);
  assert.deepEqual(exportArgs('/r', 3, '/o'), ['export', '/r', '--trial', '3', '--out', '/o']);
  assert.equal(runsRootFor('/w/sub/a.nas.json', undefined, '/w'), path.join('/w/sub', '.nas-studio', 'runs'));
  assert.equal(runsRootFor('/w/sub/a.nas.json', 'results', '/w'), path.join('/w', 'results'));
});

test('stderr: the last lines', () => {
  assert.deepEqual(lastLines('a\n\nb\nc\n', 2), ['b', 'c']);
});
