// Issue 11 acceptance 2 (`npm run bench:darts`): darts against evolution on the same space, both through the
// built CLI with `--parallel 1` on wasm, as a user runs them. Two suites:
//   cells    examples/cells.nas.json as shipped (evolution, its own budget) against the same file with
//            `"strategy": "darts"` and 1 supernet epoch, per seed (3, 1, 2 by default)
//   fashion  a Fashion-MNIST cell space (2,000-image subset of the train file split 1,600 / 400, t10k as the test
//            set, 4-node cells, 5 operations, 8 or 16 channels, Adam 3e-3, batch 64, 2-epoch trials): evolution
//            with 8 trials against darts with 4 supernet epochs deriving 2 and 4 cells, per seed (1, 2)
// For each pair it prints best validation (and test) accuracy, wall and CPU seconds (the CLI and its workers,
// from /proc/self/stat), darts' wall over evolution's, and where darts' wall went (start-up, supernet, retrain).
// The arms of a seed run back to back, alternating with --repeat, so a load change hits both; quote the load.
//
//   npm run bench:darts -- [--suites cells,fashion] [--seeds 3,1,2] [--fashion-seeds 1,2] [--derive 2,4]
//                          [--supernet-epochs 4] [--repeat 1] [--out DIR] [--data DIR]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../src/shared/events';
import type { NasSpec } from '../src/shared/spec';
import { parse } from '../src/core/json';
import { readJournal } from '../src/core/journal';
import { archCost, cellCostFrame } from '../src/core/shapes';
import { scaledRange } from '../src/core/strategies/dartsSpace';
import { CELL_DEFAULTS } from '../src/core/defaults';

const ROOT = path.resolve(__dirname, '..');
const SUITES = ['cells', 'fashion'] as const;
type Suite = (typeof SUITES)[number];

export interface DartsBenchOptions {
  suites: Suite[];
  seeds: number[];
  fashionSeeds: number[];
  /** Fashion-MNIST: one darts arm per derived-cell count, each with this many supernet epochs. */
  derive: number[];
  supernetEpochs: number;
  /** Each pair of arms runs this many times, alternating (evolution, darts, evolution, darts, ...). */
  repeat: number;
  out: string;
  data: string;
}

