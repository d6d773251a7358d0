// From a spec's `dataset` (+ `task`) to flat arrays and a train/validation split, the same on every machine.
import * as fs from 'fs';
import * as path from 'path';
import type { CsvDataset, Dataset, IdxDataset, SyntheticDataset, Task } from '../../shared/spec';
import { DATASET_DEFAULTS, SEARCH_DEFAULTS } from '../defaults';
import { Rng } from '../rng';
import { CSV_FULL_READ_LIMIT, csvSize, readCsv, readCsvHeader } from './csv';
import { DataError } from './errors';
import type { FileAccess } from './files';
import { type IdxArray, readIdx, readIdxHeader } from './idx';
import { blobs, type Generated, SHAPE_NAMES, shapes } from './synthetic';
import { pattern, PATTERN_MAX_CLASSES } from './sequences';
import { encodeText, isSequenceCsv, loadSequenceCsv, pickExtras, probeSequenceCsv, sequenceSplit, type SequenceExtras } from './sequenceData';

export type TaskKind = 'classification' | 'regression';

export interface LoadedData {
  /** All samples, flattened row-major, normalised. */
  x: Float32Array;
  /** Class indices (classification) or targets (regression). */
  y: Int32Array | Float32Array;
  /** Shape of one sample: [rows, cols, channels] for images, [features] for tabular data. */
  inputShape: number[];
  task: TaskKind;
  /** 1 for regression. */
  classes: number;
  classNames?: string[];
  /** Sample indices, ascending. */
  train: Int32Array;
  val: Int32Array;
  count: number;
  /** Text: samples are token ids below this (0 padding, 1 out of vocabulary). */
  vocabulary?: number;
  /** How `x` was normalised, from the training samples: a test set must be normalised the same way. */
  norm?: Normalization;
}

/** A normalisation fitted on the training samples: x' = (x - shift[g]) * scale[g], g the channel or column. */
export interface Normalization {
  mode: 'scale' | 'standardize' | 'none';
  /** Statistics per group: the channel of an image, the column of a table; empty for mode none. */
  shift: number[];
  scale: number[];
  /** Images of bytes in 0..255 under mode scale: divided by 255, no statistics. */
  bytes255?: boolean;
}

export interface DatasetProbe {
  inputShape: number[];
  /** Text: token ids are below this. */
  vocabulary?: number;
  /** Unknown only for a CSV too large to read cheaply with no `task.classes`. */
  classes?: number;
  /** After `subset`; unknown only for a CSV too large to read cheaply. */
  samples?: number;
}

export interface Raw extends Generated, SequenceExtras {
  /** Images get per-channel statistics and, when in 0..255, `scale` divides by 255. */
  image: boolean;
  bytes: boolean;
  /** Sequences `[steps, features]`: statistics per feature, over all steps. */
  sequence?: boolean;
}

const kindOf = (task: Task | undefined): TaskKind => task?.type ?? 'classification';

/**
 * Loads, subsets, splits (deterministically from `seed`) and normalises the data. A test fraction
 * (`dataset.test.fraction`) is taken out first: its samples are not in the result at all, so nothing downstream
 * can train or validate on them (loadTestSet reads them again).
 */
