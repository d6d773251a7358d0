// DARTS' mixed operation as SIMD passes (kernels/mixed.ts): the softmax-weighted sum of K candidate outputs and
// its gradients. tfjs runs it as K Multiply + one AddN forward and, backward, a Multiply + Cast per candidate
// for dx and a Multiply + Cast + Sum + Reshape per candidate for the weight: ~20 kernels an edge where these
// are 1 forward and 2 backward. Functions exist for 1..MAX_TERMS terms; the caller splits longer sums.
import { Fn, type Local } from './asm';
import { columnReduce, F32 } from './channels';
import { kernelLoader } from './loader';

export const MAX_TERMS = 6;

const range = (n: number) => [...Array(n).keys()];

/** The i32 parameters `from`.. and the f32 weights after them, splatted into vectors once. */
function weights(f: Fn, from: number, k: number): { scalar: Local[]; vector: Local[] } {
  const scalar = range(k).map((i) => f.param(from + i));
  const vector = scalar.map((w) => {
    const v = f.local('v128');
    f.get(w).vsplat().set(v);
    return v;
  });
  return { scalar, vector };
}

/** A walk over n floats: `body(type, i)` at byte offset i, four at a time, then the n % 4 left one at a time. */
function elementwise(f: Fn, n: Local, body: (type: 'v128' | 'f32', i: Local) => void): void {
  const [i, end4, end] = [f.local('i32'), f.local('i32'), f.local('i32')];
  f.get(n).i32(2).shl().set(end);
  f.get(n).i32(-4).and().i32(2).shl().set(end4);
  f.i32(0).set(i);
  f.loop(i, end4, 16, () => body('v128', i));
  f.loop(i, end, 4, () => body('f32', i));
}

/**
 * mix{k}(x_0..x_{k-1}, w_0..w_{k-1}, n, y, acc): y = (acc ? y : 0) + w_0 x_0 + w_1 x_1 + ..., summed left to
 * right from zero as tfjs's Multiply then AddN round, so the values are theirs.
 */
function mixFn(k: number): Fn {
  const f = new Fn(`mix${k}`, [...Array<'i32'>(k).fill('i32'), ...Array<'f32'>(k).fill('f32'), 'i32', 'i32', 'i32']);
  const x = range(k).map((i) => f.param(i));
  const w = weights(f, k, k);
  const [n, y, acc] = [f.param(2 * k), f.param(2 * k + 1), f.param(2 * k + 2)];
  elementwise(f, n, (type, i) => {
    const v = type === 'v128';
    f.get(y).get(i).add();
    f.get(acc);
    f.if(
      () => (v ? f.get(y).get(i).add().loadV() : f.get(y).get(i).add().loadF32()),
      () => (v ? f.vzero() : f.f32(0)),
      type,
    );
    x.forEach((p, j) => {
      f.get(p).get(i).add();
      if (v) f.loadV().get(w.vector[j]).vmul().vadd();
      else f.loadF32().get(w.scalar[j]).op(F32.mul).fadd();
    });
    if (v) f.storeV();
    else f.storeF32();
  });
  return f;
}

/** mixDx{k}(dy, w_0..w_{k-1}, n, dx_0..dx_{k-1}): dx_j = w_j dy (tfjs's Multiply gradient, same rounding). */
function mixDxFn(k: number): Fn {
  const f = new Fn(`mixDx${k}`, ['i32', ...Array<'f32'>(k).fill('f32'), 'i32', ...Array<'i32'>(k).fill('i32')]);
  const dy = f.param(0);
  const w = weights(f, 1, k);
  const n = f.param(k + 1);
  const dx = range(k).map((j) => f.param(k + 2 + j));
  const d = { v128: f.local('v128'), f32: f.local('f32') };
  elementwise(f, n, (type, i) => {
    const v = type === 'v128';
    f.get(dy).get(i).add();
    (v ? f.loadV() : f.loadF32()).set(d[type]);
    dx.forEach((p, j) => {
      f.get(p).get(i).add().get(d[type]);
      if (v) f.get(w.vector[j]).vmul().storeV();
      else f.get(w.scalar[j]).op(F32.mul).storeF32();
    });
  });
  return f;
}

/**
 * mixDw{k}(dy, x_0..x_{k-1}, rows, width, out_0..out_{k-1}): out_j[c] += sum over rows of x_j[r][c] dy[r][c], in
 * 64-row blocks (channels.ts columnReduce) so long sums round like short ones; the caller adds up the columns.
 */
function mixDwFn(k: number): Fn {
  return columnReduce(
    `mixDw${k}`,
    k + 1,
    0,
    k,
    (f, [dy, ...x], _, acc, t) => {
      x.forEach((xj, j) => {
        f.get(acc[j]).get(xj).get(dy);
        if (t === 'v128') f.vmul().vadd();
        else f.op(F32.mul).fadd();
        f.set(acc[j]);
      });
    },
    // Each walk holds k sums and k + 1 loads: two column vectors side by side spill beyond two terms.
    k <= 2 ? 2 : 1,
  );
}

export type MixedExports = Record<string, (...args: number[]) => void>;

/** The kernels bound to this backend's memory. */
export const mixedKernels = kernelLoader<MixedExports>(() => range(MAX_TERMS).flatMap((i) => [mixFn(i + 1), mixDxFn(i + 1), mixDwFn(i + 1)]));
