// What a run folder says about its run, read without trusting it: a journal cut by a crash or damaged, a lock
// left by a killed process or naming a pid since reused, missing files. `nas-studio status` prints this; it
// never changes the folder (the repair of a torn journal line is the resume's job).
import * as fs from 'node:fs';
import type { RunStatusReport } from '../shared/cli';
import type { RunEvent } from '../shared/events';
import { readJournal } from './journal';
import { runPaths } from './rundir';
import { LOCAL_PROBE, lockState, readLockFile, type LockProbe } from './runlock';
import { RunState } from './runstate';
import { activeTime } from './timing';

/** Throws JournalError only when the journal cannot be read at all (missing, not a regular file, too large). */
export function inspectRun(dir: string, probe: LockProbe = LOCAL_PROBE): RunStatusReport {
  const p = runPaths(dir);
  const problems: string[] = [];
  const j = readJournal(p.journal, true);
  if (j.damage) problems.push(`${j.damage}; the events after it are not counted (resume refuses this journal)`);
  if (j.tornTail) problems.push('the journal ends in a torn line (the process was killed mid-write); resume drops it');
  const events: RunEvent[] = j.events;
  const state = RunState.from(events);
  for (const [file, what] of [
    [p.spec, 'spec.nas.json (the spec the run started with)'],
    [p.meta, 'run.json'],
  ] as const) {
    if (!fs.existsSync(file)) problems.push(`${what} is missing: resume needs it`);
  }

  const lock = readLockFile(p.lock);
  if (!lock && fs.existsSync(p.lock)) problems.push('lock.json is not a lock (empty or damaged); it is ignored');
  const held = lock ? lockState(lock, probe) : undefined;
  const ended = state.finished;
  let status: RunStatusReport['state'];
  if (held === 'running') status = 'running';
  else if (held === 'elsewhere') status = 'elsewhere';
  else if (events.length === 0) status = 'empty';
  else if (!ended) status = 'crashed';
  else status = ended.reason === 'stopped' ? 'stopped' : ended.reason === 'error' ? 'failed' : 'finished';
  if (lock && held === 'stale') {
    const alive = probe.alive(lock.pid);
    problems.push(
      alive
        ? `the lock names process ${lock.pid}, which is now another program (its pid was reused): the run's own process is gone`
        : `the lock names process ${lock.pid}, which is gone: the run was killed before it could finish`,
    );
  }
  const counts = state.counts();
  const best = state.best();
  const started = state.started;
  // A launch whose workers never became ready (a pool that cannot start them, a queue no worker serves) has no
  // run-started: say so, with the last warning the run journaled (the queue's hint on starting a worker).
  if (!started && (status === 'running' || status === 'elsewhere' || status === 'crashed')) {
    let why = '';
    for (const e of events) if (e.type === 'log' && e.level !== 'info') why = `: ${e.message}`;
    problems.push(
      status === 'crashed'
        ? `no worker became ready before the process ended, so the search never started${why}`
        : `no worker has become ready yet, so the search has not started${why}`,
    );
  }
  return {
    type: 'status',
    runDir: p.dir,
    ...(started?.name ? { name: started.name } : {}),
    state: status,
    ...(ended?.message ? { message: ended.message } : {}),
    resumable: (status === 'crashed' || status === 'stopped' || status === 'failed') && !j.damage,
    budget: {
      ...(started ? { trials: started.budget.trials } : {}),
      ...(started?.budget.minutes !== undefined ? { minutes: started.budget.minutes } : {}),
      trialsDone: counts.done,
      activeMs: activeTime(events),
    },
    trials: counts,
    best: best && best.value !== undefined ? { trial: best.trial, value: best.value, ...(started ? { metric: started.objective.metric } : {}) } : null,
    process: lock && held ? { pid: lock.pid, host: lock.host, started: lock.started, state: held } : null,
    problems,
  };
}
