// im2row(x, H, W, C, OW, OHW, KH, KW, sh, sw, dh, dw, pt, pl, rowStart, rows, dst): the transposed patch
// matrix, dst[(tap*C + c)*rows + r] = x[n, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, c] for output pixel
// rowStart + r (zero outside the image). For few input channels that is the better GEMM operand: its rows
// are long and nothing is padded, where im2col would pad C*KH*KW columns up to a multiple of NR.
// It goes by runs of pixels along one output row: for each tap such a run reads one image row at a fixed
// step, so the bounds are worked out once per run (zeros before and after, a copy between) instead of once
// per value, and with one channel the copy is a vector copy (stride 1) or a vector shuffle (stride 2). (Value by value it spent ~9 ns an
// element on the first layer's gradient, more than the GEMM that follows.)
import { Fn } from './asm';
import { pixelCursor } from './pixels';
import { IM2COL_PARAMS } from './im2col';

export function im2rowFn(): Fn {
  const params = IM2COL_PARAMS.filter((p) => p !== 'NP');
  const f = new Fn(
    'im2row',
    params.map(() => 'i32' as const),
  );
  const [x, H, W, C, OW, OHW, KH, KW, sh, sw, dh, dw, pt, pl, rowStart, rows, dst] = params.map((_, i) => f.param(i));
  const r = f.local('i32');
  const { n, oh, ow, start, advance } = pixelCursor(f, rowStart, OW, OHW);
  const len = f.local('i32'); // pixels in this run
  const kh = f.local('i32');
  const kw = f.local('i32');
  const ih = f.local('i32');
  const iw0 = f.local('i32');
  const a = f.local('i32'); // first j whose column is inside the image
  const b = f.local('i32'); // one past the last
  const a0 = f.local('i32'); // a and b of the column kw, before the row's own bounds
  const b0 = f.local('i32');
  const c = f.local('i32');
  const row = f.local('i32'); // address of dst row (tap*C + c), column r
  const j = f.local('i32');
  const src = f.local('i32');
  const step = f.local('i32'); // bytes between the values of consecutive pixels of a run
  const rowBytes = f.local('i32');
  const vecEnd = f.local('i32');

  /** Zeros in this dst row for j from `from` (a local, or 0) up to `to`. */
  const zeros = (from: typeof a | 0, to: typeof a) => {
    if (from === 0) f.i32(0).set(j);
    else f.get(from).set(j);
    f.loop(j, to, 1, () => {
      f.get(row).get(j).i32(2).shl().add().f32(0).storeF32();
    });
  };

  f.get(rows).i32(2).shl().set(rowBytes);
  f.get(sw).get(C).mul().i32(2).shl().set(step);
  // The first pixel's (n, oh, ow); runs then step ow, oh, n without dividing.
  start();
  f.i32(0).set(r);
  f.loop(r, rows, 0, () => {
    f.get(OW).get(ow).sub().get(rows).get(r).sub().minS().set(len);
    // Taps column by column: a run's column bounds [a0, b0) (two divisions) depend on kw only, so they are
    // worked out once per kw, not once per tap (7x7 stride 2: 49 -> 7 pairs of divisions a run).
    f.i32(0).set(kw);
    f.loop(kw, KW, 1, () => {
      f.get(ow).get(sw).mul().get(pl).sub().get(kw).get(dw).mul().add().set(iw0);
      // Columns iw0 + j*sw inside [0, W) are j in [a0, b0).
      f.i32(0).get(iw0).sub().i32(0).maxS().get(sw).add().i32(1).sub().get(sw).divU().get(len).minS().set(a0);
      f.get(W).get(iw0).sub().i32(0).maxS().get(sw).add().i32(1).sub().get(sw).divU().get(len).minS().get(a0).maxS().set(b0);
      f.i32(0).set(kh);
      f.loop(kh, KH, 1, () => {
        f.get(oh).get(sh).mul().get(pt).sub().get(kh).get(dh).mul().add().set(ih);
        f.get(a0).set(a);
        f.get(b0).set(b);
        // A row outside the image has no columns inside (b = a).
        f.get(ih).get(H).ltU().eqz();
        f.if(() => void f.get(a).set(b));
        f.i32(0).set(c);
        f.loop(c, C, 1, () => {
          f.get(dst).get(kh).get(KW).mul().get(kw).add().get(C).mul().get(c).add().get(rowBytes).mul().add().get(r).i32(2).shl().add().set(row);
          zeros(0, a);
          f.get(x).get(n).get(H).mul().get(ih).add().get(W).mul().get(iw0).add().get(C).mul().get(c).add().i32(2).shl().add();
          f.get(a).get(step).mul().add().set(src);
          f.get(a).set(j);
          // One channel, stride 1: the run is contiguous in x, four values a vector.
          f.get(step).i32(4).eq();
          f.if(() => {
            f.get(b).i32(3).sub().set(vecEnd);
            f.loop(j, vecEnd, 4, () => {
              f.get(row).get(j).i32(2).shl().add().get(src).loadV().storeV();
              f.inc(src, 16);
            });
          });
          // One channel, stride 2 (a first layer's 7x7 or 3x3 stride 2): the even lanes of two vectors. The
          // second vector's last lane is the value after the run's last used one, so the loop stops a vector
          // early (j + 4 < b) and never reads past x.
          f.get(step).i32(8).eq();
          f.if(() => {
            f.get(b).i32(4).sub().set(vecEnd);
            f.loop(j, vecEnd, 4, () => {
              f.get(row).get(j).i32(2).shl().add();
              f.get(src).loadV().get(src).loadV(16).shuffle32([0, 2, 4, 6]).storeV();
              f.inc(src, 32);
            });
          });
          f.loop(j, b, 1, () => {
            f.get(row).get(j).i32(2).shl().add().get(src).loadF32().storeF32();
            f.inc(src, step);
          });
          zeros(b, len);
        });
      });
    });
    // next run
    f.inc(r, len);
    advance(len);
  });
  return f;
}
