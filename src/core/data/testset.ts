// The test set (`dataset.test`): samples the search never sees. loadDataset leaves them out entirely; this file
// reads them only when a run ends, normalised with the training samples' statistics, for the kept trials'
// one evaluation. Three kinds: a fraction split off the dataset itself, separate IDX files, a separate CSV file.
import * as path from 'path';
import type { CsvDataset, CsvTestSet, Dataset, IdxDataset, IdxTestSet, Task } from '../../shared/spec';
import { csvSize, readCsvHeader } from './csv';
import { applyNormalization, fractionOf, loadRaw, type Normalization, pick, type Raw, sameShape, sampled, splitIndices } from './dataset';
import { DataError } from './errors';
import type { FileAccess } from './files';
import { readIdxHeader } from './idx';

export interface TestSamples {
  /** Samples, flattened row-major, normalised like the training samples. */
  x: Float32Array;
  /** Class indices in the training data's numbering (classification), or targets (regression). */
  y: Int32Array | Float32Array;
  count: number;
  inputShape: number[];
  /** What the test set is, for messages: a file name, or the fraction held out. */
  name: string;
}

/** What a test set must agree with: the training data as loadDataset returned it. */
export interface TrainingSide {
  inputShape: number[];
  classes: number;
  classNames?: string[];
  norm: Normalization;
}

export function testSetOf(spec: Dataset): { fraction: number } | IdxTestSet | CsvTestSet | undefined {
  return (spec as { test?: { fraction: number } | IdxTestSet | CsvTestSet }).test;
}

/** In words, for summaries: "held-out fraction 0.1" or the file name. */
export function describeTestSet(spec: Dataset): string | undefined {
  const t = testSetOf(spec);
  if (!t) return undefined;
  if ('fraction' in t) return `a held-out fraction ${t.fraction} of the samples`;
  return 'images' in t ? t.images : t.path;
}

/** The test samples, or undefined when the spec names no test set. Throws DataError when they do not fit. */
export function loadTestSet(spec: Dataset, task: Task | undefined, baseDir: string, seed: number, train: TrainingSide): TestSamples | undefined {
  const t = testSetOf(spec);
  if (!t) return undefined;
  const regression = (task?.type ?? 'classification') === 'regression';
  let raw: Raw;
  let name: string;
  const fraction = fractionOf(spec);
  if (fraction) {
    // The same seeded, stratified split loadDataset made: here its other side.
    const pool = sampled(spec, task, baseDir, seed);
    raw = pick(pool, splitIndices(pool.y, pool.classes > 1 ? pool.classes : 0, fraction, seed, 'test').val);
    name = `the test fraction ${fraction}`;
  } else {
    const file = 'images' in t ? { ...(spec as IdxDataset), images: t.images, labels: t.labels } : { ...(spec as CsvDataset), path: (t as CsvTestSet).path };
    name = 'images' in t ? t.images : (t as CsvTestSet).path;
    raw = loadRaw(file, task, baseDir);
    reshape(raw, task, train, name);
    if (!regression) relabel(raw, train, name);
  }
  if (raw.y.length === 0) throw new DataError(`${name} holds no samples`);
  applyNormalization(raw.x, raw.inputShape, train.norm);
  return { x: raw.x, y: raw.y, count: raw.y.length, inputShape: raw.inputShape, name };
}

/** Test samples take the training samples' shape, as task.inputShape reshapes those; any other shape is an error. */
function reshape(raw: Raw, task: Task | undefined, train: TrainingSide, name: string) {
  const declared = task?.inputShape;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (declared && size(declared) === size(raw.inputShape)) raw.inputShape = [...declared];
  if (!sameShape(raw.inputShape, train.inputShape)) {
    throw new DataError(`test samples in ${name} have shape [${raw.inputShape.join(', ')}], but the training samples have [${train.inputShape.join(', ')}]`);
  }
}

/** Labels in the training data's numbering: by class name for CSV files, by index for IDX files. */
function relabel(raw: Raw, train: TrainingSide, name: string) {
  const y = raw.y as Int32Array;
  if (raw.classNames && train.classNames) {
    const index = new Map(train.classNames.map((c, i) => [c, i]));
    const map = raw.classNames.map((c) => {
      const i = index.get(c);
      if (i === undefined)
        throw new DataError(
          `${name}: label "${c}" is not a class of the training data (${train.classNames!.slice(0, 8).join(', ')}${train.classNames!.length > 8 ? ', ...' : ''})`,
        );
      return i;
    });
    for (let i = 0; i < y.length; i++) y[i] = map[y[i]];
    return;
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= train.classes) throw new DataError(`${name}: label ${y[i]} at index ${i} is not a class of the training data (0 to ${train.classes - 1})`);
  }
}

/**
 * The checker's cheap look at a test set (headers only): its files exist, hold as many labels as images, and
 * samples shaped like the training ones. Returns the sample count when known. Throws DataError.
 */
export function probeTestSet(spec: Dataset, task: Task | undefined, baseDir: string, trainShape: readonly number[], access?: FileAccess): number | undefined {
  const t = testSetOf(spec);
  if (!t || 'fraction' in t) return undefined;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const fits = (shape: number[], name: string) => {
    const declared = task?.inputShape;
    const s = declared && size(declared) === size(shape) ? declared : shape;
    if (!sameShape(s, trainShape))
      throw new DataError(`test samples in ${name} have shape [${shape.join(', ')}], but the training samples have [${trainShape.join(', ')}]`);
  };
  if ('images' in t) {
    const ih = readIdxHeader(path.resolve(baseDir, t.images), t.images, access);
    const lh = readIdxHeader(path.resolve(baseDir, t.labels), t.labels, access);
    const dims = ih.dims;
    fits(dims.length === 3 ? [dims[1], dims[2], 1] : dims.slice(1), t.images);
    if (lh.dims[0] !== dims[0])
      throw new DataError(`${t.images} has ${dims[0]} samples but ${t.labels} has ${lh.dims[0]} labels`, path.resolve(baseDir, t.labels));
    return dims[0];
  }
  const s = spec as CsvDataset;
  csvSize(path.resolve(baseDir, t.path), t.path, access);
  const h = readCsvHeader(path.resolve(baseDir, t.path), s, t.path, access);
  fits([h.featureNames.length], t.path);
  return undefined;
}
