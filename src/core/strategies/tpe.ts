// Tree-structured Parzen Estimator (Bergstra et al. 2011). After `startupTrials` random trials, the observed
// trials are split into the best fraction `gamma` ("good") and the rest ("bad"); each decision is drawn from a
// density fitted to the good trials, keeping of `candidates` draws the one that maximises l(x)/g(x), the
// good density over the bad one. The space is walked in order (space.resolve), so a parameter that exists only
// under some repeat count or optional layer is modelled only from the trials that had it: the tree structure.
//
// Mixed domains: categorical decisions (choices, optional layers, layer alternatives) get smoothed frequency
// tables; ints and floats get truncated-Gaussian Parzen windows, on the log scale where the domain is one,
// snapped back to their step. With several objectives the trials are ranked by non-dominated sorting and
// crowding distance before the split (MOTPE-style). In a multi-fidelity run (the hyperband pruner: BOHB) the
// model is fitted to the largest budget with enough observations.
import type { ParamValue, TrialConfig } from '../../shared/arch';
import { TPE_DEFAULTS } from '../defaults';
import { nsgaOrder } from '../pareto';
import { finiteValues, inDomain, snapInt, type Domain, type ParamDef } from '../params';
import { Rng } from '../rng';
import { resolve } from '../space';
import { configKey, Ledger, randomConfig } from './random';
import { comparableReports, score, scoreVector, isMultiObjective, type FinishedTrial, type Strategy, type StrategyContext } from './strategy';

/**
 * Under a time budget, without an explicit startupTrials: this share of the trials the budget holds is random
 * start-up (at least MIN_STARTUP, at most the default). A fixed 10 made 10 of the 13 trials of a 10-minute
 * Fashion-MNIST race random (issue 10): TPE barely ran.
 */
export const STARTUP_SHARE = 0.3;
export const MIN_STARTUP = 4;
/** Expected improvement per second^COST_WEIGHT under a time budget (see costWeight). */
export const COST_WEIGHT = 1;

/** The start-up count for a budget that holds `fit` trials: STARTUP_SHARE of them, within [MIN_STARTUP, max]. */
export function scaledStartup(fit: number, max: number): number {
  return Math.min(max, Math.max(MIN_STARTUP, Math.ceil(STARTUP_SHARE * fit)));
}

/** Draws of a whole config before giving up on avoiding a taken one: greedy by l/g first, then plain draws from l. */
const GREEDY_DRAWS = 5;
/** Other random draws tried for a start-up trial whose epoch does not fit in the time left. */
const FIT_DRAWS = 10;
const DRAWS = 25;

export class TpeStrategy implements Strategy {
  readonly name = 'tpe';
  /** The start-up count: the spec's, else the default, which a time budget may lower (startup()). */
  readonly startupTrials: number;
  readonly gamma: number;
  readonly candidates: number;
  private readonly ledger = new Ledger();
  private readonly scaled: boolean;

  constructor(private readonly ctx: StrategyContext) {
    const o = ctx.spec.search?.tpe ?? {};
    this.startupTrials = Math.max(1, o.startupTrials ?? TPE_DEFAULTS.startupTrials);
    this.scaled = o.startupTrials === undefined && !!ctx.budget;
    this.gamma = Math.min(0.99, Math.max(0.01, o.gamma ?? TPE_DEFAULTS.gamma));
    this.candidates = Math.max(1, o.candidates ?? TPE_DEFAULTS.candidates);
  }

  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig {
    const taken = this.ledger.taken(index, finished);
    const split = index < this.startup() ? undefined : this.split(finished);
    // The start-up trials are exactly random search's, so the two share their first trials under a seed.
    if (!split) return this.ledger.record(index, this.fitting(index, randomConfig(this.ctx.spec, this.ctx.seed, index, taken), taken));
    const rng = Rng.derive(this.ctx.seed, `tpe/${index}`);
    // Under a time budget, with epochs timed: whole configs compared by expected improvement per second.
    // Its own stream, so that until an epoch is timed the proposals are plain TPE's.
    const byRate = this.ctx.budget?.epochSeconds ? this.sampleByRate(split, Rng.derive(this.ctx.seed, `tpe-rate/${index}`), taken) : undefined;
    if (byRate) return this.ledger.record(index, byRate);
    let config = this.sample(split, this.candidates, rng);
    // A converged model keeps proposing known configs; draws from the good density alone (no l/g selection)
    // stay near the good trials but spread more, and only then does a random config explore instead.
    for (let k = 1; k < DRAWS && taken.has(configKey(config)); k++) config = this.sample(split, k < GREEDY_DRAWS ? this.candidates : 1, rng);
    if (taken.has(configKey(config))) config = randomConfig(this.ctx.spec, this.ctx.seed, index, taken);
    return this.ledger.record(index, config);
  }