export function loadDataset(spec: Dataset, task: Task | undefined, baseDir: string, seed: number): LoadedData {
  const pool = sampled(spec, task, baseDir, seed);
  if (spec.test && pool.sequence) throw new DataError(SEQUENCE_TEST);
  const testFraction = fractionOf(spec);
  const raw = testFraction ? pick(pool, splitIndices(pool.y, pool.classes > 1 ? pool.classes : 0, testFraction, seed, 'test').train) : pool;
  const count = raw.y.length;
  const split = spec.validationSplit ?? DATASET_DEFAULTS.validationSplit;
  // validationSplit stays a fraction of all samples: of what the test set left, it is split / (1 - test).
  const { train, val } =
    sequenceSplit(raw, split) ?? splitIndices(raw.y, raw.classes > 1 ? raw.classes : 0, testFraction ? Math.min(1, split / (1 - testFraction)) : split, seed);
  if (train.length === 0) {
    const what = testFraction ? `validationSplit ${split} and test fraction ${testFraction} leave` : `validationSplit ${split} leaves`;
    throw new DataError(`${what} no training samples out of ${pool.y.length}`);
  }
  encodeText(raw, train);
  // Token ids are never normalised.
  const norm: Normalization = raw.text
    ? { mode: 'none', shift: [], scale: [] }
    : fitNormalization(raw, spec.normalize ?? (raw.image ? 'scale' : 'standardize'), train);
  applyNormalization(raw.x, raw.inputShape, norm);
  return {
    x: raw.x,
    y: raw.y,
    inputShape: raw.inputShape,
    task: kindOf(task),
    classes: raw.classes,
    classNames: raw.classNames,
    train,
    val,
    count,
    norm,
    ...(raw.vocabulary !== undefined ? { vocabulary: raw.vocabulary } : {}),
  };
}

/** The raw samples after `subset`: what the splits divide. */
export function sampled(spec: Dataset, task: Task | undefined, baseDir: string, seed: number): Raw {
  const raw = checked(loadRaw(spec, task, baseDir), task, spec);
  const total = raw.y.length;
  return spec.subset !== undefined && spec.subset < total ? pick(raw, seededOrder(total, seed, 'subset').slice(0, spec.subset).sort()) : raw;
}

/**
 * The training and validation samples loadDataset picks, as indices into the source's own samples (the file's
 * order): so another tool (a benchmark's peer) can train and validate on exactly the same split.
 */
export function splitOfSource(spec: Dataset, task: Task | undefined, baseDir: string, seed: number): { train: Int32Array; val: Int32Array } {
  const raw = checked(loadRaw(spec, task, baseDir), task, spec);
  const total = raw.y.length;
  let source = Int32Array.from({ length: total }, (_, i) => i);
  if (spec.subset !== undefined && spec.subset < total) source = seededOrder(total, seed, 'subset').slice(0, spec.subset).sort();
  let y = Int32Array.from(source, (i) => raw.y[i]);
  const classes = raw.classes > 1 ? raw.classes : 0;
  const testFraction = fractionOf(spec);
  if (testFraction) {
    const keep = splitIndices(y, classes, testFraction, seed, 'test').train;
    source = Int32Array.from(keep, (i) => source[i]);
    y = Int32Array.from(keep, (i) => y[i]);
  }
  const split = spec.validationSplit ?? DATASET_DEFAULTS.validationSplit;
  const { train, val } = splitIndices(y, classes, testFraction ? Math.min(1, split / (1 - testFraction)) : split, seed);
  return { train: Int32Array.from(train, (i) => source[i]), val: Int32Array.from(val, (i) => source[i]) };
}

/**
 * A time series splits chronologically and text builds its vocabulary from the training part: a test set of
 * either needs the same care, which it does not get yet.
 */
export const SEQUENCE_TEST =
  'dataset.test is not supported yet for time series and text CSV files (their split is chronological, their vocabulary from training only)';

/** The test fraction of a spec, when its test set is split off its own samples. */
export function fractionOf(spec: Dataset): number | undefined {
  const t = spec.test as { fraction?: number } | undefined;
  return t && typeof t.fraction === 'number' ? t.fraction : undefined;
}

export function loadRaw(spec: Dataset, task: Task | undefined, baseDir: string): Raw {
  switch (spec.source) {
    case 'synthetic':
      return synthetic(spec as SyntheticDataset, task);
    case 'idx':
      return idx(spec as IdxDataset, task, baseDir);
    case 'csv': {
      const s = spec as CsvDataset;
      if (isSequenceCsv(s)) return { ...loadSequenceCsv(s, path.resolve(baseDir, s.path), kindOf(task)), image: false, bytes: false, sequence: true };
      const t = readCsv(path.resolve(baseDir, s.path), s, kindOf(task), s.path);
      const r: Raw = { x: t.x, y: t.y, inputShape: [t.featureNames.length], classes: 1, image: false, bytes: false };
      if (t.classNames) Object.assign(r, { classes: t.classNames.length, classNames: t.classNames });
      return r;
    }
  }
}

