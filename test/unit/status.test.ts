// `nas-studio status RUN_DIR [--json]` (issue 14): it reads any run folder, damaged or not, and says what is
// wrong without a stack trace. Every byte prefix of a real run's journal gives exit 0 and a status line.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { isCliError, isRunStatusReport, type RunStatusReport } from '../../src/shared/cli';
import { processStartTicks } from '../../src/core/runlock';
import * as jsonc from 'jsonc-parser';
import type { NasSpec } from '../../src/shared/spec';
import { Orchestrator } from '../../src/engine/orchestrator';

const root = path.join(__dirname, '..', '..');
const real = fs.readFileSync(path.join(root, 'test/fixtures/journal/tiny-run.jsonl'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-status-'));
// A live process for the run locks to point at, for the whole file: it must outlive the slowest run of it (the
// file took 64 s at load 17 and the last test then read the sleeper as crashed); after() kills it.
const sleeper = spawn('sleep', ['3600'], { stdio: 'ignore' });
after(() => {
  sleeper.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function runFolder(journal: Buffer | string, lock?: object): string {
  const d = fs.mkdtempSync(path.join(dir, 'run-'));
  fs.writeFileSync(path.join(d, 'journal.jsonl'), journal);
  fs.writeFileSync(path.join(d, 'spec.nas.json'), '{}');
  fs.writeFileSync(path.join(d, 'run.json'), '{}');
  if (lock) fs.writeFileSync(path.join(d, 'lock.json'), JSON.stringify(lock));
  return d;
}

async function status(d: string, json = true): Promise<{ code: number; out: string[]; err: string[]; report?: RunStatusReport }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ['status', d, ...(json ? ['--json'] : [])],
    (s) => out.push(s),
    (s) => err.push(s),
  );
  const v: unknown = json && out.length ? JSON.parse(out[out.length - 1]) : undefined;
  return { code, out, err, ...(isRunStatusReport(v) ? { report: v } : {}) };
}

describe('status', () => {
  it('a finished run', async () => {
    const r = await status(runFolder(real));
    assert.equal(r.code, 0);
    assert.equal(r.report?.state, 'finished');
    assert.deepEqual(r.report?.trials, { completed: 6, failed: 0, pruned: 0, cut: 0, running: 0, done: 6 });
    assert.equal(r.report?.best?.trial, 2);
    assert.equal(r.report?.budget.trials, 6);
    assert.deepEqual(r.report?.problems, []);
    const human = await status(runFolder(real), false);
    assert.match(human.out.join('\n'), /state: finished\nbudget: 6 of 6 trials/);
  });

  it('every byte prefix of a real journal: exit 0 and a report', async () => {
    const d = runFolder('');
    const file = path.join(d, 'journal.jsonl');
    let crashed = 0;
    for (let n = 0; n <= real.length; n++) {
      fs.writeFileSync(file, real.subarray(0, n));
      const r = await status(d);
      assert.equal(r.code, 0, `cut at ${n}: ${r.err.join(' ')}`);
      assert.ok(r.report, `cut at ${n}`);
      if (r.report.state === 'crashed') crashed++;
      assert.equal(r.report.resumable, r.report.state === 'crashed', `cut at ${n}`);
    }
    assert.ok(crashed > real.length * 0.9, 'all but the last line are a crashed run');
  });

  it('damage in the middle: the events before it, and the problem', async () => {
    const lines = real.toString('utf8').split('\n');
    lines[5] = 'not json';
    const r = await status(runFolder(lines.join('\n')));
    assert.equal(r.code, 0);
    assert.equal(r.report?.resumable, false);
    assert.match(r.report?.problems[0] ?? '', /journal\.jsonl:6: the journal line is not valid JSON/);
  });

  it('a lock of a killed process, of a reused pid, of a live run', async () => {
    const cut = real.subarray(0, real.length - 200);
    const gone = await status(runFolder(cut, { pid: 999_999_999, host: os.hostname(), started: 'x' }));
    assert.equal(gone.report?.state, 'crashed');
    assert.match(gone.report?.problems.join('\n') ?? '', /process 999999999, which is gone/);
    const ticks = processStartTicks(sleeper.pid!)!;
    const reused = await status(runFolder(cut, { pid: sleeper.pid, host: os.hostname(), started: 'x', startTicks: ticks - 1 }));
    assert.equal(reused.report?.state, 'crashed');
    assert.match(reused.report?.problems.join('\n') ?? '', /pid was reused/);
    const live = await status(runFolder(cut, { pid: sleeper.pid, host: os.hostname(), started: 'x', startTicks: ticks }));
    assert.equal(live.report?.state, 'running');
    assert.equal(live.report?.process?.pid, sleeper.pid);
    assert.equal(live.report?.resumable, false);
    // Another machine's process cannot be checked: the text says how to take the run over if it is gone.
    const foreign = runFolder(cut, { pid: 4242, host: 'another-machine', started: 'x' });
    assert.equal((await status(foreign)).report?.state, 'elsewhere');
    assert.match((await status(foreign, false)).out.join('\n'), /if it no longer runs on another-machine: .* resume .* --take-over$/m);
    assert.doesNotMatch(
      (await status(runFolder(cut, { pid: sleeper.pid, host: os.hostname(), started: 'x', startTicks: ticks }), false)).out.join('\n'),
      /take-over/,
    );
    const bad = await status(runFolder(cut, undefined));
    fs.writeFileSync(path.join(bad.report!.runDir, 'lock.json'), '{"pid":');
    assert.match((await status(bad.report!.runDir)).report?.problems.join('\n') ?? '', /lock\.json is not a lock/);
  });

  it('no run folder, or a journal that is not a file: one clear line, no stack trace, no hang', async () => {
    const fifo = runFolder('');
    fs.rmSync(path.join(fifo, 'journal.jsonl'));
    execFileSync('mkfifo', [path.join(fifo, 'journal.jsonl')]);
    for (const [d, kind, words] of [
      [fifo, 'unreadable', /named pipe, not a regular file/],
      [dir, 'not-a-run', /not a run folder/],
      [path.join(dir, 'nope'), 'unreadable', /no such folder/],
    ] as const) {
      const r = await status(d);
      assert.equal(r.code, 1);
      const line: unknown = JSON.parse(r.out.at(-1) ?? '{}');
      assert.ok(isCliError(line) && line.kind === kind, JSON.stringify(line));
      assert.match(line.message, words);
      const human = await status(d, false);
      assert.equal(human.err.length, 1, human.err.join('\n'));
      assert.doesNotMatch(human.err[0], /\n\s+at /);
    }
  });

  it('a launch whose workers never became ready says why, whether it failed or still waits', async () => {
    // The pool's workers die while starting (tfjs-node missing, a broken install): the run fails with no run-started.
    const d = fs.mkdtempSync(path.join(dir, 'dies-'));
    const dies = path.join(d, 'dies.js');
    fs.writeFileSync(dies, "console.error('Error: Cannot find module tfjs-node (simulated)'); process.exit(1);\n");
    const specFile = path.join(root, 'test/fixtures/specs/tiny.nas.json');
    const spec = jsonc.parse(fs.readFileSync(specFile, 'utf8')) as NasSpec;
    const orch = new Orchestrator({ spec, specText: JSON.stringify(spec), specFile, runsDir: d, workerEntry: { file: dies, execArgv: [] } });
    assert.equal((await orch.run()).reason, 'error');
    const failed = await status(orch.runDir);
    assert.equal(failed.report?.state, 'failed');
    assert.match(failed.report?.message ?? '', /worker processes die while starting .*Cannot find module tfjs-node/);
    assert.match((await status(orch.runDir, false)).out.join('\n'), /\nwhy: worker processes die while starting/);
    // A queue no worker serves: the run is live, and its journal holds only the queue's hint.
    const hint = 'no worker serves redis://q:6379 yet: start one with `nas-studio worker --queue redis://q:6379` (docs/DEPLOY.md)';
    const log = JSON.stringify({ type: 'log', time: '2026-12-03T11:00:00.000Z', level: 'warn', message: hint }) + '\n';
    const waiting = await status(runFolder(log, { pid: sleeper.pid, host: os.hostname(), started: 'x', startTicks: processStartTicks(sleeper.pid!) }));
    assert.equal(waiting.report?.state, 'running');
    assert.ok(
      waiting.report?.problems.some((p) => p.startsWith('no worker has become ready yet') && p.includes('start one with')),
      waiting.report?.problems.join('\n'),
    );
  });
});
