// The SIMD softmax rows of the fused attention (sequence/attentionSimd.ts, with lstmGates.ts's exp) against a
// float64 softmax: the row maximum in every lane of either vector, spreads wide enough that exp's clamp at -87.3
// decides, and a source stride wider than the row (the attention's padded score rows).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';
import { sequenceSimd } from '../../src/engine/kernels/sequence/module';
import { heapF32, scratch } from '../../src/engine/kernels/simd/module';
import { rng } from '../helpers/data';

const rand = rng(20261205);

/** Softmax in float64 of the float32 arguments the kernel forms ((x - max) * scale, each step rounded to float32). */
function softmax64(row: number[], scale: number): number[] {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(Math.fround(Math.fround(x - max) * scale)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** Runs softmaxRows on `rows` (each `cols` long, stored `stride` floats apart) and returns its output rows. */
function simdSoftmax(rows: number[][], cols: number, stride: number, scale: number): Float32Array[] {
  const backend = tf.backend();
  const src = scratch(backend, rows.length * stride * 4);
  const dst = scratch(backend, rows.length * cols * 4);
  try {
    const seq = sequenceSimd(backend);
    const input = heapF32(backend, src.ptr, rows.length * stride);
    input.fill(Number.NaN); // the padding past each row must not be read
    rows.forEach((r, i) => input.set(r, i * stride));
    seq.softmaxRows(src.ptr, stride * 4, dst.ptr, cols * 4, rows.length, cols, scale);
    const out = heapF32(backend, dst.ptr, rows.length * cols);
    return rows.map((_, i) => out.slice(i * cols, (i + 1) * cols));
  } finally {
    src.free();
    dst.free();
  }
}

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

describe('SIMD softmax rows', () => {
  it('matches a float64 softmax wherever the row maximum lies, with clamped exponents', () => {
    const cols = 8;
    const rows: number[][] = [];
    for (let at = 0; at < cols; at++) {
      // a moderate row, and a wide one whose smallest terms fall below exp's clamp (exp(-87.3) ~ 1.2e-38, the absolute tolerance)
      for (const spread of [3, 400]) rows.push(Array.from({ length: cols }, (_, c) => Math.fround(c === at ? 5 : 5 - spread * (0.1 + rand()))));
    }
    const scale = 0.25;
    const got = simdSoftmax(rows, cols, 12, scale);
    rows.forEach((row, i) => {
      const want = softmax64(row, scale);
      want.forEach((w, c) => assert.ok(Math.abs(got[i][c] - w) <= 1e-6 * w + 2e-38, `row ${i} col ${c}: ${got[i][c]} vs ${w}`));
      assert.ok(Math.abs(got[i].reduce((a, b) => a + b, 0) - 1) < 1e-6, `row ${i} sums to 1`);
    });
  });
});
