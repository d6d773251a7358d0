// Seeded sequence generators on which order matters: a model that reads the steps in order (recurrent,
// attention, or convolution along the steps) beats one that sees a flat vector (a dense net).
import { Rng } from '../rng';
import { DataError } from './errors';
import type { Generated } from './synthetic';

export interface PatternOptions {
  samples: number;
  /** 2 to 6; default 2. */
  classes?: number;
  /** Sequence length; default 32. */
  steps?: number;
  /** Alphabet size (one-hot channels), at least 3; default 8. */
  features?: number;
  /** Gaussian noise on the one-hot values; default 0.1. */
  noise?: number;
  seed: number;
}

/** The orders of three symbols; class k is the k-th. */
const ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
] as const;
export const PATTERN_MAX_CLASSES = ORDERS.length;
const LEN = 3;

/**
 * Sequences of random symbols (one-hot over `features` channels, plus noise). Each holds three marked symbols
 * in a row at a random position, in the order of its class; the same three symbols also appear at random in
 * the background, but never in another class's order. Counting symbols or weighting positions tells nothing:
 * the label is an ordered pattern anywhere in the sequence, which a dense net must learn at every position
 * separately and a recurrent or attention model learns once.
 */
export function pattern(opts: PatternOptions): Generated {
  const classes = opts.classes ?? 2;
  const steps = opts.steps ?? 32;
  const alphabet = opts.features ?? 8;
  const noise = opts.noise ?? 0.1;
  if (!Number.isInteger(classes) || classes < 2 || classes > PATTERN_MAX_CLASSES) {
    throw new DataError(`the pattern generator draws 2 to ${PATTERN_MAX_CLASSES} classes (orders of three symbols), not ${classes}`);
  }
  if (alphabet < LEN) throw new DataError(`the pattern generator needs at least ${LEN} features (symbols), not ${alphabet}`);
  if (steps < LEN + 1) throw new DataError(`the pattern generator needs sequences of at least ${LEN + 1} steps, not ${steps}`);
  const rng = Rng.derive(opts.seed, 'pattern');
  // The marked symbols: three distinct ones out of the alphabet, fixed per seed.
  const symbols = rng.shuffle(Array.from({ length: alphabet }, (_, i) => i)).slice(0, LEN);
  const patterns = ORDERS.slice(0, classes).map((o) => o.map((i) => symbols[i]));
  const n = opts.samples;
  const x = new Float32Array(n * steps * alphabet);
  const y = new Int32Array(n);
  const seqn = new Int32Array(steps);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    y[i] = label;
    const at = rng.int(steps - LEN + 1);
    // Resample the background until no other class's order appears (rarely more than a few tries).
    for (;;) {
      for (let t = 0; t < steps; t++) seqn[t] = rng.int(alphabet);
      for (let j = 0; j < LEN; j++) seqn[at + j] = patterns[label][j];
      if (!patterns.some((p, k) => k !== label && occurs(seqn, p))) break;
    }
    const o = i * steps * alphabet;
    for (let t = 0; t < steps; t++) {
      for (let c = 0; c < alphabet; c++) x[o + t * alphabet + c] = (seqn[t] === c ? 1 : 0) + noise * rng.normal();
    }
  }
  shuffleTogether(x, y, steps * alphabet, rng);
  const names = ['A', 'B', 'C'];
  const classNames = ORDERS.slice(0, classes).map((ord) => ord.map((k) => names[k]).join(''));
  return { x, y, inputShape: [steps, alphabet], classes, classNames };
}

function occurs(s: Int32Array, p: readonly number[]): boolean {
  for (let t = 0; t + p.length <= s.length; t++) {
    let j = 0;
    while (j < p.length && s[t + j] === p[j]) j++;
    if (j === p.length) return true;
  }
  return false;
}

/** Shuffles samples (rows of `width` values) and their labels in place, so classes are not in a cycle. */
function shuffleTogether(x: Float32Array, y: Int32Array, width: number, rng: Rng): void {
  const tmp = new Float32Array(width);
  for (let i = y.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    if (i === j) continue;
    tmp.set(x.subarray(i * width, i * width + width));
    x.copyWithin(i * width, j * width, j * width + width);
    x.set(tmp, j * width);
    const t = y[i];
    y[i] = y[j];
    y[j] = t;
  }
}
