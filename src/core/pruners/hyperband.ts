// Hyperband (Li et al. 2017) on top of asynchronous successive halving: it hedges against a first rung too
// short to tell good from bad. Trials are spread over brackets whose first rungs grow by η, in proportion to
// the classic bracket sizes n_b = ceil((s + 1) / (s - b + 1) * η^(s - b)), s = floor(log_η(R / minEpochs));
// each bracket is its own ASHA (see asha.ts).
import { AshaPruner, AshaScheduler } from './asha';

/** Relative number of trials per bracket, bracket 0 (the shortest first rung) first. */
export function hyperbandBrackets(minEpochs: number, eta: number, maxEpochs: number): number[] {
  // The epsilon keeps log_3(27) = 2.9999999999999996 from losing a bracket.
  const s = Math.max(0, Math.floor(Math.log(Math.max(1, maxEpochs / minEpochs)) / Math.log(eta) + 1e-9));
  return Array.from({ length: s + 1 }, (_, b) => Math.ceil(((s + 1) / (s - b + 1)) * eta ** (s - b)));
}

export function hyperbandScheduler(minEpochs: number, eta: number, maxEpochs: number, seed: number): AshaScheduler {
  return new AshaScheduler(minEpochs, eta, maxEpochs, seed, hyperbandBrackets(minEpochs, eta, maxEpochs));
}

export function hyperbandPruner(minEpochs: number, eta: number, maxEpochs: number, seed: number): AshaPruner {
  return new AshaPruner('hyperband', hyperbandScheduler(minEpochs, eta, maxEpochs, seed));
}
