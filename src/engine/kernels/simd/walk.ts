// macWalk(a, b, out, rows, cols, C, aRow, aCol, bRow, bCol, oRow, oCol): for a rows x cols grid of pixels,
// out[pixel][c] += a[pixel][c] * b[pixel][c] for every channel c < C, where each operand's pixel (r, q) lies at
// its base + r*row + q*col bytes (a step of 0 pins an operand to one pixel). One filter tap of a depthwise
// convolution is one walk: its filter gradient pins `out` to the tap's C weights, its input gradient pins `b`.
// Channels go four at a time as vectors, the C % 4 leftover one at a time.
import { Fn } from './asm';
import { F32 } from './channels';

export function macWalkFn(): Fn {
  const f = new Fn('macWalk', new Array(12).fill('i32'));
  const [a, b, out, rows, cols, C, aRow, aCol, bRow, bCol, oRow, oCol] = [...Array(12).keys()].map((i) => f.param(i));
  const [r, q, c, c4, cb, pa, pb, po, ra, rb, ro] = [...Array(11).keys()].map(() => f.local('i32'));

  f.get(C).i32(-4).and().i32(2).shl().set(c4);
  f.get(C).i32(2).shl().set(cb);
  f.get(a).set(ra);
  f.get(b).set(rb);
  f.get(out).set(ro);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.get(ra).set(pa);
    f.get(rb).set(pb);
    f.get(ro).set(po);
    f.i32(0).set(q);
    f.loop(q, cols, 1, () => {
      f.i32(0).set(c);
      f.loop(c, c4, 16, () => {
        f.get(po).get(c).add();
        f.get(po).get(c).add().loadV();
        f.get(pa).get(c).add().loadV();
        f.get(pb).get(c).add().loadV();
        f.vmul().vadd().storeV();
      });
      f.loop(c, cb, 4, () => {
        f.get(po).get(c).add();
        f.get(po).get(c).add().loadF32();
        f.get(pa).get(c).add().loadF32();
        f.get(pb).get(c).add().loadF32();
        f.op(F32.mul).fadd().storeF32();
      });
      f.inc(pa, aCol);
      f.inc(pb, bCol);
      f.inc(po, oCol);
    });
    f.inc(ra, aRow);
    f.inc(rb, bRow);
    f.inc(ro, oRow);
  });
  return f;
}
