// Kernel micro-benchmark (speed-conv): our SIMD GEMM and every convolution a suite network runs (forward,
// input gradient, filter gradient), on the wasm backend, each timed as the minimum CPU time of N calls after
// warm-up, with GFLOP/s counted as a direct convolution's multiply-adds (2 FLOPs each) so that Winograd's
// savings show as a higher rate. `npm run bench:kernels -- --help` for the flags; the last line is one JSON object.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend';
import { buildModel } from '../src/engine/builder';
import { SUITE } from './suite';
import { scratch, simd } from '../src/engine/kernels/simd/module';
import { NR } from '../src/engine/kernels/simd/gemm';

interface Args {
  reps: number;
  warmup: number;
  sections: Set<string>;
  filter?: RegExp;
  profile: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { reps: 7, warmup: 3, sections: new Set(), profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--reps') args.reps = Number(argv[++i]);
    else if (a === '--warmup') args.warmup = Number(argv[++i]);
    else if (a === '--only') args.filter = new RegExp(argv[++i]);
    else if (a === '--gemm' || a === '--conv' || a === '--nets') args.sections.add(a.slice(2));
    else if (a === '--profile') args.profile = true;
    else if (a === '--help') {
      console.log('bench/kernels.ts [--gemm] [--conv] [--nets [--profile]] [--reps N] [--warmup N] [--only REGEX]');
      process.exit(0);
    } else throw new Error(`unknown flag ${a}`);
  }
  if (args.sections.size === 0) args.sections = new Set(['gemm', 'conv']);
  return args;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Minimum CPU time of `reps` calls of fn after `warmup` calls, in ms. */
function timeMin(fn: () => void, reps: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs();
    fn();
    best = Math.min(best, cpuMs() - t0);
  }
  return best;
}

export interface GemmRow {
  name: string;
  m: number;
  n: number;
  k: number;
  ms: number;
  gflops: number;
}

/** GEMM shapes the suite's layers produce: Winograd planes (short K), im2col chunks, dense layers. */
const GEMM_SHAPES: Array<[string, number, number, number]> = [
  ['winograd 3x3 c32->64 (K=32)', 3136, 64, 32],
  ['winograd 3x3 c64->64 (K=64)', 3136, 64, 64],
  ['im2col 5x5 c32->64 (K=800)', 1024, 64, 800],
  ['dense 3136->128 batch 128', 128, 128, 3136],
  ['dense 784->512 batch 128', 128, 512, 784],
  ['square 512', 512, 512, 512],
];

