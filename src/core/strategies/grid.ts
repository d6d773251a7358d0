// Grid search: every configuration of a finite space in gridConfigs' fixed order; trial i gets the i-th.
// Results never change the order, so `finished` is ignored and a resumed run continues where it stopped.
import type { TrialConfig } from '../../shared/arch';
import { gridConfigs, spaceSize } from '../space';
import type { FinishedTrial, Strategy, StrategyContext } from './strategy';

export class GridStrategy implements Strategy {
  readonly name = 'grid';
  private gen: Generator<TrialConfig> | undefined;
  /** Index of the config the generator yields next. */
  private next = 0;
  private last: { index: number; config: TrialConfig | undefined } | undefined;

  constructor(private readonly ctx: StrategyContext) {
    // Fail when the strategy is made, not at the first ask, so a run never starts on an endless grid.
    const { continuous } = spaceSize(ctx.spec);
    if (continuous.length)
      throw new Error(`grid search cannot enumerate a continuous range (${continuous.join(', ')}): add a "step" or list values with "choice"`);
  }

  ask(index: number, _finished: readonly FinishedTrial[]): TrialConfig | undefined {
    if (this.last?.index === index) return this.last.config && structuredClone(this.last.config);
    // Asks come in order, so the generator normally sits right at `index`; going back means starting over.
    if (!this.gen || index < this.next) {
      this.gen = gridConfigs(this.ctx.spec);
      this.next = 0;
    }
    let config: TrialConfig | undefined;
    while (this.next <= index) {
      const r = this.gen.next();
      if (r.done) {
        config = undefined;
        break;
      }
      this.next++;
      config = r.value;
    }
    // A finished generator stays finished: later indices are exhausted too, without rewinding.
    this.last = { index, config };
    return config && structuredClone(config);
  }
}
