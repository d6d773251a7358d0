// The test set (`dataset.test`) at the data level: its samples never reach the training or validation data, nor
// the normalisation statistics; poisoned test samples (NaN) prove it. Plus the checker's findings about it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dataset } from '../../src/shared/spec';
import { checkText } from '../../src/core/check';
import { loadDataset, splitIndices, splitOfSource, type LoadedData } from '../../src/core/data/dataset';
import { blobs } from '../../src/core/data/synthetic';
import { loadTestSet } from '../../src/core/data/testset';
import { writeIdx } from '../helpers/idx';

const SEED = 4;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nas-testset-'));
}

/** 8-feature, 3-class blobs written as IDX float32 files; `poison(i)` makes sample i all NaN. */
function idxData(dir: string, name: string, n: number, seed: number, poison: (i: number) => boolean = () => false) {
  const g = blobs({ samples: n, classes: 3, features: 8, noise: 0.3, seed });
  const x = Float32Array.from(g.x);
  for (let i = 0; i < n; i++) if (poison(i)) x.fill(NaN, i * 8, i * 8 + 8);
  writeIdx(path.join(dir, `${name}-x.idx`), [n, 8], x, 'float32');
  writeIdx(path.join(dir, `${name}-y.idx`), [n], g.y, 'uint8');
  return { images: `${name}-x.idx`, labels: `${name}-y.idx`, y: g.y };
}

const rows = (d: LoadedData, idx: Int32Array) => Array.from(idx, (i) => Array.from(d.x.subarray(i * 8, i * 8 + 8)).join(','));
const hasNaN = (x: Float32Array) => x.some((v) => Number.isNaN(v));

