// How sequence CSVs (time series, text) plug into loadDataset and probeDataset: what a loaded sample set
// carries besides its values, the split each needs (chronological; stratified for text, then encoded with a
// vocabulary from the training part only), and the cheap probe the checker reads.
import type { CsvDataset } from '../../shared/spec';
import { DATASET_DEFAULTS } from '../defaults';
import { CSV_FULL_READ_LIMIT, csvSize, readCsvHeader, type LabelKind } from './csv';
import { DataError } from './errors';
import type { FileAccess } from './files';
import {
  buildVocabulary,
  chronologicalSplit,
  encodeTokens,
  isText,
  isTimeSeries,
  readTextCsv,
  readTimeSeries,
  timeSeriesShape,
  vocabularyIds,
} from './sequenceCsv';

/** What a time series or text sample set carries beyond values and labels. */
export interface SequenceExtras {
  /** Time series: each sample's first row; a sample covers `span` rows; the file has `rows`. */
  time?: { starts: Int32Array; span: number; rows: number };
  /** Text: each sample's words, encoded once the training part is known. */
  text?: { tokens: string[][]; maxLength: number; vocabularySize: number };
  /** Text: token ids are below this (set by encodeText). */
  vocabulary?: number;
}

export interface SequenceRaw extends SequenceExtras {
  x: Float32Array;
  y: Int32Array | Float32Array;
  inputShape: number[];
  classes: number;
  classNames?: string[];
}

export const isSequenceCsv = (s: CsvDataset): boolean => isTimeSeries(s) || isText(s);

function exclusive(s: CsvDataset): void {
  if (isTimeSeries(s) && isText(s)) throw new DataError('a csv dataset is either a time series ("window") or text ("text"), not both');
  if (isText(s) && s.normalize !== undefined && s.normalize !== 'none') throw new DataError('normalize does not apply to text: token ids are used as they are');
}

export function loadSequenceCsv(s: CsvDataset, file: string, kind: LabelKind, access?: FileAccess): SequenceRaw {
  exclusive(s);
  if (isTimeSeries(s)) {
    const t = readTimeSeries(file, s.path, s, kind, access);
    return {
      x: t.x,
      y: t.y,
      inputShape: [t.window, t.features.length],
      classes: t.classNames?.length ?? 1,
      classNames: t.classNames,
      time: { starts: t.starts, span: t.window + t.horizon, rows: t.rows },
    };
  }
  const t = readTextCsv(file, s.path, s, kind, access);
  return {
    x: new Float32Array(0),
    y: t.y,
    inputShape: [t.maxLength],
    classes: t.classNames?.length ?? 1,
    classNames: t.classNames,
    text: { tokens: t.tokens, maxLength: t.maxLength, vocabularySize: s.vocabularySize ?? DATASET_DEFAULTS.csv.vocabularySize },
  };
}

/** The extras of the samples `idx`, in that order (a subset). */
export function pickExtras(r: SequenceExtras, idx: Int32Array): SequenceExtras {
  return {
    ...r,
    time: r.time && { ...r.time, starts: Int32Array.from(idx, (i) => r.time!.starts[i]) },
    text: r.text && { ...r.text, tokens: Array.from(idx, (i) => r.text!.tokens[i]) },
  };
}

/** Time series split by time; undefined for anything else (the caller's stratified split applies). */
export function sequenceSplit(r: SequenceExtras, fraction: number): { train: Int32Array; val: Int32Array } | undefined {
  return r.time ? chronologicalSplit(r.time.starts, r.time.span, r.time.rows, fraction) : undefined;
}

/** Text: the ids of every sample, with the vocabulary of the training samples only. In place. */
export function encodeText(r: SequenceRaw, train: Int32Array): void {
  if (!r.text) return;
  const vocab = buildVocabulary(r.text.tokens, train, r.text.vocabularySize);
  r.x = encodeTokens(r.text.tokens, vocab, r.text.maxLength);
  r.vocabulary = vocabularyIds(vocab);
}

/**
 * Shape, classes, samples and vocabulary for the checker. Small files are read whole (text then needs the
 * split, hence `split`); for large ones the header gives the shape, and the vocabulary is its upper bound.
 */
export function probeSequenceCsv(
  s: CsvDataset,
  file: string,
  kind: LabelKind,
  split: (y: Int32Array | Float32Array, classes: number) => Int32Array,
  access?: FileAccess,
): { inputShape: number[]; classes?: number; samples?: number; vocabulary?: number } {
  exclusive(s);
  // refuses special, oversized and (untrusted) outside files before anything is read
  const big = csvSize(file, s.path, access) > CSV_FULL_READ_LIMIT;
  if (big) {
    if (isTimeSeries(s)) {
      const t = timeSeriesShape(s, readCsvHeader(file, s, s.path, access), { path: file, name: s.path });
      return { inputShape: [t.window, t.features.length] };
    }
    if (s.maxLength === undefined) throw new DataError(`${s.path} is too large to measure its texts cheaply: set maxLength`, file);
    return { inputShape: [s.maxLength], vocabulary: (s.vocabularySize ?? DATASET_DEFAULTS.csv.vocabularySize) + 2 };
  }
  const r = loadSequenceCsv(s, file, kind, access);
  const classes = kind === 'regression' ? 1 : r.classes;
  if (r.text) encodeText(r, split(r.y, classes));
  return { inputShape: r.inputShape, classes, samples: r.y.length, vocabulary: r.vocabulary };
}
