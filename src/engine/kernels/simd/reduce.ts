// sumRows(x, rows, width, out): out[j] = sum over r of x[r*width + j], into a zeroed out. Rows go in blocks
// of BLOCK, each block summed in registers and then added to out: two-level summation, so a 100k-row sum
// rounds like a ~1.6k-term one, close to the cpu backend's double-precision loop.
import { Fn } from './asm';

const BLOCK = 64;

export function sumRowsFn(): Fn {
  const f = new Fn('sumRows', ['i32', 'i32', 'i32', 'i32']);
  const [x, rows, width, out] = [0, 1, 2, 3].map((i) => f.param(i));
  const r0 = f.local('i32');
  const r1 = f.local('i32');
  const r = f.local('i32');
  const j = f.local('i32');
  const j4 = f.local('i32');
  const p = f.local('i32');
  const rowBytes = f.local('i32');
  const acc = f.local('v128');
  const accS = f.local('f32');

  f.get(width).i32(2).shl().set(rowBytes);
  f.get(width).i32(-4).and().i32(2).shl().set(j4);
  f.i32(0).set(r0);
  f.loop(r0, rows, BLOCK, () => {
    f.get(r0).i32(BLOCK).add().get(rows).minS().set(r1);
    f.i32(0).set(j);
    f.loop(j, j4, 16, () => {
      f.vzero().set(acc);
      f.get(x).get(r0).get(rowBytes).mul().add().get(j).add().set(p);
      f.get(r0).set(r);
      f.loop(r, r1, 1, () => {
        f.get(acc).get(p).loadV().vadd().set(acc);
        f.inc(p, rowBytes);
      });
      f.get(out).get(j).add();
      f.get(out).get(j).add().loadV().get(acc).vadd();
      f.storeV();
    });
    f.loop(j, rowBytes, 4, () => {
      f.f32(0).set(accS);
      f.get(x).get(r0).get(rowBytes).mul().add().get(j).add().set(p);
      f.get(r0).set(r);
      f.loop(r, r1, 1, () => {
        f.get(accS).get(p).loadF32().fadd().set(accS);
        f.inc(p, rowBytes);
      });
      f.get(out).get(j).add();
      f.get(out).get(j).add().loadF32().get(accS).fadd();
      f.storeF32();
    });
  });
  return f;
}
