// maxPoolGrad2x2(x, dy, dx, rows, OW, C), maxPool2x2(x, y, rows, OW, C), avgPool2x2(x, y, rows, OW, C) and
// avgPoolGrad2x2(dx, dy, rows, OW, C): the 2x2, stride-2 pooling that CNNs use most, where the windows tile the
// input exactly (H = 2*OH, W = 2*OW, no padding, C % 4 == 0). The max gradient: the general kernel (pool.ts)
// zeroes dx first, walks each window's taps in loops and adds into dx; on the reference CNN's [128,28,28,32]
// input that was 5.2 ms a step. Here every dx value belongs to exactly one window, so each is written once (the dy
// value or 0) with no zero pass and no read of dx, the four taps unrolled. The forward passes and the average
// gradient (dy / 4 to each tap; walk.ts's general one zeroes dx and adds) take the same walk.
// The max and argmax rule is pool.ts's and the cpu backend's (strictly greater wins, first of tied maxima, NaN
// never wins, a window of only -Infinity/NaN gives -Infinity and passes no gradient on).
// `rows` = N*OH: input rows pair up across images because H is even.
import { Fn } from './asm';

type Mode = 'max' | 'maxGrad' | 'avg' | 'avgGrad';

export const maxPoolGrad2x2Fn = () => pool2x2('maxPoolGrad2x2', 'maxGrad');
export const maxPool2x2Fn = () => pool2x2('maxPool2x2', 'max');
export const avgPool2x2Fn = () => pool2x2('avgPool2x2', 'avg');
export const avgPoolGrad2x2Fn = () => pool2x2('avgPoolGrad2x2', 'avgGrad');

/**
 * Params (big, small, [dx,] rows, OW, C): `big` is the input-sized array the walk goes over by windows (x, or dx
 * for the average gradient), `small` the output-sized one (y or dy); the max gradient also takes dx.
 */
function pool2x2(name: string, mode: Mode): Fn {
  const f = new Fn(name, new Array(mode === 'maxGrad' ? 6 : 5).fill('i32'));
  const [x, dy, dx, rows, OW, C] = (mode === 'maxGrad' ? [0, 1, 2, 3, 4, 5] : [0, 1, 0, 2, 3, 4]).map((i) => f.param(i));
  const [r, yc, c, pixelBytes, rowBytes, p, dyP, toDx] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local('i32'));
  const tap = [0, 1, 2, 3].map(() => f.local('i32'));
  const v = [0, 1, 2, 3].map(() => f.local('v128'));
  const [m, later, hit, d] = [0, 1, 2, 3].map(() => f.local('v128'));
  const gt = [0, 1, 2, 3].map(() => f.local('v128'));
  const quarter = () => f.f32(0.25).vsplat().vmul();

  const window = () => {
    if (mode === 'avgGrad') {
      f.get(dyP).get(c).add().loadV();
      quarter().set(d);
      for (let t = 0; t < 4; t++) f.get(tap[t]).get(d).storeV();
      return;
    }
    if (mode === 'avg') {
      f.get(dyP).get(c).add();
      f.get(tap[0]).loadV().get(tap[1]).loadV().vadd().get(tap[2]).loadV().vadd().get(tap[3]).loadV().vadd();
      quarter().storeV();
      return;
    }
    f.f32(-Infinity).vsplat().set(m);
    for (let t = 0; t < 4; t++) {
      f.get(tap[t]).loadV().set(v[t]);
      // m = v > m ? v : m, lane by lane; the gradient keeps the comparison
      if (mode === 'maxGrad') f.get(v[t]).get(m).vgt().set(gt[t]);
      f.get(v[t]).get(m);
      if (mode === 'maxGrad') f.get(gt[t]);
      else f.get(v[t]).get(m).vgt();
      f.vbitselect().set(m);
    }
    if (mode === 'max') {
      f.get(dyP).get(c).add().get(m).storeV();
      return;
    }
    // The max's tap is the last one that was strictly greater than the running max: taps before it were smaller
    // (the first of tied maxima wins), and a window of only -Infinity/NaN has none. Same rule as comparing every
    // tap with the max (pool.ts), in 7 vector ops instead of 14.
    f.get(dyP).get(c).add().loadV().set(d);
    f.get(gt[3]).set(later);
    for (let t = 3; t >= 0; t--) {
      if (t < 3) f.get(gt[t]).get(later).vandnot().set(hit);
      if (t < 3 && t > 0) f.get(later).get(gt[t]).vor().set(later);
      f.get(tap[t])
        .get(toDx)
        .add()
        .get(d)
        .get(t < 3 ? hit : gt[3])
        .vand()
        .storeV();
    }
  };

  f.get(C).i32(2).shl().set(pixelBytes);
  f.get(OW).get(pixelBytes).mul().i32(1).shl().set(rowBytes);
  f.get(dx).get(x).sub().set(toDx);
  f.get(x).set(p);
  f.get(dy).set(dyP);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.i32(0).set(yc);
    f.loop(yc, OW, 1, () => {
      f.i32(0).set(c);
      f.loop(c, pixelBytes, 16, () => {
        // Taps in the cpu backend's order: row by row, left to right.
        f.get(p).get(c).add().tee(tap[0]).get(pixelBytes).add().set(tap[1]);
        f.get(tap[0]).get(rowBytes).add().tee(tap[2]).get(pixelBytes).add().set(tap[3]);
        window();
      });
      f.inc(p, pixelBytes).inc(p, pixelBytes);
      f.inc(dyP, pixelBytes);
    });
    f.inc(p, rowBytes); // the window row's second input row was read with the first
  });
  return f;
}
