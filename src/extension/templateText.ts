// The starting points offered by "New Search Space": the shipped examples, adapted to live in the user's folder.
import * as jsonc from 'jsonc-parser';
import { applyEdits, removeProperty, replaceValue } from './jsonEdits';

export interface Template {
  label: string;
  detail: string;
  /** File under examples/. */
  file: string;
  /** Data files under examples/ it refers to by a relative path, copied beside the new spec. */
  data?: string[];
}

export const TEMPLATES: readonly Template[] = [
  {
    label: 'Synthetic images',
    detail: 'Generated 16x16 shapes: runs anywhere in about a minute, no downloads. Convolution blocks vs dense.',
    file: 'synthetic-shapes.nas.json',
  },
  {
    label: 'Fashion-MNIST',
    detail: 'A small CNN space on the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist).',
    file: 'fashion-mnist.nas.json',
  },
  {
    label: 'Cell-based (NAS-Bench-201 style)',
    detail: 'One cell whose edges each pick an operation, stacked in stages; evolution search.',
    file: 'cells.nas.json',
  },
  {
    label: 'Tabular CSV',
    detail: 'An MLP over the numeric columns of a CSV file; a sample file is copied beside the spec.',
    file: 'tabular-csv.nas.json',
    data: ['data/sensors.csv'],
  },
];

/**
 * The example's text for a new file: its `$schema` points into this repository's layout and would not resolve
 * from the user's folder (the extension associates the schema with every *.nas.json anyway), and it takes
 * the new file's name. Comments and layout stay as written.
 */
export function instantiate(text: string, name?: string): string {
  let root = jsonc.parseTree(text, [], { allowTrailingComma: true });
  const schemaProp = root?.children?.find((p) => p.children?.[0]?.value === '$schema');
  if (schemaProp) {
    text = applyEdits(text, removeProperty(text, schemaProp));
    root = jsonc.parseTree(text, [], { allowTrailingComma: true });
  }
  if (name && root && jsonc.findNodeAtLocation(root, ['name'])) text = applyEdits(text, replaceValue(text, root, ['name'], name));
  return text;
}

/** `my search.nas.json` -> `my search`. */
export function specName(fileName: string): string {
  return fileName.replace(/\.nas\.json$/i, '').replace(/\.json$/i, '');
}
