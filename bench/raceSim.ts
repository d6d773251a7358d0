// A simulated race: the real TPE and Hyperband scheduler, the orchestrator's time-budget rules (core/epochCost,
// the `fits` filter, no start that cannot finish an epoch) and a virtual clock, on the race space with a
// surrogate for what training would give. It compares scheduling arms over many paired seeds in seconds, where a
// real 10-minute race gives one noisy figure per arm; the real race (bench/race.ts) then checks the winner.
//
//   node --import tsx bench/raceSim.ts [--seeds 60] [--budget 600] [--workers 2] [--arms base,fit,rate,rate1] [--surrogates 0.03,0.01,quiet,slow]
//
// The surrogate (stated, so its assumptions can be judged): an epoch of 50,000 samples takes
// 6 s + 26 s * (forward FLOPs / 8.5 MFLOP)^0.9, x1.15 with a 5x5 kernel and x1.15 at batch 64 (the reference CNN
// measures ~32 s here, conv5x5 nets 2-3x more); the validation accuracy after e epochs approaches a ceiling,
// ceil - 0.07 * exp(-0.45 * k * (e - 1)), k = sqrt(lr / 1e-3) within [0.3, 2]; the ceiling is 0.90, plus
// `capacity` * (the network's log-FLOPs position in the space - 0.5), minus 0.035 * log10(lr / 1.5e-3)^2, minus
// 0.04 * (dropout - 0.3) above 0.3, minus 0.003 for 64 dense units, plus a fixed per-config N(0, 0.004); each
// measured epoch adds N(0, 0.003) noise (what "val" sees; "test" is the noise-free value). Two surrogates:
// capacity 0.03 (bigger networks clearly better) and 0.01 (size matters little). A third, 'quiet', is fitted to
// the quiet race of 2026-12-03 09:14 (22 NAS Studio and 19 Optuna trials, full data): an epoch takes
// 12 s * (forward MFLOPs)^0.5 (least squares on log time, rms error 17%; the loaded fit above has 7x between
// the cheapest and dearest networks where the quiet machine has 5x), the curve is ceil - 0.04 * exp(-0.6 * k * (e - 1))
// (4-epoch trials gained 0.025-0.037 from epoch 1 to 4), capacity 0.01 (one-block nets reached 0.902-0.906, two
// blocks with 64 filters last 0.905-0.914).
import type { TrialConfig } from '../src/shared/arch';
import type { EpochMetrics, RunEvent } from '../src/shared/events';
import type { NasSpec, Search } from '../src/shared/spec';
import { trialsThatFit } from '../src/core/budgetFit';
import { EpochCost } from '../src/core/epochCost';
import { createPruner } from '../src/core/pruners';
import { firstSegment, nextPromotion, stopsAtRung } from '../src/core/pruners/schedule';
import { Rng } from '../src/core/rng';
import { RunState } from '../src/core/runstate';
import { archCost } from '../src/core/shapes';
import { configKey, randomConfig } from '../src/core/strategies/random';
import { latestReports, type FinishedTrial } from '../src/core/strategies/strategy';
import { TpeStrategy } from '../src/core/strategies/tpe';
import { raceArchitecture } from './raceSpace';

export interface Arm {
  /** The orchestrator's rules: skip work whose next epoch cannot end in time. */
  fit: boolean;
  /** TPE sees epoch costs: expected improvement per second. */
  rate: boolean;
  /** TPE sees the seconds left: proposals whose epoch cannot end in them are avoided. */
  fitAsk?: boolean;
  /** Random start-up trials: the cheapest (by FLOPs) of this many random draws (cheap-first exploration). */
  cheapStart?: number;
  /** The first rung in epochs (default 1). */
  minEpochs?: number;
  /**
   * 'optuna': TPE learns from every trial's latest report, those that trained further ranked first, then by value
   * (Optuna 3.1's order for pruned trials), instead of BOHB's one budget level.
   */
  rank?: 'optuna';
  /** A fixed TPE start-up count (tpe.startupTrials) instead of the one scaled to the budget. */
  startup?: number;
  /** Default hyperband; with 4 epochs and a first rung of 2 hyperband has one bracket and is asha. */
  pruner?: 'asha' | 'hyperband';
  /** Cost weight: 'cool' (the share of the budget left: CArBO's cost cooling) or a constant (TPE's is COST_WEIGHT). */
  weight?: 'cool' | number;
}