function benchGemm(args: Args): GemmRow[] {
  const backend = tf.backend();
  const g = simd(backend);
  const rows: GemmRow[] = [];
  for (const [name, m, n, k] of GEMM_SHAPES) {
    if (args.filter && !args.filter.test(name)) continue;
    const a = scratch(backend, m * k * 4);
    const b = scratch(backend, k * n * 4);
    const pb = scratch(backend, k * Math.ceil(n / NR) * NR * 4);
    const c = scratch(backend, m * n * 4);
    try {
      const heap = new Float32Array((backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer);
      for (let i = 0; i < m * k; i++) heap[(a.ptr >> 2) + i] = Math.sin(i);
      for (let i = 0; i < k * n; i++) heap[(b.ptr >> 2) + i] = Math.cos(i);
      g.pack(b.ptr, n * 4, 4, k, n, pb.ptr);
      const ms = timeMin(() => g.gemm(a.ptr, k * 4, pb.ptr, c.ptr, n * 4, m, n, k, 0), args.reps, args.warmup);
      rows.push({ name, m, n, k, ms, gflops: (2 * m * n * k) / ms / 1e6 });
    } finally {
      for (const s of [a, b, pb, c]) s.free();
    }
  }
  return rows;
}

export interface ConvCase {
  name: string;
  n: number;
  hw: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
  /** A network's first layer: training never asks for its input gradient, so dx is not timed. */
  input?: boolean;
}

export interface ConvRow extends ConvCase {
  pass: 'forward' | 'dx' | 'dw';
  ms: number;
  gflops: number;
}

/**
 * The convolutions of the suite's networks (bench/suite.ts), at their batch sizes, and three of the race's search
 * space (bench/raceSpace.ts: a second block on 14x14 maps, batch 64), whose epoch count in 10 minutes rides on them.
 */
export const CONV_CASES: ConvCase[] = [
  { name: 'reference 3x3 1->32', n: 128, hw: 28, ci: 1, co: 32, k: 3, stride: 1, pad: 'same', input: true },
  { name: 'reference 3x3 32->64', n: 128, hw: 14, ci: 32, co: 64, k: 3, stride: 1, pad: 'same' },
  { name: 'conv5x5 5x5 1->32', n: 64, hw: 28, ci: 1, co: 32, k: 5, stride: 1, pad: 'same', input: true },
  { name: 'conv5x5 5x5 32->64', n: 64, hw: 14, ci: 32, co: 64, k: 5, stride: 1, pad: 'same' },
  { name: 'strided 7x7 s2 1->32', n: 128, hw: 28, ci: 1, co: 32, k: 7, stride: 2, pad: 'same', input: true },
  { name: 'strided 3x3 s2 32->64', n: 128, hw: 14, ci: 32, co: 64, k: 3, stride: 2, pad: 'same' },
  { name: 'strided 5x5 64->64', n: 128, hw: 7, ci: 64, co: 64, k: 5, stride: 1, pad: 'same' },
  { name: 'mobilenet 3x3 s2 1->32', n: 128, hw: 28, ci: 1, co: 32, k: 3, stride: 2, pad: 'same', input: true },
  { name: 'mobilenet 1x1 32->64', n: 128, hw: 14, ci: 32, co: 64, k: 1, stride: 1, pad: 'same' },
  { name: 'mobilenet 1x1 64->128', n: 128, hw: 7, ci: 64, co: 128, k: 1, stride: 1, pad: 'same' },
  { name: 'avgpool 3x3 64->128', n: 128, hw: 7, ci: 64, co: 128, k: 3, stride: 1, pad: 'same' },
  { name: 'cell 3x3 16->16', n: 64, hw: 28, ci: 16, co: 16, k: 3, stride: 1, pad: 'same' },
  { name: 'cell 1x1 16->16', n: 64, hw: 28, ci: 16, co: 16, k: 1, stride: 1, pad: 'same' },
  { name: 'cell 3x3 s2 16->32', n: 64, hw: 28, ci: 16, co: 32, k: 3, stride: 2, pad: 'same' },
  { name: 'cell 3x3 32->32', n: 64, hw: 14, ci: 32, co: 32, k: 3, stride: 1, pad: 'same' },
  { name: 'cell 1x1 16->32', n: 64, hw: 14, ci: 16, co: 32, k: 1, stride: 1, pad: 'same' },
  { name: 'odd 3x3 3->16', n: 64, hw: 28, ci: 3, co: 16, k: 3, stride: 1, pad: 'same', input: true },
  { name: 'odd 5x5 12->20 valid', n: 64, hw: 14, ci: 12, co: 20, k: 5, stride: 1, pad: 'valid' },
  { name: 'race 5x5 64->64', n: 64, hw: 14, ci: 64, co: 64, k: 5, stride: 1, pad: 'same' },
  { name: 'race 5x5 32->32', n: 64, hw: 14, ci: 32, co: 32, k: 5, stride: 1, pad: 'same' },
  { name: 'race 3x3 64->64', n: 64, hw: 14, ci: 64, co: 64, k: 3, stride: 1, pad: 'same' },
];

function benchConv(args: Args): ConvRow[] {
  const rows: ConvRow[] = [];
  for (const c of CONV_CASES) {
    if (args.filter && !args.filter.test(c.name)) continue;
    const x = tf.randomUniform([c.n, c.hw, c.hw, c.ci], -1, 1) as tf.Tensor4D;
    const w = tf.randomUniform([c.k, c.k, c.ci, c.co], -1, 1) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const dy = tf.randomUniform(y.shape, -1, 1) as tf.Tensor4D;
    const [, oh, ow] = y.shape;
    const flops = 2 * c.n * oh * ow * c.k * c.k * c.ci * c.co;
    const run = (f: () => tf.Tensor) => () => {
      const t = f();
      t.dispose();
    };
    const passes: Array<[ConvRow['pass'], () => void]> = [
      ['forward', run(() => tf.conv2d(x, w, c.stride, c.pad))],
      ['dx', run(() => tf.conv2dTranspose(dy, w, x.shape, c.stride, c.pad))],
      [
        'dw',
        run(
          () =>
            tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
              strides: c.stride,
              pad: c.pad,
              dataFormat: 'NHWC',
              dimRoundingMode: undefined,
              filterShape: w.shape,
            } as unknown as tf.NamedAttrMap) as tf.Tensor,
        ),
      ],
    ];
    for (const [pass, fn] of passes) {
      if (pass === 'dx' && c.input) continue;
      const ms = timeMin(fn, args.reps, args.warmup);
      rows.push({ ...c, pass, ms, gflops: flops / ms / 1e6 });
    }
    tf.dispose([x, w, y, dy]);
  }
  return rows;
}

