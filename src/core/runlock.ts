// The lock of a run folder: which process runs it now. It must not lie in either direction. A lock is created
// whole and exclusively (written to a private file, then hard-linked into place: link fails if a lock exists),
// so two resumes cannot both pass and nobody reads half a lock. It names the host, the pid and the process's
// start time from /proc, so a pid the system has since given to another process reads as stale: such a lock
// neither blocks a resume nor lets Stop signal the unrelated process. A stale lock is removed under a guard file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLAG } from '../shared/cli';

export interface Lock {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** The process's start time in clock ticks after boot (/proc/PID/stat field 22); absent off Linux and in old locks. */
  startTicks?: number;
  /** /proc/sys/kernel/random/boot_id: start ticks compare only within one boot. */
  bootId?: string;
}

/** What a lock says about its run. */
export type LockState = 'running' | 'stale' | 'elsewhere';

/** How to look at processes; tests pass their own. */
export interface LockProbe {
  hostname: string;
  alive: (pid: number) => boolean;
  /** The start time of `pid` in the Lock's unit, or undefined when it cannot be told. */
  startTicks?: (pid: number) => number | undefined;
  bootId?: () => string | undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat. The command name (field 2) may hold spaces and parentheses: count from its last ')'. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function currentBootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export const LOCAL_PROBE: LockProbe = { hostname: os.hostname(), alive: processAlive, startTicks: processStartTicks, bootId: currentBootId };

/** The lock this process would take now. */
export function ownLock(probe: LockProbe = LOCAL_PROBE): Lock {
  const startTicks = probe.startTicks?.(process.pid);
  const bootId = probe.bootId?.();
  return {
    pid: process.pid,
    host: probe.hostname,
    started: new Date().toISOString(),
    ...(startTicks !== undefined ? { startTicks } : {}),
    ...(bootId !== undefined ? { bootId } : {}),
  };
}

export function lockState(lock: Lock, probe: LockProbe = LOCAL_PROBE): LockState {
  if (lock.host && lock.host !== probe.hostname) return 'elsewhere';
  if (!probe.alive(lock.pid)) return 'stale';
  // a reboot restarts pids and ticks alike
  const boot = lock.bootId !== undefined ? probe.bootId?.() : undefined;
  if (boot !== undefined && boot !== lock.bootId) return 'stale';
  const ticks = lock.startTicks !== undefined ? probe.startTicks?.(lock.pid) : undefined;
  if (ticks !== undefined && ticks !== lock.startTicks) return 'stale';
  return 'running';
}

function isLock(v: unknown): v is Lock {
  const l = v as Lock | null;
  return typeof l === 'object' && l !== null && Number.isInteger(l.pid) && l.pid > 0 && typeof l.host === 'string';
}

/** The lock in `file`, or undefined when there is none or it is not a lock (e.g. empty). */
export function readLockFile(file: string): Lock | undefined {
  const raw = readRaw(file);
  return raw === undefined ? undefined : parseLock(raw);
}

export class LockHeld extends Error {
  override readonly name = 'LockHeld';

  constructor(
    readonly lock: Lock,
    dir: string,
    probe: LockProbe = LOCAL_PROBE,
  ) {
    super(
      lockState(lock, probe) === 'elsewhere'
        ? // Another machine's process cannot be probed from here (a shared folder, or a container since renamed),
          // so its lock never reads as stale: only the user can say it is gone, as with git's index.lock.
          `the run in ${dir} is locked by process ${lock.pid} on ${lock.host} (since ${lock.started}); ${probe.hostname} cannot ` +
            `tell whether it still runs. If it does not, resume with --${FLAG.takeOver} to take the lock over ` +
            `(a search still running there would then write into the same folder)`
        : `the run in ${dir} is still running (process ${lock.pid} on ${lock.host}); stop it before resuming`,
    );
  }
}

/** Whether `lock` keeps this process from taking the run: a stale lock never does, another host's only without takeOver. */
export function lockBlocks(lock: Lock, takeOver: boolean, probe: LockProbe = LOCAL_PROBE): boolean {
  const state = lockState(lock, probe);
  return state === 'running' || (state === 'elsewhere' && !takeOver);
}

/**
 * Takes the lock `file` for this process. A stale lock (its process gone or replaced, or unreadable) is removed
 * and the lock taken, and so is another host's lock with `takeOver`; a live one throws LockHeld.
 */
export function acquireLock(file: string, probe: LockProbe = LOCAL_PROBE, o: { takeOver?: boolean } = {}): Lock {
  const lock = ownLock(probe);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(lock) + '\n', { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const raw = readRaw(file);
      if (raw === undefined) continue;
      const held = parseLock(raw);
      if (held && held.pid === process.pid && held.host === probe.hostname) return held;
      if (held && lockBlocks(held, !!o.takeOver, probe)) throw new LockHeld(held, path.dirname(file), probe);
      breakStale(file, raw, tmp, probe, !!o.takeOver);
    }
    throw new Error(`could not take the lock ${file}: other processes keep taking it`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseLock(raw: string): Lock | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return isLock(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock whose content was `stale`, under a guard file taken the same exclusive way: several
 * processes may judge the same lock stale, and without the guard one could remove the lock another has just
 * taken in its place. Under the guard the lock is removed only if it is still the stale one.
 */
function breakStale(file: string, stale: string, own: string, probe: LockProbe, takeOver: boolean): void {
  const guard = `${file}.break`;
  try {
    fs.linkSync(own, guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // another process is breaking it; a guard left by a breaker that died is stale itself
    const g = readRaw(guard);
    const holder = g === undefined ? undefined : parseLock(g);
    const state = holder && lockState(holder, probe);
    // Another host's breaker cannot be probed: under a take-over (the user says that host is gone) its guard is
    // left only while it is young enough to be in use, since a guard is held for microseconds.
    const dead = !holder || state === 'stale' || (takeOver && state === 'elsewhere' && ageMs(guard) > ORPHAN_GUARD_MS);
    if (g !== undefined && dead && readRaw(guard) === g) fs.rmSync(guard, { force: true });
    return;
  }
  try {
    if (readRaw(file) === stale) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/** A break guard older than this was left by a breaker that died (the guard lives only while a lock is removed). */
export const ORPHAN_GUARD_MS = 30_000;

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Removes the lock if it is still this process's own. */
export function releaseLock(file: string, lock: Lock): void {
  const held = readLockFile(file);
  if (held && held.pid === lock.pid && held.host === lock.host && held.started === lock.started) fs.rmSync(file, { force: true });
}
