// C (+)= A . B in wasm SIMD, on tensors in the wasm backend's own heap. B is first packed into panels of NR
// columns ([K][NR] each, zero-padded), so the inner loop reads it sequentially; each step broadcasts one
// value of MR rows of A and multiplies it into NR columns, keeping the MR x NR block of C in registers.
// MR x NR = 4 x 8 keeps 8 accumulators in the 15 vector registers TurboFan allocates on x64, with the two B
// vectors, the four broadcasts and one product: exactly full. The k loop is deliberately not unrolled:
// TurboFan's scheduler hoists every load of an unrolled body to its top and then spills the accumulators
// (measured: 30-33 GFLOP/s unrolled 2 or 4 times, 50-54 not unrolled; 5 x 8 and 6 x 8 spill too, 22-33).
// Relaxed SIMD's f32x4.relaxed_madd (one FMA instead of mul + add) measured no faster here (the loop is
// bound by the FP pipes either way), so the kernels stay on plain SIMD, which every engine runs.
// Where it stands (round 5, in-process, CPU time): 45-53 GFLOP/s on every suite shape, also with caches flushed
// between calls; a bare loop of the same 8 mul + add with the same six loads per k reaches ~54-58, without
// loads ~58. 2 x 16 measured the same as 4 x 8, 3 x 12 38-40 (spills). Liftoff and TurboFan code ran alike.
import { Fn, type Local } from './asm';

export const NR = 8;
export const MR = 4;

/** Panels packed side by side when B's rows are contiguous: 8 x 32 bytes, four whole lines of each row of B. */
const GROUP = 8;

/**
 * pack(b, strideK, strideN, K, N, dst): B[k][n] at b + k*strideK + n*strideN (bytes) into NR-column panels
 * at dst, panel p holding columns p*NR.. as K rows of NR floats. Strides let B^T be packed without a copy.
 */

export function packFn(): Fn {
  const f = new Fn('pack', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [b, sK, sN, K, N, dst] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i));
  const j = f.local('i32');
  const k = f.local('i32');
  const src = f.local('i32');
  const l = f.local('i32');
  const kLimit = f.local('i32');
  const rowsV = Array.from({ length: 4 }, () => f.local('v128'));
  const pairs = Array.from({ length: 4 }, () => f.local('v128'));
  const full = f.local('i32');
  const to = f.local('i32');
  const panelBytes = f.local('i32');
  const g0 = f.local('i32');
  const gEnd = f.local('i32');
  f.get(K).i32(3).sub().set(kLimit);
  f.i32(0).set(j);
  // Rows contiguous (sN == 4): GROUP whole panels at a time, row by row, so each row's lines are read once,
  // front to back; panel by panel they were read in 32-byte strips over several passes, and a B that came from
  // memory (a pointwise filter gradient's dy, [25088, 64]) streamed at ~10 GB/s: 311 -> 204 us (K=1016 N=64
  // 7.4 -> 5.2 us, 128x512 9.9 -> 5.7 us in cache). More panels at once write as many streams a whole panel
  // apart (4 KiB at K=128), which thrashed L1 (128x512 all 64 at once: 57 us). The last, partial panel below.
  f.get(sN)
    .i32(4)
    .eq()
    .if(() => {
      f.get(N).i32(-NR).and().set(full);
      f.get(K)
        .i32(NR * 4)
        .mul()
        .set(panelBytes);
      f.i32(0).set(g0);
      f.loop(g0, full, GROUP * NR, () => {
        f.get(g0)
          .i32(GROUP * NR)
          .add()
          .get(full)
          .minS()
          .set(gEnd);
        f.i32(0).set(k);
        f.loop(k, K, 1, () => {
          f.get(b).get(k).get(sK).mul().add().get(g0).i32(2).shl().add().set(src);
          f.get(dst)
            .get(g0)
            .get(K)
            .mul()
            .i32(2)
            .shl()
            .add()
            .get(k)
            .i32(NR * 4)
            .mul()
            .add()
            .set(to);
          f.get(g0).set(j);
          f.loop(j, gEnd, NR, () => {
            f.get(to).get(src).loadV(0).storeV(0);
            f.get(to).get(src).loadV(16).storeV(16);
            f.inc(src, NR * 4);
            f.inc(to, panelBytes);
          });
        });
      });
      f.get(full).set(j);
      f.get(dst).get(full).get(K).mul().i32(2).shl().add().set(dst);
    });
  f.loop(j, N, NR, () => {
    f.i32(0).set(k);
    // B stored transposed (B^T's rows contiguous along k: a batched matmul's transposeB, the LSTM's recurrent
    // kernel) and a full panel: 4 x 4 blocks, each four vector loads, a transpose in shuffles and four vector
    // stores, instead of 16 single-float gathers (128x512: 38.8 -> 6.1 us in cache); the K % 4 rows below.
    f.get(sK).i32(4).eq().get(j).i32(NR).add().get(N).leS().and(); // sK == 4 && j + NR <= N
    f.if(() =>
      f.loop(k, kLimit, 4, () => {
        for (let g = 0; g < NR / 4; g++) transpose4(f, b, sN, j, k, g * 4, dst, g * 16, rowsV, pairs);
        f.inc(dst, NR * 16);
      }),
    );
    f.loop(k, K, 1, () => {
      // src = b + k*sK + j*sN
      f.get(b).get(k).get(sK).mul().add().get(j).get(sN).mul().add().set(src);
      // A full panel of a row-contiguous B: two vector copies.
      f.get(sN).i32(4).eq().get(j).i32(NR).add().get(N).leS().and(); // sN == 4 && j + NR <= N
      f.if(
        () => {
          f.get(dst).get(src).loadV(0).storeV(0);
          f.get(dst).get(src).loadV(16).storeV(16);
        },
        () => {
          f.i32(0).set(l);
          f.loop(l, NR, 1, () => {
            f.get(dst).get(l).i32(2).shl().add();
            f.get(j).get(l).add().get(N).ltS();
            f.if(
              () => void f.get(src).get(l).get(sN).mul().add().loadF32(),
              () => void f.f32(0),
              'f32',
            );
            f.storeF32();
          });
        },
      );
      f.inc(dst, NR * 4);
    });
  });
  return f;
}

