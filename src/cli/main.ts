// The `nas-studio` command. Every failure the user can cause ends in a one-line message, never a stack trace.
import { parseArgs, UsageError } from './args';
import { benchCommand } from './bench';
import { checkCommand } from './check';
import { exportCommand } from './export';
import { resumeCommand, runCommand, type RunCliOptions } from './run';

const USAGE = `usage: nas-studio <command> [options]

commands:
  check FILE... [--json]                check search spaces; exit 0 when there are no errors, 1 otherwise
  run SPEC [--max-trials N] [--minutes M] [--parallel P] [--backend auto|tensorflow|wasm|cpu] [--out DIR] [--json]
                                        run a search; results go to .nas-studio/runs/<run-id>/ beside SPEC
  resume RUN_DIR [--force] [same options as run]
                                        continue a stopped or crashed run to its budget
  export RUN_DIR [--trial ID | --best] --out DIR
                                        write a trial's tfjs model (model.json + weights.bin), architecture and README
  bench [--net NAME,...] [--steps N] [--rounds R] [--warmup N] [--only wasm|cpu|tensorflow] [--skip-peer] [--data DIR]
        [--suite] [--startup] [--scaling] [--memory] [--profile [--profile-top K]]
                                        training speed of the benchmark suite against PyTorch on one thread, worker start-up,
                                        scaling from 1 to 2 workers, memory over 50 trials (all but --profile unless some
                                        are named); --profile: per-kernel time of a step of each --net; last line JSON
`;

const RUN_FLAGS = { 'max-trials': 'number', minutes: 'number', parallel: 'number', backend: 'string', out: 'string', json: 'boolean' } as const;

function runOptions(flags: Record<string, string | number | boolean>): RunCliOptions {
  for (const k of ['max-trials', 'parallel'] as const) {
    if (flags[k] !== undefined && !Number.isInteger(flags[k])) throw new UsageError(`--${k} needs a whole number`);
  }
  return {
    maxTrials: flags['max-trials'] as number | undefined,
    minutes: flags.minutes as number | undefined,
    parallel: flags.parallel as number | undefined,
    backend: flags.backend as string | undefined,
    out: flags.out as string | undefined,
    json: !!flags.json,
    force: !!flags.force,
  };
}

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  const io = { out, err, tty: !!process.stderr.isTTY };
  try {
    switch (command) {
      case 'check': {
        const a = parseArgs(rest, { json: 'boolean' });
        if (a.positional.length === 0) throw new UsageError('check needs at least one FILE');
        return checkCommand(a.positional, { json: !!a.flags.json }, out);
      }
      case 'run': {
        const a = parseArgs(rest, RUN_FLAGS);
        if (a.positional.length !== 1) throw new UsageError('run needs exactly one SPEC file');
        return await runCommand(a.positional[0], runOptions(a.flags), io);
      }
      case 'resume': {
        const a = parseArgs(rest, { ...RUN_FLAGS, force: 'boolean' });
        if (a.positional.length !== 1) throw new UsageError('resume needs exactly one RUN_DIR');
        return await resumeCommand(a.positional[0], runOptions(a.flags), io);
      }
      case 'export': {
        const a = parseArgs(rest, { trial: 'string', best: 'boolean', out: 'string' });
        if (a.positional.length !== 1) throw new UsageError('export needs exactly one RUN_DIR');
        if (!a.flags.out) throw new UsageError('export needs --out DIR');
        if (a.flags.trial !== undefined && a.flags.best) throw new UsageError('use either --trial or --best');
        const trial = a.flags.trial === undefined ? undefined : Number(a.flags.trial);
        if (trial !== undefined && (!Number.isInteger(trial) || trial < 0)) throw new UsageError(`--trial needs a trial number, not '${a.flags.trial}'`);
        return exportCommand(a.positional[0], { trial, best: !!a.flags.best, out: String(a.flags.out) }, io);
      }
      case 'bench': {
        const a = parseArgs(rest, {
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
        });
        if (a.positional.length) throw new UsageError('bench takes no positional arguments');
        const f = a.flags;
        const nets = typeof f.net === 'string' ? f.net.split(',').filter((n) => n) : undefined;
        // --net alone measures those networks in the suite; with --profile it names what to profile.
        const suite = !!f.suite || !!f.throughput || (nets !== undefined && !f.profile);
        const named = suite || ['startup', 'scaling', 'memory', 'profile'].some((k) => f[k]);
        const on = (k: string) => !named || !!f[k];
        return await benchCommand(
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
          out,
        );
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`nas-studio: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`nas-studio: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
