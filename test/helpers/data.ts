// Seeded test data shared by the engine and unit suites, drawn from the project's own PRNG.
import { Rng } from '../../src/core/rng';

/** A seeded uniform generator in [0, 1). */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Three Gaussian-ish blobs in 4-D with one-hot labels: separable, so a tiny MLP beats 1/3 quickly.
 *  `spread` widens each blob; `scale` multiplies every feature (huge values make training diverge). */
export function blobs(n: number, seed: number, opts: { scale?: number; spread?: number } = {}): { x: number[][]; y: number[][] } {
  const { scale = 1, spread = 1 } = opts;
  const r = rng(seed);
  const centres = [
    [2, 0, 0, 1],
    [-2, 1, 0, -1],
    [0, -2, 2, 0],
  ];
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    x.push(centres[k].map((c) => (c + spread * (r() - 0.5)) * scale));
    y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
  }
  return { x, y };
}