/**
 * Panel rows k..k+3, columns col..col+3 (of the panel at column j) from B^T: loads B^T rows j+col.. (four
 * consecutive k each), transposes them (two rounds of pairing shuffles) and stores row kk at dst + kk*NR*4 + at.
 */
function transpose4(f: Fn, b: Local, sN: Local, j: Local, k: Local, col: number, dst: Local, at: number, rows: Local[], pairs: Local[]): void {
  for (let q = 0; q < 4; q++)
    f.get(b)
      .get(j)
      .i32(col + q)
      .add()
      .get(sN)
      .mul()
      .add()
      .get(k)
      .i32(2)
      .shl()
      .add()
      .loadV(0)
      .set(rows[q]);
  // pairs: (r0[0] r1[0] r0[1] r1[1]), (r0[2] r1[2] r0[3] r1[3]), the same of r2 and r3.
  f.get(rows[0]).get(rows[1]).shuffle32([0, 4, 1, 5]).set(pairs[0]);
  f.get(rows[0]).get(rows[1]).shuffle32([2, 6, 3, 7]).set(pairs[1]);
  f.get(rows[2]).get(rows[3]).shuffle32([0, 4, 1, 5]).set(pairs[2]);
  f.get(rows[2]).get(rows[3]).shuffle32([2, 6, 3, 7]).set(pairs[3]);
  for (let kk = 0; kk < 4; kk++) {
    const [lo, hi] = kk < 2 ? [pairs[0], pairs[2]] : [pairs[1], pairs[3]];
    f.get(dst)
      .get(lo)
      .get(hi)
      .shuffle32(kk % 2 === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7])
      .storeV(at + kk * NR * 4);
  }
}

/**
 * gemm(a, lda, pb, c, ldc, M, N, K, accumulate): C[M][N] (+)= A[M][K] . B, with A's rows contiguous
 * (lda and ldc in bytes), B packed by `pack`, and N a multiple of NR (pad C's rows when it is not).
 * gemmT is the same with A stored transposed: A[m][k] at a + m*4 + k*lda, so a gradient's A^T needs no copy
 * (the MR values of one k are then adjacent, and one pointer serves all rows).
 * gemmS (and gemmTS, built on request) take B as it lies, B[k][n] at pb + k*ldb + n*4 (one more argument, ldb in
 * bytes), for a long-K B of few columns that costs more to pack than to read strided: the first layer's filter
 * gradient's dy (packing [100352, 32] took 1.27 of its 3.37 ms; pack + gemm 1.97-2.56 -> gemmS 1.49-1.97 ms).
 * Not for wide B: the pointwise gradient's [25088, 64] read strided by gemmTS was no faster (2.86 -> 2.91 ms).
 */
