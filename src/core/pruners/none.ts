import type { Pruner } from './pruner';

export class NoPruner implements Pruner {
  readonly name = 'none';
  readonly alwaysContinues = true;
  decide() {
    return { prune: false };
  }
}
