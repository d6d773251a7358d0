// tfjs draws fit's batch order (util.shuffle) and the seeds of unseeded random ops from Math.random, and takes no
// generator of ours: while a trial trains, Math.random is a generator seeded by the trial, so the same seed replays
// the same training (a derived darts cell retrained twice scores the same, instead of a point apart). The
// project's dropout kernel keeps its generators' state of its own (kernels/dropout.ts): it is reseeded with
// Math.random, from a stream of its own so that the batch order is the one the seed drew before dropout was seeded.
import { Rng } from '../core/rng';
import { seedDropout } from './kernels/dropout';

let depth = 0;
let original: () => number = Math.random;

/** Runs `f` with Math.random seeded; overlapping calls (tests training side by side) share the first one's. */
export async function withSeededRandom<T>(seed: number, f: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    original = Math.random;
    const rng = new Rng(seed);
    Math.random = () => rng.next();
    const masks = Rng.derive(seed, 'dropout');
    seedDropout(() => masks.next());
  }
  try {
    return await f();
  } finally {
    if (--depth === 0) Math.random = original;
  }
}