export function gemmFn(transposedA = false, stridedB = false): Fn {
  const name = `gemm${transposedA ? 'T' : ''}${stridedB ? 'S' : ''}`;
  const f = new Fn(name, new Array(stridedB ? 10 : 9).fill('i32'));
  const [a, lda, pb, c, ldc, M, N, K, accumulate, ldb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => f.param(i));
  const i = f.local('i32');
  const j = f.local('i32');
  const k = f.local('i32');
  const pbp = f.local('i32');
  const pk = f.local('i32');
  const panelBytes = f.local('i32');
  const mLimit = f.local('i32');
  const pa = Array.from({ length: MR }, () => f.local('i32'));
  // Per row block: where its rows of A and C start; per panel: j in bytes. Kept in locals so a short-K call
  // (Winograd's K is the channel count) does not redo the multiplications for every 4x8 tile.
  const rowA = Array.from({ length: MR }, () => f.local('i32'));
  const rowC = Array.from({ length: MR }, () => f.local('i32'));
  const jBytes = f.local('i32');
  const acc = Array.from({ length: MR * 2 }, () => f.local('v128'));
  const b0 = f.local('v128');
  const b1 = f.local('v128');
  const s = f.local('v128');

  const step = (mr: number) => {
    f.get(pk).loadV(0).set(b0);
    f.get(pk).loadV(16).set(b1);
    for (let r = 0; r < mr; r++) {
      if (transposedA)
        f.get(pa[0])
          .loadSplat(r * 4)
          .set(s);
      else f.get(pa[r]).loadSplat(0).set(s);
      f.get(acc[2 * r])
        .get(s)
        .get(b0)
        .vmul()
        .vadd()
        .set(acc[2 * r]);
      f.get(acc[2 * r + 1])
        .get(s)
        .get(b1)
        .vmul()
        .vadd()
        .set(acc[2 * r + 1]);
    }
  };
  const cAddr = (r: number) => f.get(rowC[r]).get(jBytes).add();

  /** Moves A's pointers on to the next k. */
  const advanceA = (mr: number) => {
    if (transposedA) f.inc(pa[0], lda);
    else for (let r = 0; r < mr; r++) f.inc(pa[r], 4);
  };

  const block = (mr: number) => {
    if (transposedA) f.get(rowA[0]).set(pa[0]);
    else for (let r = 0; r < mr; r++) f.get(rowA[r]).set(pa[r]);
    f.get(j).i32(2).shl().set(jBytes);
    f.get(pbp).set(pk);
    f.get(accumulate).if(
      () => {
        for (let r = 0; r < mr; r++) {
          cAddr(r)
            .loadV(0)
            .set(acc[2 * r]);
          cAddr(r)
            .loadV(16)
            .set(acc[2 * r + 1]);
        }
      },
      () => {
        for (let r = 0; r < mr * 2; r++) f.vzero().set(acc[r]);
      },
    );
    f.i32(0).set(k);
    f.loop(k, K, 1, () => {
      step(mr);
      f.inc(pk, stridedB ? ldb : 32);
      advanceA(mr);
    });
    for (let r = 0; r < mr; r++) {
      cAddr(r)
        .get(acc[2 * r])
        .storeV(0);
      cAddr(r)
        .get(acc[2 * r + 1])
        .storeV(16);
    }
  };

  const rows = (mr: number, limit: Local) => {
    f.loop(i, limit, mr, () => {
      for (let r = 0; r < mr; r++) {
        if (transposedA) {
          if (r === 0) f.get(a).get(i).i32(2).shl().add().set(rowA[0]);
        } else f.get(a).get(i).i32(r).add().get(lda).mul().add().set(rowA[r]);
        f.get(c).get(i).i32(r).add().get(ldc).mul().add().set(rowC[r]);
      }
      f.i32(0).set(j);
      f.get(pb).set(pbp);
      f.loop(j, N, NR, () => {
        block(mr);
        f.inc(pbp, panelBytes);
      });
    });
  };

  // A panel is NR columns: K rows of NR floats apart when packed, the next NR floats of each row when strided.
  if (stridedB) f.i32(NR * 4).set(panelBytes);
  else
    f.get(K)
      .i32(NR * 4)
      .mul()
      .set(panelBytes);
  // Whole MR-row blocks, then the last rows as 3-row blocks, not row by row. A block of fewer than 4 rows is
  // bound by the add latency of its accumulators, not the FP pipes: per k a 3-row block costs ~3/4 of a 4-row one,
  // a 1-row block ~3/8 (in-process, gemm N=64 K=256: M=8 6.4 us, M=9 as 4+4+1 7.6, as 3+3+3 7.2). So a
  // remainder of 1 (M >= 9) runs as 3 + 3 + 3, a remainder of 2 as 3 + 3 (round 5 had made a remainder of 2 or
  // 3 one block instead of single rows). A/B, CPU time: the first layer's filter gradient (gemmS M=9 N=32
  // K=2040) 26.4 -> 25.2 us in 5 runs, M=25 and M=49 1-2%, whole blocks unchanged. Rows in 4-blocks: M - tail,
  // tail = (12 - 3 * (M % 4)) % 12 = 0, 9, 6, 3; negative when a small M has no 4-block to spare (5 = 3 + 2).
  f.get(M).i32(12).get(M).i32(3).and().i32(3).mul().sub().i32(12).remU().sub().set(mLimit);
  f.i32(0).set(i);
  rows(MR, mLimit);
  for (let mr = MR - 1; mr >= 1; mr--) {
    f.get(M)
      .i32(mr - 1)
      .sub()
      .set(mLimit);
    rows(mr, mLimit);
  }
  return f;
}
