// What an epoch of a configuration costs in seconds on this run's workers, learnt from the epochs the run has
// timed: a trial seen before is predicted by its own epochs; another one from its FLOPs per sample (the checker's
// estimate, shapes.ts), scaled by what the timed trials show. Time is not linear in FLOPs (small networks pay
// per-batch and per-layer overheads), so with enough spread it fits seconds = c * flops^b on the log scale.
// The orchestrator uses it to leave out work whose epoch cannot end before the time budget does, and TPE to
// weigh expected improvement against seconds. Pure: the tests feed it timings.

interface TrialTimes {
  flops?: number;
  seconds: number[];
}

/** Timed trials needed before the exponent is fitted rather than taken as 1, and its bounds. */
const FIT_MIN_TRIALS = 3;
const FIT_MIN_SPREAD = 2;
const EXPONENT_BOUNDS: [number, number] = [0.3, 1.2];

export class EpochCost {
  private readonly trials = new Map<number, TrialTimes>();

  /** One timed epoch of `trial` (a segment's first includes building the model: what a new segment costs too). */
  observe(trial: number, flops: number | undefined, seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) return;
    const t = this.trials.get(trial) ?? { seconds: [] };
    if (flops !== undefined && flops > 0) t.flops = flops;
    t.seconds.push(seconds);
    this.trials.set(trial, t);
  }

  /** Seconds an epoch of `trial` (or of a new config with these FLOPs per sample) takes; undefined before any timing. */
  epochSeconds(trial: number | undefined, flops: number | undefined): number | undefined {
    const own = trial !== undefined ? this.trials.get(trial) : undefined;
    if (own?.seconds.length) return median(own.seconds);
    if (flops === undefined || !(flops > 0)) return undefined;
    const points = [...this.trials.values()].filter((t) => t.flops !== undefined).map((t) => ({ x: Math.log(t.flops!), y: Math.log(median(t.seconds)) }));
    if (!points.length) return undefined;
    const b = exponent(points);
    // The intercept that puts the line through the points' centre (their median residual: one odd trial moves it little).
    const c = median(points.map((p) => p.y - b * p.x));
    return Math.exp(c + b * Math.log(flops));
  }
}

/** Least-squares slope of log seconds on log FLOPs, within bounds; 1 (proportional) without enough spread. */
function exponent(points: readonly { x: number; y: number }[]): number {
  if (points.length < FIT_MIN_TRIALS) return 1;
  const xs = points.map((p) => p.x);
  if (Math.max(...xs) - Math.min(...xs) < Math.log(FIT_MIN_SPREAD)) return 1;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return Math.min(EXPONENT_BOUNDS[1], Math.max(EXPONENT_BOUNDS[0], sxy / sxx));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