test('a test fraction is split off first: train, validation and test are disjoint and cover every sample', () => {
  const dir = tmp();
  const f = idxData(dir, 'all', 1000, 1);
  const spec: Dataset = { source: 'idx', images: f.images, labels: f.labels, validationSplit: 0.2, normalize: 'none', test: { fraction: 0.1 } };
  const d = loadDataset(spec, undefined, dir, SEED);
  const t = loadTestSet(spec, undefined, dir, SEED, { ...d, norm: d.norm! })!;
  assert.equal(t.count, 100);
  assert.equal(d.count, 900);
  // validationSplit stays a fraction of all samples: 200 of 1000, so 700 train.
  assert.equal(d.val.length, 200);
  assert.equal(d.train.length, 700);
  const seen = new Set([...rows(d, d.train), ...rows(d, d.val)]);
  assert.equal(seen.size, 900, 'rows are distinct samples');
  const testRows = Array.from({ length: t.count }, (_, i) => Array.from(t.x.subarray(i * 8, i * 8 + 8)).join(','));
  for (const r of testRows) assert.ok(!seen.has(r), 'a test sample is in the training or validation data');
  // Stratified like the validation split: each class held out in proportion (within one sample).
  const counts = [0, 0, 0];
  for (const y of t.y) counts[y]++;
  for (let c = 0; c < 3; c++) {
    const all = f.y.filter((y) => y === c).length;
    assert.ok(Math.abs(counts[c] - all / 10) <= 1, `class ${c}: ${counts[c]} of ${all} in the test set`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a poisoned test fraction (NaN samples) never reaches training, validation or the normalisation', () => {
  const dir = tmp();
  const clean = idxData(dir, 'clean', 600, 2);
  // The same seeded split the loader makes tells which samples are the test ones: poison exactly those.
  const testIdx = new Set(splitIndices(Int32Array.from(clean.y), 3, 0.25, SEED, 'test').val);
  const bad = idxData(dir, 'bad', 600, 2, (i) => testIdx.has(i));
  const spec = (f: { images: string; labels: string }): Dataset => ({ source: 'idx', ...f, normalize: 'standardize', test: { fraction: 0.25 } });
  const d = loadDataset(spec(bad), undefined, dir, SEED);
  const reference = loadDataset(spec(clean), undefined, dir, SEED);
  assert.ok(!hasNaN(d.x), 'a NaN test sample reached the training or validation data');
  assert.ok(d.norm!.shift.every(Number.isFinite) && d.norm!.scale.every(Number.isFinite), 'test samples reached the normalisation statistics');
  // Bit for bit what the same split of clean data gives: nothing of the test part shows anywhere.
  assert.deepEqual(d.x, reference.x);
  assert.deepEqual([d.train, d.val, d.norm], [reference.train, reference.val, reference.norm]);
  const t = loadTestSet(spec(bad), undefined, dir, SEED, { ...d, norm: d.norm! })!;
  assert.equal(t.count, testIdx.size);
  assert.ok(
    t.x.every((v) => Number.isNaN(v)),
    'the test set is the poisoned samples, all of them',
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a poisoned separate test file changes nothing the search sees, and is read only as the test set', () => {
  const dir = tmp();
  const train = idxData(dir, 'train', 500, 3);
  const poisoned = idxData(dir, 'test', 120, 9, () => true);
  const without: Dataset = { source: 'idx', images: train.images, labels: train.labels, normalize: 'standardize' };
  const withTest: Dataset = { ...without, test: { images: poisoned.images, labels: poisoned.labels } };
  const a = loadDataset(without, undefined, dir, SEED);
  const b = loadDataset(withTest, undefined, dir, SEED);
  assert.deepEqual(b, a);
  const t = loadTestSet(withTest, undefined, dir, SEED, { ...b, norm: b.norm! })!;
  assert.equal(t.count, 120);
  assert.ok(t.x.every((v) => Number.isNaN(v)));
  assert.equal(loadTestSet(without, undefined, dir, SEED, { ...a, norm: a.norm! }), undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('test samples are normalised with the training statistics, not their own', () => {
  const dir = tmp();
  const train = idxData(dir, 'train', 300, 3);
  const other = idxData(dir, 'test', 50, 11);
  const spec: Dataset = { source: 'idx', images: train.images, labels: train.labels, normalize: 'standardize', test: other };
  const d = loadDataset(spec, undefined, dir, SEED);
  const t = loadTestSet(spec, undefined, dir, SEED, { ...d, norm: d.norm! })!;
  const raw = blobs({ samples: 50, classes: 3, features: 8, noise: 0.3, seed: 11 }).x;
  for (let i = 0; i < 16; i++) {
    const g = i % 8;
    assert.ok(Math.abs(t.x[i] - Math.fround((Math.fround(raw[i]) - d.norm!.shift[g]) * d.norm!.scale[g])) < 1e-5);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a CSV test file is labelled by class name in the training numbering; unknown labels and other shapes are errors', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'train.csv'), 'a,b,kind\n1,2,cat\n2,1,dog\n3,3,eel\n1,1,cat\n2,2,dog\n3,1,eel\n');
  fs.writeFileSync(path.join(dir, 'test.csv'), 'a,b,kind\n1,2,eel\n2,1,cat\n');
  const spec: Dataset = { source: 'csv', path: 'train.csv', validationSplit: 0.34, test: { path: 'test.csv' } };
  const d = loadDataset(spec, undefined, dir, SEED);
  const t = loadTestSet(spec, undefined, dir, SEED, { ...d, norm: d.norm! })!;
  assert.deepEqual(d.classNames, ['cat', 'dog', 'eel']);
  assert.deepEqual(Array.from(t.y), [2, 0]);
  fs.writeFileSync(path.join(dir, 'test.csv'), 'a,b,kind\n1,2,fox\n');
  assert.throws(() => loadTestSet(spec, undefined, dir, SEED, { ...d, norm: d.norm! }), /label "fox" is not a class of the training data \(cat, dog, eel\)/);
  fs.writeFileSync(path.join(dir, 'test.csv'), 'a,b,c,kind\n1,2,3,cat\n');
  assert.throws(
    () => loadTestSet(spec, undefined, dir, SEED, { ...d, norm: d.norm! }),
    /test samples in test\.csv have shape \[3\], but the training samples have \[2\]/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the checker names the test file that is wrong, and fractions that leave nothing to train on', () => {
  const dir = tmp();
  const train = idxData(dir, 'train', 60, 3);
  writeIdx(path.join(dir, 'wide-x.idx'), [10, 9], new Float32Array(90), 'float32');
  writeIdx(path.join(dir, 'short-y.idx'), [7], new Uint8Array(7), 'uint8');
  const spec = (test: unknown) =>
    JSON.stringify({
      dataset: { source: 'idx', images: train.images, labels: train.labels, test },
      architecture: { type: 'sequential', layers: [{ type: 'dense', units: 4 }] },
      search: { budget: { trials: 1 } },
    });
  const check = (test: unknown) => checkText(spec(test), { file: path.join(dir, 's.nas.json') }).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(check({ images: train.images, labels: train.labels }), []);
  const missing = check({ images: 'nope-x.idx', labels: train.labels });
  assert.deepEqual(
    missing.map((d) => [d.path, d.message]),
    [['dataset.test.images', 'file not found: nope-x.idx']],
  );
  const wide = check({ images: 'wide-x.idx', labels: train.labels });
  assert.deepEqual(
    wide.map((d) => [d.path, d.message]),
    [['dataset.test.images', 'test samples in wide-x.idx have shape [9], but the training samples have [8]']],
  );
  const short = check({ images: train.images, labels: 'short-y.idx' });
  assert.deepEqual(
    short.map((d) => d.path),
    ['dataset.test.labels'],
  );
  const greedy = check({ fraction: 0.8 });
  assert.deepEqual(
    greedy.map((d) => [d.path, d.message]),
    [['dataset.test.fraction', 'test fraction 0.8 and validationSplit 0.2 leave no samples to train on (together they must stay below 1)']],
  );
  // A CSV test file on an IDX dataset is not one of its forms: the schema says so.
  assert.ok(check({ path: 'x.csv' }).some((d) => d.path.startsWith('dataset')));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("splitOfSource names the very samples loadDataset trains and validates on, in the source file's numbering", () => {
  const dir = tmp();
  const f = idxData(dir, 'all', 700, 5);
  const raw = blobs({ samples: 700, classes: 3, features: 8, noise: 0.3, seed: 5 }).x;
  const row = (x: ArrayLike<number>, i: number) => Array.from({ length: 8 }, (_, j) => Math.fround(x[i * 8 + j])).join(',');
  for (const spec of [
    { source: 'idx', images: f.images, labels: f.labels, normalize: 'none', validationSplit: 0.25 },
    { source: 'idx', images: f.images, labels: f.labels, normalize: 'none', subset: 400, test: { fraction: 0.1 } },
  ] as Dataset[]) {
    const d = loadDataset(spec, undefined, dir, SEED);
    const s = splitOfSource(spec, undefined, dir, SEED);
    assert.deepEqual(
      Array.from(d.train, (i) => row(d.x, i)),
      Array.from(s.train, (i) => row(raw, i)),
    );
    assert.deepEqual(
      Array.from(d.val, (i) => row(d.x, i)),
      Array.from(s.val, (i) => row(raw, i)),
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
