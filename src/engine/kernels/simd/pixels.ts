// The output-pixel cursor that the patch kernels (im2colRows.ts, im2row.ts, col2im.ts) walk a chunk of output
// pixels with: (n, oh, ow) of pixel rowStart, found once by division, then stepped along without dividing.
import type { Fn, Local } from './asm';

export interface Cursor {
  n: Local;
  oh: Local;
  ow: Local;
  /** Sets (n, oh, ow) to those of output pixel `rowStart`. */
  start(): void;
  /** Moves `by` pixels along the output row; a step must end at or before its end, which wraps to the next row. */
  advance(by: Local | number): void;
}

export function pixelCursor(f: Fn, rowStart: Local, OW: Local, OHW: Local): Cursor {
  const [n, oh, ow] = [f.local('i32'), f.local('i32'), f.local('i32')];
  return {
    n,
    oh,
    ow,
    start: () => {
      f.get(rowStart).get(OHW).divU().set(n);
      f.get(rowStart).get(OHW).remU().tee(oh).get(OW).remU().set(ow);
      f.get(oh).get(OW).divU().set(oh);
    },
    advance: (by) => {
      f.inc(ow, by);
      f.get(ow).get(OW).geS();
      f.if(() => {
        f.i32(0).set(ow);
        f.inc(oh, 1);
        f.get(oh).get(OHW).get(OW).divU().geS();
        f.if(() => {
          f.i32(0).set(oh);
          f.inc(n, 1);
        });
      });
    },
  };
}
