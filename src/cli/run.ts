// `nas-studio run` and `nas-studio resume`: check the spec, drive the orchestrator, report progress (see
// progress.ts) and the summary (summary.ts). Failures are CliFailures, reported by main.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, type RunCliOptions } from '../shared/cli';
import type { NasSpec } from '../shared/spec';
import { checkText } from '../core/check';
import { canonical, comparablePart, diffPaths, readMeta, runPaths, writeMeta } from '../core/rundir';
import { Orchestrator, RunError, type RunOutcome } from '../engine/orchestrator';
import { defaultWorkerEntry, EarlyWorker, ForkTransport } from '../engine/pool';
import { UsageError } from './args';
import { readTextFile, requireRunDir } from './files';
import { formatDiagnostic } from './format';
import { LiveProgress } from './progress';
import { CliFailure, type Io } from './report';
import { selfCommand } from './self';
import { printSummary, summaryLine } from './summary';
import { queueTransport, refusedByQueue } from './queue';

/** Where a new run goes: a folder of runs (`--out`) or the exact run folder (`--run-dir`). */
export interface RunTarget {
  out?: string;
  runDir?: string;
  json: boolean;
}

interface Loaded {
  spec: NasSpec;
  text: string;
}

/**
 * The spec in `file`, or a CliFailure listing its errors in the compiler format. `dataFrom`: the spec file its
 * data paths are relative to, when `file` is a copy elsewhere (a run's snapshot lives in the run folder).
 */
function loadSpec(file: string, dataFrom = file): Loaded {
  const text = readTextFile(file);
  const r = checkText(text, { file: path.resolve(dataFrom) });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !r.spec) {
    const n = errors.length || 1;
    throw new CliFailure(
      'spec-invalid',
      `${file}: ${n} error${n === 1 ? '' : 's'}; nothing was run`,
      errors.map((d) => formatDiagnostic(file, d)),
    );
  }
  return { spec: r.spec, text };
}

export async function runCommand(file: string, o: RunCliOptions, target: RunTarget, io: Io): Promise<number> {
  if (target.runDir && fs.existsSync(runPaths(path.resolve(target.runDir)).journal)) {
    throw new UsageError(`${target.runDir} already holds a run; resume it, or give a new folder to --run-dir`);
  }
  const early = earlyWorker(o);
  try {
    const loaded = loadSpec(file);
    return await drive(
      {
        spec: loaded.spec,
        specText: loaded.text,
        specFile: path.resolve(file),
        runsDir: target.out ? path.resolve(target.out) : undefined,
        runDir: target.runDir ? path.resolve(target.runDir) : undefined,
        // run.json is readable by anyone who can read the run: a queue password stays out of it.
        cliOptions: o.queue ? { ...o, queue: redactPassword(o.queue) } : o,
      },
      o,
      target.json,
      io,
      early,
    );
  } finally {
    early?.release();
  }
}

/** Forked by dist/cli.js before this bundle loaded (entry.ts): the command's run or resume takes it over. */
let preforked: EarlyWorker | undefined;

export function adoptPreforked(w: EarlyWorker | undefined): void {
  preforked = w;
}

/**
 * A local run's first worker, forked before anything else so that its tfjs load overlaps the spec check,
 * the run folder and the journal (0.2-0.6 s on 2 cores). A queue on the command line needs none.
 */
function earlyWorker(o: RunCliOptions): EarlyWorker | undefined {
  const forked = preforked;
  preforked = undefined;
  if (o.queue) {
    forked?.release();
    return undefined;
  }
  return forked ?? new EarlyWorker(defaultWorkerEntry());
}

export async function resumeCommand(dir: string, given: RunCliOptions, o: { json: boolean; force: boolean; takeOver?: boolean }, io: Io): Promise<number> {
  const p = requireRunDir(dir);
  const early = earlyWorker(given);
  try {
    return await resumeWith(dir, p, given, o, io, early);
  } finally {
    early?.release();
  }
}

