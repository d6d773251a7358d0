// The scatter half of a convolution's input gradient: given cols, one row per output pixel holding that
// pixel's contribution to each tap (column (kh*KW + kw)*C + c, from a GEMM of dy with the filter), add every
// tap's C values into dx at the input pixel the tap read. The mirror of im2col: where im2col gathers each
// tap's input values, this adds them back, skipping taps that fell in the padding. dx must start zeroed.
import { Fn } from './asm';
import { pixelCursor } from './pixels';

export const COL2IM_PARAMS = ['src', 'ldc', 'H', 'W', 'C', 'OW', 'OHW', 'KH', 'KW', 'sh', 'sw', 'pt', 'pl', 'rowStart', 'rows', 'dx'] as const;

export function col2imFn(): Fn {
  const f = new Fn(
    'col2im',
    COL2IM_PARAMS.map(() => 'i32' as const),
  );
  const [src, ldc, H, W, C, OW, OHW, KH, KW, sh, sw, pt, pl, rowStart, rows, dx] = COL2IM_PARAMS.map((_, i) => f.param(i));
  const { n, oh, ow, start, advance } = pixelCursor(f, rowStart, OW, OHW);
  // at: this tap's C values in row r of cols; dst: where they go in dx
  const [r, kh, kw, ih, iw, c, at, dst, cBytes, vec] = [...Array(10).keys()].map(() => f.local('i32'));

  f.get(C).i32(2).shl().set(cBytes);
  // Channel groups of four add as vectors when C % 4 == 0; otherwise one float at a time.
  f.get(C).i32(3).and().eqz().set(vec);
  // The first pixel's (n, oh, ow); later ones step ow, oh, n without dividing.
  start();
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.get(src).get(r).get(ldc).mul().add().set(at);
    f.i32(0).set(kh);
    f.loop(kh, KH, 1, () => {
      f.get(oh).get(sh).mul().get(pt).sub().get(kh).add().set(ih);
      f.i32(0).set(kw);
      f.loop(kw, KW, 1, () => {
        f.get(ow).get(sw).mul().get(pl).sub().get(kw).add().set(iw);
        // Unsigned compares also reject negative rows and columns: taps in the padding add nothing.
        f.get(ih).get(H).ltU().get(iw).get(W).ltU().and();
        f.if(() => {
          f.get(dx).get(n).get(H).mul().get(ih).add().get(W).mul().get(iw).add().get(cBytes).mul().add().set(dst);
          f.i32(0).set(c);
          f.get(vec).if(
            () => {
              f.loop(c, cBytes, 16, () => {
                f.get(dst).get(c).add();
                f.get(dst).get(c).add().loadV();
                f.get(at).get(c).add().loadV();
                f.vadd().storeV();
              });
            },
            () => {
              f.loop(c, cBytes, 4, () => {
                f.get(dst).get(c).add();
                f.get(dst).get(c).add().loadF32();
                f.get(at).get(c).add().loadF32();
                f.fadd().storeF32();
              });
            },
          );
        });
        f.inc(at, cBytes);
      });
    });
    // next pixel
    advance(1);
  });
  return f;
}
