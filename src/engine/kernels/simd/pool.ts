// maxPoolGrad(x, dy, dx, N, H, W, C, OH, OW, FH, FW, sh, sw, pt, pl) adds each window's dy to the input
// pixel that won the window's max, into a zeroed dx. Two passes over each window: the max, then the first
// tap equal to it. That is the cpu backend's argmax exactly (strictly greater wins, so the first of tied
// maxima takes the gradient; NaNs never win; a window of only -Infinity/NaN passes nothing on). Channels go
// four at a time as vectors, the C % 4 leftover one at a time.
import { Fn, type Local } from './asm';

export const POOL_PARAMS = ['x', 'dy', 'dx', 'N', 'H', 'W', 'C', 'OH', 'OW', 'FH', 'FW', 'sh', 'sw', 'pt', 'pl'] as const;

export function maxPoolGradFn(): Fn {
  const f = new Fn(
    'maxPoolGrad',
    POOL_PARAMS.map(() => 'i32' as const),
  );
  const [x, dy, dx, N, H, W, C, OH, OW, FH, FW, sh, sw, pt, pl] = POOL_PARAMS.map((_, i) => f.param(i));
  const b = f.local('i32');
  const yr = f.local('i32');
  const yc = f.local('i32');
  const r0 = f.local('i32');
  const r1 = f.local('i32');
  const c0 = f.local('i32');
  const c1 = f.local('i32');
  const r = f.local('i32');
  const col = f.local('i32');
  const c = f.local('i32');
  const c4 = f.local('i32');
  const pixelBytes = f.local('i32');
  const rowBytes = f.local('i32');
  const imageBase = f.local('i32'); // x + b*H*rowBytes
  const winBase = f.local('i32'); // address of the window's first tap in x
  const p = f.local('i32');
  const rowP = f.local('i32');
  const toDx = f.local('i32'); // dx - x: the same pixel in dx
  const dyP = f.local('i32');
  const m = f.local('v128');
  const v = f.local('v128');
  const found = f.local('v128');
  const hit = f.local('v128');
  const d = f.local('v128');
  const ms = f.local('f32');
  const vs = f.local('f32');
  const foundS = f.local('i32');
  const hitS = f.local('i32');

  /** Runs `body` with p at each tap of the current window, row by row; `lane` is the byte offset of the channel. */
  const taps = (lane: Local, body: () => void) => {
    f.get(winBase).get(lane).add().set(rowP);
    f.get(r0).set(r);
    f.loop(r, r1, 1, () => {
      f.get(rowP).set(p);
      f.get(c0).set(col);
      f.loop(col, c1, 1, () => {
        body();
        f.inc(p, pixelBytes);
      });
      f.inc(rowP, rowBytes);
    });
  };

  f.get(C).i32(2).shl().set(pixelBytes);
  f.get(W).get(pixelBytes).mul().set(rowBytes);
  f.get(C).i32(-4).and().i32(2).shl().set(c4); // bytes of the channels covered by whole vectors
  f.get(dx).get(x).sub().set(toDx);
  f.get(dy).set(dyP);
  f.i32(0).set(b);
  f.loop(b, N, 1, () => {
    f.get(x).get(b).get(H).mul().get(rowBytes).mul().add().set(imageBase);
    f.i32(0).set(yr);
    f.loop(yr, OH, 1, () => {
      f.get(yr).get(sh).mul().get(pt).sub().tee(r0).get(FH).add().get(H).minS().set(r1);
      f.get(r0).i32(0).maxS().set(r0);
      f.i32(0).set(yc);
      f.loop(yc, OW, 1, () => {
        f.get(yc).get(sw).mul().get(pl).sub().tee(c0).get(FW).add().get(W).minS().set(c1);
        f.get(c0).i32(0).maxS().set(c0);
        f.get(imageBase).get(r0).get(rowBytes).mul().add().get(c0).get(pixelBytes).mul().add().set(winBase);

        f.i32(0).set(c);
        f.loop(c, c4, 16, () => {
          f.f32(-Infinity).vsplat().set(m);
          taps(c, () => {
            f.get(p).loadV().set(v);
            // m = v > m ? v : m, lane by lane
            f.get(v).get(m).get(v).get(m).vgt().vbitselect().set(m);
          });
          f.get(m).f32(-Infinity).vsplat().veq().set(found);
          f.get(dyP).get(c).add().loadV().set(d);
          taps(c, () => {
            f.get(p).loadV().get(m).veq().get(found).vandnot().set(hit); // equal to the max, none found yet
            f.get(found).get(hit).vor().set(found);
            f.get(p).get(toDx).add();
            f.get(p).get(toDx).add().loadV().get(d).get(hit).vand().vadd();
            f.storeV();
          });
        });
        f.loop(c, pixelBytes, 4, () => {
          f.f32(-Infinity).set(ms);
          taps(c, () => {
            f.get(p).loadF32().tee(vs).get(ms).get(vs).get(ms).fgt().select().set(ms);
          });
          f.get(ms).f32(-Infinity).feq().set(foundS);
          taps(c, () => {
            f.get(p).loadF32().get(ms).feq().get(foundS).eqz().and().set(hitS);
            f.get(hitS).if(() => {
              f.get(p).get(toDx).add();
              f.get(p).get(toDx).add().loadF32().get(dyP).get(c).add().loadF32().fadd();
              f.storeF32();
              f.i32(1).set(foundS);
            });
          });
        });
        f.inc(dyP, pixelBytes);
      });
    });
  });
  return f;
}