  /**
   * Random trials before the model: fixed, unless a time budget scales it to the trials it holds (measured as
   * the run goes; before any trial ended, the default, which only matters for the first `parallel` asks).
   */
  startup(): number {
    if (!this.scaled) return this.startupTrials;
    const fit = this.ctx.budget!.trialsThatFit();
    return fit === undefined ? this.startupTrials : scaledStartup(fit, this.startupTrials);
  }

  /** Good and bad observations, or undefined when there are too few to model. */
  split(finished: readonly FinishedTrial[]): { good: FinishedTrial[]; bad: FinishedTrial[] } | undefined {
    const reports = comparableReports(finished, this.startup());
    const scored = reports.filter((t) => score(t, this.ctx.direction) > -Infinity);
    if (scored.length < 2) return undefined;
    let ranked: FinishedTrial[];
    if (isMultiObjective(this.ctx)) {
      ranked = nsgaOrder(scored.map((t) => scoreVector(t, this.ctx))).map((i) => scored[i]);
    } else {
      // Stable: equal values keep journal order.
      ranked = scored
        .map((t, i) => ({ t, i, s: score(t, this.ctx.direction) }))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .map((x) => x.t);
    }
    const nGood = Math.min(ranked.length - 1, Math.max(1, Math.ceil(this.gamma * ranked.length)));
    // Failed configs count as bad: the model then steers away from architectures that do not build or diverge.
    const failed = reports.filter((t) => score(t, this.ctx.direction) === -Infinity);
    return { good: ranked.slice(0, nGood), bad: [...ranked.slice(nGood), ...failed] };
  }

  /**
   * Cost-aware acquisition (expected improvement per second, Snoek et al. 2012): `candidates` whole configs drawn
   * from the good density, each scored by TPE's expected improvement, EI(x) ∝ 1 / (γ + (1 − γ) g(x) / l(x)) over
   * all its decisions, divided by its epoch's seconds to the power costWeight(). Undefined when no epoch was
   * timed yet or every draw is taken.
   */
  sampleByRate(split: { good: FinishedTrial[]; bad: FinishedTrial[] }, rng: Rng, taken: ReadonlySet<string>): TrialConfig | undefined {
    const weight = this.costWeight();
    const left = this.ctx.budget!.secondsLeft?.();
    // The best whose epoch can end in the time left; the best of all only when none can (the run then waits).
    let best: TrialConfig | undefined;
    let bestScore = -Infinity;
    let bestFit: TrialConfig | undefined;
    let bestFitScore = -Infinity;
    const models = new Map<string, ParamModel>();
    for (let k = 0; k < this.candidates; k++) {
      let logRatio = 0;
      const { order: _order, ...config } = resolve(this.ctx.spec, (p) => {
        let m = models.get(p.name);
        if (!m) models.set(p.name, (m = paramModel(p, split.good, split.bad)));
        const v = m.draw(rng);
        logRatio += m.logRatio(v);
        return v;
      });
      if (taken.has(configKey(config))) continue;
      const seconds = this.ctx.budget!.epochSeconds!(config);
      if (seconds === undefined) return undefined;
      const ei = -Math.log(this.gamma + (1 - this.gamma) * Math.exp(-Math.min(700, logRatio)));
      const score = ei - weight * Math.log(Math.max(1e-3, seconds));
      if (score > bestScore) {
        bestScore = score;
        best = config;
      }
      if ((left === undefined || seconds <= left) && score > bestFitScore) {
        bestFitScore = score;
        bestFit = config;
      }
    }
    return bestFit ?? best;
  }

