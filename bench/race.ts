// The race (`npm run bench:race`): NAS Studio against Optuna + PyTorch on the same Fashion-MNIST space, the same
// data split, the same wall-clock budget and the same 2 workers, one arm after the other, for several seeds. It
// prints each arm's best validation and test accuracy, when its answer first reached 0.88 and 0.90 test
// accuracy, its trials and epochs, the means over seeds, and a last JSON line.
//
//   node --import tsx bench/race.ts [--budget 600] [--seeds 0,1,2] [--arms nas,optuna-tpe,optuna-random]
//                                   [--workers 2] [--subset N] [--data DIR] [--out DIR] [--nas-search JSON]
//                                   [--nas-variants '{"nas-s10": {"tpe": {"startupTrials": 10}}}']
//
// --nas-variants adds NAS Studio arms with their own search settings (over the default's), named in --arms:
// comparing them in one run, seed by seed, is what a shared machine allows.
//
// The space (issue 10): 1-3 conv blocks (filters 16/32/64, kernel 3/5, same padding, ReLU, max-pool 2), dense
// 64/128/256, dropout [0, 0.5], Adam with a log-uniform learning rate in [1e-4, 1e-2], batch 64/128, at most 4
// epochs; Fashion-MNIST's train file split 50,000 / 10,000 (NAS Studio's seeded split, handed to Optuna as
// indices), t10k as the test set, which neither side sees before its budget is over.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NasSpec, Search } from '../src/shared/spec';
import { splitOfSource } from '../src/core/data/dataset';
import { runNasArm, type ArmResult, type TimelinePoint } from './race-nas';
import { findTorchPython } from './peer';
import { RACE_SEARCH, raceArchitecture } from './raceSpace';

const THRESHOLDS = [0.88, 0.9];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

const budget = Number(arg('budget', '600'));
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const arms = arg('arms', 'nas,optuna-tpe,optuna-random').split(',');
const workers = Number(arg('workers', '2'));
const subset = process.argv.includes('--subset') ? Number(arg('subset', '0')) : undefined;
const dataDir = arg('data', '/usr/share/datasets/fashion-mnist');
const outDir = path.resolve(arg('out', path.join(os.tmpdir(), `nas-race-${Date.now()}`)));
const nasSearch = JSON.parse(arg('nas-search', '{}')) as Partial<Search>;
const nasVariants = JSON.parse(arg('nas-variants', '{}')) as Record<string, Partial<Search>>;

function raceSpec(seed: number, variant: Partial<Search> = {}): NasSpec {
  return {
    name: 'race',
    dataset: {
      source: 'idx',
      images: path.join(dataDir, 'train-images-idx3-ubyte.gz'),
      labels: path.join(dataDir, 'train-labels-idx1-ubyte.gz'),
      // 10,000 of the 60,000 training images for validation.
      validationSplit: 1 / 6,
      ...(subset ? { subset } : {}),
      test: { images: path.join(dataDir, 't10k-images-idx3-ubyte.gz'), labels: path.join(dataDir, 't10k-labels-idx1-ubyte.gz') },
    },
    ...raceArchitecture(),
    search: { ...RACE_SEARCH, ...nasSearch, ...variant, budget: { trials: 100_000, minutes: budget / 60 }, parallel: workers, seed },
  } as NasSpec;
}

