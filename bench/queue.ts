// `npm run bench:queue`: the same 24-trial search with 2 forked workers and with 2 `nas-studio worker` processes
// on a local redis-server (--queue), rounds interleaved. It prints trials per hour for each arm, the queue's cost
// in per cent of trials per hour, and the CPU time per trial of what the queue adds (orchestrator, the workers'
// relays, Redis), from which it projects the throughput of 16 and 64 workers; a last JSON line.
//
//   node --import tsx bench/queue.ts [--trials 24] [--rounds 1] [--spec examples/synthetic-shapes.nas.json]
//                                    [--long-epochs N [--long-trials 8]] [--keep]
//
// The strict case is the 24-trial synthetic search: its trials train about half a second each, so the queue's
// fixed cost per trial (the job's way to a worker and the result's way back, each Redis write flushed to its
// append-only file, `appendfsync always` as docs/DEPLOY.md sets it) weighs as much as it ever will. `--long-epochs`
// adds a second case, the same search with N epochs a trial (longer trials, as real searches have), measured the
// same way and printed beside the strict one.
//
// Where the time goes, per trial, from each run's journal: `slot` is the run's wall time (launch to end) times its
// 2 slots over the trials; `trial` is trial-started to its end on the orchestrator's clock; `train` is the worker's
// own durationMs (training plus its waits for pruning decisions); `dispatch` = trial - train (the job reaching a
// worker and its result coming back); `idle` = slot - trial (start-up, a slot waiting for its next trial, the tail).
// `--keep` leaves the runs' folders (journals, Redis logs) and prints where.
//
// Both arms run the built CLI (dist/cli.js) in child processes; a preloaded hook writes each process's CPU time
// as it exits, and on SIGUSR2. Redis's own CPU time comes from INFO. Queue workers are long-lived, and wait for
// runs with their training processes started: each run starts once both serve and those processes have loaded,
// and the workers' CPU counts from then (SIGUSR2) to their exit, not their own start-up.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { parse } from '../src/core/json';
import { readJournal } from '../src/core/journal';
import { runPaths } from '../src/core/rundir';
import { RunState } from '../src/core/runstate';
import type { RunEvent } from '../src/shared/events';
import { TestRedis } from '../test/helpers/redis';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

const root = path.join(__dirname, '..');
const cliJs = path.join(root, 'dist', 'cli.js');
const trials = Number(arg('trials', '24'));
const rounds = Number(arg('rounds', '1'));
const specFile = path.resolve(arg('spec', path.join(root, 'examples/synthetic-shapes.nas.json')));
const longEpochs = Number(arg('long-epochs', '0'));
const longTrials = Number(arg('long-trials', '8'));
const keep = process.argv.includes('--keep');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-bench-'));
const hook = path.join(work, 'cpu.cjs');
fs.writeFileSync(
  hook,
  `const w = (tag) => { const f = process.env.NAS_BENCH_CPU; if (f) require('fs').writeFileSync(f + '.' + process.pid + tag, JSON.stringify(process.cpuUsage())); };\n` +
    `process.on('exit', () => w('')); process.on('SIGUSR2', () => w('.start'));\n`,
);

interface Child {
  exit: Promise<number | null>;
  pid: number;
  kill(sig: NodeJS.Signals): void;
  output: () => string;
}

function start(args: string[], cwd: string, cpuFile: string): Child {
  const p = spawn(process.execPath, ['--require', hook, cliJs, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NAS_BENCH_CPU: cpuFile },
  });
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  p.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  return { exit: new Promise((r) => p.once('exit', (c) => r(c))), pid: p.pid!, kill: (s) => p.kill(s), output: () => out };
}

/** CPU seconds a process recorded as it exited (`.start`: when it got SIGUSR2). */
function cpuOf(file: string, pid: number, tag = ''): number {
  const u = JSON.parse(fs.readFileSync(`${file}.${pid}${tag}`, 'utf8')) as { user: number; system: number };
  return (u.user + u.system) / 1e6;
}

