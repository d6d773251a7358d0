// Regularized (aging) evolution, Real et al. 2019. The population is the last P finished trials, so the
// oldest member retires as each new result arrives, whatever its score: good configs must keep proving
// themselves through their children, which makes the search robust to lucky (noisy) evaluations.
// With several objectives the tournament uses NSGA-II's crowded comparison (Deb et al. 2002): the member on the
// better non-dominated front wins, and on the same front the one in the less crowded region. In a multi-fidelity
// run a trial counts once, as of its latest (largest-budget) report.
import type { ParamValue, TrialConfig } from '../../shared/arch';
import type { NasSpec } from '../../shared/spec';
import { EVOLUTION_DEFAULTS } from '../defaults';
import { crowdedCompare, nsgaRank } from '../pareto';
import { finiteValues, inDomain, sampleValue, type Domain } from '../params';
import { Rng } from '../rng';
import { resolve } from '../space';
import { configKey, Ledger, randomConfig } from './random';
import { isMultiObjective, latestReports, score, scoreVector, type FinishedTrial, type Strategy, type StrategyContext } from './strategy';

/** Mutations tried before settling for a child that repeats a known config. */
const ATTEMPTS = 20;

export class EvolutionStrategy implements Strategy {
  readonly name = 'evolution';
  readonly population: number;
  readonly sampleSize: number;
  private readonly ledger = new Ledger();
  private readonly parents = new Map<number, number>();

  constructor(private readonly ctx: StrategyContext) {
    this.population = Math.max(1, ctx.spec.search?.evolution?.population ?? EVOLUTION_DEFAULTS.population);
    // The checker reports S > P; here a too-large tournament just means "the whole population".
    this.sampleSize = Math.max(1, Math.min(ctx.spec.search?.evolution?.sampleSize ?? EVOLUTION_DEFAULTS.sampleSize, this.population));
  }

  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig {
    const taken = this.ledger.taken(index, finished);
    const parent = index < this.population ? undefined : this.parent(index, finished);
    // Before the population exists, or when every member failed, there is nothing to learn from: sample.
    const config = parent ? this.child(index, parent, taken) : randomConfig(this.ctx.spec, this.ctx.seed, index, taken);
    if (parent) this.parents.set(index, parent.trial);
    else this.parents.delete(index);
    return this.ledger.record(index, config);
  }

  parentOf(index: number): number | undefined {
    return this.parents.get(index);
  }

  /** The population: the last P distinct finished trials. */
  members(finished: readonly FinishedTrial[]): FinishedTrial[] {
    return latestReports(finished).slice(-this.population);
  }

  parentCandidates(finished: readonly FinishedTrial[]): number[] {
    return this.members(finished)
      .filter((t) => score(t, this.ctx.direction) > -Infinity)
      .map((t) => t.trial);
  }

  /** Tournament selection among the living (non-failed) members of the population. */
  parent(index: number, finished: readonly FinishedTrial[]): FinishedTrial | undefined {
    const members = this.members(finished).filter((t) => score(t, this.ctx.direction) > -Infinity);
    if (!members.length) return undefined;
    const rng = Rng.derive(this.ctx.seed, `evolution/select/${index}`);
    // The crowded comparison is computed over the whole population, then applied within the sample.
    const rank = isMultiObjective(this.ctx) ? nsgaRank(members.map((t) => scoreVector(t, this.ctx))) : undefined;
    const position = new Map(members.map((t, i) => [t, i]));
    const sample = rng.shuffle([...members]).slice(0, this.sampleSize);
    // Strictly better replaces, so the first sampled among equals wins: ties break by the seed, not by journal order.
    const better = (a: FinishedTrial, b: FinishedTrial) =>
      rank ? crowdedCompare(rank, position.get(a)!, position.get(b)!) < 0 : score(a, this.ctx.direction) > score(b, this.ctx.direction);
    return sample.reduce((best, t) => (better(t, best) ? t : best));
  }

