// dist/cli.js, the `nas-studio` command as installed: a stub that forks a run's first worker before the CLI's own
// bundle (dist/cli-main.js, ~2 MB; through the code cache, engine/codeCache.ts) is read and compiled, so that the worker's start (Node, then tfjs) overlaps that
// load as well as the spec check. main.ts's runCommand/resumeCommand take the worker over (run.ts adoptPreforked);
// whatever the command does, it is killed at the end unless a run adopted it.
import * as path from 'node:path';
import { FLAG } from '../shared/cli';
import { requireCached } from '../engine/codeCache';
import { defaultWorkerEntry, EarlyWorker } from '../engine/pool';

/**
 * Whether a command line trains locally, read before any parsing: `run` or `resume` without `--queue`. A wrong
 * guess only costs time: an unneeded worker is killed, and a run without one forks its own.
 */
export function wantsEarlyWorker(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'resume') return false;
  return !rest.some((a) => a === `--${FLAG.queue}` || a.startsWith(`--${FLAG.queue}=`));
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const early = wantsEarlyWorker(argv) ? new EarlyWorker(defaultWorkerEntry()) : undefined;
  const cli = requireCached(path.join(__dirname, 'cli-main.js'), module);
  void (cli.exports as typeof import('./main')).start(argv, early).then(() => cli.save());
}
