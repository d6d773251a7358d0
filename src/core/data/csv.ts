// CSV as people actually write it: RFC 4180 quoting, CRLF or LF, a BOM from Excel, blank trailing lines.
import { closest } from '../text';
import { DataError } from './errors';
import { checkSize, FILE_LIMITS, type FileAccess, formatBytes, quoteValue, readAt, readTextBounded, withFile } from './files';

export interface CsvOptions {
  /** One character; default ','. */
  delimiter?: string;
  /** Whether the first row holds column names; default true. */
  header?: boolean;
  /** Header name or 0-based index of the label column; default the last column. */
  label?: string | number;
}

export interface CsvHeader {
  /** Number of columns, label included. */
  columns: number;
  /** Column names, when the file has a header row. */
  names?: string[];
  labelIndex: number;
  /** Names of the feature columns (from the header, else `column N`, 1-based). */
  featureNames: string[];
}

export interface CsvTable extends CsvHeader {
  rows: number;
  /** rows x features, row-major. */
  x: Float32Array;
  /** Class indices (classification) or targets (regression). */
  y: Int32Array | Float32Array;
  /** Classification only: names of the classes, index = class. */
  classNames?: string[];
}

export type LabelKind = 'classification' | 'regression';

/** Files below this size are parsed whole by the cheap probes too. */
export const CSV_FULL_READ_LIMIT = 50 * 1024 * 1024;

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** Offset just past the record (and its line break). */
  end: number;
  /** Whether a line break (rather than the end of the text) closed the record. */
  terminated: boolean;
}

/** `path` for fs and DataError.file, `name` (as the user wrote it) for messages. */
export interface Src {
  path: string;
  name: string;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Records of `text`, blank lines skipped. */
export function* records(text: string, delimiter: string, src: Src): Generator<CsvRecord> {
  const delim = delimiter.charCodeAt(0);
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let terminated = false;
    for (;;) {
      // one field
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        let parts = '';
        let from = ++i;
        for (;;) {
          if (i >= n) throw new DataError(`${src.name}:${quoteLine}: a quoted field is never closed`, src.path, quoteLine);
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            parts += text.slice(from, i);
            if (text.charCodeAt(i + 1) === QUOTE) {
              parts += '"';
              i += 2;
              from = i;
              continue;
            }
            i++;
            break;
          }
          if (c === LF) line++;
          i++;
        }
        // Lenient, like most readers: text after the closing quote is kept rather than rejected.
        const rest = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === delim || c === LF || c === CR) break;
          i++;
        }
        value = parts + text.slice(rest, i);
      } else {
        const from = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === delim || c === LF || c === CR) break;
          i++;
        }
        value = text.slice(from, i);
      }
      fields.push(value);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === delim) {
        i++;
        continue;
      }
      // line break: CRLF, LF or a lone CR
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      terminated = true;
      break;
    }
    if (fields.length === 1 && fields[0].trim() === '') continue;
    yield { fields, line: startLine, end: i, terminated };
  }
}

function resolveLabel(opts: CsvOptions, columns: number, names: string[] | undefined, src: Src): number {
  return opts.label === undefined ? columns - 1 : resolveColumn(opts.label, columns, names, src, 'label');
}

/** A column given by header name or 0-based index; `what` names the field in messages ("label", "text"...). */
export function resolveColumn(col: string | number, columns: number, names: string[] | undefined, src: Src, what: string): number {
  if (typeof col === 'number') {
    if (!Number.isInteger(col) || col < 0 || col >= columns) {
      throw new DataError(`${src.name}: ${what} column ${col} does not exist (columns are 0 to ${columns - 1})`, src.path);
    }
    return col;
  }
  if (!names) {
    throw new DataError(`${src.name}: ${what} "${col}" names a column, but header is false: give its 0-based index instead`, src.path);
  }
  const idx = names.indexOf(col);
  if (idx < 0) {
    const hint = closest(col, names);
    const list = names.slice(0, 20).map((n) => quoteValue(n, 30));
    throw new DataError(
      `${src.name}: no column named "${col}"${hint ? ` (did you mean "${hint}"?)` : ''}; columns: ${list.join(', ')}${names.length > 20 ? `, ... (${names.length} in all)` : ''}`,
      src.path,
    );
  }
  return idx;
}

function headerFrom(first: CsvRecord | undefined, opts: CsvOptions, src: Src): CsvHeader {
  if (!first) throw new DataError(`${src.name} is empty`, src.path);
  const columns = first.fields.length;
  const names = opts.header === false ? undefined : first.fields.map((f) => f.trim());
  if (columns < 2) {
    throw new DataError(
      `${src.name} has one column${opts.delimiter && opts.delimiter !== ',' ? '' : ' (is the delimiter right?)'}: it needs a label column and at least one feature column`,
      src.path,
    );
  }
  const labelIndex = resolveLabel(opts, columns, names, src);
  const featureNames: string[] = [];
  for (let c = 0; c < columns; c++) if (c !== labelIndex) featureNames.push(names ? names[c] : `column ${c + 1}`);
  return { columns, names, labelIndex, featureNames };
}

