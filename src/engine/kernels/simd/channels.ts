// Per-channel SIMD passes over channels-last tensors seen as [rows][width] (width = channels): reductions into
// one value per channel, and maps whose coefficients are per channel. The fused batch norm is built from these
// (kernels/batchNorm.ts): a handful of sequential passes instead of tfjs's chain of broadcast and tile kernels.
// Channels go four at a time as vectors, the width % 4 leftover one at a time.
import { Fn, type Local } from './asm';

/** Rows summed in registers before joining the total: a 100k-row sum then rounds like a ~1.6k-term one. */
const BLOCK = 64;

/** SIMD opcodes the assembler has no helper for (the 0xfd prefix, then the LEB128 opcode). */
const SIMD_OP = { sqrt: 0xe3, div: 0xe7, max: 0xe9 } as const;
export function vop(f: Fn, name: keyof typeof SIMD_OP): Fn {
  const code = SIMD_OP[name];
  return f.op(0xfd, (code & 0x7f) | 0x80, code >> 7);
}
/** Scalar f32 opcodes. */
export const F32 = { sub: 0x93, mul: 0x94, div: 0x95, sqrt: 0x91, max: 0x97 } as const;

export type Lane = 'v128' | 'f32';
const load = (f: Fn, type: Lane, offset = 0) => (type === 'v128' ? f.loadV(offset) : f.loadF32(offset));
const store = (f: Fn, type: Lane, offset = 0) => (type === 'v128' ? f.storeV(offset) : f.storeF32(offset));
const mul = (f: Fn, type: Lane) => (type === 'v128' ? f.vmul() : f.op(F32.mul));
const add = (f: Fn, type: Lane) => (type === 'v128' ? f.vadd() : f.fadd());
const sub = (f: Fn, type: Lane) => (type === 'v128' ? f.vsub() : f.op(F32.sub));

/**
 * name(a_0 .. a_{A-1}, rows, width, p_0 .. p_{P-1}, o_0 .. o_{O-1}): for every column j, adds the sum over rows of
 * the term (of a_i[r][j] and p_k[j]) into o_m[j], which the caller zeroes. `term` updates the accumulators `acc`
 * from `values` and `params`, the same code for vectors and scalars (`type` says which). Each walk down the rows
 * takes `unroll` vectors of columns side by side: one vector at a time was bound by the latency of its single
 * chain of adds (with 4, on [100352, 32]: sumRows 0.50 -> 0.22 ms, sumSqDev 0.42-0.84 -> 0.24-0.36).
 */
export function columnReduce(
  name: string,
  arrays: number,
  params: number,
  outs: number,
  term: (f: Fn, values: Local[], params: Local[], acc: Local[], type: Lane) => void,
  unroll = 4,
): Fn {
  const f = new Fn(name, new Array(arrays + 2 + params + outs).fill('i32'));
  const a = [...Array(arrays).keys()].map((i) => f.param(i));
  const [rows, width] = [f.param(arrays), f.param(arrays + 1)];
  const p = [...Array(params).keys()].map((i) => f.param(arrays + 2 + i));
  const o = [...Array(outs).keys()].map((i) => f.param(arrays + 2 + params + i));
  const [r0, r1, r, j, jU, j4, off, rowBytes] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local('i32'));
  const lanes = (type: Lane) => ({
    values: a.map(() => f.local(type)),
    params: p.map(() => f.local(type)),
    acc: o.map(() => f.local(type)),
  });
  const vec = Array.from({ length: unroll }, () => lanes('v128'));
  const sca = [lanes('f32')];

  /** One walk down the block's rows for `u` adjacent columns (vectors, or one scalar), at byte offsets 16 * k. */
  const body = (type: Lane, u: number) => {
    const ls = (type === 'v128' ? vec : sca).slice(0, u);
    ls.forEach((l, k) => {
      p.forEach((ptr, i) => load(f.get(ptr).get(j).add(), type, 16 * k).set(l.params[i]));
      for (const acc of l.acc) (type === 'v128' ? f.vzero() : f.f32(0)).set(acc);
    });
    f.get(r0).get(rowBytes).mul().get(j).add().set(off);
    f.get(r0).set(r);
    f.loop(r, r1, 1, () => {
      ls.forEach((l, k) => {
        a.forEach((ptr, i) => load(f.get(ptr).get(off).add(), type, 16 * k).set(l.values[i]));
        term(f, l.values, l.params, l.acc, type);
      });
      f.inc(off, rowBytes);
    });
    ls.forEach((l, k) =>
      o.forEach((ptr, m) => {
        f.get(ptr).get(j).add();
        load(f.get(ptr).get(j).add(), type, 16 * k).get(l.acc[m]);
        store(add(f, type), type, 16 * k);
      }),
    );
  };

  f.get(width).i32(2).shl().set(rowBytes);
  f.get(width)
    .i32(-4 * unroll)
    .and()
    .i32(2)
    .shl()
    .set(jU);
  f.get(width).i32(-4).and().i32(2).shl().set(j4);
  f.i32(0).set(r0);
  f.loop(r0, rows, BLOCK, () => {
    f.get(r0).i32(BLOCK).add().get(rows).minS().set(r1);
    f.i32(0).set(j);
    f.loop(j, jU, 16 * unroll, () => body('v128', unroll));
    f.loop(j, j4, 16, () => body('v128', 1));
    f.loop(j, rowBytes, 4, () => body('f32', 1));
  });
  return f;
}

