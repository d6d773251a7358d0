// What a run folder says about its run when no process of ours is attached: a lock naming a live process means
// it is running (in another window, or in ours before a reload); a lock whose process is gone means it crashed;
// no lock means it ended, and the journal's last `run-finished` says how.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent, RunFinished } from '../shared/events';
import type { RunStatus } from '../shared/panel';
import { readLock, readMeta, runPaths, type Lock } from '../core/rundir';
import { LOCAL_PROBE, lockState, type LockProbe } from '../core/runlock';

export type Liveness =
  | { kind: 'running'; lock: Lock }
  /** The lock names a process on another machine (a shared folder): its state cannot be told from here. */
  | { kind: 'elsewhere'; lock: Lock }
  /** The lock's process is gone: it was killed before it could finish the journal. */
  | { kind: 'dead'; lock: Lock }
  | { kind: 'unlocked' };

export type Probe = LockProbe;

export const LOCAL: Probe = LOCAL_PROBE;

export function liveness(runDir: string, probe: Probe = LOCAL): Liveness {
  const lock = readLock(runPaths(runDir));
  if (!lock) return { kind: 'unlocked' };
  // lockState compares the process start time too: a pid reused by another process is a dead run
  const state = lockState(lock, probe);
  return state === 'elsewhere' ? { kind: 'elsewhere', lock } : state === 'running' ? { kind: 'running', lock } : { kind: 'dead', lock };
}

export interface RunStatusInfo {
  status: RunStatus;
  canResume: boolean;
  message?: string;
}

/** The status of a run whose process is not (or no longer) running, from the last launch's end. */
export function endedStatus(finished: RunFinished | undefined, hasEvents: boolean): RunStatusInfo {
  if (!finished) {
    return hasEvents
      ? { status: 'crashed', canResume: true, message: 'the search process ended without finishing its journal (killed or crashed)' }
      : { status: 'crashed', canResume: false, message: 'the search ended before it started' };
  }
  switch (finished.reason) {
    case 'budget':
    case 'exhausted':
    case 'time':
      return { status: 'finished', canResume: false, message: finished.message };
    case 'stopped':
      return { status: 'stopped', canResume: true, message: finished.message };
    case 'error':
      return { status: 'crashed', canResume: true, message: finished.message };
  }
}

/** The last launch's `run-finished`, if that launch finished: a later `run-started` means it was resumed. */
export function lastFinish(events: readonly RunEvent[]): RunFinished | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'run-finished') return e;
    if (e.type === 'run-started') return undefined;
  }
  return undefined;
}

/** Run folders directly under `runsRoot`. */
export function runDirs(runsRoot: string): string[] {
  try {
    return fs
      .readdirSync(runsRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(runsRoot, d.name, 'run.json')))
      .map((d) => path.join(runsRoot, d.name))
      .sort();
  } catch {
    return [];
  }
}

/** Is `p` a run folder (`.../<runs>/<id>` holding run.json)? */
export function isRunDir(p: string): boolean {
  return fs.existsSync(runPaths(p).meta) || fs.existsSync(runPaths(p).journal);
}

/** The newest run of `specFile` under `runsRoot` (run folder names start with their creation time). */
export function latestRunOf(runsRoot: string, specFile: string, same: (a: string, b: string) => boolean): string | undefined {
  const dirs = runDirs(runsRoot);
  for (let i = dirs.length - 1; i >= Math.max(0, dirs.length - 50); i--) {
    const spec = readMeta(dirs[i])?.specFile;
    if (spec && same(spec, specFile)) return dirs[i];
  }
  return undefined;
}
