// The `nas-studio` command. Every failure the user can cause ends in a short message (and, with --json, one
// `error` line of the contract in src/shared/cli.ts), never a stack trace. A command is one entry of COMMANDS.
import { BACKEND_CHOICES, EXIT, FLAG, type RunCliOptions } from '../shared/cli';
import type { EarlyWorker } from '../engine/pool';
import { parseArgs, UsageError, type FlagSpec } from './args';
import { checkCommand } from './check';
import { exportCommand } from './export';
import { exitWhenWritten, queueLoaded } from './queue';
import { CliFailure, reportFailure, type Io } from './report';
import { adoptPreforked, resumeCommand, runCommand } from './run';
import { statusCommand } from './status';
import { workerCommand } from './worker';

interface Command {
  /** The command line, as `help` and usage errors show it. */
  usage: string;
  /** What it does, in one or two lines. */
  about: string;
  flags: FlagSpec;
  run(positional: string[], flags: Record<string, string | number | boolean>, io: Io): number | Promise<number>;
}

const RUN_FLAGS = {
  [FLAG.maxTrials]: 'number',
  [FLAG.minutes]: 'number',
  [FLAG.parallel]: 'number',
  [FLAG.backend]: 'string',
  [FLAG.out]: 'string',
  [FLAG.runDir]: 'string',
  [FLAG.json]: 'boolean',
  [FLAG.queue]: 'string',
} as const;