function syntheticParams(spec: SyntheticDataset, task: Task | undefined) {
  const d = DATASET_DEFAULTS.synthetic;
  const generator = spec.generator ?? d.generator;
  const regression = kindOf(task) === 'regression';
  if ((generator === 'shapes' || generator === 'pattern') && regression) {
    throw new DataError(`the ${generator} generator makes classification data: use "blobs", or a csv or idx dataset, for regression`);
  }
  const defaultClasses = generator === 'shapes' ? SHAPE_NAMES.length : generator === 'pattern' ? 2 : 3;
  const classes = regression ? 1 : (spec.classes ?? task?.classes ?? defaultClasses);
  if (generator === 'shapes' && classes > SHAPE_NAMES.length) {
    throw new DataError(`the shapes generator draws at most ${SHAPE_NAMES.length} classes, not ${classes}`);
  }
  if (generator === 'pattern' && classes > PATTERN_MAX_CLASSES) {
    throw new DataError(`the pattern generator draws at most ${PATTERN_MAX_CLASSES} classes (orders of three symbols), not ${classes}`);
  }
  const size = spec.imageSize ?? d.imageSize;
  const features = spec.features ?? d.features;
  const steps = spec.steps ?? d.steps;
  if (generator === 'pattern' && features < 3) throw new DataError(`the pattern generator needs at least 3 features (symbols), not ${features}`);
  return {
    generator,
    regression,
    classes,
    samples: spec.samples ?? d.samples,
    inputShape: generator === 'shapes' ? [size, size, 1] : generator === 'pattern' ? [steps, features] : [features],
    steps,
    size,
    features,
    noise: spec.noise ?? d.noise,
    seed: spec.seed ?? d.seed,
  };
}

function synthetic(spec: SyntheticDataset, task: Task | undefined): Raw {
  const p = syntheticParams(spec, task);
  if (p.generator === 'pattern') {
    const g = pattern({ samples: p.samples, classes: p.classes, steps: p.steps, features: p.features, noise: p.noise, seed: p.seed });
    return { ...g, image: false, bytes: false, sequence: true };
  }
  const g =
    p.generator === 'shapes'
      ? shapes({ samples: p.samples, classes: p.classes, imageSize: p.size, noise: p.noise, seed: p.seed })
      : blobs({ samples: p.samples, classes: p.classes, features: p.features, noise: p.noise, seed: p.seed, regression: p.regression });
  return { ...g, image: p.generator === 'shapes', bytes: p.generator === 'shapes' };
}

/** [n, ...sample] dims of an images file to the shape of one sample. */
function sampleShape(dims: number[], f: DataFile): number[] {
  if (dims.length < 2 || dims.length > 4) {
    throw new DataError(`${f.name} has ${dims.length} dimensions (${dims.join('x')}); expected 2 to 4: samples first`, f.path);
  }
  return dims.length === 3 ? [dims[1], dims[2], 1] : dims.slice(1);
}

function labelCount(dims: number[], f: DataFile): number {
  if (dims.length > 2 || (dims.length === 2 && dims[1] !== 1)) {
    throw new DataError(`${f.name} holds ${dims.join('x')} values; a labels file has one value per sample`, f.path);
  }
  return dims[0];
}

/** `path` to read, `name` as the user wrote it, for messages. */
interface DataFile {
  path: string;
  name: string;
}

function idxFiles(spec: IdxDataset, baseDir: string): { images: DataFile; labels: DataFile } {
  return {
    images: { path: path.resolve(baseDir, spec.images), name: spec.images },
    labels: { path: path.resolve(baseDir, spec.labels), name: spec.labels },
  };
}