  /**
   * A random start-up config whose epoch cannot end in the time left is swapped for the first of a few other
   * random draws that can (near the end of a budget, a worker then trains instead of waiting); else it stands.
   */
  private fitting(index: number, config: TrialConfig, taken: ReadonlySet<string>): TrialConfig {
    const b = this.ctx.budget;
    const left = b?.secondsLeft?.();
    const fits = (c: TrialConfig) => {
      const s = b?.epochSeconds?.(c);
      return left === undefined || s === undefined || s <= left;
    };
    if (fits(config)) return config;
    for (let k = 1; k <= FIT_DRAWS; k++) {
      const other = randomConfig(this.ctx.spec, Rng.derive(this.ctx.seed, `tpe-fit/${k}`).int(2 ** 31), index, taken);
      if (fits(other)) return other;
    }
    return config;
  }

  /**
   * How much an epoch's cost counts against expected improvement: EI / seconds^w. Measured on the race space with
   * bench/raceSim.ts (10 minutes, 2 workers, 80 paired seeds, two surrogates): against cost-blind TPE, w = 1 gained
   * +0.0014 and +0.0031 (± 0.0007) test accuracy and 52-57% more epochs; CArBO's cooling (w = the share of the
   * budget left) and w = 2 were within noise of it in accuracy; so plain EI per second.
   */
  costWeight(): number {
    return COST_WEIGHT;
  }

  private sample(split: { good: FinishedTrial[]; bad: FinishedTrial[] }, candidates: number, rng: Rng): TrialConfig {
    const { order: _order, ...config } = resolve(this.ctx.spec, (p) => sampleParam(p, split.good, split.bad, candidates, rng));
    return config;
  }
}

/** One decision: `candidates` draws from the good density, the best by l(x)/g(x). */
export function sampleParam(p: ParamDef, good: readonly FinishedTrial[], bad: readonly FinishedTrial[], candidates: number, rng: Rng): ParamValue {
  const seen = (set: readonly FinishedTrial[]) =>
    set.map((t) => t.config.params[p.name]).filter((v): v is ParamValue => v !== undefined && inDomain(p.domain, v));
  const gv = seen(good);
  const bv = seen(bad);
  const d = p.domain;
  if (d.kind === 'choice' || d.kind === 'bool') {
    const values = finiteValues(d)!;
    const l = categorical(values, gv);
    const g = categorical(values, bv);
    let best = -1;
    let bestRatio = -Infinity;
    for (let k = 0; k < candidates; k++) {
      const i = drawIndex(l, rng);
      const ratio = Math.log(l[i]) - Math.log(g[i]);
      if (ratio > bestRatio) {
        bestRatio = ratio;
        best = i;
      }
    }
    return values[best];
  }
  const scale = numericScale(d);
  if (scale.hi <= scale.lo) return d.lo;
  const l = new Parzen(
    gv.map((v) => scale.to(v as number)),
    scale.lo,
    scale.hi,
  );
  const g = new Parzen(
    bv.map((v) => scale.to(v as number)),
    scale.lo,
    scale.hi,
  );
  let best = l.sample(rng);
  let bestRatio = -Infinity;
  for (let k = 0; k < candidates; k++) {
    const x = k === 0 ? best : l.sample(rng);
    const ratio = l.logPdf(x) - g.logPdf(x);
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = x;
    }
  }
  return scale.from(best);
}

/** One decision's good and bad densities: a draw from the good one, and log l(v) - log g(v) of a value. */
export interface ParamModel {
  draw(rng: Rng): ParamValue;
  logRatio(v: ParamValue): number;
}

export function paramModel(p: ParamDef, good: readonly FinishedTrial[], bad: readonly FinishedTrial[]): ParamModel {
  const seen = (set: readonly FinishedTrial[]) =>
    set.map((t) => t.config.params[p.name]).filter((v): v is ParamValue => v !== undefined && inDomain(p.domain, v));
  const d = p.domain;
  if (d.kind === 'choice' || d.kind === 'bool') {
    const values = finiteValues(d)!;
    const l = categorical(values, seen(good));
    const g = categorical(values, seen(bad));
    return {
      draw: (rng) => values[drawIndex(l, rng)],
      logRatio: (v) => {
        const i = values.indexOf(v);
        return i < 0 ? 0 : Math.log(l[i]) - Math.log(g[i]);
      },
    };
  }
  const scale = numericScale(d);
  if (scale.hi <= scale.lo) return { draw: () => d.lo, logRatio: () => 0 };
  const l = new Parzen(
    seen(good).map((v) => scale.to(v as number)),
    scale.lo,
    scale.hi,
  );
  const g = new Parzen(
    seen(bad).map((v) => scale.to(v as number)),
    scale.lo,
    scale.hi,
  );
  return {
    draw: (rng) => scale.from(l.sample(rng)),
    logRatio: (v) => {
      const x = scale.to(v as number);
      return l.logPdf(x) - g.logPdf(x);
    },
  };
}

