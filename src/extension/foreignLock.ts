// A run folder on a disk shared between machines can hold the lock of a process on another host, which this
// machine cannot probe: the run is followed as running (it may well be), and only the user can say that it is not.
// Stop and Resume on such a run offer to take the lock over (the CLI's `resume --take-over`), with what helps to
// judge: the lock's host, pid and age, and how long ago the journal was last written.
import type { Lock } from '../core/runlock';
import { formatApprox } from '../shared/format';

/** The button that takes the lock over and resumes. */
export const TAKE_OVER = 'Take Over and Resume';

/** How long before `now` the lock was taken ("3.0 h"), or undefined when its time does not parse. */
export function lockAge(lock: Lock, now: number): string | undefined {
  const t = Date.parse(lock.started);
  return Number.isFinite(t) ? formatApprox(Math.max(0, now - t) / 1000) : undefined;
}

/** `stamp`: the lock's own time too, for comparing with the other machine's logs. */
function since(lock: Lock, now: number, stamp = false): string {
  const age = lockAge(lock, now);
  return age ? `locked ${age} ago${stamp ? `, at ${lock.started}` : ''}` : `locked since ${lock.started}`;
}

/** The panel's line for a run followed through another host's lock. */
export function elsewhereNote(lock: Lock, here: string, now: number): string {
  return `process ${lock.pid} on ${lock.host} (${since(lock, now)}) runs it as far as its lock says; ${here} cannot check: Stop offers to take it over`;
}

/**
 * The modal warning that offers the take-over. `journalWritten`: the journal's modification time (ms), which a
 * search that still runs there keeps recent.
 */
export function takeOverPrompt(name: string, lock: Lock, here: string, now: number, journalWritten?: number): { message: string; detail: string } {
  const quiet = journalWritten === undefined ? '' : ` Its journal was last written ${formatApprox(Math.max(0, now - journalWritten) / 1000)} ago.`;
  return {
    message: `NAS Studio: "${name}" is locked by process ${lock.pid} on ${lock.host} (${since(lock, now, true)}).`,
    detail:
      `${here} can neither check nor stop that process.${quiet}\n\n` +
      `If it has ended (its machine crashed, restarted or was switched off), take the lock over to resume the search here: ` +
      `its finished trials are kept. If it still runs on ${lock.host}, stop it there first: both would write into the same run folder.`,
  };
}