/**
 * name(a_0 .. a_{A-1}, rows, width, p_0 .. p_{P-1}, out): out[r][j] = expr(a_i[r][j], p_k[j]). `expr` leaves one
 * value of `type` on the stack. `out` may be one of the inputs (each element is read before it is written).
 */
export function rowMap(name: string, arrays: number, params: number, expr: (f: Fn, values: Local[], params: Local[], type: Lane) => void): Fn {
  const f = new Fn(name, new Array(arrays + 2 + params + 1).fill('i32'));
  const a = [...Array(arrays).keys()].map((i) => f.param(i));
  const [rows, width] = [f.param(arrays), f.param(arrays + 1)];
  const p = [...Array(params).keys()].map((i) => f.param(arrays + 2 + i));
  const out = f.param(arrays + 2 + params);
  const [r, j, j4, row, q, rowBytes] = [0, 1, 2, 3, 4, 5].map(() => f.local('i32'));
  const vals = { v128: a.map(() => f.local('v128')), f32: a.map(() => f.local('f32')) };
  const pars = { v128: p.map(() => f.local('v128')), f32: p.map(() => f.local('f32')) };

  const body = (type: Lane) => {
    f.get(row).get(j).add().set(q);
    a.forEach((ptr, i) => load(f.get(ptr).get(q).add(), type).set(vals[type][i]));
    p.forEach((ptr, k) => load(f.get(ptr).get(j).add(), type).set(pars[type][k]));
    f.get(out).get(q).add();
    expr(f, vals[type], pars[type], type);
    store(f, type);
  };

  f.get(width).i32(2).shl().set(rowBytes);
  f.get(width).i32(-4).and().i32(2).shl().set(j4);
  f.i32(0).set(row);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.i32(0).set(j);
    f.loop(j, j4, 16, () => body('v128'));
    f.loop(j, rowBytes, 4, () => body('f32'));
    f.inc(row, rowBytes);
  });
  return f;
}

/** sumSqDev(x, rows, width, mean, out): out[j] += sum over rows of (x[r][j] - mean[j])^2. */
export function sumSqDevFn(): Fn {
  return columnReduce('sumSqDev', 1, 1, 1, (f, [x], [mean], [acc], t) => {
    sub(f.get(x).get(mean), t);
    sub(f.get(x).get(mean), t);
    mul(f, t);
    add(f.get(acc), t).set(acc);
  });
}

/** sumDyXc(dy, x, rows, width, mean, sumDy, sumDyXc): sumDy[j] += sum of dy; sumDyXc[j] += sum of dy * (x - mean). */
export function sumDyXcFn(): Fn {
  // Two vectors a walk, not four: with two sums each, four spilled (16 channels 0.13 -> 0.17 ms, 64 no gain).
  return columnReduce(
    'sumDyXc',
    2,
    1,
    2,
    (f, [dy, x], [mean], [sDy, sDyXc], t) => {
      add(f.get(sDy).get(dy), t).set(sDy);
      sub(f.get(x).get(mean), t);
      mul(f.get(dy), t);
      add(f.get(sDyXc), t).set(sDyXc);
    },
    2,
  );
}

/** affine(x, rows, width, m, s, t, y): y = (x - m[j]) * s[j] + t[j]. Centring first keeps precision when |mean| >> std. */
export function affineFn(): Fn {
  return rowMap('affine', 1, 3, (f, [x], [m, sc, t], type) => {
    sub(f.get(x).get(m), type);
    mul(f.get(sc), type);
    add(f.get(t), type);
  });
}

/** affine2(dy, x, rows, width, a, m, b, c, dx): dx = dy * a[j] + (x - m[j]) * b[j] + c[j]. */
export function affine2Fn(): Fn {
  return rowMap('affine2', 2, 4, (f, [dy, x], [a, m, b, c], type) => {
    mul(f.get(dy).get(a), type);
    sub(f.get(x).get(m), type);
    mul(f.get(b), type);
    add(f, type);
    add(f.get(c), type);
  });
}
