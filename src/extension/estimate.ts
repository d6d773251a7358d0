// How long a search will take on this machine, before it runs: the work (FLOPs per sample x training samples
// x epochs x trials) over the machine's measured throughput. The throughput is learnt from finished trials
// and kept per backend, because the native and wasm backends differ by an order of magnitude.
import type { ConcreteArch } from '../shared/arch';
import type { RunEvent } from '../shared/events';
import type { NasSpec } from '../shared/spec';
import type { Summary } from '../core/check';
import { BUDGET_DEFAULTS, dartsDerive, DATASET_DEFAULTS, SEARCH_DEFAULTS, TRAINING_DEFAULTS } from '../core/defaults';
import { domainOf, finiteValues, isParam } from '../core/params';
import { archCost } from '../core/shapes';
import { formatApprox } from '../shared/format';

/** One training step costs about three forward passes: forward, gradient of the inputs, gradient of the weights. */
export const TRAIN_FACTOR = 3;

/** FLOP/s of one worker when nothing was measured yet. The wasm backend reaches 4-5 GFLOP/s on a small CNN
 *  on one core, dense nets less: 1 GFLOP/s errs on the long side, which is the side to err on. */
export const DEFAULT_RATE = 1e9;
const DEFAULT_RATES: Record<string, number> = { cpu: 1e8 };

export function defaultRate(backend: string): number {
  return DEFAULT_RATES[backend] ?? DEFAULT_RATE;
}

export interface Throughput {
  /** FLOP/s of one worker with a core to itself. */
  flopsPerSecond: number;
  /** Trials the figure was measured over (0: the default). */
  trials: number;
}

export interface Samples {
  train: number;
  val: number;
}

/** The split the engine makes: `subset` first, then `validationSplit` of that for validation. */
export function splitSamples(spec: NasSpec, total: number): Samples {
  const ds = spec.dataset as { subset?: number; validationSplit?: number };
  const n = Math.min(total, ds.subset ?? total);
  const train = Math.floor(n * (1 - (ds.validationSplit ?? DATASET_DEFAULTS.validationSplit)));
  return { train, val: n - train };
}

/** FLOPs of training for `epochs` epochs: a training pass over the train split, a forward pass over validation. */
export function trainingFlops(forwardFlops: number, samples: Samples, epochs: number): number {
  return epochs * forwardFlops * (TRAIN_FACTOR * samples.train + samples.val);
}

export interface Workload {
  trials: number;
  samples: Samples;
  epochs: [number, number];
  /** Forward FLOPs per sample of the cheapest and the dearest network. */
  flops: [number, number];
  parallel: number;
  minutes?: number;
  /** darts: the supernet's training FLOPs, spent on one worker before the first (derived) trial. */
  supernetFlops?: number;
}

/** Workers a run uses: the setting, else the spec, else one per core; never more than there are trials. */
export function resolveParallel(setting: number | null | undefined, spec: NasSpec, cores: number): number {
  const p = setting ?? spec.search?.parallel ?? SEARCH_DEFAULTS.parallel;
  return Math.max(1, p === 'auto' ? cores : p);
}

export function workloadOf(spec: NasSpec, summary: Summary, parallel: number): Workload | undefined {
  if (summary.samples === undefined || summary.minFlops === undefined || summary.maxFlops === undefined) return undefined;
  if ((spec.search?.strategy ?? SEARCH_DEFAULTS.strategy) === 'darts') return dartsWorkload(spec, summary, parallel);
  let trials = spec.search?.budget?.trials ?? BUDGET_DEFAULTS.trials;
  // Grid search stops when it has tried everything; the other strategies sample until the budget.
  if ((spec.search?.strategy ?? SEARCH_DEFAULTS.strategy) === 'grid' && summary.size.continuous.length === 0 && summary.size.configurations < BigInt(trials)) {
    trials = Number(summary.size.configurations);
  }
  return {
    trials,
    samples: splitSamples(spec, summary.samples),
    epochs: epochRange(spec),
    flops: [summary.minFlops, summary.maxFlops],
    parallel: Math.min(parallel, trials),
    minutes: spec.search?.budget?.minutes,
  };
}

/**
 * darts runs no trials from the budget: one supernet (every candidate of every edge or choice) trains on one
 * worker, then the `derive` architectures are retrained. A supernet step is two training passes (alpha on a
 * validation batch, then the weights on the training batch) and each epoch ends with the validation split.
 */
function dartsWorkload(spec: NasSpec, summary: Summary, parallel: number): Workload | undefined {
  if (!summary.supernet || summary.samples === undefined || summary.minFlops === undefined || summary.maxFlops === undefined) return undefined;
  const samples = splitSamples(spec, summary.samples);
  const epochs = epochRange(spec);
  const supernetEpochs = spec.search?.darts?.epochs ?? epochs[1];
  // As the run counts them (DartsStrategy.plannedTrials): the derived architectures, at most budget.trials.
  const trials = Math.min(dartsDerive(spec.search), spec.search?.budget?.trials ?? BUDGET_DEFAULTS.trials);
  return {
    trials,
    samples,
    epochs,
    flops: [summary.minFlops, summary.maxFlops],
    parallel: Math.min(parallel, trials),
    minutes: spec.search?.budget?.minutes,
    supernetFlops: supernetEpochs * summary.supernet.flops * (2 * TRAIN_FACTOR * samples.train + samples.val),
  };
}

