// Checks of `dataset.test`: the fractions leave data to train on, and test files exist, agree with each other
// and hold samples shaped like the training ones (headers only). Called from check.ts once the data probe passed.
import * as path from 'node:path';
import type { Diagnostic } from '../shared/diagnostic';
import type { CsvDataset, NasSpec } from '../shared/spec';
import { SEQUENCE_TEST } from './data/dataset';
import { DataError } from './data/errors';
import { isSequenceCsv } from './data/sequenceData';
import type { FileAccess } from './data/files';
import { probeTestSet, testSetOf } from './data/testset';
import { DATASET_DEFAULTS } from './defaults';
import { formatPath, valueRange, type ParsedDoc } from './json';

export function testSetDiagnostics(
  doc: ParsedDoc,
  spec: NasSpec,
  baseDir: string | undefined,
  trainShape: readonly number[] | undefined,
  access?: FileAccess,
): Diagnostic[] {
  const t = testSetOf(spec.dataset);
  if (!t) return [];
  const diag = (at: string[], message: string): Diagnostic => ({
    severity: 'error',
    code: 'dataset',
    path: formatPath(at),
    range: valueRange(doc, at),
    message,
  });
  if (spec.dataset.source === 'csv' && isSequenceCsv(spec.dataset as CsvDataset)) return [diag(['dataset', 'test'], SEQUENCE_TEST)];
  if ('fraction' in t) {
    const split = spec.dataset.validationSplit ?? DATASET_DEFAULTS.validationSplit;
    if (t.fraction + split >= 1) {
      return [
        diag(
          ['dataset', 'test', 'fraction'],
          `test fraction ${t.fraction} and validationSplit ${split} leave no samples to train on (together they must stay below 1)`,
        ),
      ];
    }
    return [];
  }
  if (baseDir === undefined || !trainShape) return [];
  try {
    probeTestSet(spec.dataset, spec.task, baseDir, trainShape, access);
    return [];
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    // Underline the file the error is about: the labels when they are the odd one out, else the images.
    const key = 'images' in t ? (err.file === path.resolve(baseDir, t.labels) && !err.message.startsWith('test samples') ? 'labels' : 'images') : 'path';
    return [diag(['dataset', 'test', key], err.message)];
  }
}
