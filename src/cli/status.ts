// `nas-studio status RUN_DIR [--json]`: what a run folder says about its run (state, budget used, trials by
// state, best, the live process), damaged or not. Problems are part of the report, not a crash: only a folder
// that is no run at all, or a journal that cannot be read at all, is a one-line error.
import * as path from 'node:path';
import { FLAG, type RunStatusReport } from '../shared/cli';
import { clock, formatValue } from '../shared/format';
import { JournalError } from '../core/journal';
import { inspectRun } from '../core/runreport';
import { requireRunDir } from './files';
import { CliFailure, type Io } from './report';
import { selfCommand } from './self';

const STATE_WORDS: Record<RunStatusReport['state'], string> = {
  running: 'running',
  elsewhere: 'running on another machine, or killed there (its process cannot be checked from here)',
  finished: 'finished',
  stopped: 'stopped (resumable)',
  failed: 'failed (resumable once the cause is fixed)',
  crashed: 'crashed: its process ended without finishing the journal (resumable)',
  empty: 'not started: the journal holds no event',
};

export function statusCommand(dir: string, opts: { json: boolean }, io: Io): number {
  requireRunDir(dir);
  let r: RunStatusReport;
  try {
    r = inspectRun(path.resolve(dir));
  } catch (e) {
    if (e instanceof JournalError) throw new CliFailure('unreadable', e.message);
    throw e;
  }
  if (opts.json) {
    io.out(JSON.stringify(r));
    return 0;
  }
  const out = (s: string) => io.out(s);
  out(`run: ${r.name ?? path.basename(r.runDir)} (${r.runDir})`);
  out(`state: ${STATE_WORDS[r.state]}`);
  if (r.message) out(`why: ${r.message}`);
  if (r.process) out(`process: ${r.process.pid} on ${r.process.host}, since ${r.process.started} (${r.process.state})`);
  const b = r.budget;
  const minutes = b.minutes !== undefined ? `, ${clock(b.activeMs)} of ${clock(b.minutes * 60_000)}` : `, ${clock(b.activeMs)} active`;
  out(`budget: ${b.trialsDone}${b.trials !== undefined ? ` of ${b.trials}` : ''} trials${minutes}`);
  const t = r.trials;
  out(
    `trials: ${t.completed} completed, ${t.pruned} pruned, ${t.cut} cut, ${t.failed} failed, ${t.running} ${r.state === 'running' ? 'running' : 'interrupted'}`,
  );
  out(r.best ? `best: trial ${r.best.trial}, ${r.best.metric ?? 'value'} ${formatValue(r.best.value)}` : 'best: none yet');
  for (const p of r.problems) out(`problem: ${p}`);
  if (r.resumable) out(`resume with: ${selfCommand()} resume ${dir}`);
  // Only the user can tell that another machine's process is gone: the way on is theirs to take.
  else if (r.state === 'elsewhere') out(`if it no longer runs on ${r.process?.host ?? 'that machine'}: ${selfCommand()} resume ${dir} --${FLAG.takeOver}`);
  return 0;
}
