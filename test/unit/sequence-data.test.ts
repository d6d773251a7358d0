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

// ---- CSV time series ------------------------------------------------------------------------------------

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chronologicalSplit, encodeTokens, buildVocabulary, parseTextCsv, parseTimeSeries, tokenize } from '../../src/core/data/sequenceCsv';
import { checkText } from '../../src/core/check';

const SERIES = [
  't,a,b,label',
  ...Array.from({ length: 10 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i},${10 * i},${i % 3 === 0 ? 'x' : 'y'}`),
].join('\n');

test('time series: windows of the chosen columns, label at the last row', () => {
  const t = parseTimeSeries(SERIES, 's.csv', { source: 'csv', path: 's.csv', window: 3, columns: ['b', 'a'] }, 'classification');
  assert.deepEqual(t.featureNames, ['b', 'a']);
  assert.equal(t.y.length, 8);
  // window 2 covers rows 2..4: b = 20, 30, 40 and a = 2, 3, 4
  assert.deepEqual(Array.from(t.x.subarray(2 * 6, 3 * 6)), [20, 2, 30, 3, 40, 4]);
  assert.deepEqual(t.classNames, ['x', 'y']);
  assert.equal(t.y[2], 1); // row 4: 4 % 3 != 0 -> y
  assert.equal(t.y[1], 0); // row 3 -> x
});

test('time series: horizon predicts the label column ahead and reads its past by default; stride skips windows', () => {
  const t = parseTimeSeries(SERIES, 's.csv', { source: 'csv', path: 's.csv', window: 2, horizon: 1, label: 'a', columns: ['a', 'b'], stride: 3 }, 'regression');
  assert.deepEqual(Array.from(t.starts), [0, 3, 6]);
  assert.deepEqual(Array.from(t.y), [2, 5, 8]); // a at the row after each window
  assert.throws(
    () => parseTimeSeries(SERIES, 's.csv', { source: 'csv', path: 's.csv', window: 2, label: 'a', columns: ['a', 'b'] }, 'regression'),
    /the label column "a" is among the columns with horizon 0/,
  );
  assert.throws(
    () => parseTimeSeries(SERIES, 's.csv', { source: 'csv', path: 's.csv', window: 11 }, 'classification'),
    /10 rows: too few for one window of 11 rows/,
  );
  assert.throws(
    () => parseTimeSeries(SERIES, 's.csv', { source: 'csv', path: 's.csv', window: 2 }, 'classification'),
    /'2024-01-01' is not a number: "t" cannot be a feature; list the feature columns in "columns"/,
  );
});

test('chronological split: training windows end before the cut, validation windows start after it', () => {
  const starts = Int32Array.from({ length: 17 }, (_, i) => i); // 20 rows, windows of 4
  const { train, val } = chronologicalSplit(starts, 4, 20, 0.25);
  assert.deepEqual(
    Array.from(train),
    Array.from({ length: 12 }, (_, i) => i),
  ); // rows 0..14 only
  assert.deepEqual(Array.from(val), [15, 16]);
  assert.throws(() => chronologicalSplit(starts, 4, 20, 0.1), /too few for one window/);
});

// ---- Text -------------------------------------------------------------------------------------------------

test('tokenize: words of any script, apostrophes inside words, case folded on request', () => {
  assert.deepEqual(tokenize("Don't PANIC: it's 42 — café!", true), ["don't", 'panic', "it's", '42', 'café']);
  assert.deepEqual(tokenize('Hello World', false), ['Hello', 'World']);
});

test('vocabulary from the training samples only; unknown words map to 1, padding 0 at the start, last tokens kept', () => {
  const tokens = [
    ['good', 'film'],
    ['bad', 'film'],
    ['unseen', 'words', 'here'],
  ];
  const vocab = buildVocabulary(tokens, Int32Array.from([0, 1]), 10);
  assert.deepEqual(
    [...vocab.entries()],
    [
      ['film', 2],
      ['bad', 3],
      ['good', 4],
    ],
  );
  assert.deepEqual(Array.from(encodeTokens(tokens, vocab, 3)), [0, 4, 2, 0, 3, 2, 1, 1, 1]);
  assert.deepEqual(Array.from(encodeTokens([['good', 'bad', 'film']], vocab, 2)), [3, 2]);
  assert.deepEqual([...buildVocabulary(tokens, Int32Array.from([0, 1]), 1).keys()], ['film']);
});

test('text CSV through loadDataset and the probe: same vocabulary, ids below it, labels by name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-text-'));
  try {
    const rows = Array.from({ length: 40 }, (_, i) => `"${i % 2 ? 'a fine' : 'a poor'} day number ${i}",${i % 2 ? 'pos' : 'neg'}`);
    fs.writeFileSync(path.join(dir, 't.csv'), ['text,label', ...rows].join('\n'));
    const spec = { source: 'csv' as const, path: 't.csv', text: 'text', subset: 30 };
    const d = loadDataset(spec, undefined, dir, 9);
    const p = probeDataset(spec, undefined, dir, 9);
    assert.deepEqual(d.inputShape, [5]);
    assert.equal(p.vocabulary, d.vocabulary);
    // a, day, number, fine, poor and the numbers of the training rows only
    assert.equal(d.vocabulary, 2 + 5 + d.train.length);
    assert.ok(d.x.every((v) => Number.isInteger(v) && v >= 0 && v < d.vocabulary!));
    // validation rows' numbers were never seen: out of vocabulary
    for (const i of d.val) assert.equal(d.x[i * 5 + 4], 1);
    assert.deepEqual(d.classNames, ['neg', 'pos']);
    assert.throws(() => loadDataset({ ...spec, normalize: 'standardize' }, undefined, dir, 9), /normalize does not apply to text/);
    assert.throws(() => loadDataset({ ...spec, window: 3 }, undefined, dir, 9), /either a time series/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('text: the default maxLength is the 95th percentile of the lengths', () => {
  const text = ['text,label', ...Array.from({ length: 20 }, (_, i) => `"${'w '.repeat(i + 1)}",${i % 2}`)].join('\n');
  assert.equal(parseTextCsv(text, 't.csv', { source: 'csv', path: 't.csv', text: 'text' }, 'classification').maxLength, 19);
});

test('the checker counts an embedding on the text vocabulary exactly', () => {
  const file = path.join(__dirname, '..', '..', 'examples', 'text-reviews.nas.json');
  const spec = `{ "dataset": { "source": "csv", "path": "data/reviews.csv", "text": "review", "label": "sentiment", "maxLength": 10 },
    "architecture": { "type": "sequential", "layers": [{ "type": "embedding", "outputDim": 4 }, { "type": "globalAveragePooling1d" }] } }`;
  const r = checkText(spec, { file });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const v = r.summary!.vocabulary!;
  assert.ok(v > 100 && v < 400, `vocabulary ${v}`);
  // embedding v x 4, head 4 x 2 + 2
  assert.equal(r.summary!.minParams, v * 4 + 10);
});