export const ARMS: Record<string, Arm> = {
  base: { fit: false, rate: false },
  fit: { fit: true, rate: false },
  rate: { fit: true, rate: true, weight: 'cool' },
  rate1: { fit: true, rate: true, weight: 1 },
  rate2: { fit: true, rate: true, weight: 2 },
  fitask: { fit: true, rate: true, weight: 1, fitAsk: true },
  cheap2: { fit: true, rate: true, weight: 1, cheapStart: 2 },
  cheap3: { fit: true, rate: true, weight: 1, cheapStart: 3 },
  min2: { fit: true, rate: true, weight: 1, minEpochs: 2 },
  w05: { fit: true, rate: true, weight: 0.5 },
  min2w05: { fit: true, rate: true, weight: 0.5, minEpochs: 2 },
  min2w0: { fit: true, rate: false, minEpochs: 2 },
  asha2: { fit: true, rate: true, weight: 1, minEpochs: 2, pruner: 'asha' },
  asha2opt: { fit: true, rate: true, weight: 1, minEpochs: 2, pruner: 'asha', rank: 'optuna' },
  rate1opt: { fit: true, rate: true, weight: 1, rank: 'optuna' },
  asha2s4: { fit: true, rate: true, weight: 1, minEpochs: 2, pruner: 'asha', startup: 4 },
  asha2s10: { fit: true, rate: true, weight: 1, minEpochs: 2, pruner: 'asha', startup: 10 },
};

export interface SimResult {
  test: number;
  val: number;
  epochs: number;
  trials: number;
  /** Seconds of worker time lost to cut epochs and idling. */
  lost: number;
}

const FLOPS_REF = 8.5e6;
const START_UP = 10;
const SETUP = 1.5;

function flopsOf(c: TrialConfig): number {
  return archCost(c.arch, [28, 28, 1], 10).flops;
}

const LOG_LO = Math.log(0.6e6);
const LOG_HI = Math.log(53e6);

export class Surrogate {
  constructor(
    readonly capacity: number,
    readonly seed: number,
    /** Fitted to the quiet 600 s race of 2026-12-03 09:14 (see the header) instead of the loaded machine's. */
    readonly quiet = false,
    /**
     * With quiet: bigger networks start lower and gain more (the quiet race's 4-epoch trials gained ~0.025 from
     * epoch 1 to 4 with one conv block, 0.025-0.036 with two): the curve's depth is 0.028 + 0.012 * the log-FLOPs
     * position instead of 0.04, so early rungs favour small networks as they did there.
     */
    readonly slowStart = false,
  ) {}

  epochSeconds(c: TrialConfig): number {
    if (this.quiet) return 12 * (flopsOf(c) / 1e6) ** 0.5;
    const five = c.arch.kind === 'sequential' && c.arch.layers.some((l) => l.type === 'conv2d' && l.kernelSize === 5);
    return 6 + 26 * (flopsOf(c) / FLOPS_REF) ** 0.9 * (five ? 1.15 : 1) * (c.training.batchSize === 64 ? 1.15 : 1);
  }

