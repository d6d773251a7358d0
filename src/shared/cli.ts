// The contract between the `nas-studio` command and the programs that run it (the extension, scripts, CI):
// its exit codes, the option names they pass, and the lines `--json` prints, each declared once here with a
// guard for the reading side. Human output (stderr, the progress line) is not part of it: never parse it.
// Adding a command or a line type: add it here, give it a guard, and list it in docs/ARCHITECTURE.md.
import { isRunEvent, type RunAnalysis, type RunEvent, type RunFinished, type MetricName } from './events';
import type { TrialConfig } from './arch';

/** Exit codes. Anything else (a signal, 1 from a crashed runtime) is an unexpected end. */
export const EXIT = {
  /** Done: the check found no error, the search ran to its end, the export was written. */
  ok: 0,
  /** The input was refused (spec errors, a file that cannot be read, not a run folder) or the run failed. */
  failed: 1,
  /** The command line was wrong; nothing was done. */
  usage: 2,
  /** A bug: an exception nobody expected. */
  internal: 3,
  /** `resume` refused because the spec changed since the run started; `--force` goes on anyway. */
  specChanged: 4,
  /** Stopped by SIGINT or SIGTERM (128 + 2, as shells report Ctrl+C); the run can be resumed. */
  stopped: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Option names of `run`, `resume` and `export`, as the parser reads them and the extension writes them. */
export const FLAG = {
  json: 'json',
  out: 'out',
  /** `run`: the exact run folder to create (the caller names it, so it knows where to look before any output). */
  runDir: 'run-dir',
  maxTrials: 'max-trials',
  minutes: 'minutes',
  parallel: 'parallel',
  backend: 'backend',
  force: 'force',
  /** `resume`: take over the run's lock held by a process on another host (that host's process cannot be probed). */
  takeOver: 'take-over',
  trial: 'trial',
  best: 'best',
  /** `run`, `resume`, `worker`: the Redis that carries trials to `nas-studio worker` processes (redis:// or rediss://). */
  queue: 'queue',
  /** `worker`: trials at once. */
  concurrency: 'concurrency',
} as const;

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/** The options of a run that `resume` keeps unless it is given new ones (recorded in run.json). */
export interface RunCliOptions {
  maxTrials?: number;
  minutes?: number;
  parallel?: number;
  backend?: (typeof BACKEND_CHOICES)[number];
  /** The queue's URL without its password (REDIS_PASSWORD or the URL given to `resume` supplies it). */
  queue?: string;
}

/** The last line of `run --json` and `resume --json` when the search ran (also after a stop or a failure). */
export interface RunSummary {
  type: 'summary';
  reason: RunFinished['reason'];
  message?: string;
  /** Absolute. */
  runDir: string;
  trials: { completed: number; failed: number; pruned: number; cut: number; running: number; done: number };
  best: SummaryBest | null;
  /** The kept trials' test-set scores (`dataset.test`), best validation first; null when the spec names no test set. */
  test?: TestSummary | null;
  /** Present when this launch ended with an analysis (budget, time or space exhausted). */
  analysis?: RunAnalysis;
}

/** A trial's test-set score, named as in the journal's `test-evaluated` event. */
export interface TestFields {
  test_accuracy?: number;
  test_loss?: number;
  test_samples?: number;
  /** Why the trial has no score. */
  test_error?: string;
}

export interface SummaryBest extends TestFields {
  trial: number;
  value: number;
  metric?: MetricName;
  params?: number;
  config: TrialConfig;
}

export interface TestSummary {
  /** The test set in words: its file, or the held-out fraction. */
  set: string;
  trials: ({ trial: number; value?: number } & TestFields)[];
}

/** Why a command refused or failed, in words a program can switch on. */
export const ERROR_KINDS = ['usage', 'unreadable', 'spec-invalid', 'spec-changed', 'not-a-run', 'run-busy', 'no-trial', 'run-failed', 'unreachable'] as const;
export type CliErrorKind = (typeof ERROR_KINDS)[number];

/** `--json`: the last line when a command refuses or fails before it could run (a search that ran ends in a summary). */
export interface CliError {
  type: 'error';
  kind: CliErrorKind;
  message: string;
  /** Lines that explain it: the changed paths of a refused resume, the findings of an invalid spec. */
  details?: string[];
}

/** The exit code that goes with an error line. */
export function exitCodeOf(kind: CliErrorKind): ExitCode {
  return kind === 'usage' ? EXIT.usage : kind === 'spec-changed' ? EXIT.specChanged : EXIT.failed;
}

/** One line of `run --json` / `resume --json`: run events as the journal holds them, then a summary or an error. */
export type CliLine = RunEvent | RunSummary | CliError;

export function isRunSummary(v: unknown): v is RunSummary {
  const s = v as RunSummary;
  return !!s && typeof s === 'object' && s.type === 'summary' && typeof s.runDir === 'string' && typeof s.reason === 'string' && !!s.trials;
}

export function isCliError(v: unknown): v is CliError {
  const e = v as CliError;
  return !!e && typeof e === 'object' && e.type === 'error' && typeof e.message === 'string' && (ERROR_KINDS as readonly string[]).includes(e.kind);
}

/** A line of `--json` output, or undefined for anything else (a blank line, a torn line, stray output). */
export function parseCliLine(line: string): CliLine | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  return isRunEvent(v) || isRunSummary(v) || isCliError(v) ? v : undefined;
}

