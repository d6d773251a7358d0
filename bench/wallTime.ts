// Where a timed search's wall time went, per worker, read from its journal alone: start-up (launch to the
// worker's first segment), building a model (segment start to its first epoch, which also holds that epoch),
// training epochs that counted, work thrown away (the partial epoch of a cut segment), idle gaps between
// segments, and the tail after the worker's last segment. The race prints it for its NAS Studio arms, so a
// scheduling change is judged by where the seconds go, not by the one accuracy figure a noisy run gives.
//
//   node --import tsx bench/wallTime.ts RUN_DIR/journal.jsonl
import type { RunEvent } from '../src/shared/events';
import { readJournal } from '../src/core/journal';

export interface WorkerTime {
  worker: number;
  /** Launch to the worker's first segment (process start, backend, data). */
  startupS: number;
  /**
   * Segment start to its first epoch's report minus one typical epoch of that trial (model build, compile, warm-up),
   * plus the hand-back after a segment's last epoch. Only where the trial has an epoch to compare with.
   */
  setupS: number;
  /**
   * Segments whose first epoch could not be split (the trial's only epoch): all of it counts as epoch time. The
   * run's median epoch is no stand-in: epochs differ 5x between configs, which once showed 56-60 s of "set-up"
   * per worker in a race where the worker's own clock measured under 1 s per segment.
   */
  unsplit: number;
  /** Epochs that were reported (they count: they rank or continue). */
  epochS: number;
  /** After a segment's last reported epoch until its end when the budget cut it: a partial epoch, dropped. */
  lostS: number;
  /** Between one segment's end and the next one's start on this worker. */
  idleS: number;
  /** The worker's last segment end to the end of the search. */
  tailS: number;
  segments: number;
  epochs: number;
}

export interface WallTime {
  /** Launch to the end of the search (the first test-set scoring, else run-finished). */
  searchS: number;
  /** The run's time budget, when it has one. */
  budgetS?: number;
  workers: WorkerTime[];
  /** Seconds each epoch of a segment took (the first one of a segment excluded: it carries the set-up), median. */
  medianEpochS: number;
}

interface Segment {
  worker: number;
  trial: number;
  start: number;
  epochs: number[];
  end?: number;
  cut: boolean;
}

const ms = (t: string) => Date.parse(t);

export function wallTime(events: readonly RunEvent[]): WallTime {
  const started = events.find((e) => e.type === 'run-started');
  if (!started || started.type !== 'run-started') throw new Error('no run-started event');
  const launch = ms(started.launched ?? started.time);
  const budgetS = started.budget.minutes !== undefined ? started.budget.minutes * 60 : undefined;
  const open = new Map<number, Segment>();
  const segments: Segment[] = [];
  let end: number | undefined;
  for (const e of events) {
    if (e.type === 'run-started' && e !== started) break; // a resume: this breakdown covers the first launch only
    if (e.type === 'trial-started' || e.type === 'trial-promoted') {
      const s: Segment = { worker: e.worker, trial: e.trial, start: ms(e.time), epochs: [], cut: false };
      open.set(e.trial, s);
      segments.push(s);
    } else if (e.type === 'epoch') open.get(e.trial)?.epochs.push(ms(e.time));
    else if (e.type === 'trial-completed' || e.type === 'trial-pruned' || e.type === 'trial-failed' || e.type === 'trial-cut') {
      const s = open.get(e.trial);
      if (s) {
        s.end = ms(e.time);
        s.cut = e.type === 'trial-cut';
        open.delete(e.trial);
      }
    } else if (end === undefined && ((e.type === 'log' && e.message.startsWith('scoring ')) || e.type === 'test-evaluated' || e.type === 'run-finished'))
      end = ms(e.time);
  }
  // A run still going (or killed) ends, for this breakdown, at its last event.
  const last = end ?? Math.max(launch, ...events.map((e) => ms(e.time)));
  const epochDurations = segments.flatMap((s) => s.epochs.slice(1).map((t, i) => t - s.epochs[i]));
  const medianEpoch = median(epochDurations);
  // A trial's typical epoch, from any of its segments (same network, same data): what a later single-epoch
  // segment of it is compared with.
  const ownEpoch = new Map<number, number[]>();
  for (const s of segments) for (let i = 1; i < s.epochs.length; i++) ownEpoch.set(s.trial, [...(ownEpoch.get(s.trial) ?? []), s.epochs[i] - s.epochs[i - 1]]);
  const byWorker = new Map<number, Segment[]>();
  for (const s of segments) byWorker.set(s.worker, [...(byWorker.get(s.worker) ?? []), s]);
  const workers: WorkerTime[] = [];
  for (const [worker, segs] of [...byWorker].sort((a, b) => a[0] - b[0])) {
    segs.sort((a, b) => a.start - b.start);
    const w: WorkerTime = {
      worker,
      startupS: (segs[0].start - launch) / 1000,
      setupS: 0,
      unsplit: 0,
      epochS: 0,
      lostS: 0,
      idleS: 0,
      tailS: 0,
      segments: segs.length,
      epochs: 0,
    };
    let prevEnd: number | undefined;
    for (const s of segs) {
      const stop = s.end ?? last;
      if (prevEnd !== undefined) w.idleS += Math.max(0, s.start - prevEnd) / 1000;
      w.epochs += s.epochs.length;
      if (s.epochs.length) {
        // The first epoch holds the set-up; a typical epoch is the trial's own (this and its other segments').
        const own = ownEpoch.get(s.trial);
        const first = s.epochs[0] - s.start;
        if (!own) w.unsplit++;
        // Not clipped at 0: epochs vary by a few seconds, and clipping each segment's estimate would sum that noise into set-up.
        const setup = own ? first - own.reduce((a, b) => a + b, 0) / own.length : 0;
        w.setupS += setup / 1000;
        w.epochS += (s.epochs[s.epochs.length - 1] - s.start - setup) / 1000;
        const tail = stop - s.epochs[s.epochs.length - 1];
        if (s.cut || s.end === undefined) w.lostS += tail / 1000;
        else w.setupS += tail / 1000; // weights and checkpoint hand-back after the last epoch
      } else if (s.cut || s.end === undefined) w.lostS += (stop - s.start) / 1000;
      else w.setupS += (stop - s.start) / 1000;
      prevEnd = stop;
    }
    w.tailS = Math.max(0, last - (prevEnd ?? launch)) / 1000;
    workers.push(w);
  }
  return { searchS: (last - launch) / 1000, ...(budgetS !== undefined ? { budgetS } : {}), workers, medianEpochS: medianEpoch / 1000 };
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One line per worker and a total, in seconds. */
export function formatWallTime(w: WallTime): string {
  const f = (v: number) => v.toFixed(1).padStart(6);
  const rows = w.workers.map(
    (x) =>
      `  worker ${String(x.worker).padEnd(3)} start-up ${f(x.startupS)}  set-up ${f(x.setupS)}  epochs ${f(x.epochS)} (${x.epochs} in ${x.segments} segments${x.unsplit ? `, ${x.unsplit} with set-up inside` : ''})  lost ${f(x.lostS)}  idle ${f(x.idleS)}  tail ${f(x.tailS)}`,
  );
  const head = `wall time: search ${w.searchS.toFixed(1)} s${w.budgetS !== undefined ? ` of a ${w.budgetS} s budget` : ''}; median epoch ${w.medianEpochS.toFixed(1)} s`;
  return [head, ...rows].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench/wallTime.ts JOURNAL');
  process.stdout.write(formatWallTime(wallTime(readJournal(file).events)) + '\n');
}