export interface NetRow {
  name: string;
  batch: number;
  stepMs: number;
  kernels?: Array<{ kernel: string; shapes: string; ms: number }>;
}

async function benchNets(args: Args): Promise<NetRow[]> {
  const rows: NetRow[] = [];
  for (const net of SUITE) {
    if (args.filter && !args.filter.test(net.name)) continue;
    const inputShape = net.inputShape ?? [28, 28, 1];
    const model = buildModel(net.arch, inputShape, 10, 'classification', 1);
    const optimizer = tf.train.adam(1e-3);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([net.batch, ...inputShape]);
    const y = tf.tidy(() => tf.oneHot(tf.randomUniform([net.batch], 0, 10, 'int32'), 10).toFloat());
    for (let i = 0; i < args.warmup; i++) await model.trainOnBatch(x, y);
    let best = Infinity;
    for (let i = 0; i < args.reps; i++) {
      const t0 = cpuMs();
      await model.trainOnBatch(x, y);
      best = Math.min(best, cpuMs() - t0);
    }
    const row: NetRow = { name: net.name, batch: net.batch, stepMs: best };
    if (args.profile) {
      const steps = 10;
      const prof = await tf.profile(async () => {
        for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
      });
      // Kernel instance j of every step is the same call: keep its minimum, then sum by name and shapes.
      const perStep = prof.kernels.length / steps;
      const bestOf = new Map<number, { kernel: string; shapes: string; ms: number }>();
      prof.kernels.forEach((k, i) => {
        const seen = bestOf.get(i % perStep);
        const ms = k.kernelTimeMs as number;
        if (!seen || ms < seen.ms) bestOf.set(i % perStep, { kernel: k.name, shapes: JSON.stringify(k.inputShapes), ms });
      });
      const byName = new Map<string, { kernel: string; shapes: string; ms: number }>();
      for (const k of bestOf.values()) {
        const key = `${k.kernel} ${k.shapes}`;
        const acc = byName.get(key);
        if (acc) acc.ms += k.ms;
        else byName.set(key, { ...k });
      }
      row.kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
    }
    rows.push(row);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  }
  return rows;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await initBackend('wasm');
  const out: { gemm?: GemmRow[]; conv?: ConvRow[]; nets?: NetRow[] } = {};
  if (args.sections.has('gemm')) {
    out.gemm = benchGemm(args);
    console.log('GEMM (min CPU ms of %d calls after %d warm-up)', args.reps, args.warmup);
    for (const r of out.gemm)
      console.log(`  ${r.name.padEnd(32)} ${`${r.m}x${r.n}x${r.k}`.padStart(14)} ${r.ms.toFixed(3).padStart(9)} ms ${r.gflops.toFixed(1).padStart(6)} GFLOP/s`);
  }
  if (args.sections.has('conv')) {
    out.conv = benchConv(args);
    console.log('Convolutions (GFLOP/s of the direct convolution)');
    for (const r of out.conv)
      console.log(`  ${r.name.padEnd(24)} ${r.pass.padEnd(8)} ${r.ms.toFixed(2).padStart(9)} ms ${r.gflops.toFixed(1).padStart(6)} GFLOP/s`);
  }
  if (args.sections.has('nets')) {
    out.nets = await benchNets(args);
    console.log('Training steps (trainOnBatch, min CPU ms)');
    for (const r of out.nets) {
      console.log(`  ${r.name.padEnd(32)} ${r.stepMs.toFixed(1).padStart(8)} ms  ${((r.batch / r.stepMs) * 1000).toFixed(0).padStart(6)} samples/s`);
      for (const k of (r.kernels ?? []).filter((k) => k.ms >= 0.3)) console.log(`      ${k.ms.toFixed(2).padStart(7)} ms  ${k.kernel} ${k.shapes}`);
    }
  }
  console.log(JSON.stringify(out));
}

void main();
