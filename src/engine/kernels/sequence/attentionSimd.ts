// Self-attention's row passes in wasm SIMD, four columns at a time, for sequence lengths that are a multiple of four
// (attention.ts runs them in JavaScript otherwise). In JavaScript the softmax's Math.exp over every sample's and
// head's T x T scores was most of the fused attention's ~5.5 ms forward of the transformer step (128 x 4 x 28 x 28
// exponentials); exp here is lstmGates.ts's.
//
// softmaxRows(src, srcStride, dst, dstStride, rows, cols, scale): dst's row r = softmax(scale * src's row r),
//   the row maximum subtracted first. Strides in bytes.
// softmaxGradRows(ds, dsStride, p, pStride, rows, cols, scale): in place, ds = p * (ds - rowsum(ds * p)) * scale:
//   the gradient of the scores from that of the probabilities p.
import { Fn } from '../simd/asm';
import { hsum } from './layerNormSimd';
import { Emitter } from './lstmGates';

const F32X4_SPLAT = 0x13;
// f32x4.pmax (a < b ? b : a) is SIMD opcode 0xeb, LEB128-encoded after the 0xfd prefix: 0xeb 0x01. It is one
// maxps on x64, where f32x4.max's NaN rules take V8 ~7 instructions; for the maximum of finite scores they agree.
const pmax = (f: Fn) => f.op(0xfd, 0xeb, 0x01);
const F32_DIV = 0x95;

export function softmaxRowsFn(): Fn {
  const f = new Fn('softmaxRows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32']);
  const [src, srcStride, dst, dstStride, rows, cols, scale] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i));
  const r = f.local('i32');
  const c = f.local('i32');
  const colBytes = f.local('i32');
  const ps = f.local('i32');
  const pd = f.local('i32');
  const mx = f.local('v128');
  const sum = f.local('v128');
  const t = f.local('v128');
  const scaleV = f.local('v128');
  const e = new Emitter(f);

  f.get(cols).i32(2).shl().set(colBytes);
  f.get(scale).op(0xfd, F32X4_SPLAT).set(scaleV);
  f.get(src).set(ps);
  f.get(dst).set(pd);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.get(ps).loadV().set(mx);
    f.i32(16).set(c);
    f.loop(c, colBytes, 16, () => void pmax(f.get(mx).get(ps).get(c).add().loadV()).set(mx));
    // the row's maximum in all four lanes: against the halves swapped, then against the neighbours swapped
    pmax(f.get(mx).get(mx).get(mx).shuffle32([2, 3, 0, 1])).set(mx);
    pmax(f.get(mx).get(mx).get(mx).shuffle32([1, 0, 3, 2])).set(mx);
    f.vzero().set(sum);
    f.i32(0).set(c);
    f.loop(c, colBytes, 16, () => {
      f.get(ps).get(c).add().loadV().get(mx).vsub().get(scaleV).vmul().set(t);
      e.exp(t);
      f.get(pd).get(c).add().get(t).storeV();
      f.get(sum).get(t).vadd().set(sum);
    });
    f.f32(1);
    hsum(f, sum).op(F32_DIV).vsplat().set(sum);
    f.i32(0).set(c);
    f.loop(c, colBytes, 16, () => void f.get(pd).get(c).add().get(pd).get(c).add().loadV().get(sum).vmul().storeV());
    f.inc(ps, srcStride);
    f.inc(pd, dstStride);
  });
  return f;
}

export function softmaxGradRowsFn(): Fn {
  const f = new Fn('softmaxGradRows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32']);
  const [ds, dsStride, p, pStride, rows, cols, scale] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i));
  const r = f.local('i32');
  const c = f.local('i32');
  const colBytes = f.local('i32');
  const pd = f.local('i32');
  const pp = f.local('i32');
  const dot = f.local('v128');
  const scaleV = f.local('v128');

  f.get(cols).i32(2).shl().set(colBytes);
  f.get(scale).vsplat().set(scaleV);
  f.get(ds).set(pd);
  f.get(p).set(pp);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.vzero().set(dot);
    f.i32(0).set(c);
    f.loop(c, colBytes, 16, () => void f.get(dot).get(pd).get(c).add().loadV().get(pp).get(c).add().loadV().vmul().vadd().set(dot));
    hsum(f, dot).vsplat().set(dot);
    f.i32(0).set(c);
    f.loop(c, colBytes, 16, () => {
      f.get(pd).get(c).add();
      f.get(pp).get(c).add().loadV();
      f.get(pd).get(c).add().loadV().get(dot).vsub().vmul().get(scaleV).vmul();
      f.storeV();
    });
    f.inc(pd, dsStride);
    f.inc(pp, pStride);
  });
  return f;
}