function epochRange(spec: NasSpec): [number, number] {
  const e = spec.training?.epochs;
  if (typeof e === 'number') return [e, e];
  if (isParam(e)) {
    const values = finiteValues(domainOf(e)) as number[] | undefined;
    if (values?.length) return [Math.min(...values), Math.max(...values)];
  }
  return [TRAINING_DEFAULTS.epochs, TRAINING_DEFAULTS.epochs];
}

/** Workers that really run at once: more workers than cores share them. */
export function effectiveWorkers(parallel: number, cores: number): number {
  return Math.max(1, Math.min(parallel, cores));
}

export interface Estimate {
  lowSeconds: number;
  highSeconds: number;
  /** True when the time budget, not the work, bounds the estimate. */
  cappedByBudget: boolean;
}

export function estimate(w: Workload, rate: number, cores: number): Estimate {
  const speed = rate * effectiveWorkers(w.parallel, cores);
  // The supernet has one worker to itself: the others wait for alpha before any trial.
  const first = (w.supernetFlops ?? 0) / rate;
  let low = first + (w.trials * trainingFlops(w.flops[0], w.samples, w.epochs[0])) / speed;
  let high = first + (w.trials * trainingFlops(w.flops[1], w.samples, w.epochs[1])) / speed;
  let capped = false;
  if (w.minutes !== undefined) {
    const cap = w.minutes * 60;
    if (high > cap) {
      high = cap;
      capped = true;
    }
    low = Math.min(low, cap);
  }
  return { lowSeconds: low, highSeconds: high, cappedByBudget: capped };
}

/** "~2-7 min", "~5 min", "up to 33 s": a range only where its ends read differently. */
export function formatEstimate(e: Estimate): string {
  const hi = formatApprox(e.highSeconds);
  if (e.lowSeconds < 1) return e.highSeconds < 1 ? 'under 1 s' : `up to ${hi}`;
  const lo = formatApprox(e.lowSeconds);
  if (lo === hi) return `~${hi}`;
  const [, loNum, loUnit] = /^([\d.]+) (.+)$/.exec(lo) ?? [];
  const [, hiNum, hiUnit] = /^([\d.]+) (.+)$/.exec(hi) ?? [];
  return loUnit && loUnit === hiUnit ? `~${loNum}-${hiNum} ${hiUnit}` : `~${lo} - ${hi}`;
}

export interface Measurement {
  backend: string;
  /** FLOP/s of one worker with a core to itself. */
  flopsPerSecond: number;
  trials: number;
}

/**
 * The throughput a run showed: training FLOPs of its finished trials over their training time. Only trials
 * that ended at or after event `from` count, so re-reading a journal does not count old trials again. Trials
 * run `parallel` at once share `cores`: their durations are scaled back to a core each.
 */
export function measureRun(events: readonly RunEvent[], samples: Samples, cores: number, from = 0): Measurement | undefined {
  let flops = 0;
  let ms = 0;
  let trials = 0;
  let backend = '';
  let parallel = 1;
  let input: number[] | undefined;
  let outputs = 0;
  const archs = new Map<number, ConcreteArch>();
  events.forEach((e, i) => {
    if (e.type === 'run-started') {
      backend = e.backend;
      parallel = e.parallel;
      input = e.inputShape;
      outputs = e.outputs;
    } else if (e.type === 'trial-started') archs.set(e.trial, e.config.arch);
    else if ((e.type === 'trial-completed' || e.type === 'trial-pruned') && i >= from && input && e.durationMs > 0) {
      const arch = archs.get(e.trial);
      if (!arch) return;
      let forward: number;
      try {
        forward = archCost(arch, input, outputs).flops;
      } catch {
        return; // a trial whose shapes do not work out cannot have trained; nothing to learn from it
      }
      const epochs = e.type === 'trial-completed' ? e.epochs : e.epoch + 1;
      flops += trainingFlops(forward, samples, epochs);
      ms += e.durationMs;
      trials++;
    }
  });
  if (trials === 0 || ms <= 0) return undefined;
  const contention = parallel / effectiveWorkers(parallel, cores);
  return { backend, flopsPerSecond: (flops / (ms / 1000)) * contention, trials };
}

/** Folds a new measurement into the stored figure, weighting by trials; old evidence is capped so the figure
 *  follows a machine that got faster (a new backend install) within a run or two. */
export function blend(old: Throughput | undefined, m: Measurement, maxOldTrials = 50): Throughput {
  if (!old || old.trials === 0) return { flopsPerSecond: m.flopsPerSecond, trials: m.trials };
  const w = Math.min(old.trials, maxOldTrials);
  return { flopsPerSecond: (old.flopsPerSecond * w + m.flopsPerSecond * m.trials) / (w + m.trials), trials: w + m.trials };
}
