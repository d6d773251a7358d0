// A REINFORCE controller (Williams 1992; Zoph & Le 2017 for NAS): a stochastic policy over the decisions of the
// space, updated after every finished trial by the policy gradient of its reward (the primary objective) minus a
// moving-average baseline. Categorical decisions (choices, optional layers, layer alternatives, small integer or
// stepped ranges) get a softmax over logits; wide numeric ranges a Gaussian on the unit interval (log scale where
// the domain is one) with a learned mean and width. Every parameter has its own distribution, keyed by name, so
// one that exists only under some repeat count or alternative is learnt only from the trials that had it.
//
// Pure: the policy is rebuilt by replaying the finished trials in journal order (cached while the list only
// grows), and trial i samples from its own seeded stream.
import type { ParamValue, TrialConfig } from '../../shared/arch';
import { REINFORCE_DEFAULTS } from '../defaults';
import { finiteValues, type ParamDef } from '../params';
import { Rng } from '../rng';
import { resolve } from '../space';
import { configKey, Ledger } from './random';
import { score, type FinishedTrial, type Strategy, type StrategyContext } from './strategy';
import { numericScale } from './tpe';

/** Redraws before accepting a config that repeats a taken one. */
const DRAWS = 20;
/** A finite domain with at most this many values is a categorical decision. */
const MAX_CATEGORIES = 8;
const MIN_SIGMA = 0.03;
const MAX_SIGMA = 0.5;
const INIT_SIGMA = 0.3;
/** Normalised advantages are clipped so one outlier cannot collapse the policy. */
const MAX_ADVANTAGE = 3;

interface Gaussian {
  mu: number;
  logSigma: number;
}

export class Policy {
  readonly logits = new Map<string, number[]>();
  readonly gaussians = new Map<string, Gaussian>();
  baseline: number | undefined;
  private count = 0;
  private mean = 0;
  private m2 = 0;

  constructor(
    private readonly learningRate: number,
    private readonly decay: number,
  ) {}

  static categorical(p: ParamDef): ParamValue[] | undefined {
    if (p.domain.kind === 'choice' || p.domain.kind === 'bool') return finiteValues(p.domain);
    const values = finiteValues(p.domain);
    return values && values.length <= MAX_CATEGORIES ? values : undefined;
  }

