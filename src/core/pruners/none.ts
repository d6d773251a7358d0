import type { Pruner } from './pruner';

export class NoPruner implements Pruner {
  readonly name = 'none';
  decide() {
    return { prune: false };
  }
}