async function until(what: string, ok: () => boolean, ms = 60_000, every = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** CPU ticks of the processes these ones forked (Linux's /proc; elsewhere undefined). */
function childTicks(pids: number[]): { n: number; ticks: number } | undefined {
  try {
    let n = 0;
    let ticks = 0;
    for (const pid of pids) {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        // utime and stime: fields 14 and 15, counted after the command name's closing parenthesis.
        const f = fs.readFileSync(`/proc/${c}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks += Number(f[11]) + Number(f[12]);
        n++;
      }
    }
    return { n, ticks };
  } catch {
    return undefined;
  }
}

/** Until the workers' spare training processes exist and have stopped using CPU (loaded), or 3 s without /proc. */
async function sparesLoaded(pids: number[]): Promise<void> {
  if (!childTicks(pids)) return new Promise((r) => setTimeout(r, 3000));
  let last = -1;
  await until(
    'the spare training processes loaded',
    () => {
      const now = childTicks(pids);
      const quiet = !!now && now.n >= pids.length && now.ticks - last <= 1;
      last = now?.ticks ?? -1;
      return quiet;
    },
    60_000,
    300,
  );
}

async function redisCpu(url: string): Promise<number> {
  const r = new Redis(url);
  const info = await r.info('cpu');
  r.disconnect();
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

interface ArmRun {
  arm: 'fork' | 'queue';
  wallS: number;
  trialsPerHour: number;
  completed: number;
  /** CPU seconds: the orchestrator; for the queue, also the workers' relays (not their training processes) and Redis. */
  orchestratorCpuS: number;
  relayCpuS?: number;
  redisCpuS?: number;
  /** Mean ms per trial, from the journal (see the head of this file). */
  perTrialMs: Breakdown;
}

interface Breakdown {
  slot: number;
  trial: number;
  train: number;
  dispatch: number;
  idle: number;
}

/** Where each trial's share of the run's wall time went, from the journal alone. */
function breakdown(events: RunEvent[], slots: number): Breakdown {
  const t = (s: string) => Date.parse(s);
  const started = new Map<number, number>();
  let first: number | undefined;
  let last = 0;
  let n = 0;
  let trial = 0;
  let train = 0;
  for (const e of events) {
    if (e.type === 'run-started') first ??= t(e.launched ?? e.time);
    if (e.type === 'trial-started') started.set(e.trial, t(e.time));
    if (e.type === 'trial-completed' && started.has(e.trial)) {
      n++;
      trial += t(e.time) - started.get(e.trial)!;
      train += e.durationMs;
    }
    if (e.type === 'run-finished') last = t(e.time);
  }
  const slot = ((last - (first ?? last)) * slots) / Math.max(1, n);
  return { slot, trial: trial / n, train: train / n, dispatch: (trial - train) / n, idle: slot - trial / n };
}

/** One search measured in both arms: the strict case, or the same search with longer trials. */
interface Case {
  name: string;
  trials: number;
  /** Epochs a trial, in place of the spec's. */
  epochs?: number;
}

async function runArm(c: Case, arm: 'fork' | 'queue', round: number): Promise<ArmRun> {
  const { trials } = c;
  const dir = path.join(work, `${c.epochs ? `e${c.epochs}-` : ''}${arm}-${round}`);
  fs.mkdirSync(dir, { recursive: true });
  const spec = path.join(dir, path.basename(specFile));
  if (c.epochs) {
    const s = parse(fs.readFileSync(specFile, 'utf8')).value as { training: { epochs: unknown } };
    s.training.epochs = c.epochs;
    fs.writeFileSync(spec, JSON.stringify(s, null, 2));
  } else fs.copyFileSync(specFile, spec);
  const runDir = path.join(dir, 'run');
  const cpu = path.join(dir, 'cpu');
  let redis: TestRedis | undefined;
  const workers: Child[] = [];
  let redis0 = 0;
  const args = ['run', spec, '--max-trials', String(trials), '--parallel', '2', '--run-dir', runDir, '--json'];
  if (arm === 'queue') {
    redis = await TestRedis.start(path.join(dir, 'redis'));
    for (const w of ['w1', 'w2']) {
      fs.mkdirSync(path.join(dir, w));
      workers.push(start(['worker', '--queue', redis.url], path.join(dir, w), cpu));
    }
    await until('both workers serving', () => workers.every((w) => /serving redis:/.test(w.output())));
    // A worker waits for runs with its training processes started (spares); a run finds them loaded.
    await sparesLoaded(workers.map((w) => w.pid));
    for (const w of workers) w.kill('SIGUSR2');
    await until("the workers' CPU at the start", () => workers.every((w) => fs.existsSync(`${cpu}.${w.pid}.start`)));
    redis0 = await redisCpu(redis.url);
    args.push('--queue', redis.url);
  }
  const t0 = Date.now();
  const orch = start(args, dir, cpu);
  const code = await orch.exit;
  const wallS = (Date.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${arm} run failed (${code}): ${orch.output()}`);
  const events = readJournal(runPaths(runDir).journal).events;
  const completed = RunState.from(events).counts().completed;
  const result: ArmRun = {
    arm,
    wallS,
    trialsPerHour: (trials / wallS) * 3600,
    completed,
    orchestratorCpuS: cpuOf(cpu, orch.pid),
    perTrialMs: breakdown(events, 2),
  };
  if (redis) {
    result.redisCpuS = (await redisCpu(redis.url)) - redis0;
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exit));
    result.relayCpuS = workers.reduce((s, w) => s + cpuOf(cpu, w.pid) - cpuOf(cpu, w.pid, '.start'), 0);
    await redis.down();
  }
  return result;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Runs one case's rounds, prints them and its summary; returns the summary. */
async function measure(c: Case) {
  const { trials } = c;
  const runs: ArmRun[] = [];
  console.log(`${c.name}: ${trials} trials of ${path.relative(root, specFile)}${c.epochs ? ` with ${c.epochs} epochs a trial` : ''}`);
  for (let r = 0; r < rounds; r++) {
    // Interleaved, the order alternating: the shared machine's load drifts.
    for (const arm of r % 2 === 0 ? (['fork', 'queue'] as const) : (['queue', 'fork'] as const)) {
      const x = await runArm(c, arm, r);
      runs.push(x);
      console.log(
        `round ${r + 1} ${arm.padEnd(5)}: ${x.wallS.toFixed(1)} s wall, ${x.trialsPerHour.toFixed(0)} trials/h, ${x.completed} completed; CPU s: orchestrator ${x.orchestratorCpuS.toFixed(2)}${
          x.relayCpuS !== undefined ? `, relays ${x.relayCpuS.toFixed(2)}, redis ${x.redisCpuS!.toFixed(2)}` : ''
        }`,
      );
      const b = x.perTrialMs;
      console.log(
        `  ms per trial: slot ${b.slot.toFixed(0)} = trial ${b.trial.toFixed(0)} (train ${b.train.toFixed(0)} + dispatch ${b.dispatch.toFixed(0)}) + idle ${b.idle.toFixed(0)}`,
      );
    }
  }
  const fork = runs.filter((x) => x.arm === 'fork');
  const queue = runs.filter((x) => x.arm === 'queue');
  const forkTph = mean(fork.map((x) => x.trialsPerHour));
  const queueTph = mean(queue.map((x) => x.trialsPerHour));
  const cost = (1 - queueTph / forkTph) * 100;
  // What one trial costs the machines that do not train: the orchestrator (both arms), the relays and Redis.
  const orchPerTrial = mean(queue.map((x) => x.orchestratorCpuS)) / trials;
  const redisPerTrial = mean(queue.map((x) => x.redisCpuS!)) / trials;
  const relayPerTrial = mean(queue.map((x) => x.relayCpuS!)) / trials;
  // A trial's training time on one worker slot, from the forked arm: 2 workers, wall time per trial.
  const trialS = mean(fork.map((x) => (x.wallS * 2) / trials));
  // A slot of a queue worker is busy from a trial's start to its end as the orchestrator sees them (training plus
  // the job's way there and the result's way back), the relay's CPU running beside it in its own process.
  const queueTrialS = mean(queue.map((x) => x.perTrialMs.trial)) / 1000;
  // The orchestrator and Redis are each one thread: each caps the trials per hour; workers scale otherwise.
  const cap = 3600 / Math.max(orchPerTrial, redisPerTrial);
  const project = (w: number) => Math.min((w / queueTrialS) * 3600, cap);
  // What a queue slot spends per trial beyond a forked one's (wall time, start-up and tail shared out).
  const slotMs = mean(queue.map((x) => x.perTrialMs.slot)) - mean(fork.map((x) => x.perTrialMs.slot));
  console.log(
    `${c.name}: fork ${forkTph.toFixed(0)} trials/h, queue ${queueTph.toFixed(0)} trials/h: the queue costs ${cost.toFixed(1)}% of trials per hour with trials of ${trialS.toFixed(2)} s`,
  );
  console.log(
    `  per trial: ${trialS.toFixed(2)} s of a forked slot, ${queueTrialS.toFixed(2)} s of a queue slot (start to end), ${slotMs >= 0 ? '+' : ''}${slotMs.toFixed(0)} ms slot time against a forked slot; CPU of the orchestrator ${(orchPerTrial * 1000).toFixed(0)} ms, Redis ${(redisPerTrial * 1000).toFixed(1)} ms, worker relay ${(relayPerTrial * 1000).toFixed(0)} ms`,
  );
  console.log(
    `  projection: 16 workers ${project(16).toFixed(0)} trials/h, 64 workers ${project(64).toFixed(0)} trials/h (ceiling ${cap.toFixed(0)} trials/h from the orchestrator's and Redis's CPU per trial)`,
  );
  return {
    case: c,
    runs,
    forkTph,
    queueTph,
    costPercent: cost,
    perTrial: { trialS, queueTrialS, slotMs, orchPerTrial, redisPerTrial, relayPerTrial },
    projection: { 16: project(16), 64: project(64), cap },
  };
}

async function main() {
  const cases: Case[] = [{ name: 'strict case', trials }];
  if (longEpochs > 0) cases.push({ name: 'longer trials', trials: longTrials, epochs: longEpochs });
  const results = [];
  for (const c of cases) results.push(await measure(c));
  if (results.length > 1)
    console.log(results.map((r) => `${r.case.name} (trials of ${r.perTrial.trialS.toFixed(1)} s): the queue costs ${r.costPercent.toFixed(1)}%`).join('; '));
  console.log(JSON.stringify({ rounds, cases: results }));
  if (keep) console.log(`runs kept in ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
