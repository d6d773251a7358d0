// dist/cli.js, the `nas-studio` command as installed: a stub that forks a run's first worker before the CLI's own
// bundle (dist/cli-main.js, ~2 MB) is read and compiled, so that the worker's start (Node, then tfjs) overlaps that
// load as well as the spec check. main.ts's runCommand/resumeCommand take the worker over (run.ts adoptPreforked);
// whatever the command does, it is killed at the end unless a run adopted it.
import { FLAG } from '../shared/cli';
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
  // A run-time require of the bundle beside this one (scripts/build.mjs keeps it out of this file).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require('./cli-main.js') as typeof import('./main');
  cli.start(argv, early);
}