/** Frequencies with a uniform prior worth one observation, so unseen values keep some probability. */
function categorical(values: readonly ParamValue[], seen: readonly ParamValue[]): number[] {
  const k = values.length;
  const p = values.map(() => 1 / k);
  for (const v of seen) {
    const i = values.indexOf(v);
    if (i >= 0) p[i] += 1;
  }
  const total = seen.length + 1;
  return p.map((x) => x / total);
}

function drawIndex(p: readonly number[], rng: Rng): number {
  let u = rng.next();
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}

interface Scale {
  lo: number;
  hi: number;
  to(v: number): number;
  from(x: number): ParamValue;
}

/** A numeric domain mapped to the line the Parzen windows live on: log where asked, half a step of margin. */
export function numericScale(d: Extract<Domain, { kind: 'int' | 'float' }>): Scale {
  const log = d.log && d.lo > 0;
  const pad = d.kind === 'int' ? d.step / 2 : d.step !== undefined ? d.step / 2 : 0;
  const loRaw = log ? Math.max(d.lo - pad, d.lo / 2) : d.lo - pad;
  const hiRaw = d.hi + pad;
  const to = (v: number) => (log ? Math.log(v) : v);
  const back = (x: number) => (log ? Math.exp(x) : x);
  return {
    lo: to(loRaw),
    hi: to(hiRaw),
    to,
    from: (x) => {
      const v = back(x);
      if (d.kind === 'int') return snapInt(d, Math.round(v));
      if (d.step !== undefined) {
        const k = Math.round((Math.min(Math.max(v, d.lo), d.hi) - d.lo) / d.step);
        return Number(Math.min(d.lo + k * d.step, d.hi).toPrecision(12));
      }
      return Math.min(d.hi, Math.max(d.lo, v));
    },
  };
}

/**
 * A mixture of Gaussians truncated to [lo, hi], one per observation plus a broad prior at the centre. Each
 * bandwidth is the larger gap to its neighbours, clipped to [range / min(100, n + 1), range] (as in hyperopt
 * and Optuna), so dense clusters get sharp peaks and lone points wide ones.
 */
export class Parzen {
  readonly mus: number[];
  readonly sigmas: number[];
  private readonly norms: number[];

  constructor(
    observations: readonly number[],
    private readonly lo: number,
    private readonly hi: number,
  ) {
    const range = hi - lo;
    const mus = [...observations.map((x) => Math.min(hi, Math.max(lo, x))), (lo + hi) / 2];
    const n = observations.length;
    const order = [...mus.keys()].sort((a, b) => mus[a] - mus[b]);
    const minSigma = range / Math.min(100, n + 1);
    const sigmas = new Array<number>(mus.length);
    order.forEach((i, r) => {
      const left = r > 0 ? mus[i] - mus[order[r - 1]] : mus[i] - lo;
      const right = r < order.length - 1 ? mus[order[r + 1]] - mus[i] : hi - mus[i];
      sigmas[i] = Math.min(range, Math.max(minSigma, left, right));
    });
    sigmas[mus.length - 1] = range; // the prior
    this.mus = mus;
    this.sigmas = sigmas;
    this.norms = mus.map((m, i) => Math.max(1e-12, normalCdf((hi - m) / sigmas[i]) - normalCdf((lo - m) / sigmas[i])));
  }

  sample(rng: Rng): number {
    const i = rng.int(this.mus.length);
    for (let k = 0; k < 32; k++) {
      const x = this.mus[i] + this.sigmas[i] * rng.normal();
      if (x >= this.lo && x <= this.hi) return x;
    }
    return Math.min(this.hi, Math.max(this.lo, this.mus[i]));
  }

  logPdf(x: number): number {
    let p = 0;
    for (let i = 0; i < this.mus.length; i++) {
      const z = (x - this.mus[i]) / this.sigmas[i];
      p += Math.exp(-0.5 * z * z) / (this.sigmas[i] * Math.sqrt(2 * Math.PI) * this.norms[i]);
    }
    return Math.log(p / this.mus.length + 1e-300);
  }
}

/** The standard normal CDF through erf (Abramowitz & Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
