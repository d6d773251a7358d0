// CSV files as sequences: a time series (windows of consecutive rows over chosen columns, predicting a label
// column at the window's end or `horizon` rows later) or text classification (a text column tokenized into
// word ids, with a vocabulary built from the training part only).
import type { CsvDataset } from '../../shared/spec';
import { DATASET_DEFAULTS } from '../defaults';
import { classIndices, parseNumber, readCsvText, records, resolveColumn, type CsvRecord, type LabelKind, type Src } from './csv';
import { DataError } from './errors';
import type { FileAccess } from './files';

/** Token ids 0 and 1 are reserved: padding and out-of-vocabulary. */
export const PAD_ID = 0;
export const OOV_ID = 1;
const FIRST_WORD_ID = 2;
const MAX_DEFAULT_LENGTH = 512;

export const isTimeSeries = (s: CsvDataset): boolean => s.window !== undefined;
export const isText = (s: CsvDataset): boolean => s.text !== undefined;

interface Table {
  names?: string[];
  columns: number;
  rows: CsvRecord[];
}

function table(text: string, s: CsvDataset, src: Src): Table {
  const it = records(text, s.delimiter ?? DATASET_DEFAULTS.csv.delimiter, src);
  const first = it.next();
  if (first.done) throw new DataError(`${src.name} is empty`, src.path);
  const header = s.header ?? DATASET_DEFAULTS.csv.header;
  const columns = first.value.fields.length;
  const names = header ? first.value.fields.map((f) => f.trim()) : undefined;
  const rows = header ? [] : [first.value];
  for (const r of it) {
    if (r.fields.length !== columns) throw new DataError(`${src.name}:${r.line}: ${r.fields.length} fields, expected ${columns}`, src.path, r.line);
    rows.push(r);
  }
  if (rows.length === 0) throw new DataError(`${src.name} has a header but no data rows`, src.path);
  return { names, columns, rows };
}

function labelColumn(s: CsvDataset, t: Pick<Table, 'columns' | 'names'>, src: Src): number {
  return s.label === undefined ? t.columns - 1 : resolveColumn(s.label, t.columns, t.names, src, 'label');
}

/** Targets from the label fields of `rows` (class indices, or numbers for regression). */
function targets(rows: CsvRecord[], col: number, kind: LabelKind, src: Src): { y: Int32Array | Float32Array; classNames?: string[] } {
  const labels = rows.map((r) => {
    const v = r.fields[col].trim();
    if (v === '') throw new DataError(`${src.name}:${r.line}:${col + 1}: the label is empty`, src.path, r.line, col + 1);
    return v;
  });
  if (kind === 'regression') return { y: Float32Array.from(labels, (l, i) => parseNumber(l, src, rows[i].line, col + 1)) };
  return classIndices(labels);
}

// ---- Time series ------------------------------------------------------------------------------------------

export interface TimeSeriesShape {
  /** The feature columns, by index, and their names. */
  features: number[];
  featureNames: string[];
  label: number;
  window: number;
  horizon: number;
  stride: number;
}

export interface TimeSeriesTable extends TimeSeriesShape {
  /** windows x window x features, row-major. */
  x: Float32Array;
  y: Int32Array | Float32Array;
  classNames?: string[];
  /** First row of each window; a window covers `window + horizon` rows from there (its target included). */
  starts: Int32Array;
  rows: number;
}

/** Which columns feed the windows and which one is predicted; checked against the header. */
export function timeSeriesShape(s: CsvDataset, t: Pick<Table, 'columns' | 'names'>, src: Src): TimeSeriesShape {
  const label = labelColumn(s, t, src);
  const horizon = s.horizon ?? DATASET_DEFAULTS.csv.horizon;
  const name = (c: number) => (t.names ? t.names[c] : `column ${c + 1}`);
  let features: number[];
  if (s.columns) {
    features = s.columns.map((c) => resolveColumn(c, t.columns, t.names, src, 'feature'));
    if (horizon === 0 && features.includes(label)) {
      throw new DataError(
        `${src.name}: the label column "${name(label)}" is among the columns with horizon 0: the network would read the answer; drop it from columns or set horizon to predict ahead`,
        src.path,
      );
    }
  } else features = Array.from({ length: t.columns }, (_, c) => c).filter((c) => horizon > 0 || c !== label);
  if (features.length === 0) throw new DataError(`${src.name} has no feature column besides the label`, src.path);
  return { features, featureNames: features.map(name), label, window: s.window!, horizon, stride: s.stride ?? DATASET_DEFAULTS.csv.stride };
}