  /** Noise-free accuracy after `epochs` epochs. */
  accuracy(c: TrialConfig, epochs: number): number {
    const cap = Math.min(1, Math.max(0, (Math.log(flopsOf(c)) - LOG_LO) / (LOG_HI - LOG_LO)));
    const lr = c.training.learningRate;
    const dropout = c.arch.kind === 'sequential' ? ((c.arch.layers.find((l) => l.type === 'dropout') as { rate?: number } | undefined)?.rate ?? 0) : 0;
    const units = c.arch.kind === 'sequential' ? (c.arch.layers.find((l) => l.type === 'dense') as { units?: number } | undefined)?.units : undefined;
    const own = Rng.derive(this.seed, `ceil/${configKey(c)}`).normal() * 0.004;
    const ceil =
      0.9 + this.capacity * (cap - 0.5) - 0.035 * Math.log10(lr / 1.5e-3) ** 2 - 0.04 * Math.max(0, dropout - 0.3) - (units === 64 ? 0.003 : 0) + own;
    const k = Math.min(2, Math.max(0.3, Math.sqrt(lr / 1e-3)));
    const depth = this.slowStart ? 0.028 + 0.012 * cap : 0.04;
    return this.quiet ? ceil - depth * Math.exp(-0.6 * k * (epochs - 1)) : ceil - 0.07 * Math.exp(-0.45 * k * (epochs - 1));
  }
}

interface Running {
  trial: number;
  config: TrialConfig;
  target: number;
  /** When the next epoch ends. */
  next: number;
  /** When the epoch under way began (its segment's start for the first: set-up included, as the orchestrator times it). */
  epochStart: number;
}

