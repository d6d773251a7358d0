// Sequence data: the synthetic pattern generator's promises (each sample holds its own class's order and no
// other class's, classes balanced, seeded), and its path through loadDataset and the checker's probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pattern } from '../../src/core/data/sequences';
import { loadDataset, probeDataset } from '../../src/core/data/dataset';
import { DataError } from '../../src/core/data/errors';

/** The symbol at each step: the argmax of its (noisy) one-hot channels. */
function decode(x: Float32Array, sample: number, steps: number, features: number): number[] {
  return Array.from({ length: steps }, (_, t) => {
    const o = (sample * steps + t) * features;
    let best = 0;
    for (let c = 1; c < features; c++) if (x[o + c] > x[o + best]) best = c;
    return best;
  });
}

const has = (s: number[], p: number[]) => s.some((_, t) => p.every((v, j) => s[t + j] === v));

test('pattern: every sample holds its class order and no other class order, classes balanced', () => {
  const g = pattern({ samples: 300, classes: 3, steps: 12, features: 5, noise: 0.05, seed: 4 });
  assert.deepEqual(g.inputShape, [12, 5]);
  assert.deepEqual(g.classNames, ['ABC', 'ACB', 'BAC']);
  const seqs = Array.from({ length: 300 }, (_, i) => decode(g.x, i, 12, 5));
  // Recover the three marked symbols from the class orders: the symbols of class 0's occurrence are A, B, C.
  const counts = [0, 0, 0];
  for (let i = 0; i < 300; i++) counts[g.y[i]]++;
  assert.deepEqual(counts, [100, 100, 100]);
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
  ];
  // Find A, B, C: the triple of distinct symbols whose class-k order occurs in every class-k sample.
  let found: number[] | undefined;
  for (let a = 0; a < 5 && !found; a++)
    for (let b = 0; b < 5 && !found; b++)
      for (let c = 0; c < 5 && !found; c++) {
        if (new Set([a, b, c]).size < 3) continue;
        const sym = [a, b, c];
        const ok = seqs.every((s, i) =>
          orders.every(
            (o, k) =>
              has(
                s,
                o.map((j) => sym[j]),
              ) ===
              (k === g.y[i]),
          ),
        );
        if (ok) found = sym;
      }
  assert.ok(found, 'no symbol triple explains the labels: some sample lacks its pattern or holds another class pattern');
});

test('pattern: same seed, same data; another seed, other data', () => {
  const a = pattern({ samples: 50, seed: 1 });
  const b = pattern({ samples: 50, seed: 1 });
  const c = pattern({ samples: 50, seed: 2 });
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(a.x, c.x);
});

test('pattern through loadDataset: standardized per feature, [steps, features] samples; probe agrees', () => {
  const spec = { source: 'synthetic' as const, generator: 'pattern' as const, samples: 200, steps: 10, features: 4 };
  const d = loadDataset(spec, undefined, '.', 3);
  assert.deepEqual(d.inputShape, [10, 4]);
  assert.equal(d.classes, 2);
  // each feature channel has mean ~0 over the training samples and all steps
  for (let c = 0; c < 4; c++) {
    let sum = 0;
    for (const s of d.train) for (let t = 0; t < 10; t++) sum += d.x[(s * 10 + t) * 4 + c];
    assert.ok(Math.abs(sum / (d.train.length * 10)) < 1e-4, `channel ${c} mean ${sum / (d.train.length * 10)}`);
  }
  assert.deepEqual(probeDataset(spec, undefined, '.'), { inputShape: [10, 4], classes: 2, samples: 200 });
});

test('pattern: clear errors for regression, too many classes, too few symbols', () => {
  assert.throws(() => probeDataset({ source: 'synthetic', generator: 'pattern' }, { type: 'regression' }, '.'), /pattern generator makes classification/);
  assert.throws(() => probeDataset({ source: 'synthetic', generator: 'pattern', classes: 7 }, undefined, '.'), /at most 6 classes/);
  assert.throws(
    () => probeDataset({ source: 'synthetic', generator: 'pattern', features: 2 }, undefined, '.'),
    (e: unknown) => e instanceof DataError && /at least 3 features/.test(e.message),
  );
});
