// The row-major patch matrix of a chunk of output pixels, the A operand of a forward convolution as one GEMM
// (y [P, CO] = patches [P, KH*KW*C] . W [KH*KW*C, CO]): row r is output pixel rowStart + r, column
// (kh*KW + kw)*C + c holds x[n, oh*sh + kh - pt, ow*sw + kw - pl, c], zero outside the image. For one pixel and
// one filter row kh the KW taps read KW*C consecutive floats of one image row (NHWC), so each (pixel, kh) is one
// native memmove (wasm bulk memory) with zeros on the side that overhangs the image, whatever the stride.
// im2col.ts writes GEMM's packed-B layout instead (for the filter gradient) and im2row the transpose.
import { Fn } from './asm';
import { pixelCursor } from './pixels';

export const IM2COL_ROWS_PARAMS = ['x', 'H', 'W', 'C', 'OW', 'OHW', 'KH', 'KW', 'sh', 'sw', 'pt', 'pl', 'rowStart', 'rows', 'dst', 'ldd'] as const;

/** im2colRows(x, H, W, C, OW, OHW, KH, KW, sh, sw, pt, pl, rowStart, rows, dst, ldd): ldd bytes per dst row. */
export function im2colRowsFn(): Fn {
  const f = new Fn(
    'im2colRows',
    IM2COL_ROWS_PARAMS.map(() => 'i32' as const),
  );
  const [x, H, W, C, OW, OHW, KH, KW, sh, sw, pt, pl, rowStart, rows, dst, ldd] = IM2COL_ROWS_PARAMS.map((_, i) => f.param(i));
  const r = f.local('i32');
  const { n, oh, ow, start, advance } = pixelCursor(f, rowStart, OW, OHW);
  const kh = f.local('i32');
  const ih = f.local('i32');
  const iw0 = f.local('i32');
  const a = f.local('i32'); // first tap kw inside the image, in bytes (kw*C*4)
  const b = f.local('i32'); // one past the last, in bytes
  const cBytes = f.local('i32');
  const tapRow = f.local('i32'); // KW*C*4: one filter row of taps
  const d = f.local('i32');

  f.get(C).i32(2).shl().set(cBytes);
  f.get(KW).get(cBytes).mul().set(tapRow);
  // The first pixel's (n, oh, ow); later ones step ow, oh, n without dividing.
  start();
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.get(ow).get(sw).mul().get(pl).sub().set(iw0);
    // Taps kw in [max(0, -iw0), min(KW, W - iw0)) read the image, both clamped to [0, KW]; b = a copies nothing.
    f.i32(0).i32(0).get(iw0).sub().maxS().get(KW).minS().get(cBytes).mul().set(a);
    f.get(KW).get(W).get(iw0).sub().minS().get(cBytes).mul().get(a).maxS().set(b);
    f.get(dst).get(r).get(ldd).mul().add().set(d);
    f.i32(0).set(kh);
    f.loop(kh, KH, 1, () => {
      f.get(oh).get(sh).mul().get(pt).sub().get(kh).add().tee(ih).get(H).ltU();
      f.if(
        () => {
          f.get(d).i32(0).get(a).memoryFill();
          f.get(d).get(a).add();
          f.get(x).get(n).get(H).mul().get(ih).add().get(W).mul().get(iw0).add().get(cBytes).mul().add().get(a).add();
          f.get(b).get(a).sub().memoryCopy();
          f.get(d).get(b).add().i32(0).get(tapRow).get(b).sub().memoryFill();
        },
        // A filter row above or below the image: all zeros.
        () => void f.get(d).i32(0).get(tapRow).memoryFill(),
      );
      f.inc(d, tapRow);
    });
    // next pixel
    advance(1);
  });
  return f;
}
