// The space-to-depth rearrangement a stride-2 convolution runs through (../spaceToDepth.ts):
// xs[n, u, v, (ph*2 + pw)*C + c] = x[n, 2u + ph - top, 2v + pw - left, c], zero where that falls outside x,
// for u < HS, v < WS. Each (ph, pw) slot is a run of C channels, copied four at a time (C a multiple of 4).
import { Fn } from './asm';

export const SPACE_TO_DEPTH_PARAMS = ['x', 'N', 'H', 'W', 'runBytes', 'top', 'left', 'HS', 'WS', 'xs'] as const;

/** spaceToDepth(x, N, H, W, runBytes, top, left, HS, WS, xs): all of xs from x (zeros outside x); runBytes = C*4. */
export function spaceToDepthFn(): Fn {
  const f = new Fn(
    'spaceToDepth',
    SPACE_TO_DEPTH_PARAMS.map(() => 'i32' as const),
  );
  const [x, N, H, W, runBytes, top, left, HS, WS, xs] = SPACE_TO_DEPTH_PARAMS.map((_, i) => f.param(i));
  const [b, u, v, ph, pw, row, col, d, at, o] = Array.from({ length: 10 }, () => f.local('i32'));
  f.get(xs).set(d);
  f.i32(0).set(b);
  f.loop(b, N, 1, () => {
    f.i32(0).set(u);
    f.loop(u, HS, 1, () => {
      f.i32(0).set(v);
      f.loop(v, WS, 1, () => {
        f.i32(0).set(ph);
        f.loop(ph, 2, 1, () => {
          f.get(u).i32(1).shl().get(ph).add().get(top).sub().set(row);
          f.i32(0).set(pw);
          f.loop(pw, 2, 1, () => {
            f.get(v).i32(1).shl().get(pw).add().get(left).sub().set(col);
            // Unsigned: a row or column before the image (negative) compares as huge.
            f.get(row).get(H).ltU().get(col).get(W).ltU().and();
            f.if(
              () => {
                f.get(x).get(b).get(H).mul().get(row).add().get(W).mul().get(col).add().get(runBytes).mul().add().set(at);
                f.i32(0).set(o);
                f.loop(o, runBytes, 16, () => {
                  f.get(d).get(o).add().get(at).get(o).add().loadV().storeV();
                });
              },
              () => {
                f.i32(0).set(o);
                f.loop(o, runBytes, 16, () => {
                  f.get(d).get(o).add().vzero().storeV();
                });
              },
            );
            f.inc(d, runBytes);
          });
        });
      });
    });
  });
  return f;
}