export function parseArgs(argv: readonly string[]): DartsBenchOptions {
  const known = new Set(['suites', 'seeds', 'fashion-seeds', 'derive', 'supernet-epochs', 'repeat', 'out', 'data']);
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !known.has(name)) throw new Error(`unknown option ${argv[i]} (options: ${[...known].map((k) => `--${k}`).join(' ')})`);
    if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) throw new Error(`${argv[i]} needs a value`);
    given.set(name, argv[i + 1]);
  }
  const ints = (name: string, dflt: string, min: number) =>
    (given.get(name) ?? dflt).split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: ${JSON.stringify(s)} is not an integer >= ${min}`);
      return n;
    });
  const suites = (given.get('suites') ?? 'cells,fashion').split(',').map((s) => {
    if (!(SUITES as readonly string[]).includes(s)) throw new Error(`--suites: ${JSON.stringify(s)} is not one of ${SUITES.join(', ')}`);
    return s as Suite;
  });
  const one = (name: string, dflt: string) => {
    const v = ints(name, dflt, 1);
    if (v.length !== 1) throw new Error(`--${name} takes one number`);
    return v[0];
  };
  return {
    suites,
    seeds: ints('seeds', '3,1,2', 0),
    fashionSeeds: ints('fashion-seeds', '1,2', 0),
    derive: ints('derive', '2,4', 1),
    supernetEpochs: one('supernet-epochs', '4'),
    repeat: one('repeat', '1'),
    out: path.resolve(given.get('out') ?? path.join(os.tmpdir(), `nas-bench-darts-${Date.now()}`)),
    data: path.resolve(given.get('data') ?? '/usr/share/datasets/fashion-mnist'),
  };
}

/** examples/cells.nas.json as shipped, at a seed, and the same space searched by darts with 1 supernet epoch. */
export function cellSpecs(example: NasSpec, seed: number): { evolution: NasSpec; darts: NasSpec } {
  const { $schema: _schema, ...spec } = example as NasSpec & { $schema?: string };
  return {
    evolution: { ...spec, search: { ...spec.search, seed } },
    darts: { ...spec, search: { strategy: 'darts', seed, darts: { epochs: 1 } } },
  };
}

/** The Fashion-MNIST cell space: evolution with 8 trials, darts with `epochs` supernet epochs deriving `derive` cells. */
export function fashionSpecs(data: string, seed: number, derive: number[], epochs = 4): Record<string, NasSpec> {
  const base: NasSpec = {
    name: 'fashion-mnist cells',
    dataset: {
      source: 'idx',
      images: path.join(data, 'train-images-idx3-ubyte.gz'),
      labels: path.join(data, 'train-labels-idx1-ubyte.gz'),
      subset: 2000,
      validationSplit: 0.2,
      test: { images: path.join(data, 't10k-images-idx3-ubyte.gz'), labels: path.join(data, 't10k-labels-idx1-ubyte.gz') },
    },
    task: { type: 'classification', classes: 10, inputShape: [28, 28, 1] },
    architecture: {
      type: 'cell',
      nodes: 4,
      operations: ['none', 'skip', 'conv1x1', 'conv3x3', 'avgPool3x3'],
      channels: { choice: [8, 16] },
      cells: 1,
      stages: 3,
    },
    training: { optimizer: 'adam', learningRate: 0.003, batchSize: 64, epochs: 2 },
    search: { strategy: 'evolution', budget: { trials: 8 }, seed },
  };
  const out: Record<string, NasSpec> = { evolution: base };
  for (const d of derive) out[`darts-derive${d}`] = { ...base, search: { strategy: 'darts', budget: { trials: d }, seed, darts: { epochs, derive: d } } };
  return out;
}

export interface Phases {
  /** Launch to the supernet's start (process, backend, data). */
  startupS: number;
  supernetS: number;
  /** First derived trial's start to the last one's end. */
  retrainS: number;
  /** The first retrain epoch over the median of the later ones (JIT warm-up and model build). */
  firstEpochS?: number;
  laterEpochS?: number;
  /** After the retrain: test scoring, export, shutdown (to run-finished). */
  tailS: number;
  /** Nominal GFLOP/s of each phase (see trialFlops): how close it runs to the machine's SIMD ceiling. */
  supernetGflops?: number;
  retrainGflops?: number;
}

/**
 * A phase's nominal compute, from the checker's FLOP counts (shapes.ts, multiply-adds as 2, a 3x3 convolution at
 * its direct cost even where Winograd does less): a training sample costs 3 forward passes (forward, input and
 * weight gradients), a scored one 1, a first-order alpha step 2 (no weight gradients). Divided by the phase's wall
 * time it says whether the phase is bound by arithmetic (near the ~53-60 GFLOP/s a core reaches with 128-bit wasm
 * SIMD here) or by everything around it.
 */
export function trialFlops(events: readonly RunEvent[], trial: number): number | undefined {
  const started = events.find((e) => e.type === 'run-started');
  const t = events.find((e) => e.type === 'trial-started' && e.trial === trial);
  if (started?.type !== 'run-started' || t?.type !== 'trial-started' || !started.samples) return undefined;
  const epochs = events.filter((e) => e.type === 'epoch' && e.trial === trial).length;
  // A trial that failed before its first epoch (a cell with no path to its output, say) did no counted work.
  if (epochs === 0) return 0;
  const fwd = archCost(t.config.arch, started.inputShape, started.outputs).flops;
  return fwd * (3 * started.samples.train + started.samples.val) * epochs;
}

/** The supernet's nominal FLOPs: every candidate but `none` on every edge, at the narrowest channels and cells. */
export function supernetFlops(events: readonly RunEvent[], spec: NasSpec): number | undefined {
  const started = events.find((e) => e.type === 'run-started');
  const epochs = events.filter((e) => e.type === 'supernet-epoch');
  const last = epochs.at(-1);
  if (started?.type !== 'run-started' || last?.type !== 'supernet-epoch' || !started.samples) return undefined;
  if (spec.architecture.type !== 'cell') return undefined;
  const a = spec.architecture;
  const frame = cellCostFrame(
    {
      channels: scaledRange(a.channels, CELL_DEFAULTS.channels)[0],
      cells: scaledRange(a.cells, CELL_DEFAULTS.cells)[0],
      stages: (a.stages as number | undefined) ?? CELL_DEFAULTS.stages,
    },
    started.inputShape,
    started.outputs,
  );
  const fwd = frame.base.flops + last.alpha.reduce((s, row) => s + row.ops.reduce((t, op) => t + (op === 'none' ? 0 : frame.edge(op as never).flops), 0), 0);
  const { train, val } = started.samples;
  return fwd * (3 * train + 2 * train + val) * epochs.length;
}

/** Where a darts run's wall time went, from its journal. */
export function dartsPhases(events: readonly RunEvent[], spec?: NasSpec): Phases | undefined {
  const t = (e: RunEvent) => Date.parse(e.time);
  const started = events.find((e) => e.type === 'run-started');
  const epochs = events.filter((e) => e.type === 'supernet-epoch');
  const trialStart = events.find((e) => e.type === 'trial-started');
  const ends = events.filter((e) => e.type === 'trial-completed' || e.type === 'trial-failed');
  const finished = events.find((e) => e.type === 'run-finished');
  if (started?.type !== 'run-started' || !epochs.length || !trialStart || !ends.length || !finished) return undefined;
  const launched = Date.parse(started.launched ?? started.time);
  const supernetS = epochs.reduce((s, e) => s + (e.type === 'supernet-epoch' ? (e.durationMs ?? 0) : 0), 0) / 1000;
  const supernetEnd = t(epochs[epochs.length - 1]);
  const retrainEnd = Math.max(...ends.map(t));
  const first = events.filter((e) => e.type === 'epoch' && e.trial === (trialStart.type === 'trial-started' ? trialStart.trial : -1)).map(t);
  const gaps = first.map((x, i) => (x - (i ? first[i - 1] : t(trialStart))) / 1000);
  const later = gaps.slice(1).sort((a, b) => a - b);
  return {
    startupS: (supernetEnd - launched) / 1000 - supernetS,
    supernetS,
    retrainS: (retrainEnd - t(trialStart)) / 1000,
    ...(gaps.length ? { firstEpochS: gaps[0] } : {}),
    ...(later.length ? { laterEpochS: later[Math.floor(later.length / 2)] } : {}),
    tailS: (t(finished) - retrainEnd) / 1000,
    ...rate('supernetGflops', spec && supernetFlops(events, spec), supernetS),
    ...rate('retrainGflops', sumFlops(events, ends), (retrainEnd - t(trialStart)) / 1000),
  };
}

function rate<K extends string>(key: K, flops: number | undefined, seconds: number): Partial<Record<K, number>> {
  return flops !== undefined && seconds > 0 ? ({ [key]: flops / seconds / 1e9 } as Record<K, number>) : {};
}

/** The nominal FLOPs of the trials that ended in `ends`, or undefined if any cannot be counted. */
function sumFlops(events: readonly RunEvent[], ends: readonly RunEvent[]): number | undefined {
  let sum = 0;
  for (const e of ends) {
    const f = 'trial' in e ? trialFlops(events, e.trial as number) : undefined;
    if (f === undefined) return undefined;
    sum += f;
  }
  return sum;
}

interface ArmRun {
  arm: string;
  seed: number;
  val: number | null;
  test: number | null;
  wallS: number;
  cpuS: number;
  trials: number;
  phases?: Phases;
  /** The trials' nominal GFLOP over the run's wall time (evolution: how much of its wall is arithmetic). */
  trialGflops?: number;
}

function cpuChildrenSeconds(): number {
  // cutime + cstime of /proc/self/stat: every reaped child and its reaped children, in clock ticks.
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

function runArm(arm: string, seed: number, spec: NasSpec, dir: string): ArmRun {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${arm}-seed${seed}.nas.json`);
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  const cpu0 = cpuChildrenSeconds();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'run', file, '--parallel', '1', '--backend', 'wasm', '--json', '--out', dir], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = cpuChildrenSeconds() - cpu0;
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const summary = lines.map((l) => JSON.parse(l) as { type: string }).find((e) => e.type === 'summary') as
    { runDir: string; trials: { completed: number }; best?: { value: number; test_accuracy?: number } } | undefined;
  if (r.status !== 0 || !summary) throw new Error(`${arm} seed ${seed} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const events = readJournal(path.join(summary.runDir, 'journal.jsonl')).events;
  const phases = arm.startsWith('darts') ? dartsPhases(events, spec) : undefined;
  const ends = events.filter((e) => e.type === 'trial-completed' || e.type === 'trial-failed');
  const trialFl = sumFlops(events, ends);
  return {
    arm,
    seed,
    val: summary.best?.value ?? null,
    test: summary.best?.test_accuracy ?? null,
    wallS,
    cpuS,
    trials: summary.trials.completed,
    ...(phases ? { phases } : {}),
    ...(trialFl !== undefined ? { trialGflops: trialFl / wallS / 1e9 } : {}),
  };
}

const f1 = (x: number) => x.toFixed(1);
const acc = (x: number | null) => (x === null ? '-' : x.toFixed(4));
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function phaseLine(p: Phases | undefined): string {
  if (!p) return '';
  const epochs =
    p.firstEpochS !== undefined ? ` (first epoch ${f1(p.firstEpochS)} s${p.laterEpochS !== undefined ? `, later ${f1(p.laterEpochS)} s` : ''})` : '';
  const g = (x: number | undefined) => (x === undefined ? '' : ` at ${f1(x)} GFLOP/s`);
  return `start-up ${f1(p.startupS)} s, supernet ${f1(p.supernetS)} s${g(p.supernetGflops)}, retrain ${f1(p.retrainS)} s${g(p.retrainGflops)}${epochs}, tail ${f1(p.tailS)} s`;
}

function runSuite(suite: Suite, o: DartsBenchOptions): ArmRun[] {
  const runs: ArmRun[] = [];
  const seeds = suite === 'cells' ? o.seeds : o.fashionSeeds;
  const example = parse(fs.readFileSync(path.join(ROOT, 'examples/cells.nas.json'), 'utf8')).value as NasSpec;
  for (const seed of seeds) {
    const specs: Record<string, NasSpec> = suite === 'cells' ? cellSpecs(example, seed) : fashionSpecs(o.data, seed, o.derive, o.supernetEpochs);
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const [arm, spec] of Object.entries(specs)) {
        const load = loadavg();
        const r = runArm(arm, seed, spec, path.join(o.out, suite));
        runs.push(r);
        const evo = runs.find((x) => x.arm === 'evolution' && x.seed === seed);
        const ratio =
          evo && arm !== 'evolution'
            ? `  ${(r.wallS / evo.wallS).toFixed(2)}x evolution's wall (same rep: ${(r.wallS / runs.filter((x) => x.arm === 'evolution' && x.seed === seed).at(-1)!.wallS).toFixed(2)}x)`
            : '';
        console.log(
          `${suite} seed ${seed} ${arm.padEnd(14)} val ${acc(r.val)} test ${acc(r.test)}  wall ${f1(r.wallS)} s  CPU ${f1(r.cpuS)} s  trials ${r.trials}${r.trialGflops !== undefined ? ` (${f1(r.trialGflops)} nominal GFLOP/s of wall)` : ''}  load ${load}${ratio}`,
        );
        if (r.phases) console.log(`    ${phaseLine(r.phases)}`);
      }
    }
  }
  return runs;
}

