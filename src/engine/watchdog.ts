// When to give up on a worker. A busy worker speaks at least about once a second while it trains (`progress`
// between batches, `epoch`, `result`); one silent for longer than the limit hung (a stuck native call, a
// deadlock) and is killed. After the time budget ran out, a worker that has not handed back its trial within the
// grace period is killed too, so a run ends close to its budget whatever its trials do.
export const DEFAULT_SILENCE_MS = 300_000;
export const DEFAULT_CUT_GRACE_MS = 8_000;

export interface WatchdogLimits {
  /** Longest silence of a busy worker (ms). */
  silenceMs: number;
  /** How long after the budget's end a worker may take to hand back its trial (ms). */
  graceMs: number;
}

export class Watchdog {
  private readonly lastHeard = new Map<number, number>();
  private cutAt?: number;

  constructor(readonly limits: WatchdogLimits) {}

  /** Any message from the worker, or a trial sent to it, counts as a sign of life. */
  heard(worker: number, now = Date.now()): void {
    this.lastHeard.set(worker, now);
  }

  forget(worker: number): void {
    this.lastHeard.delete(worker);
  }

  /** The budget ran out now (the first call counts). */
  budgetEnded(now = Date.now()): void {
    this.cutAt ??= now;
  }

  /** Busy workers silent for longer than the limit. */
  hung(busy: Iterable<number>, now = Date.now()): number[] {
    const out: number[] = [];
    for (const id of busy) if (now - (this.lastHeard.get(id) ?? now) > this.limits.silenceMs) out.push(id);
    return out;
  }

  /** True once the grace period after the budget's end is over: busy workers are then killed. */
  graceOver(now = Date.now()): boolean {
    return this.cutAt !== undefined && now - this.cutAt >= this.limits.graceMs;
  }
}