export function parseTimeSeries(text: string, name: string, s: CsvDataset, kind: LabelKind, file = name): TimeSeriesTable {
  const src = { path: file, name };
  const t = table(text, s, src);
  const shape = timeSeriesShape(s, t, src);
  const { features, window, horizon, stride } = shape;
  const n = t.rows.length;
  const count = n - window - horizon < 0 ? 0 : Math.floor((n - window - horizon) / stride) + 1;
  if (count === 0) {
    throw new DataError(`${name} has ${n} rows: too few for one window of ${window} rows${horizon ? ` and a target ${horizon} rows later` : ''}`, file);
  }
  const values = new Float32Array(n * features.length);
  try {
    t.rows.forEach((r, i) => features.forEach((c, j) => (values[i * features.length + j] = parseNumber(r.fields[c], src, r.line, c + 1))));
  } catch (err) {
    // A timestamp or id column is the usual culprit when every column but the label is taken.
    if (!(err instanceof DataError) || s.columns || err.column === undefined) throw err;
    const col = t.names ? `"${t.names[err.column - 1]}"` : `column ${err.column}`;
    throw new DataError(`${err.message}: ${col} cannot be a feature; list the feature columns in "columns"`, err.file, err.line, err.column);
  }
  const starts = Int32Array.from({ length: count }, (_, k) => k * stride);
  const width = window * features.length;
  const x = new Float32Array(count * width);
  starts.forEach((start, k) => x.set(values.subarray(start * features.length, start * features.length + width), k * width));
  const { y, classNames } = targets(
    Array.from(starts, (start) => t.rows[start + window - 1 + horizon]),
    shape.label,
    kind,
    src,
  );
  return { ...shape, x, y, classNames, starts, rows: n };
}

/**
 * Training windows lie wholly before the cut at `(1 - fraction)` of the rows, validation windows wholly after
 * it; windows straddling it are dropped, so no validation row is ever seen in training.
 */
export function chronologicalSplit(starts: Int32Array, span: number, rows: number, fraction: number): { train: Int32Array; val: Int32Array } {
  const cut = Math.round(rows * (1 - fraction));
  const train: number[] = [];
  const val: number[] = [];
  starts.forEach((start, i) => {
    if (start + span <= cut) train.push(i);
    else if (start >= cut) val.push(i);
  });
  if (fraction > 0 && val.length === 0) {
    throw new DataError(`validationSplit ${fraction} keeps the last ${rows - cut} rows for validation: too few for one window of ${span} rows`);
  }
  return { train: Int32Array.from(train), val: Int32Array.from(val) };
}

export function readTimeSeries(file: string, name: string, s: CsvDataset, kind: LabelKind, access?: FileAccess): TimeSeriesTable {
  return parseTimeSeries(readCsvText(file, name, access), name, s, kind, file);
}

// ---- Text ---------------------------------------------------------------------------------------------------

export interface TextTable {
  /** The words of each row's text. */
  tokens: string[][];
  y: Int32Array | Float32Array;
  classNames?: string[];
  /** Tokens per sample: `maxLength`, or the 95th percentile of the texts' lengths. */
  maxLength: number;
}

/** Words: runs of letters and digits (any script), with an apostrophe inside a word kept ("don't"). */
export function tokenize(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
}

export function parseTextCsv(text: string, name: string, s: CsvDataset, kind: LabelKind, file = name): TextTable {
  const src = { path: file, name };
  const t = table(text, s, src);
  const col = resolveColumn(s.text!, t.columns, t.names, src, 'text');
  const label = labelColumn(s, t, src);
  if (label === col) throw new DataError(`${name}: the text column is also the label column; name the label with "label"`, file);
  const lowercase = s.lowercase ?? DATASET_DEFAULTS.csv.lowercase;
  const tokens = t.rows.map((r) => tokenize(r.fields[col], lowercase));
  const { y, classNames } = targets(t.rows, label, kind, src);
  return { tokens, y, classNames, maxLength: s.maxLength ?? defaultMaxLength(tokens) };
}

export function readTextCsv(file: string, name: string, s: CsvDataset, kind: LabelKind, access?: FileAccess): TextTable {
  return parseTextCsv(readCsvText(file, name, access), name, s, kind, file);
}

function defaultMaxLength(tokens: string[][]): number {
  const lengths = tokens.map((t) => t.length).sort((a, b) => a - b);
  const p95 = lengths[Math.min(lengths.length - 1, Math.ceil(0.95 * lengths.length) - 1)] ?? 1;
  return Math.min(MAX_DEFAULT_LENGTH, Math.max(1, p95));
}

/** The `size` most frequent words of the training samples (ties alphabetical), as word -> id. */
export function buildVocabulary(tokens: string[][], train: Int32Array, size: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of train) for (const w of tokens[i]) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, size);
  return new Map(words.map(([w], k) => [w, FIRST_WORD_ID + k]));
}

/** Ids as float32 (exact below 2^24), `maxLength` per sample: the last tokens, padded at the start. */
export function encodeTokens(tokens: string[][], vocab: Map<string, number>, maxLength: number): Float32Array {
  const x = new Float32Array(tokens.length * maxLength).fill(PAD_ID);
  tokens.forEach((words, i) => {
    const kept = words.slice(-maxLength);
    const o = i * maxLength + (maxLength - kept.length);
    kept.forEach((w, j) => (x[o + j] = vocab.get(w) ?? OOV_ID));
  });
  return x;
}

/** Ids the embedding must take: padding, out-of-vocabulary and the words. */
export const vocabularyIds = (vocab: Map<string, number>): number => FIRST_WORD_ID + vocab.size;
