// Which process trains each trial, for the leaderboard's Worker column and the trial detail: a queue worker's host
// and pid (from `trial-assigned`), or this launch's machine and the forked worker's pid. Pure (no DOM), so the
// text the panel shows is tested without a browser.
import type { TrialState } from '../src/core/runstate';

/** `gpu-2 (pid 311)`; empty while a queue trial waits for a worker, and for journals that named no process. */
export function workerLabel(t: Pick<TrialState, 'host' | 'pid'>): string {
  if (t.pid === undefined) return '';
  return t.host ? `${t.host} (pid ${t.pid})` : `pid ${t.pid}`;
}

/** The detail's sentence: `trained by a queue worker on gpu-2 (pid 311), wasm backend`, or `trained by a forked worker on ws-1 (pid 88)`. */
export function workerFact(t: Pick<TrialState, 'host' | 'pid' | 'remote' | 'backend' | 'status'>): string | undefined {
  const who = workerLabel(t);
  if (!who) return undefined;
  const verb = t.status === 'running' ? 'training' : 'trained';
  if (t.remote) return `${verb} by a queue worker on ${who}${t.backend ? `, ${t.backend} backend` : ''}`;
  return `${verb} by a forked worker${t.host ? ` on ${who}` : `, ${who}`}`;
}