const COMMANDS: Record<string, Command> = {
  check: {
    usage: 'check FILE... [--json]',
    about: 'check search spaces; exit 0 when there are no errors, 1 otherwise',
    flags: { [FLAG.json]: 'boolean' },
    run(files, flags, io) {
      if (files.length === 0) throw new UsageError('check needs at least one FILE');
      return checkCommand(files, { json: !!flags[FLAG.json] }, io);
    },
  },
  run: {
    usage: `run SPEC [--max-trials N] [--minutes M] [--parallel P] [--backend ${BACKEND_CHOICES.join('|')}] [--out DIR | --run-dir DIR] [--queue redis://HOST:PORT] [--json]`,
    about: `run a search; results go to .nas-studio/runs/<run-id>/ beside SPEC (--out: another folder of runs; --run-dir: this exact folder)
--queue: trials go to \`nas-studio worker\` processes through Redis (docs/DEPLOY.md)`,
    flags: RUN_FLAGS,
    run(pos, flags, io) {
      if (pos.length !== 1) throw new UsageError('run needs exactly one SPEC file');
      if (flags[FLAG.out] !== undefined && flags[FLAG.runDir] !== undefined) throw new UsageError('use either --out or --run-dir');
      return runCommand(
        pos[0],
        runOptions(flags),
        { out: flags[FLAG.out] as string | undefined, runDir: flags[FLAG.runDir] as string | undefined, json: !!flags[FLAG.json] },
        io,
      );
    },
  },
  resume: {
    usage: 'resume RUN_DIR [--force] [--take-over] [--max-trials N] [--minutes M] [--parallel P] [--backend B] [--queue URL] [--json]',
    about: "continue a stopped or crashed run to its budget; it keeps the run's own options unless given new ones",
    flags: { ...RUN_FLAGS, [FLAG.force]: 'boolean', [FLAG.takeOver]: 'boolean' },
    run(pos, flags, io) {
      if (pos.length !== 1) throw new UsageError('resume needs exactly one RUN_DIR');
      for (const f of [FLAG.out, FLAG.runDir]) if (flags[f] !== undefined) throw new UsageError(`resume continues in RUN_DIR; --${f} does not apply`);
      return resumeCommand(pos[0], runOptions(flags), { json: !!flags[FLAG.json], force: !!flags[FLAG.force], takeOver: !!flags[FLAG.takeOver] }, io);
    },
  },
  worker: {
    usage: `worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--backend ${BACKEND_CHOICES.join('|')}] [--data DIR] [--stall-seconds S]`,
    about: `train the trials of every run queued in that Redis, N at a time (default 1); dataset files arrive
by content hash into DIR (default ./nas-studio-data); a job whose worker is silent S seconds
(default 30) is retried elsewhere; rediss:// is TLS, REDIS_PASSWORD a password`,
    flags: { [FLAG.queue]: 'string', [FLAG.concurrency]: 'number', [FLAG.backend]: 'string', data: 'string', 'stall-seconds': 'number' },
    run(pos, flags, io) {
      if (pos.length) throw new UsageError('worker takes no positional arguments');
      const queue = flags[FLAG.queue];
      if (typeof queue !== 'string' || !queue) throw new UsageError('worker needs --queue redis://HOST:PORT');
      const concurrency = (flags[FLAG.concurrency] as number | undefined) ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency needs a whole number of at least 1');
      const stall = (flags['stall-seconds'] as number | undefined) ?? 30;
      if (!(stall >= 1)) throw new UsageError('--stall-seconds needs a number of at least 1');
      const backend = runOptions({ ...(flags[FLAG.backend] !== undefined ? { [FLAG.backend]: flags[FLAG.backend] } : {}) }).backend;
      return workerCommand({ queue, concurrency, backend, data: flags.data as string | undefined, stallSeconds: stall }, io);
    },
  },
  status: {
    usage: 'status RUN_DIR [--json]',
    about: 'what a run folder says: state, budget used, trials by state, best, the live process, and anything wrong with it',
    flags: { [FLAG.json]: 'boolean' },
    run(pos, flags, io) {
      if (pos.length !== 1) throw new UsageError('status needs exactly one RUN_DIR');
      return statusCommand(pos[0], { json: !!flags[FLAG.json] }, io);
    },
  },
  export: {
    usage: 'export RUN_DIR [--trial ID | --best] --out DIR',
    about: "write a trial's tfjs model (model.json + weights.bin), a loader for Node, its architecture and a README",
    flags: { [FLAG.trial]: 'string', [FLAG.best]: 'boolean', [FLAG.out]: 'string' },
    run(pos, flags, io) {
      if (pos.length !== 1) throw new UsageError('export needs exactly one RUN_DIR');
      if (!flags[FLAG.out]) throw new UsageError('export needs --out DIR');
      if (flags[FLAG.trial] !== undefined && flags[FLAG.best]) throw new UsageError('use either --trial or --best');
      const raw = flags[FLAG.trial];
      const trial = raw === undefined ? undefined : Number(raw);
      if (trial !== undefined && (!Number.isInteger(trial) || trial < 0)) throw new UsageError(`--trial needs a trial number, not '${raw}'`);
      return exportCommand(pos[0], { trial, best: !!flags[FLAG.best], out: String(flags[FLAG.out]) }, io);
    },
  },
  bench: {
    usage: `bench [--net NAME,...] [--steps N] [--rounds R] [--warmup N] [--only wasm|cpu|tensorflow] [--skip-peer] [--data DIR]
        [--suite] [--startup] [--scaling] [--memory] [--profile [--profile-top K]]`,
    about: `training speed of the benchmark suite against PyTorch on one thread, worker start-up,
scaling from 1 to 2 workers, memory over 50 trials (all but --profile unless some
are named); --profile: per-kernel time of a step of each --net; a --net may also be
a layer spec such as c32k3-p-c64k5-p-d256-o0.2@128 (bench/netSpec.ts); last line JSON`,
    flags: {
      steps: 'number',
      rounds: 'number',
      warmup: 'number',
      only: 'string',
      'skip-peer': 'boolean',
      data: 'string',
      net: 'string',
      suite: 'boolean',
      // The suite's old name, when it measured the reference CNN alone.
      throughput: 'boolean',
      'profile-top': 'number',
      startup: 'boolean',
      scaling: 'boolean',
      memory: 'boolean',
      profile: 'boolean',
      'memory-trials': 'number',
      'scaling-trials': 'number',
    },
    async run(pos, f, io) {
      if (pos.length) throw new UsageError('bench takes no positional arguments');
      // Loaded on use: in dist/ the bench (and the tfjs it trains with) is its own bundle, bench.js, so that
      // `run`, `check` and `export` start without parsing it (scripts/build.mjs keeps it out of cli.js).
      // The .vsix leaves it out (the extension never runs it): say so instead of a module-not-found trace.
      // require, not import(): dist/cli.js runs this bundle through vm.Script (the code cache), where import() is not set up.
      let bench: typeof import('./bench');
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        bench = require('./bench.js') as typeof import('./bench');
      } catch (e) {
        throw new UsageError(`bench is not part of this installation (${(e as Error).message.split('\n')[0]}); run it from a clone: npm run bench`);
      }
      const { benchCommand } = bench;
      const nets = typeof f.net === 'string' ? f.net.split(',').filter((n) => n) : undefined;
      // --net alone measures those networks in the suite; with --profile it names what to profile.
      const suite = !!f.suite || !!f.throughput || (nets !== undefined && !f.profile);
      const named = suite || ['startup', 'scaling', 'memory', 'profile'].some((k) => f[k]);
      const on = (k: string) => !named || !!f[k];
      return benchCommand(
        {
          steps: (f.steps as number | undefined) ?? 10,
          rounds: (f.rounds as number | undefined) ?? 6,
          warmup: (f.warmup as number | undefined) ?? 5,
          nets,
          profileTop: (f['profile-top'] as number | undefined) ?? 15,
          only: f.only as string | undefined,
          skipPeer: !!f['skip-peer'],
          sections: { suite: !named || suite, startup: on('startup'), scaling: on('scaling'), memory: on('memory'), profile: !!f.profile },
          memoryTrials: (f['memory-trials'] as number | undefined) ?? 50,
          // Enough trials that the last, unpaired one does not dominate the two-worker time.
          scalingTrials: (f['scaling-trials'] as number | undefined) ?? 24,
          data: (f.data as string | undefined) ?? '/usr/share/datasets/fashion-mnist',
        },
        io.out,
      ).catch((e: unknown) => {
        // In dist/ bench.js carries its own copy of UsageError, so its usage errors (an unknown --net) are not
        // instances of ours and would print as internal errors.
        if (e instanceof Error && !(e instanceof UsageError) && (e as { kind?: unknown }).kind === 'usage') throw new UsageError(e.message);
        throw e;
      });
    },
  },
};