function countMismatch(images: DataFile, n: number, labels: DataFile, m: number): DataError {
  return new DataError(`${images.name} has ${n} samples but ${labels.name} has ${m} labels`, labels.path);
}

function idx(spec: IdxDataset, task: Task | undefined, baseDir: string): Raw {
  const files = idxFiles(spec, baseDir);
  // Headers first: a count mismatch is reported before decoding 50 MB of pixels.
  const ih = readIdxHeader(files.images.path, files.images.name);
  const lh = readIdxHeader(files.labels.path, files.labels.name);
  const inputShape = sampleShape(ih.dims, files.images);
  const m = labelCount(lh.dims, files.labels);
  if (ih.dims[0] !== m) throw countMismatch(files.images, ih.dims[0], files.labels, m);
  const images = readIdx(files.images.path, files.images.name);
  const labels = readIdx(files.labels.path, files.labels.name);
  const x = new Float32Array(images.data);
  const r: Raw = { x, y: new Float32Array(0), inputShape, classes: 1, image: inputShape.length === 3, bytes: images.type === 'uint8' };
  if (kindOf(task) === 'regression') return { ...r, y: new Float32Array(labels.data) };
  const { y, classes } = classLabels(labels.data, files.labels);
  return { ...r, y, classes };
}

function classLabels(data: IdxArray, f: DataFile): { y: Int32Array; classes: number } {
  const y = new Int32Array(data.length);
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new DataError(
        `${f.name}: label ${v} at index ${i} is not a class index (an integer >= 0); for numeric targets set task.type to "regression"`,
        f.path,
      );
    }
    y[i] = v;
    if (v > max) max = v;
  }
  return { y, classes: max + 1 };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function dataName(spec: Dataset): string {
  switch (spec.source) {
    case 'idx':
      return (spec as IdxDataset).images;
    case 'csv':
      return (spec as CsvDataset).path;
    default:
      return 'the synthetic data';
  }
}

/**
 * Checks the data against `task`. A declared inputShape with the same number of values reshapes the samples
 * (784 CSV columns as [28, 28, 1], or IDX images as flat vectors); any other difference is an error.
 */
function checked<T extends { inputShape: number[]; classes?: number; y?: Int32Array | Float32Array }>(r: T, task: Task | undefined, spec: Dataset): T {
  const declared = task?.inputShape;
  if (declared && !sameShape(declared, r.inputShape)) {
    if (size(declared) !== size(r.inputShape)) {
      throw new DataError(`task.inputShape ${fmt(declared)} does not match the data: samples in ${dataName(spec)} have shape ${fmt(r.inputShape)}`);
    }
    r.inputShape = [...declared];
  }
  if (kindOf(task) === 'regression' || r.classes === undefined) return r;
  const want = task?.classes;
  if (want !== undefined && r.classes > want) {
    const what = spec.source === 'csv' ? `${r.classes} distinct labels` : `label values up to ${r.classes - 1}`;
    throw new DataError(`${dataName(spec)} has ${what}, but task.classes is ${want}`);
  }
  if (want !== undefined) r.classes = want;
  if (r.classes < 2) throw new DataError(`${dataName(spec)} holds a single class; classification needs at least 2`);
  return r;
}

export function pick(r: Raw, idx: Int32Array): Raw {
  const f = size(r.inputShape);
  const x = new Float32Array(idx.length * f);
  const y = r.y instanceof Int32Array ? new Int32Array(idx.length) : new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(r.x.subarray(idx[i] * f, idx[i] * f + f), i * f);
    y[i] = r.y[idx[i]];
  }
  return { ...r, ...pickExtras(r, idx), x, y };
}