  private child(index: number, parent: FinishedTrial, taken: ReadonlySet<string>): TrialConfig {
    const rng = Rng.derive(this.ctx.seed, `evolution/mutate/${index}`);
    const parentKey = configKey(parent.config);
    let repeat: TrialConfig | undefined;
    for (let k = 0; k < ATTEMPTS; k++) {
      const child = mutate(this.ctx.spec, parent.config, rng);
      const key = configKey(child);
      if (key === parentKey) continue;
      if (!taken.has(key)) return child;
      repeat ??= child;
    }
    // Every neighbour tried is known already: a repeat still moves the search; a space with no neighbours
    // at all (every parameter fixed) gets the uniform draw, which is as good as anything.
    return repeat ?? randomConfig(this.ctx.spec, this.ctx.seed, index, taken);
  }
}

/**
 * Changes exactly one decision of `parent` and re-resolves: every other parameter that still exists keeps
 * its value, parameters that appear (a new repetition, a newly chosen alternative) are sampled.
 */
export function mutate(spec: NasSpec, parent: TrialConfig, rng: Rng): TrialConfig {
  const { order } = resolve(spec, (p) => parent.params[p.name]);
  const mutable = order.filter((p) => canChange(p.domain));
  if (!mutable.length) return structuredClone(parent);
  const target = rng.pick(mutable);
  const value = mutateValue(target.domain, parent.params[target.name], rng);
  const { order: _order, ...child } = resolve(spec, (p) => {
    if (p.name === target.name) return value;
    const old = parent.params[p.name];
    return old !== undefined && inDomain(p.domain, old) ? old : sampleValue(p.domain, rng);
  });
  return child;
}

function canChange(d: Domain): boolean {
  switch (d.kind) {
    case 'bool':
      return true;
    case 'choice':
      return new Set(d.values).size > 1;
    case 'int':
      return d.hi - d.lo >= d.step;
    case 'float':
      return d.step === undefined ? d.hi > d.lo : d.hi - d.lo >= d.step;
  }
}

/** A different value of `d`, usually near `v`: small steps refine, occasional jumps escape local optima. */
export function mutateValue(d: Domain, v: ParamValue, rng: Rng): ParamValue {
  switch (d.kind) {
    case 'bool':
      return !v;
    case 'choice': {
      const others = d.values.filter((x) => x !== v);
      return rng.pick(others);
    }
    case 'int': {
      const n = v as number;
      if (rng.next() < 0.5) {
        // A neighbour on the step grid, turning back at the ends of the range.
        const up = n + d.step <= d.hi && (n - d.step < d.lo || rng.next() < 0.5);
        return up ? n + d.step : n - d.step;
      }
      return redraw(d, n, rng);
    }
    case 'float': {
      if (d.step !== undefined) {
        const values = finiteValues(d) as number[];
        const i = nearestIndex(values, v as number);
        if (rng.next() < 0.5) return values[i + 1 < values.length && (i === 0 || rng.next() < 0.5) ? i + 1 : i - 1];
        return rng.pick(values.filter((_, k) => k !== i));
      }
      if (rng.next() < 0.2) return redraw(d, v as number, rng);
      return perturb(d, v as number, rng);
    }
  }
}

/** A fresh draw from the whole domain, other than `v` (the domain has at least two values). */
function redraw(d: Domain, v: number, rng: Rng): ParamValue {
  for (;;) {
    const x = sampleValue(d, rng);
    if (x !== v) return x;
  }
}

/** A Gaussian step of a tenth of the range, on the log scale where the domain is one, clipped to the range. */
function perturb(d: Extract<Domain, { kind: 'float' }>, v: number, rng: Rng): number {
  const log = d.log && d.lo > 0;
  const to = (x: number) => (log ? Math.log(x) : x);
  const from = (x: number) => (log ? Math.exp(x) : x);
  const lo = to(d.lo);
  const hi = to(d.hi);
  for (let k = 0; k < 10; k++) {
    // Clipped after mapping back, since exp(log(x)) may land a hair outside the range.
    const x = Math.min(d.hi, Math.max(d.lo, from(to(v) + 0.1 * (hi - lo) * rng.normal())));
    if (x !== v) return x;
  }
  // Stuck at an end of the range: jump instead.
  return redraw(d, v, rng) as number;
}

function nearestIndex(values: number[], v: number): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (Math.abs(values[k] - v) < Math.abs(values[best] - v)) best = k;
  return best;
}
