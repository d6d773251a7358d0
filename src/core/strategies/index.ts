// The strategy named by a spec's `search.strategy`.
import { DartsStrategy } from './darts';
import { EvolutionStrategy } from './evolution';
import { GridStrategy } from './grid';
import { RandomStrategy } from './random';
import { ReinforceStrategy } from './reinforce';
import { TpeStrategy } from './tpe';
import type { Strategy, StrategyContext } from './strategy';

export { configKey } from './random';
export type { FinishedTrial, Strategy, StrategyContext } from './strategy';
export { latestReports, score, scoreVector } from './strategy';

const STRATEGIES: Record<string, (ctx: StrategyContext) => Strategy> = {
  random: (ctx) => new RandomStrategy(ctx),
  grid: (ctx) => new GridStrategy(ctx),
  evolution: (ctx) => new EvolutionStrategy(ctx),
  tpe: (ctx) => new TpeStrategy(ctx),
  reinforce: (ctx) => new ReinforceStrategy(ctx),
  darts: (ctx) => new DartsStrategy(ctx),
};

export const STRATEGY_NAMES = Object.keys(STRATEGIES);

export function createStrategy(ctx: StrategyContext): Strategy {
  const name: string = ctx.spec.search?.strategy ?? 'random';
  // Own keys only: a spec saying "toString" must not reach Object.prototype.
  const make = Object.prototype.hasOwnProperty.call(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!make) throw new Error(`unknown search strategy "${name}": expected one of ${Object.keys(STRATEGIES).join(', ')}`);
  return make(ctx);
}