async function resumeWith(
  dir: string,
  p: ReturnType<typeof requireRunDir>,
  given: RunCliOptions,
  o: { json: boolean; force: boolean; takeOver?: boolean },
  io: Io,
  early: EarlyWorker | undefined,
): Promise<number> {
  const meta = readMeta(p.dir);
  if (!meta) throw new CliFailure('not-a-run', `${dir} is not a run folder (its run.json is missing or unreadable)`);
  // The run's own options (its --max-trials, --minutes...) hold unless this resume gives new ones.
  const options: RunCliOptions = { ...meta.options, ...given };
  const snapshot = loadSpec(p.spec, meta.specFile);
  // The spec file may have been edited since: use it if old trials stay comparable, refuse otherwise.
  let use = snapshot;
  if (fs.existsSync(meta.specFile)) {
    const current = loadSpec(meta.specFile);
    const a = comparablePart(snapshot.spec);
    const b = comparablePart(current.spec);
    if (canonical(a) !== canonical(b)) {
      const changes = diffPaths(a, b);
      if (!o.force) {
        throw new CliFailure(
          'spec-changed',
          `${meta.specFile} changed since this run started, so its finished trials are not comparable:`,
          changes,
          'Run it as a new search, or resume anyway with --force (the changed spec is used from now on).',
        );
      }
      io.err(`nas-studio: continuing with the changed spec (--force): ${changes.join('; ')}`);
    }
    use = current;
  }
  if (Object.keys(given).length) writeMeta(p.dir, { ...meta, options: options.queue ? { ...options, queue: redactPassword(options.queue) } : options });
  return drive({ spec: use.spec, specText: use.text, specFile: meta.specFile, resumeDir: p.dir, takeOverLock: o.takeOver }, options, o.json, io, early);
}

async function drive(
  base: {
    spec: NasSpec;
    specText: string;
    specFile: string;
    runsDir?: string;
    runDir?: string;
    resumeDir?: string;
    takeOverLock?: boolean;
    cliOptions?: RunCliOptions;
  },
  o: RunCliOptions,
  json: boolean,
  io: Io,
  early: EarlyWorker | undefined,
): Promise<number> {
  // Only a run with a queue loads BullMQ and ioredis. The command line's queue wins over the spec's.
  const queue = o.queue ?? base.spec.search?.queue;
  if (queue) early?.release();
  const refused = queue ? refusedByQueue(base.spec, base.specText, base.specFile) : [];
  if (refused.length) throw new CliFailure('spec-invalid', `${base.specFile}: this search cannot run through a queue; nothing was run`, refused);
  const transport = queue ? await queueTransport(queue) : new ForkTransport(defaultWorkerEntry(), undefined, early);
  const progress = new LiveProgress(io, json ? 'json' : io.tty ? 'tty' : 'plain');
  let orch: Orchestrator;
  try {
    orch = new Orchestrator({
      ...base,
      maxTrials: o.maxTrials,
      minutes: o.minutes,
      parallel: o.parallel,
      backend: o.backend,
      transport,
      onEvent: (e) => progress.event(e),
    });
  } catch (e) {
    void transport.close();
    if (e instanceof RunError) throw new CliFailure('run-busy', e.message);
    if ((e as Error).name === 'JournalError') throw new CliFailure('unreadable', (e as Error).message);
    throw e;
  }
  progress.attach(orch.state);
  if (!json) io.err(`run folder: ${path.relative(process.cwd(), orch.runDir) || orch.runDir}`);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(EXIT.stopped);
    progress.print(`\n${sig === 'SIGINT' ? 'Ctrl+C' : sig}: stopping; finished trials are kept (press again to quit at once)`);
    orch.stop(stopMessage(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome: RunOutcome;
  try {
    outcome = await orch.run();
  } catch (e) {
    // another resume took the lock between the constructor's check and run()
    if (e instanceof RunError) throw new CliFailure('run-busy', e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.close();
  }
  if (json) io.out(JSON.stringify(summaryLine(outcome)));
  else printSummary(outcome, io, selfCommand(), progress.timing);
  if (outcome.reason === 'error') {
    io.err(`nas-studio: ${outcome.message}`);
    return EXIT.failed;
  }
  return outcome.reason === 'stopped' ? EXIT.stopped : EXIT.ok;
}

/** A queue URL without its password (no URL parser: this file must not load the queue to say so). */
function redactPassword(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/]*@/, '$1');
}

/** What the journal and the panel say about a stop: SIGINT is a person (Ctrl+C, or Stop in the editor). */
export function stopMessage(sig: NodeJS.Signals): string {
  return sig === 'SIGINT' ? 'stopped by the user' : `stopped: the process was asked to end (${sig})`;
}
