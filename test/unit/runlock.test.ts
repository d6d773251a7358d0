// Issue 14, item 4: the lock of a run folder cannot lie. A pid the system reused for another process reads as
// stale (it neither blocks a resume nor shows the run as live, so Stop does not signal that process); the lock is
// taken exclusively, so of several concurrent resumes exactly one gets it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { NasSpec } from '../../src/shared/spec';
import { acquireLock, LockHeld, lockState, ORPHAN_GUARD_MS, processStartTicks, readLockFile, releaseLock, type Lock } from '../../src/core/runlock';
import { liveness } from '../../src/extension/runFolder';
import { Orchestrator } from '../../src/engine/orchestrator';

const root = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A live process that is not a run: what a reused pid points at. */
function bystander(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

function runFolder(lock: object): string {
  const d = fs.mkdtempSync(path.join(dir, 'run-'));
  fs.copyFileSync(path.join(root, 'test/fixtures/journal/tiny-run.jsonl'), path.join(d, 'journal.jsonl'));
  fs.writeFileSync(path.join(d, 'lock.json'), JSON.stringify(lock));
  return d;
}

describe('a lock whose pid was reused', () => {
  it('the start time of a process is read from /proc', () => {
    const c = bystander();
    const mine = processStartTicks(process.pid);
    const its = processStartTicks(c.pid!);
    assert.ok(mine !== undefined && its !== undefined && its >= mine, `${mine} ${its}`);
  });

  it('reads as stale: the run shows as dead (so Stop signals nothing) and a resume is not refused', () => {
    const c = bystander();
    const ticks = processStartTicks(c.pid!)!;
    // the run's process started earlier; the system has since given its pid to the bystander
    const reused: Lock = { pid: c.pid!, host: os.hostname(), started: '2026-12-01T00:00:00.000Z', startTicks: ticks - 100 };
    assert.equal(lockState(reused), 'stale');
    const d = runFolder(reused);
    assert.equal(liveness(d).kind, 'dead');
    const spec = jsonc.parse(fs.readFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), 'utf8')) as NasSpec;
    const orch = new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: path.join(d, 'tiny.nas.json'), resumeDir: d });
    assert.equal(orch.state.counts().done, 6);
    // the same pid with its own start time is the live run
    const live = { ...reused, startTicks: ticks };
    assert.equal(lockState(live), 'running');
    const e = runFolder(live);
    assert.equal(liveness(e).kind, 'running');
    assert.throws(() => new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: path.join(e, 'x.nas.json'), resumeDir: e }), /still running/);
  });

  it('another boot is stale whatever the pid', () => {
    const l: Lock = { pid: process.pid, host: os.hostname(), started: 'x', startTicks: processStartTicks(process.pid), bootId: 'another-boot' };
    assert.equal(lockState(l), 'stale');
  });
});

describe('taking the lock', () => {
  it('a stale lock (dead process, or not a lock at all) is taken over; a live or foreign one is not', () => {
    const file = path.join(dir, 'take.json');
    fs.writeFileSync(file, JSON.stringify({ pid: 999_999_999, host: os.hostname(), started: 'x' }));
    const mine = acquireLock(file);
    assert.equal(readLockFile(file)?.pid, process.pid);
    assert.equal(mine.startTicks, processStartTicks(process.pid));
    releaseLock(file, mine);
    assert.ok(!fs.existsSync(file));
    fs.writeFileSync(file, '');
    releaseLock(file, acquireLock(file));
    const c = bystander();
    fs.writeFileSync(file, JSON.stringify({ pid: c.pid, host: os.hostname(), started: 'x', startTicks: processStartTicks(c.pid!) }));
    assert.throws(() => acquireLock(file), LockHeld);
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'another-machine', started: 'x' }));
    assert.throws(() => acquireLock(file), /on another-machine/);
    // releasing someone else's lock leaves it
    releaseLock(file, mine);
    assert.equal(readLockFile(file)?.host, 'another-machine');
    fs.rmSync(file);
  });

  it("another host's lock is taken over only when asked; a live one on this host never", () => {
    const file = path.join(dir, 'take-over.json');
    const foreign = { pid: 1, host: 'another-machine', started: '2026-12-01T08:00:00.000Z' };
    fs.writeFileSync(file, JSON.stringify(foreign));
    assert.throws(
      () => acquireLock(file),
      (e: Error) => e instanceof LockHeld && /process 1 on another-machine \(since 2026-12-01T08:00:00.000Z\)/.test(e.message) && /--take-over/.test(e.message),
    );
    const mine = acquireLock(file, undefined, { takeOver: true });
    assert.deepEqual(readLockFile(file), mine);
    releaseLock(file, mine);
    const c = bystander();
    fs.writeFileSync(file, JSON.stringify({ pid: c.pid, host: os.hostname(), started: 'x', startTicks: processStartTicks(c.pid!) }));
    assert.throws(() => acquireLock(file, undefined, { takeOver: true }), /still running/);
    fs.rmSync(file);
  });

  it("a take-over is not kept out for ever by the break guard of another host's breaker that died", () => {
    const file = path.join(dir, 'orphan-guard.json');
    const foreign = { pid: 1, host: 'another-machine', started: 'x' };
    fs.writeFileSync(file, JSON.stringify(foreign));
    fs.writeFileSync(`${file}.break`, JSON.stringify(foreign));
    // A young guard may be in use: it is left alone, and the take-over gives up.
    assert.throws(() => acquireLock(file, undefined, { takeOver: true }), /other processes keep taking it/);
    assert.ok(fs.existsSync(`${file}.break`));
    const old = (Date.now() - ORPHAN_GUARD_MS - 5000) / 1000;
    fs.utimesSync(`${file}.break`, old, old);
    assert.throws(() => acquireLock(file), /on another-machine/, 'without a take-over the foreign lock still holds');
    const mine = acquireLock(file, undefined, { takeOver: true });
    assert.deepEqual(readLockFile(file), mine);
    assert.ok(!fs.existsSync(`${file}.break`));
    releaseLock(file, mine);
  });

  it('of concurrent takers exactly one gets it, also over a stale lock', async () => {
    for (const initial of [undefined, { pid: 999_999_999, host: os.hostname(), started: 'x' }]) {
      const file = path.join(dir, `race-${initial ? 'stale' : 'none'}.json`);
      if (initial) fs.writeFileSync(file, JSON.stringify(initial));
      // all start at once, well after the slowest has loaded
      const at = Date.now() + 5000;
      const script = `
        const { acquireLock } = require(${JSON.stringify(path.join(root, 'src/core/runlock.ts'))});
        while (Date.now() < ${at});
        try { acquireLock(${JSON.stringify(file)}); console.log('took'); } catch (e) { console.log(e.name === 'LockHeld' ? 'held' : 'error ' + e.message); }
        setTimeout(() => {}, 120_000);`; // alive (its lock live) until killed below, however slow the others start
      const results = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<string>((resolve) => {
              const c = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
              children.push(c);
              let out = '';
              c.stdout!.on('data', (d: Buffer) => {
                out += d.toString();
                if (out.includes('\n')) resolve(out.trim());
              });
            }),
        ),
      );
      for (const c of children.splice(0)) c.kill('SIGKILL');
      assert.equal(results.filter((r) => r === 'took').length, 1, results.join(', '));
      assert.equal(results.filter((r) => r === 'held').length, 5, results.join(', '));
    }
  });
});
