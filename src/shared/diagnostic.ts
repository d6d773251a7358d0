/** Zero-based line and character, as VS Code counts them. The CLI prints them one-based. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** One finding of the checker; `code` lets quick fixes recognise it. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** JSON path of the offending value, e.g. `architecture.layers[2].kernelSize`. */
  path: string;
  code: DiagnosticCode;
  /** Extra data for quick fixes (e.g. the unknown key, the suggested name). */
  data?: Record<string, string | number>;
  /** One mistake with several cases (configurations that make it): each case where its cause is decided. */
  related?: { message: string; path: string; range: Range }[];
}

export type DiagnosticCode =
  | 'syntax'
  | 'duplicate-key'
  | 'unknown-property'
  | 'missing-property'
  | 'schema'
  | 'reversed-bounds'
  | 'empty-range'
  | 'log-bounds'
  | 'step'
  | 'shape'
  | 'dataset'
  | 'strategy'
  | 'cell'
  | 'size';
