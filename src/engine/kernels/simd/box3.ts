// avgPool3x3(x, y, N, H, W, C, rowW, colW, zeroRow, t) and avgPool3x3Grad(dy, dx, ...same): the 3x3, stride-1,
// 'same' average pool of a cell network's avgPool3x3 edge and its gradient, as two passes of a 3-tap sum (rows,
// then columns) through a one-row buffer, where XNNPACK's forward and our per-tap walk for the gradient (walk.ts, 9
// walks an image) revisit every window. A window's pixel count (the divisor, in-image pixels only, as tfjs's forward
// and the cpu backend count) is rows x columns, so its inverse is rowW[i] * colW[j] (1 / 2 or 1 / 3 each; the caller
// fills both). Forward: y[i][j] = rowW[i] colW[j] (sum of the window around (i, j)). Gradient: each window's dy
// divided by its count goes to each of its pixels, and the windows that hold (i, j) are those around it, so
// dx[i][j] = sum over the 3x3 around (i, j) of rowW[i'] colW[j'] dy[i'][j'].
// zeroRow: W*C zero floats, read for the rows above and below the image. t: (W + 2)*C floats whose first and last
// C are zero (the pixels left and right of the image); the rest is the row buffer. C % 4 == 0.
import { Fn } from './asm';

export const avgPool3x3Fn = () => box3('avgPool3x3', false);
export const avgPool3x3GradFn = () => box3('avgPool3x3Grad', true);

function box3(name: string, grad: boolean): Fn {
  const f = new Fn(name, new Array(10).fill('i32'));
  const [src, dst, N, H, W, C, rowW, colW, zeroRow, t] = [...Array(10).keys()].map((i) => f.param(i));
  const [img, i, j, p, end, pixel, rowBytes, up, mid, down, out, tRow, last] = [...Array(13).keys()].map(() => f.local('i32'));
  const [wUp, wMid, wDown, s] = [0, 1, 2, 3].map(() => f.local('v128'));

  f.get(C).i32(2).shl().set(pixel);
  f.get(W).get(pixel).mul().set(rowBytes);
  f.get(t).get(pixel).add().set(tRow);
  f.get(H).i32(1).sub().set(last);
  f.get(src).set(mid);
  f.get(dst).set(out);
  f.i32(0).set(img);
  f.loop(img, N, 1, () => {
    f.i32(0).set(i);
    f.loop(i, H, 1, () => {
      // The rows above and below, or the zero row past the image's edge.
      f.get(mid).get(rowBytes).sub().get(zeroRow).get(i).i32(0).op(0x4a).select().set(up); // i > 0
      f.get(mid).get(rowBytes).add().get(zeroRow).get(i).get(last).ltS().select().set(down);
      if (grad) {
        // Each row's weight; the zero row's is any finite value (rowW[i] itself).
        f.get(rowW).get(i).i32(2).shl().add().tee(p).loadSplat().set(wMid);
        f.get(p).i32(4).sub().get(p).get(i).i32(0).op(0x4a).select().loadSplat().set(wUp);
        f.get(p).i32(4).add().get(p).get(i).get(last).ltS().select().loadSplat().set(wDown);
        // t[j] = colW[j] * (rows' weighted sum), pixel by pixel.
        f.i32(0).set(j);
        f.loop(j, W, 1, () => {
          f.get(colW).get(j).i32(2).shl().add().loadSplat().set(s);
          f.get(j).get(pixel).mul().set(p);
          f.get(p).get(pixel).add().set(end);
          f.loop(p, end, 16, () => {
            f.get(tRow).get(p).add();
            f.get(up).get(p).add().loadV().get(wUp).vmul();
            f.get(mid).get(p).add().loadV().get(wMid).vmul().vadd();
            f.get(down).get(p).add().loadV().get(wDown).vmul().vadd();
            f.get(s).vmul().storeV();
          });
        });
      } else {
        // t = the three rows' sum, the row's pixels and channels as one run of vectors.
        f.i32(0).set(p);
        f.loop(p, rowBytes, 16, () => {
          f.get(tRow).get(p).add();
          f.get(up).get(p).add().loadV();
          f.get(mid).get(p).add().loadV().vadd();
          f.get(down).get(p).add().loadV().vadd().storeV();
        });
      }
      // out[j] = t[j - 1] + t[j] + t[j + 1] (times the window's inverse count, forward).
      f.i32(0).set(j);
      f.loop(j, W, 1, () => {
        if (!grad) {
          f.get(rowW).get(i).i32(2).shl().add().loadF32();
          f.get(colW).get(j).i32(2).shl().add().loadF32();
          f.op(0x94).vsplat().set(s); // f32.mul
        }
        f.get(j).get(pixel).mul().set(p);
        f.get(p).get(pixel).add().set(end);
        f.loop(p, end, 16, () => {
          f.get(out).get(p).add();
          f.get(t).get(p).add().loadV();
          f.get(tRow).get(p).add().loadV().vadd();
          f.get(tRow).get(pixel).add().get(p).add().loadV().vadd();
          if (!grad) f.get(s).vmul();
          f.storeV();
        });
      });
      f.inc(mid, rowBytes);
      f.inc(out, rowBytes);
    });
  });
  return f;
}
