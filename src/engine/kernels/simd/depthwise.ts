// Depthwise convolution (depth multiplier 1) with one operand held in registers, generated per filter size.
// The tap walk (walk.ts) reads and writes its accumulator in memory once per tap: three loads and a store per
// four multiply-adds. Here, per group of four channels, the forward keeps the filter's taps in registers and
// sums each output pixel's taps in one register (one load per multiply-add), and the filter gradient keeps
// one accumulator per tap while it walks every output pixel once. Both read a zero-padded input, so there are no
// bounds checks; up to 9 taps (3x3) fit the 15 vector registers TurboFan allocates with the operands.
import { Fn, type Local } from './asm';

export const DW_MAX_TAPS = 9;

/**
 * The parameters of both kernels, sizes in bytes except n, OH, OW: n padded images of imgX bytes at x, whose
 * output pixel (oh, ow) reads tap (kh, kw) at x + oh*rowStep + ow*colStep + kh*tapRow + kw*tapCol; the other
 * operand (`y`) has OH x OW pixels of C4 bytes at y + oh*yRow + ow*yCol, images imgY bytes apart (yCol > C4 writes
 * one stride phase of a strided convolution's input gradient); `w` holds the taps, [kh][kw][C].
 * tapRow and tapCol are fixed when the kernel is generated: each tap is then a load with a constant offset, where
 * offsets held in locals (9 of them, with the walk's pointers and counters) spilled out of x64's 16 registers.
 */
const PARAMS = ['x', 'imgX', 'y', 'imgY', 'w', 'n', 'C4', 'OH', 'OW', 'rowStep', 'colStep', 'yRow', 'yCol'] as const;

export interface TapLayout {
  fh: number;
  fw: number;
  /** Bytes between filter rows and columns in the padded input. */
  tapRow: number;
  tapCol: number;
}

interface Frame {
  f: Fn;
  p: Record<(typeof PARAMS)[number], Local>;
  off: number[];
  c: Local;
}

function frame(name: string, t: TapLayout): Frame {
  const f = new Fn(
    name,
    PARAMS.map(() => 'i32' as const),
  );
  const p = Object.fromEntries(PARAMS.map((k, i) => [k, f.param(i)])) as Frame['p'];
  const off: number[] = [];
  for (let kh = 0; kh < t.fh; kh++) for (let kw = 0; kw < t.fw; kw++) off.push(kh * t.tapRow + kw * t.tapCol);
  return { f, p, off, c: f.local('i32') };
}

/** Loads tap t of the window at `px`. */
function loadTap(f: Fn, px: Local, off: number[], t: number): Fn {
  return f.get(px).loadV(off[t]);
}

/**
 * The walk: per image, per group of four channels, per pass, `enter(c)`, then `pixel(px, py)` with px at the
 * window's origin in x and py at the pixel in y for every output row and column, then `leave(c)`. Images outside:
 * one image (tens of KB) stays in cache while all its channel groups pass; channel groups outside streamed the
 * whole batch from memory once per group, each cache line for a quarter of its bytes.
 */
function walk(fr: Frame, passes: Pass[]): void {
  const { f, p, c } = fr;
  const [b, oh, ow, xb, yb, xr, yr, px, py] = Array.from({ length: 9 }, () => f.local('i32'));
  f.get(p.x).set(xb);
  f.get(p.y).set(yb);
  f.i32(0).set(b);
  f.loop(b, p.n, 1, () => {
    f.i32(0).set(c);
    f.loop(c, p.C4, 16, () => {
      for (const { enter, pixel, leave } of passes) {
        enter();
        f.get(xb).get(c).add().set(xr);
        f.get(yb).get(c).add().set(yr);
        f.i32(0).set(oh);
        f.loop(oh, p.OH, 1, () => {
          f.get(xr).set(px);
          f.get(yr).set(py);
          f.i32(0).set(ow);
          f.loop(ow, p.OW, 1, () => {
            pixel(px, py);
            f.inc(px, p.colStep);
            f.inc(py, p.yCol);
          });
          f.inc(xr, p.rowStep);
          f.inc(yr, p.yRow);
        });
        leave();
      }
    });
    f.inc(xb, p.imgX);
    f.inc(yb, p.imgY);
  });
}

/** One walk over a channel group's pixels. */
interface Pass {
  enter: () => void;
  pixel: (px: Local, py: Local) => void;
  leave: () => void;
}

/** Pushes the address of tap t's weights (or weight gradient) for the current channel group. */
function weightAddr(fr: Frame, t: number): Fn {
  return fr.f.get(fr.p.w).get(fr.c).add().get(fr.p.C4).i32(t).mul().add();
}

/** dwConv: y[pixel][c] = sum over taps of x[tap pixel][c] * w[tap][c], y written (not added to). */
export function dwConvFn(t: TapLayout): Fn {
  const fr = frame('dwConv', t);
  const { f, off } = fr;
  const wr = off.map(() => f.local('v128'));
  walk(fr, [
    {
      enter: () => wr.forEach((r, i) => weightAddr(fr, i).loadV().set(r)),
      pixel: (px, py) => {
        f.get(py);
        // Summed as a balanced tree, not a chain of 8 dependent adds.
        const sum = (lo: number, hi: number): void => {
          if (hi - lo === 1) {
            loadTap(f, px, off, lo).get(wr[lo]).vmul();
            return;
          }
          const mid = (lo + hi) >> 1;
          sum(lo, mid);
          sum(mid, hi);
          f.vadd();
        };
        sum(0, wr.length);
        f.storeV();
      },
      leave: () => {},
    },
  ]);
  return f;
}

/**
 * Taps summed per pass of the filter gradient. TurboFan loads every tap of a pixel before its first multiply, so
 * all 9 taps of a 3x3 filter (9 accumulators, 9 loaded taps, dy) did not fit x64's 15 vector registers: it kept
 * two accumulators on the stack, and each pixel's add waited for a store and a reload of them. Two passes of at
 * most 5 taps read dy twice and spill nothing: in-process A/B, CPU time, MobileNet's 128x14x14x32 stride 1
 * 1.04 -> 0.68-0.75 ms; its 128x14x14x64 stride 2 stays ~0.52 ms (bound by reading x, not by the adds).
 */
const FILTER_PASS_TAPS = 5;

/** dwFilter: w[tap][c] += sum over images and pixels of x[tap pixel][c] * y[pixel][c]. */
export function dwFilterFn(t: TapLayout): Fn {
  const fr = frame('dwFilter', t);
  const { f, off } = fr;
  const acc = Array.from({ length: Math.min(FILTER_PASS_TAPS, off.length) }, () => f.local('v128'));
  const g = f.local('v128');
  const passes: Pass[] = [];
  for (let first = 0; first < off.length; first += FILTER_PASS_TAPS) {
    const taps = Array.from({ length: Math.min(FILTER_PASS_TAPS, off.length - first) }, (_, i) => first + i);
    passes.push({
      enter: () => taps.forEach((tap, i) => weightAddr(fr, tap).loadV().set(acc[i])),
      pixel: (px, py) => {
        f.get(py).loadV().set(g);
        taps.forEach((tap, i) => {
          f.get(acc[i]);
          loadTap(f, px, off, tap).get(g).vmul().vadd().set(acc[i]);
        });
      },
      leave: () => taps.forEach((tap, i) => weightAddr(fr, tap).get(acc[i]).storeV()),
    });
  }
  walk(fr, passes);
  return f;
}
