// How the CLI talks back: human lines on stderr, and with `--json` the machine lines of the contract in
// src/shared/cli.ts on stdout. A refusal or failure is thrown as a CliFailure and reported once, in one place.
import { exitCodeOf, type CliError, type CliErrorKind, type ExitCode } from '../shared/cli';

export interface Io {
  /** stdout, one line per call. */
  out: (s: string) => void;
  /** stderr, one line per call. */
  err: (s: string) => void;
  /** stderr is a terminal: draw a live progress line there. */
  tty: boolean;
  /** Raw stderr writes for the live line (no newline added). */
  write?: (s: string) => void;
  /** The terminal's width, for the live line. */
  columns?: number;
}

export class CliFailure extends Error {
  constructor(
    readonly kind: CliErrorKind,
    message: string,
    readonly details: string[] = [],
    /** What to do about it, for people (the JSON line leaves it out: a program has its own remedy). */
    readonly hint?: string,
  ) {
    super(message);
  }

  get exitCode(): ExitCode {
    return exitCodeOf(this.kind);
  }
}

/** Prints a failure: `nas-studio: message` and its details on stderr; with --json also the `error` line on stdout. */
export function reportFailure(f: CliFailure, io: Pick<Io, 'out' | 'err'>, json: boolean, hint = f.hint): ExitCode {
  if (f.kind === 'spec-invalid') {
    // Findings in the compiler format first (FILE:LINE:COL: error: ...), as `check` prints them.
    for (const d of f.details) io.err(d);
    io.err(`nas-studio: ${f.message}`);
  } else {
    io.err(`nas-studio: ${f.message}`);
    for (const d of f.details) io.err(`  ${d}`);
  }
  if (hint) io.err(hint);
  if (json) {
    const line: CliError = { type: 'error', kind: f.kind, message: f.message, ...(f.details.length ? { details: f.details } : {}) };
    io.out(JSON.stringify(line));
  }
  return f.exitCode;
}