/** What `status RUN_DIR` finds; `--json` prints it as one line. */
export interface RunStatusReport {
  type: 'status';
  /** Absolute. */
  runDir: string;
  name?: string;
  /**
   * running: the lock names a live process of this run; elsewhere: a process on another host (cannot be told);
   * finished (budget, time, space exhausted), stopped, failed (the run recorded an error), crashed (it ended
   * without finishing its journal), empty (no event yet).
   */
  state: 'running' | 'elsewhere' | 'finished' | 'stopped' | 'failed' | 'crashed' | 'empty';
  /** Why the last launch ended, as its run-finished says (the error of a failed run, who stopped it). */
  message?: string;
  /** Whether `resume` would continue it. */
  resumable: boolean;
  budget: { trials?: number; minutes?: number; trialsDone: number; activeMs: number };
  trials: { completed: number; failed: number; pruned: number; cut: number; running: number; done: number };
  best: { trial: number; value: number; metric?: MetricName } | null;
  /** The process the lock names, and what became of it. */
  process: { pid: number; host: string; started: string; state: 'running' | 'stale' | 'elsewhere' } | null;
  /** What is wrong with the folder, in words (a torn journal line, damage, a stale lock, missing files). */
  problems: string[];
}

export function isRunStatusReport(v: unknown): v is RunStatusReport {
  const r = v as RunStatusReport;
  return !!r && typeof r === 'object' && r.type === 'status' && typeof r.runDir === 'string' && typeof r.state === 'string' && Array.isArray(r.problems);
}

/** `check --json`: one object (pretty-printed over several lines) for all the files. */
export interface CheckReport {
  files: CheckedFile[];
  errors: number;
  warnings: number;
}

export interface CheckedFile {
  file: string;
  diagnostics: {
    severity: 'error' | 'warning' | 'info';
    /** One-based, like every compiler. */
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    code?: string;
    path?: string;
    /** The cases of a mistake several configurations make (see Diagnostic.related). */
    related?: { message: string; line: number; column: number; path: string }[];
  }[];
  summary?: Record<string, unknown>;
}

export function isCheckReport(v: unknown): v is CheckReport {
  const r = v as CheckReport;
  return !!r && typeof r === 'object' && Array.isArray(r.files) && typeof r.errors === 'number' && typeof r.warnings === 'number';
}