/** One simulated timed search. */
export function simulate(arm: Arm, surrogate: Surrogate, seed: number, budget = 600, parallel = 2): SimResult {
  const spec = { name: 'sim', dataset: { source: 'synthetic' }, ...raceArchitecture() } as NasSpec;
  const search: Search = {
    strategy: 'tpe',
    pruner: { type: arm.pruner ?? 'hyperband', minEpochs: arm.minEpochs ?? 1, reductionFactor: 3 },
    seed,
    ...(arm.startup ? { tpe: { startupTrials: arm.startup } } : {}),
  };
  const full = { ...spec, search } as NasSpec;
  let clock = 0;
  const cost = new EpochCost();
  const state = new RunState();
  const noise = Rng.derive(seed, 'val-noise');
  const emit = (e: RunEvent) => state.apply(e);
  const left = () => Math.max(0, budget - clock);
  const strategy = new (class extends TpeStrategy {
    override ask(index: number, finished: Parameters<TpeStrategy['ask']>[1]): TrialConfig {
      const k = arm.cheapStart ?? 1;
      if (k <= 1 || index >= this.startup()) return super.ask(index, finished);
      const draws = Array.from({ length: k }, (_, j) => randomConfig(full, seed * 7919 + j, index, new Set(finished.map((t) => configKey(t.config)))));
      return draws.reduce((a, b) => (flopsOf(b) < flopsOf(a) ? b : a));
    }
    override split(finished: readonly FinishedTrial[]): { good: FinishedTrial[]; bad: FinishedTrial[] } | undefined {
      if (arm.rank !== 'optuna') return super.split(finished);
      const reports = latestReports(finished);
      const ok = (t: FinishedTrial) => t.value !== undefined && Number.isFinite(t.value);
      const ranked = reports.filter(ok).sort((a, b) => (b.budget ?? 0) - (a.budget ?? 0) || b.value! - a.value!);
      if (ranked.length < 2) return undefined;
      const nGood = Math.min(ranked.length - 1, Math.max(1, Math.ceil(this.gamma * ranked.length)));
      return { good: ranked.slice(0, nGood), bad: [...ranked.slice(nGood), ...reports.filter((t) => !ok(t))] };
    }
    override costWeight(): number {
      if (arm.weight === 'cool') return Math.min(1, left() / budget);
      return arm.weight ?? super.costWeight();
    }
  })({
    spec: full,
    seed,
    direction: 'maximize',
    budget: {
      trialsThatFit: () => {
        const c = state.counts();
        return trialsThatFit({ ended: state.trials.size - c.running, running: c.running, elapsedMs: clock * 1000, budgetMs: budget * 1000 });
      },
      ...(arm.rate ? { epochSeconds: (c: TrialConfig) => cost.epochSeconds(undefined, flopsOf(c)) } : {}),
      ...(arm.fitAsk ? { secondsLeft: left } : {}),
    },
  });
  const scheduler = createPruner(full).scheduler!;
  const fits = (trial: number | undefined, c: TrialConfig) => {
    if (!arm.fit) return true;
    const s = cost.epochSeconds(trial, flopsOf(c));
    return s === undefined || s <= left();
  };
  emit({
    type: 'run-started',
    time: 't',
    runId: 'sim',
    name: 'sim',
    specHash: 'h',
    specFile: 'f',
    backend: 'sim',
    strategy: 'tpe',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    pruner: arm.pruner ?? 'hyperband',
    budget: { trials: 100_000, minutes: budget / 60 },
    parallel,
    resumed: false,
    inputShape: [28, 28, 1],
    outputs: 10,
  });
  const workers: (Running | undefined)[] = new Array(parallel).fill(undefined);
  const idleSince: (number | undefined)[] = new Array(parallel).fill(undefined);
  let lost = 0;
  let epochs = 0;
  clock = START_UP;

  const dispatch = (w: number) => {
    const p = nextPromotion(scheduler, state.trials.values(), 'val_accuracy', 'maximize', (c) => fits(c.trial, state.trials.get(c.trial)!.config));
    if (p) {
      const t = state.trials.get(p.trial)!;
      emit({ type: 'trial-promoted', time: 't', trial: p.trial, rung: p.rung, fromEpoch: p.fromEpoch, epochs: p.epochs, worker: w, attempt: 1 });
      workers[w] = { trial: p.trial, config: t.config, target: p.epochs, next: clock + SETUP + surrogate.epochSeconds(t.config), epochStart: clock };
      return;
    }
    const index = state.nextIndex();
    const config = strategy.ask(index, state.order);
    if (!fits(undefined, config)) {
      idleSince[w] = clock;
      return;
    }
    const seg = firstSegment(scheduler, index, config);
    emit({ type: 'trial-started', time: 't', trial: index, attempt: 1, worker: w, config, ...seg });
    workers[w] = { trial: index, config, target: seg.epochs, next: clock + SETUP + surrogate.epochSeconds(config), epochStart: clock };
  };

  for (;;) {
    for (let w = 0; w < parallel; w++) if (!workers[w] && idleSince[w] === undefined) dispatch(w);
    const busy = workers.map((r, w) => ({ r, w })).filter((x) => x.r);
    if (!busy.length) break;
    const { r, w } = busy.reduce((a, b) => (b.r!.next < a.r!.next ? b : a));
    if (r!.next > budget) break;
    clock = r!.next;
    const t = state.trials.get(r!.trial)!;
    const e = t.history.length;
    cost.observe(r!.trial, flopsOf(r!.config), clock - r!.epochStart);
    r!.epochStart = clock;
    const val = surrogate.accuracy(r!.config, e + 1) + noise.normal() * 0.003;
    const metrics: EpochMetrics = { loss: 1 - val, val_loss: 1 - val, accuracy: val, val_accuracy: val };
    emit({ type: 'epoch', time: 't', trial: r!.trial, epoch: e, metrics });
    epochs++;
    if (e + 1 < r!.target) {
      r!.next = clock + surrogate.epochSeconds(r!.config);
      continue;
    }
    const values = t.history.map((h) => h.val_accuracy!);
    const bestEpoch = values.indexOf(Math.max(...values));
    if (stopsAtRung(scheduler, r!.trial, r!.config, e + 1))
      emit({ type: 'trial-pruned', time: 't', trial: r!.trial, epoch: e, value: values[bestEpoch], reason: 'rung', params: 1, durationMs: 1, rung: t.rung });
    else
      emit({
        type: 'trial-completed',
        time: 't',
        trial: r!.trial,
        value: values[bestEpoch],
        bestEpoch,
        metrics: t.history[bestEpoch],
        epochs: e + 1,
        params: 1,
        durationMs: 1,
        stopReason: 'epochs',
        rung: t.rung,
      });
    workers[w] = undefined;
    // A result may make a promotion possible for an idle worker, as the orchestrator's dispatchIdle does.
    for (let v = 0; v < parallel; v++) {
      if (idleSince[v] !== undefined) {
        lost += clock - idleSince[v]!;
        idleSince[v] = undefined;
      }
    }
  }
  // The budget's cut: running segments keep their full epochs and rank on them; the epoch under way is lost.
  for (const r of workers) {
    if (!r) continue;
    const t = state.trials.get(r.trial)!;
    lost += budget - r.epochStart;
    const values = t.history.map((h) => h.val_accuracy!);
    const bestEpoch = values.length ? values.indexOf(Math.max(...values)) : -1;
    emit({
      type: 'trial-cut',
      time: 't',
      trial: r.trial,
      reason: 'budget',
      epochs: t.history.length,
      plannedEpochs: r.target,
      ...(bestEpoch >= 0 ? { value: values[bestEpoch], metrics: t.history[bestEpoch] } : {}),
      bestEpoch,
      durationMs: 1,
      rung: t.rung,
    });
  }
  for (let w = 0; w < parallel; w++) if (idleSince[w] !== undefined) lost += budget - idleSince[w]!;
  const best = state.best();
  const bestEpoch = best ? best.history.map((h) => h.val_accuracy!).reduce((bi, v, i, a) => (v > a[bi] ? i : bi), 0) : -1;
  return {
    test: best ? surrogate.accuracy(best.config, bestEpoch + 1) : 0,
    val: best?.value ?? 0,
    epochs,
    trials: state.trials.size,
    lost,
  };
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

if (require.main === module) {
  const seeds = Number(arg('seeds', '60'));
  const budget = Number(arg('budget', '600'));
  const parallel = Number(arg('workers', '2'));
  const arms = arg('arms', Object.keys(ARMS).join(',')).split(',');
  // --surrogates 0.03,0.01,quiet,slow: which to run (slow: quiet with bigger networks starting lower).
  const surrogates = arg('surrogates', '0.03,0.01,quiet')
    .split(',')
    .map((x) => (x === 'quiet' || x === 'slow' ? ([0.01, true, x === 'slow'] as const) : ([Number(x), false, false] as const)));
  for (const [capacity, quiet, slow] of surrogates) {
    const rows = new Map<string, SimResult[]>();
    for (let s = 0; s < seeds; s++) {
      const surrogate = new Surrogate(capacity, 1000 + s, quiet, slow);
      for (const a of arms) rows.set(a, [...(rows.get(a) ?? []), simulate(ARMS[a], surrogate, s, budget, parallel)]);
    }
    const base = rows.get(arms[0])!;
    process.stdout.write(
      `surrogate capacity ${capacity}${quiet ? ', quiet' : ''}${slow ? ', slow start' : ''}: ${seeds} seeds, ${budget} s, ${parallel} workers (differences paired against ${arms[0]})\n`,
    );
    for (const a of arms) {
      const r = rows.get(a)!;
      const mean = (f: (x: SimResult) => number) => r.reduce((acc, x) => acc + f(x), 0) / r.length;
      const diffs = r.map((x, i) => x.test - base[i].test);
      const md = diffs.reduce((p, q) => p + q, 0) / diffs.length;
      const se = Math.sqrt(diffs.reduce((p, q) => p + (q - md) ** 2, 0) / Math.max(1, diffs.length - 1) / diffs.length);
      process.stdout.write(
        `  ${a.padEnd(6)} test ${mean((x) => x.test).toFixed(4)} (${md >= 0 ? '+' : ''}${md.toFixed(4)} ± ${se.toFixed(4)})  val ${mean((x) => x.val).toFixed(4)}  epochs ${mean((x) => x.epochs).toFixed(1)}  trials ${mean((x) => x.trials).toFixed(1)}  lost ${mean((x) => x.lost).toFixed(0)} s\n`,
      );
    }
  }
}