function summarise(suite: Suite, runs: ArmRun[]): void {
  const arms = [...new Set(runs.map((r) => r.arm))];
  console.log(`\n${suite}: median over repeats per seed; darts / evolution is of the medians of wall time`);
  console.log(
    `| seed | ${arms.map((a) => `${a}: val / test / wall s / CPU s`).join(' | ')} | ${arms
      .slice(1)
      .map((a) => `${a} / evolution`)
      .join(' | ')} |`,
  );
  for (const seed of [...new Set(runs.map((r) => r.seed))]) {
    const med = (arm: string, k: 'wallS' | 'cpuS') => median(runs.filter((r) => r.arm === arm && r.seed === seed).map((r) => r[k]));
    const one = (arm: string) => runs.find((r) => r.arm === arm && r.seed === seed)!;
    const cells = arms.map((a) => `${acc(one(a).val)} / ${acc(one(a).test)} / ${f1(med(a, 'wallS'))} / ${f1(med(a, 'cpuS'))}`);
    const ratios = arms.slice(1).map((a) => (med(a, 'wallS') / med('evolution', 'wallS')).toFixed(2));
    console.log(`| ${seed} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

if (require.main === module) {
  let o: DartsBenchOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:darts: ${(e as Error).message}`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: npm run build');
  if (o.suites.includes('fashion') && !fs.existsSync(path.join(o.data, 'train-images-idx3-ubyte.gz')))
    throw new Error(`no Fashion-MNIST in ${o.data}: npm run setup:bench, or --data DIR, or --suites cells`);
  console.log(`bench:darts, runs under ${o.out}; load ${loadavg()}`);
  const all: ArmRun[] = [];
  for (const suite of o.suites) {
    const runs = runSuite(suite, o);
    summarise(suite, runs);
    all.push(...runs.map((r) => ({ ...r, suite })));
  }
  console.log(JSON.stringify({ runs: all, load: os.loadavg() }));
}