export function parseNumber(s: string, src: Src, line: number, col: number): number {
  const t = s.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) {
    throw new DataError(`${src.name}:${line}:${col}: ${t === '' ? 'empty value' : `'${quoteValue(t)}'`} is not a number`, src.path, line, col);
  }
  return v;
}

/** Parses CSV text; `name` is what messages call the file, `file` what DataError.file holds. */
export function parseCsv(text: string, name: string, opts: CsvOptions = {}, kind: LabelKind = 'classification', file = name): CsvTable {
  const src = { path: file, name };
  const it = records(text, opts.delimiter ?? ',', src);
  const first = it.next();
  const head = headerFrom(first.done ? undefined : first.value, opts, src);
  const { columns, labelIndex } = head;
  const feats = columns - 1;
  let x = new Float32Array(feats * 1024);
  const labels: string[] = [];
  const labelLines: number[] = [];
  let rows = 0;
  const take = (r: CsvRecord) => {
    if (r.fields.length !== columns) {
      throw new DataError(`${src.name}:${r.line}: ${r.fields.length} fields, expected ${columns}`, src.path, r.line);
    }
    if ((rows + 1) * feats > x.length) {
      const bigger = new Float32Array(x.length * 2);
      bigger.set(x);
      x = bigger;
    }
    let o = rows * feats;
    for (let c = 0; c < columns; c++) {
      if (c === labelIndex) continue;
      x[o++] = parseNumber(r.fields[c], src, r.line, c + 1);
    }
    const label = r.fields[labelIndex].trim();
    if (label === '') {
      throw new DataError(`${src.name}:${r.line}:${labelIndex + 1}: the label is empty`, src.path, r.line, labelIndex + 1);
    }
    labels.push(label);
    labelLines.push(r.line);
    rows++;
  };
  if (opts.header === false && !first.done) take(first.value);
  for (const r of it) take(r);
  if (rows === 0) throw new DataError(`${src.name} has a header but no data rows`, src.path);
  x = x.slice(0, rows * feats);

  if (kind === 'regression') {
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) y[i] = parseNumber(labels[i], src, labelLines[i], labelIndex + 1);
    return { ...head, rows, x, y };
  }
  const { y, classNames } = classIndices(labels);
  return { ...head, rows, x, y, classNames };
}

/** Maps label strings to class indices in sorted order of the distinct values (numeric order if all are numbers). */
export function classIndices(labels: readonly string[]): { y: Int32Array; classNames: string[] } {
  const numeric = labels.every((l) => l !== '' && Number.isFinite(Number(l)));
  const key = numeric ? (l: string) => String(Number(l)) : (l: string) => l;
  const distinct = [...new Set(labels.map(key))];
  if (numeric) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(distinct.map((d, i) => [d, i]));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = index.get(key(labels[i]))!;
  return { y, classNames: distinct };
}

export function readCsv(file: string, opts: CsvOptions = {}, kind: LabelKind = 'classification', name = file, access?: FileAccess): CsvTable {
  return parseCsv(readCsvText(file, name, access), name, opts, kind, file);
}

/** The whole text of a CSV file: a regular file within the size a string can hold. */
export function readCsvText(file: string, name = file, access?: FileAccess): string {
  return readTextBounded(file, name, FILE_LIMITS.csv, 'a CSV file', access);
}

/** The size of a CSV file that can be read (a regular file, allowed, not too large), without reading it. */
export function csvSize(file: string, name = file, access?: FileAccess): number {
  return withFile(file, name, access, (f) => {
    checkSize(f, FILE_LIMITS.csv, 'a CSV file');
    return f.size;
  });
}

/** Column count and names from the first record only, reading no more of the file than that takes (at most FILE_LIMITS.header). */
export function readCsvHeader(file: string, opts: CsvOptions = {}, name = file, access?: FileAccess): CsvHeader {
  const src = { path: file, name };
  return withFile(file, name, access, (f) => {
    const limit = Math.min(f.size, FILE_LIMITS.header);
    let chunk = Math.min(limit, 64 * 1024);
    for (;;) {
      const buf = readAt(f, 0, chunk);
      const complete = buf.length >= f.size;
      let first: CsvRecord | undefined;
      try {
        first = records(buf.toString('utf8'), opts.delimiter ?? ',', src).next().value ?? undefined;
      } catch (err) {
        // an open quote may just run past this chunk
        if (complete) throw err;
      }
      if (complete || (first && first.terminated)) return headerFrom(first, opts, src);
      if (chunk >= limit) {
        throw new DataError(`${name}: its first row is longer than ${formatBytes(FILE_LIMITS.header)}: is it a CSV file?`, file, 1);
      }
      chunk = Math.min(limit, chunk * 4);
    }
  });
}
