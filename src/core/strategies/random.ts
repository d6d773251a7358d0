// Random search: independent uniform draws. Trial i draws from its own stream, so its config depends only on
// the seed and i (and on which configs are already taken, which only matters when a draw repeats one).
import type { TrialConfig } from '../../shared/arch';
import type { NasSpec } from '../../shared/spec';
import { sampleValue } from '../params';
import { Rng } from '../rng';
import { resolve } from '../space';
import type { FinishedTrial, Strategy, StrategyContext } from './strategy';

/** Redraws before accepting a duplicate: a small space may be used up, and then repeats are all there is. */
const DRAWS = 20;

const keys = new WeakMap<TrialConfig, string>();

/** A canonical key of a config's decisions: equal keys mean the same trial (params determine the rest). */
export function configKey(config: TrialConfig): string {
  let key = keys.get(config);
  if (key === undefined) {
    // Sorted, because the walk order of params is an implementation detail, not part of identity.
    const entries = Object.keys(config.params)
      .sort()
      .map((k) => [k, config.params[k]]);
    key = JSON.stringify(entries);
    keys.set(config, key);
  }
  return key;
}

/** One uniform draw from the whole space. */
export function sampleConfig(spec: NasSpec, rng: Rng): TrialConfig {
  const { order: _order, ...config } = resolve(spec, (p) => sampleValue(p.domain, rng));
  return config;
}

/**
 * Which configs are finished or in flight. Finished ones come from the journal; in-flight ones are only known
 * to the instance that proposed them, so a fresh (resumed) instance simply sees none in flight.
 */
export class Ledger {
  private readonly proposed = new Map<number, TrialConfig>();

  record(index: number, config: TrialConfig): TrialConfig {
    this.proposed.set(index, config);
    return config;
  }

  taken(index: number, finished: readonly FinishedTrial[]): Set<string> {
    const done = new Set<number>();
    const out = new Set<string>();
    for (const t of finished) {
      done.add(t.trial);
      out.add(configKey(t.config));
    }
    // Only earlier indices: a config for trial i must not depend on what was asked after it.
    for (const [j, config] of this.proposed) if (j < index && !done.has(j)) out.add(configKey(config));
    return out;
  }
}

/** The uniform draw for trial `index`, redrawn a few times while it repeats a taken config. */
export function randomConfig(spec: NasSpec, seed: number, index: number, taken: ReadonlySet<string>): TrialConfig {
  const rng = Rng.derive(seed, `random/${index}`);
  let config = sampleConfig(spec, rng);
  for (let k = 1; k < DRAWS && taken.has(configKey(config)); k++) config = sampleConfig(spec, rng);
  return config;
}

export class RandomStrategy implements Strategy {
  readonly name = 'random';
  private readonly ledger = new Ledger();

  constructor(private readonly ctx: StrategyContext) {}

  ask(index: number, finished: readonly FinishedTrial[]): TrialConfig {
    return this.ledger.record(index, randomConfig(this.ctx.spec, this.ctx.seed, index, this.ledger.taken(index, finished)));
  }
}