  probabilities(p: ParamDef, values: readonly ParamValue[]): number[] {
    const z = this.logits.get(p.name) ?? values.map(() => 0);
    const max = Math.max(...z);
    const e = z.map((x) => Math.exp(x - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  }

  gaussian(p: ParamDef): Gaussian {
    return this.gaussians.get(p.name) ?? { mu: 0.5, logSigma: Math.log(INIT_SIGMA) };
  }

  /** One decision drawn from the policy. */
  decide(p: ParamDef, rng: Rng): ParamValue {
    const values = Policy.categorical(p);
    if (values) {
      const probs = this.probabilities(p, values);
      let u = rng.next();
      for (let i = 0; i < probs.length; i++) {
        u -= probs[i];
        if (u < 0) return values[i];
      }
      return values[values.length - 1];
    }
    const d = p.domain as Extract<ParamDef['domain'], { kind: 'int' | 'float' }>;
    const s = numericScale(d);
    if (s.hi <= s.lo) return d.lo;
    const g = this.gaussian(p);
    const u = Math.min(1, Math.max(0, g.mu + Math.exp(g.logSigma) * rng.normal()));
    return s.from(s.lo + u * (s.hi - s.lo));
  }

  /** The policy-gradient step for one finished config with reward r (undefined: a failed trial). */
  update(spec: StrategyContext['spec'], config: TrialConfig, reward: number | undefined): void {
    if (reward === undefined) {
      // A failure is as bad as two standard deviations below the baseline: the controller learns to avoid it.
      if (this.baseline === undefined || this.count < 2) return;
      this.step(spec, config, -2);
      return;
    }
    if (this.baseline !== undefined && this.count >= 2) {
      const std = Math.sqrt(this.m2 / (this.count - 1));
      const advantage = std > 0 ? Math.max(-MAX_ADVANTAGE, Math.min(MAX_ADVANTAGE, (reward - this.baseline) / std)) : 0;
      if (advantage !== 0) this.step(spec, config, advantage);
    }
    // The moving-average baseline, and the spread of rewards (Welford) that scales the advantage.
    this.baseline = this.baseline === undefined ? reward : this.decay * this.baseline + (1 - this.decay) * reward;
    this.count++;
    const delta = reward - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (reward - this.mean);
  }

  private step(spec: StrategyContext['spec'], config: TrialConfig, advantage: number): void {
    const lr = this.learningRate * advantage;
    // Replaying the config through the space names the decisions it took, conditional ones included.
    resolve(spec, (p) => {
      const v = config.params[p.name];
      if (v === undefined) return fallback(p);
      const values = Policy.categorical(p);
      if (values) {
        const k = indexOf(values, v);
        if (k < 0) return v;
        const probs = this.probabilities(p, values);
        const z = this.logits.get(p.name) ?? values.map(() => 0);
        // d log softmax_k / d z_j = [j = k] - p_j
        this.logits.set(
          p.name,
          z.map((x, j) => x + lr * ((j === k ? 1 : 0) - probs[j])),
        );
        return v;
      }
      const d = p.domain as Extract<ParamDef['domain'], { kind: 'int' | 'float' }>;
      const s = numericScale(d);
      if (s.hi <= s.lo || typeof v !== 'number') return v;
      const u = (s.to(v) - s.lo) / (s.hi - s.lo);
      const g = this.gaussian(p);
      const sigma = Math.exp(g.logSigma);
      const z = (u - g.mu) / sigma;
      // Gradients of log N(u; mu, sigma): (u - mu) / sigma^2 for mu (scaled by sigma^2, a natural-gradient step),
      // z^2 - 1 for log sigma.
      this.gaussians.set(p.name, {
        mu: Math.min(1, Math.max(0, g.mu + lr * (u - g.mu))),
        logSigma: Math.min(Math.log(MAX_SIGMA), Math.max(Math.log(MIN_SIGMA), g.logSigma + 0.5 * lr * (z * z - 1))),
      });
      return v;
    });
  }
}

function indexOf(values: readonly ParamValue[], v: ParamValue): number {
  const i = values.indexOf(v);
  if (i >= 0 || typeof v !== 'number') return i;
  // Stepped floats are compared with a tolerance: 0.1 * 3 is not 0.3.
  return values.findIndex((x) => typeof x === 'number' && Math.abs(x - v) < 1e-9 * Math.max(1, Math.abs(v)));
}

/** Any value of the domain: only reached when a config lacks a decision the spec asks for. */
function fallback(p: ParamDef): ParamValue {
  const d = p.domain;
  if (d.kind === 'bool') return false;
  if (d.kind === 'choice') return d.values[0];
  return d.lo;
}

export class ReinforceStrategy implements Strategy {
  readonly name = 'reinforce';
  readonly learningRate: number;
  readonly baselineDecay: number;
  private readonly ledger = new Ledger();
  /** The policy after the first `seen.length` reports, and what those reports were. */
  private cache: { seen: string[]; trials: Set<number>; policy: Policy } | undefined;

  constructor(private readonly ctx: StrategyContext) {
    const o = ctx.spec.search?.reinforce ?? {};
    this.learningRate = o.learningRate ?? REINFORCE_DEFAULTS.learningRate;
    this.baselineDecay = o.baselineDecay ?? REINFORCE_DEFAULTS.baselineDecay;
  }

  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig {
    const taken = this.ledger.taken(index, finished);
    const policy = this.policy(finished);
    const rng = Rng.derive(this.ctx.seed, `reinforce/${index}`);
    let config = this.sample(policy, rng);
    for (let k = 1; k < DRAWS && taken.has(configKey(config)); k++) config = this.sample(policy, rng);
    return this.ledger.record(index, config);
  }

  /** The policy trained on `finished` in order: each trial once, at its first report (its first rung). */
  policy(finished: readonly FinishedTrial[]): Policy {
    const keys = finished.map(reportKey);
    const c = this.cache;
    const extends_ = c && c.seen.length <= keys.length && c.seen.every((k, i) => k === keys[i]);
    const state = extends_ ? c : { seen: [], trials: new Set<number>(), policy: new Policy(this.learningRate, this.baselineDecay) };
    for (let i = state.seen.length; i < finished.length; i++) {
      const t = finished[i];
      state.seen.push(keys[i]);
      if (state.trials.has(t.trial)) continue;
      state.trials.add(t.trial);
      const r = score(t, this.ctx.direction);
      state.policy.update(this.ctx.spec, t.config, r > -Infinity ? r : undefined);
    }
    this.cache = state;
    return state.policy;
  }

  private sample(policy: Policy, rng: Rng): TrialConfig {
    const { order: _order, ...config } = resolve(this.ctx.spec, (p) => policy.decide(p, rng));
    return config;
  }
}

function reportKey(t: FinishedTrial): string {
  return `${t.trial}:${t.status}:${t.value}:${t.budget ?? ''}:${configKey(t.config)}`;
}