function seededOrder(n: number, seed: number, label: string): Int32Array {
  const rng = Rng.derive(seed, label);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * A seeded split. For classification it is stratified: the shuffled indices are grouped by class and every
 * 1/split-th one goes to validation, so each class is held out in proportion (within one sample).
 */
export function splitIndices(
  y: Int32Array | Float32Array,
  classes: number,
  fraction: number,
  seed: number,
  label = 'split',
): { train: Int32Array; val: Int32Array } {
  const n = y.length;
  let order = seededOrder(n, seed, label);
  if (classes > 1) {
    const byClass = Array.from(order).sort((a, b) => y[a] - y[b]);
    order = Int32Array.from(byClass);
  }
  const isVal = new Uint8Array(n);
  let nVal = 0;
  for (let i = 0; i < n; i++) {
    if (Math.floor((i + 1) * fraction + 0.5) > Math.floor(i * fraction + 0.5)) {
      isVal[order[i]] = 1;
      nVal++;
    }
  }
  const train = new Int32Array(n - nVal);
  const val = new Int32Array(nVal);
  for (let i = 0, t = 0, v = 0; i < n; i++) {
    if (isVal[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { train, val };
}

/** Statistics from the training samples only, so validation (and test) samples stay unseen. */
function fitNormalization(r: Raw, mode: Normalization['mode'], train: Int32Array): Normalization {
  if (mode === 'none') return { mode, shift: [], scale: [] };
  if (mode === 'scale' && r.image && r.bytes) return { mode, shift: [], scale: [], bytes255: true };
  const x = r.x;
  const f = size(r.inputShape);
  // images: one statistic per channel (per-pixel ones would break translation invariance); tabular: per column
  const groups = r.image || r.sequence ? r.inputShape[r.inputShape.length - 1] : f;
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  const maxAbs = new Float64Array(groups);
  const perSample = f / groups;
  for (const s of train) {
    const o = s * f;
    for (let j = 0; j < f; j++) {
      const g = j % groups;
      const v = x[o + j];
      sum[g] += v;
      sq[g] += v * v;
      const a = Math.abs(v);
      if (a > maxAbs[g]) maxAbs[g] = a;
    }
  }
  const shift: number[] = new Array<number>(groups).fill(0);
  const scale: number[] = new Array<number>(groups).fill(1);
  const m = train.length * perSample;
  for (let g = 0; g < groups; g++) {
    if (mode === 'scale') {
      scale[g] = maxAbs[g] > 0 ? 1 / maxAbs[g] : 1;
    } else {
      const mean = sum[g] / m;
      const sd = Math.sqrt(Math.max(0, sq[g] / m - mean * mean));
      shift[g] = mean;
      scale[g] = sd > 1e-12 ? 1 / sd : 1;
    }
  }
  return { mode, shift, scale };
}

/** In place, on samples of shape `inputShape`. */
export function applyNormalization(x: Float32Array, inputShape: readonly number[], n: Normalization): void {
  if (n.mode === 'none') return;
  if (n.bytes255) {
    for (let i = 0; i < x.length; i++) x[i] /= 255;
    return;
  }
  const f = size(inputShape);
  const groups = n.scale.length;
  for (let i = 0; i < x.length; i++) {
    const g = (i % f) % groups;
    x[i] = (x[i] - n.shift[g]) * n.scale[g];
  }
}

type ProbeEntry = { stamp: string; result: DatasetProbe | DataError };
const probeCache = new Map<string, ProbeEntry>();

function stamp(files: string[]): string {
  return files
    .map((f) => {
      try {
        const s = fs.statSync(f);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

function probeFiles(spec: Dataset, baseDir: string): string[] {
  if (spec.source === 'idx') return Object.values(idxFiles(spec as IdxDataset, baseDir)).map((f) => f.path);
  if (spec.source === 'csv') return [path.resolve(baseDir, (spec as CsvDataset).path)];
  return [];
}

/**
 * Shape, classes and sample count, cheaply (headers only where the format allows), for the editor's checker.
 * Throws DataError on any problem loadDataset would report up front. Results are cached per file version.
 */
export function probeDataset(spec: Dataset, task: Task | undefined, baseDir: string, seed: number = SEARCH_DEFAULTS.seed, access?: FileAccess): DatasetProbe {
  // The seed decides a text vocabulary (built on the training part only); nothing else here depends on it.
  const key = JSON.stringify([spec, task ?? null, baseDir, seed, access?.confineTo ?? null]);
  const st = stamp(probeFiles(spec, baseDir));
  const hit = probeCache.get(key);
  let result: DatasetProbe | DataError;
  if (hit && hit.stamp === st) {
    result = hit.result;
  } else {
    try {
      result = probeUncached(spec, task, baseDir, seed, access);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      result = err;
    }
    if (probeCache.size > 32) probeCache.delete(probeCache.keys().next().value!);
    probeCache.set(key, { stamp: st, result });
  }
  if (result instanceof DataError) throw result;
  return { ...result, inputShape: [...result.inputShape] };
}

function probeUncached(spec: Dataset, task: Task | undefined, baseDir: string, seed: number, access: FileAccess | undefined): DatasetProbe {
  const regression = kindOf(task) === 'regression';
  let r: { inputShape: number[]; classes?: number; samples?: number; vocabulary?: number };
  switch (spec.source) {
    case 'synthetic': {
      const p = syntheticParams(spec as SyntheticDataset, task);
      r = { inputShape: p.inputShape, classes: p.classes, samples: p.samples };
      break;
    }
    case 'idx': {
      const files = idxFiles(spec as IdxDataset, baseDir);
      const ih = readIdxHeader(files.images.path, files.images.name, access);
      const lh = readIdxHeader(files.labels.path, files.labels.name, access);
      const m = labelCount(lh.dims, files.labels);
      if (ih.dims[0] !== m) throw countMismatch(files.images, ih.dims[0], files.labels, m);
      // one value per sample: cheap next to the images
      r = { inputShape: sampleShape(ih.dims, files.images), samples: m };
      r.classes = regression ? 1 : classLabels(readIdx(files.labels.path, files.labels.name, access).data, files.labels).classes;
      break;
    }
    case 'csv': {
      const s = spec as CsvDataset;
      const file = path.resolve(baseDir, s.path);
      if (isSequenceCsv(s)) {
        r = probeSequenceCsv(s, file, kindOf(task), (y, classes) => trainingSamples(spec, y, classes, seed), access);
        break;
      }
      // refuses special, oversized and (untrusted) outside files before anything is read
      if (csvSize(file, s.path, access) > CSV_FULL_READ_LIMIT) {
        const h = readCsvHeader(file, s, s.path, access);
        r = { inputShape: [h.featureNames.length], classes: regression ? 1 : task?.classes };
      } else {
        const t = readCsv(file, s, kindOf(task), s.path, access);
        r = { inputShape: [t.featureNames.length], classes: t.classNames?.length ?? 1, samples: t.rows };
      }
      break;
    }
  }
  checked(r, task, spec);
  if (r.samples !== undefined && spec.subset !== undefined) r.samples = Math.min(r.samples, spec.subset);
  return { inputShape: r.inputShape, classes: r.classes, samples: r.samples, ...(r.vocabulary !== undefined ? { vocabulary: r.vocabulary } : {}) };
}

/** The training samples loadDataset will use (after `subset`), as indices into `y`. */
function trainingSamples(spec: Dataset, y: Int32Array | Float32Array, classes: number, seed: number): Int32Array {
  const keep = spec.subset !== undefined && spec.subset < y.length ? seededOrder(y.length, seed, 'subset').slice(0, spec.subset).sort() : undefined;
  const ys = keep ? (y.constructor === Int32Array ? Int32Array.from(keep, (i) => y[i]) : Float32Array.from(keep, (i) => y[i])) : y;
  const { train } = splitIndices(ys, classes > 1 ? classes : 0, spec.validationSplit ?? DATASET_DEFAULTS.validationSplit, seed);
  return keep ? Int32Array.from(train, (i) => keep[i]) : train;
}