function runOptions(flags: Record<string, string | number | boolean>): RunCliOptions {
  for (const k of [FLAG.maxTrials, FLAG.parallel]) {
    if (flags[k] !== undefined && !Number.isInteger(flags[k])) throw new UsageError(`--${k} needs a whole number`);
  }
  const backend = flags[FLAG.backend] as string | undefined;
  if (backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  const o: RunCliOptions = {};
  if (flags[FLAG.maxTrials] !== undefined) o.maxTrials = flags[FLAG.maxTrials] as number;
  if (flags[FLAG.minutes] !== undefined) o.minutes = flags[FLAG.minutes] as number;
  if (flags[FLAG.parallel] !== undefined) o.parallel = flags[FLAG.parallel] as number;
  if (backend !== undefined) o.backend = backend as RunCliOptions['backend'];
  if (flags[FLAG.queue] !== undefined) o.queue = String(flags[FLAG.queue]);
  return o;
}

/** A command line as the CLI reads it (throws UsageError): lets callers check the lines they build. */
export function parseCommandLine(argv: string[]): { command: string; positional: string[]; flags: Record<string, string | number | boolean> } {
  const [name, ...rest] = argv;
  if (!name || !Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command '${name}'`);
  return { command: name, ...parseArgs(rest, COMMANDS[name].flags) };
}

const INDENT = ' '.repeat(40);

export function helpText(): string {
  const lines = ['usage: nas-studio <command> [options]', '', 'commands:'];
  for (const c of Object.values(COMMANDS)) {
    lines.push(`  ${c.usage}`);
    for (const l of c.about.split('\n')) lines.push(`${INDENT}${l}`);
  }
  lines.push(
    '',
    `exit codes: ${EXIT.ok} done, ${EXIT.failed} refused or failed, ${EXIT.usage} usage error, ${EXIT.specChanged} resume refused (spec changed),`,
  );
  lines.push(`${' '.repeat(12)}${EXIT.stopped} stopped by Ctrl+C or SIGTERM (resume it)`);
  return lines.join('\n');
}

function defaultIo(): Io {
  return {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    tty: !!process.stderr.isTTY,
    write: (s) => process.stderr.write(s),
    columns: process.stderr.columns,
  };
}

export async function main(argv: string[], out?: (s: string) => void, err?: (s: string) => void, tty?: Partial<Io>): Promise<number> {
  const d = defaultIo();
  const io: Io = out || err ? { out: out ?? d.out, err: err ?? d.err, tty: false, ...tty } : { ...d, ...tty };
  const [name, ...rest] = argv;
  const json = rest.includes(`--${FLAG.json}`);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const a = parseArgs(rest, command.flags);
    return await command.run(a.positional, a.flags, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const hint = command
        ? `usage: nas-studio ${command.usage.split('\n')[0]}\n(nas-studio help lists every command and option)`
        : 'nas-studio help lists the commands';
      return reportFailure(e, io, json, hint);
    }
    if (e instanceof CliFailure) return reportFailure(e, io, json);
    throw e;
  }
}

/**
 * The command line of this process, run to its exit code. `early`: a worker dist/cli.js (entry.ts) forked before
 * this bundle loaded, for the run or resume to take over; killed at the end if nothing did (a usage error).
 */
export function start(argv: string[], early?: EarlyWorker): Promise<void> {
  adoptPreforked(early);
  return main(argv)
    .then(
      (code) => {
        process.exitCode = code;
        if (queueLoaded()) exitWhenWritten(code);
      },
      (e: unknown) => {
        process.stderr.write(`nas-studio: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = EXIT.internal;
      },
    )
    .finally(() => early?.release());
}

if (require.main === module) void start(process.argv.slice(2));