function cpuChildrenSeconds(): number {
  // cutime + cstime of /proc/self/stat: every reaped child and its reaped children, in clock ticks.
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** Optuna's TPE with the HyperbandPruner (the issue's peer), or plain random search without pruning. */
async function runOptunaArm(sampler: 'tpe' | 'random', seed: number, dir: string): Promise<ArmResult> {
  const python = findTorchPython().python;
  if (!python) throw new Error('no Python with torch: npm run setup:bench');
  if (spawnSync(python, ['-c', 'import optuna'], { timeout: 60_000 }).status !== 0) throw new Error(`${python} has no optuna: npm run setup:bench`);
  fs.mkdirSync(dir, { recursive: true });
  const spec = raceSpec(seed);
  const split = splitOfSource(spec.dataset, spec.task, '/', seed);
  const splitFile = path.join(dir, 'split.json');
  fs.writeFileSync(splitFile, JSON.stringify({ train: Array.from(split.train), val: Array.from(split.val) }));
  const script = path.join(__dirname, 'optuna_race.py');
  const args = [
    script,
    '--data',
    dataDir,
    '--split',
    splitFile,
    '--budget',
    String(budget),
    '--seed',
    String(seed),
    '--sampler',
    sampler,
    '--pruner',
    sampler === 'tpe' ? 'hyperband' : 'none',
    '--workers',
    String(workers),
    '--out',
    dir,
  ];
  const child = spawn(python, args, {
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`optuna-${sampler}: exit ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const r = JSON.parse(last) as {
    name: string;
    seconds: number;
    trials: number;
    completed: number;
    pruned: number;
    cut: number;
    epochs: number;
    best: { val_accuracy: number; test_accuracy: number; params: unknown } | null;
    timeline: TimelinePoint[];
    optuna: string;
    torch: string;
  };
  return {
    name: r.name,
    seed,
    val_accuracy: r.best?.val_accuracy ?? null,
    test_accuracy: r.best?.test_accuracy ?? null,
    trials: r.trials,
    epochs: r.epochs,
    seconds: r.seconds,
    timeline: r.timeline,
    detail: { completed: r.completed, pruned: r.pruned, cut: r.cut, best: r.best?.params, optuna: r.optuna, torch: r.torch },
  };
}

function firstReach(timeline: readonly TimelinePoint[], threshold: number): number | null {
  const p = timeline.find((x) => (x.test_accuracy ?? 0) >= threshold);
  return p ? Math.round(p.t) : null;
}

const f4 = (v: number | null | undefined) => (v === null || v === undefined ? '   -  ' : v.toFixed(4));
const secs = (v: number | null) => (v === null ? '   -' : `${String(v).padStart(4)} s`);

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function sd(xs: number[]): number | null {
  const m = mean(xs);
  return m === null || xs.length < 2 ? null : Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const known = new Set(['nas', 'optuna-tpe', 'optuna-random', ...Object.keys(nasVariants)]);
  for (const a of arms) if (!known.has(a)) throw new Error(`unknown arm ${a}: expected ${[...known].join(', ')}`);
  process.stderr.write(
    `race: ${arms.join(', ')}; seeds ${seeds.join(', ')}; ${budget} s each; ${workers} workers; ${subset ? `subset ${subset}` : 'full data'}; out ${outDir}\n`,
  );
  const results: (ArmResult & { load: [number, number]; cpu_seconds: number; t88: number | null; t90: number | null })[] = [];
  for (const seed of seeds) {
    for (const arm of arms) {
      const dir = path.join(outDir, `seed${seed}`, arm);
      const load0 = os.loadavg()[0];
      const cpu0 = cpuChildrenSeconds();
      const r =
        arm === 'nas'
          ? await runNasArm('nas-studio', raceSpec(seed), dir, seed)
          : Object.hasOwn(nasVariants, arm)
            ? await runNasArm(arm, raceSpec(seed, nasVariants[arm]), dir, seed)
            : await runOptunaArm(arm === 'optuna-tpe' ? 'tpe' : 'random', seed, dir);
      // NAS Studio's workers are reaped children too, so both sides' CPU time is measured the same way.
      const cpu = cpuChildrenSeconds() - cpu0;
      const row = {
        ...r,
        load: [Number(load0.toFixed(2)), Number(os.loadavg()[0].toFixed(2))] as [number, number],
        cpu_seconds: Math.round(cpu),
        t88: firstReach(r.timeline, THRESHOLDS[0]),
        t90: firstReach(r.timeline, THRESHOLDS[1]),
      };
      results.push(row);
      process.stdout.write(
        `seed ${seed}  ${r.name.padEnd(22)} val ${f4(r.val_accuracy)}  test ${f4(r.test_accuracy)}  trials ${String(r.trials).padStart(3)}  epochs ${String(r.epochs).padStart(3)}  ` +
          `0.88 at ${secs(row.t88)}  0.90 at ${secs(row.t90)}  (${r.seconds} s, ${row.cpu_seconds} CPU-s, load ${row.load[0]}->${row.load[1]})\n`,
      );
    }
  }
  const names = [...new Set(results.map((r) => r.name))];
  const means = names.map((name) => {
    const rs = results.filter((r) => r.name === name);
    const tests = rs.map((r) => r.test_accuracy).filter((v): v is number => v !== null);
    const vals = rs.map((r) => r.val_accuracy).filter((v): v is number => v !== null);
    return {
      name,
      seeds: rs.length,
      test_accuracy: mean(tests),
      test_sd: sd(tests),
      val_accuracy: mean(vals),
      trials: mean(rs.map((r) => r.trials)),
      epochs: mean(rs.map((r) => r.epochs)),
    };
  });
  process.stdout.write('\nmeans over seeds:\n');
  for (const m of means) {
    process.stdout.write(
      `  ${m.name.padEnd(22)} test ${f4(m.test_accuracy)}${m.test_sd !== null ? ` ± ${m.test_sd.toFixed(4)}` : ''}  val ${f4(m.val_accuracy)}  trials ${m.trials?.toFixed(1)}  epochs ${m.epochs?.toFixed(1)}  (${m.seeds} seeds)\n`,
    );
  }
  const ours = means.find((m) => m.name === 'nas-studio');
  const peer = means.find((m) => m.name === 'optuna-tpe+hyperband');
  const acceptance =
    ours?.test_accuracy != null && peer?.test_accuracy != null
      ? { nas_mean_test: ours.test_accuracy, optuna_tpe_hyperband_mean_test: peer.test_accuracy, met: ours.test_accuracy >= peer.test_accuracy }
      : null;
  if (acceptance)
    process.stdout.write(
      `\nNAS Studio mean test ${f4(acceptance.nas_mean_test)} vs Optuna TPE+Hyperband ${f4(acceptance.optuna_tpe_hyperband_mean_test)}: ${acceptance.met ? 'at least as good' : 'behind'}\n`,
    );
  process.stdout.write(
    JSON.stringify({
      arms: results,
      means,
      acceptance,
      budget_s: budget,
      workers,
      subset: subset ?? null,
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      out: outDir,
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`race: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
