// Layer normalization's row passes in wasm SIMD, four features at a time, for widths that are a multiple of four
// (layerNorm.ts runs them in JavaScript otherwise). In JavaScript the transformer's two layer norms over [3584, 64]
// took ~2.5 ms forward and ~3.7 ms backward of a ~50 ms step (bench --profile --net transformer).
//
// layerNormRows(x, gamma, beta, y, mean, rstd, N, D, invD, epsilon): per row, mean and rstd (two passes, so no
//   cancellation), then y = (x - mean) * rstd * gamma + beta.
// layerNormGradRows(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, block, N, D, invD): per row, with xhat and
//   g = dy * gamma, dx = rstd * (g - mean(g) - xhat * mean(g * xhat)). dgamma and dbeta (zeroed by the caller)
//   get the column sums of dy * xhat and dy two-level, as simd/reduce.ts sums rows: each block of BLOCK rows is
//   summed into `block` (2D zeroed floats of scratch) and then added to them, so 3584 rows round like ~120 terms.
import { Fn, type Local } from '../simd/asm';

export const BLOCK = 32;

/** Horizontal sum of a v128 local's four f32 lanes, left on the stack as an f32. */
export function hsum(f: Fn, v: Local): Fn {
  f.get(v).op(0xfd, 0x1f, 0);
  for (let lane = 1; lane < 4; lane++) f.get(v).op(0xfd, 0x1f, lane).fadd();
  return f;
}

const fmul = (f: Fn) => f.op(0x94);
const fdiv = (f: Fn) => f.op(0x95);
const fsqrt = (f: Fn) => f.op(0x91);

export function layerNormRowsFn(): Fn {
  const f = new Fn('layerNormRows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'f32']);
  const [x, gamma, beta, y, mean, rstd, N, D, invD, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => f.param(i));
  const n = f.local('i32');
  const d = f.local('i32');
  const rowBytes = f.local('i32');
  const px = f.local('i32');
  const py = f.local('i32');
  const acc = f.local('v128');
  const t = f.local('v128');
  const muV = f.local('v128');
  const rV = f.local('v128');
  const mu = f.local('f32');
  const r = f.local('f32');

  f.get(D).i32(2).shl().set(rowBytes);
  f.get(x).set(px);
  f.get(y).set(py);
  f.i32(0).set(n);
  f.loop(n, N, 1, () => {
    f.vzero().set(acc);
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => void f.get(acc).get(px).get(d).add().loadV().vadd().set(acc));
    hsum(f, acc).get(invD);
    fmul(f).set(mu);
    f.get(mu).vsplat().set(muV);
    f.vzero().set(acc);
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => {
      f.get(px).get(d).add().loadV().get(muV).vsub().set(t);
      f.get(acc).get(t).get(t).vmul().vadd().set(acc);
    });
    f.f32(1);
    hsum(f, acc).get(invD);
    fmul(f).get(eps).fadd();
    fsqrt(f);
    fdiv(f).set(r);
    f.get(mean).get(n).i32(2).shl().add().get(mu).storeF32();
    f.get(rstd).get(n).i32(2).shl().add().get(r).storeF32();
    f.get(r).vsplat().set(rV);
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => {
      f.get(py).get(d).add();
      f.get(px).get(d).add().loadV().get(muV).vsub().get(rV).vmul();
      f.get(gamma).get(d).add().loadV().vmul();
      f.get(beta).get(d).add().loadV().vadd();
      f.storeV();
    });
    f.inc(px, rowBytes);
    f.inc(py, rowBytes);
  });
  return f;
}

export function layerNormGradRowsFn(): Fn {
  const f = new Fn('layerNormGradRows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32']);
  const [dy, x, gamma, mean, rstd, dx, dgamma, dbeta, block, N, D, invD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => f.param(i));
  const n = f.local('i32');
  const d = f.local('i32');
  const rowBytes = f.local('i32');
  const off = f.local('i32');
  const blockB = f.local('i32');
  const dyV = f.local('v128');
  const xhat = f.local('v128');
  const g = f.local('v128');
  const sG = f.local('v128');
  const sGX = f.local('v128');
  const muV = f.local('v128');
  const rV = f.local('v128');
  const mgV = f.local('v128');
  const mgxV = f.local('v128');

  /** dgamma += block's dgamma sums, dbeta += its dbeta sums, and the block zeroed. */
  const flush = () => {
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => {
      f.get(dgamma).get(d).add();
      f.get(dgamma).get(d).add().loadV().get(block).get(d).add().loadV().vadd().storeV();
      f.get(dbeta).get(d).add();
      f.get(dbeta).get(d).add().loadV().get(blockB).get(d).add().loadV().vadd().storeV();
      f.get(block).get(d).add().vzero().storeV();
      f.get(blockB).get(d).add().vzero().storeV();
    });
  };

  f.get(D).i32(2).shl().set(rowBytes);
  f.get(block).get(rowBytes).add().set(blockB);
  f.i32(0).set(n);
  f.loop(n, N, 1, () => {
    f.get(n)
      .i32(BLOCK - 1)
      .and()
      .eqz()
      .get(n)
      .i32(0)
      .op(0x47)
      .and(); // n % BLOCK == 0 && n != 0
    f.if(flush);
    f.get(n).get(rowBytes).mul().set(off);
    f.get(mean).get(n).i32(2).shl().add().loadSplat().set(muV);
    f.get(rstd).get(n).i32(2).shl().add().loadSplat().set(rV);
    f.vzero().set(sG);
    f.vzero().set(sGX);
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => {
      f.get(dy).get(off).add().get(d).add().loadV().set(dyV);
      f.get(x).get(off).add().get(d).add().loadV().get(muV).vsub().get(rV).vmul().set(xhat);
      f.get(dyV).get(gamma).get(d).add().loadV().vmul().set(g);
      f.get(sG).get(g).vadd().set(sG);
      f.get(sGX).get(g).get(xhat).vmul().vadd().set(sGX);
      f.get(block).get(d).add();
      f.get(block).get(d).add().loadV().get(dyV).get(xhat).vmul().vadd().storeV();
      f.get(blockB).get(d).add();
      f.get(blockB).get(d).add().loadV().get(dyV).vadd().storeV();
    });
    hsum(f, sG).get(invD);
    fmul(f).vsplat().set(mgV);
    hsum(f, sGX).get(invD);
    fmul(f).vsplat().set(mgxV);
    f.i32(0).set(d);
    f.loop(d, rowBytes, 16, () => {
      f.get(dx).get(off).add().get(d).add();
      f.get(dy).get(off).add().get(d).add().loadV().get(gamma).get(d).add().loadV().vmul();
      f.get(mgV).vsub();
      f.get(x).get(off).add().get(d).add().loadV().get(muV).vsub().get(rV).vmul().get(mgxV).vmul().vsub();
      f.get(rV).vmul();
      f.storeV();
    });
  });
  flush();
  return f;
}
