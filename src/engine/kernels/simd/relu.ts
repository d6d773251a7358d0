// reluGrad(dy, x, rows, width, out): out = dy * step(x), step(x) = 1 where x > 0, 0 where not, NaN where x is NaN:
// tfjs's Relu gradient (mul(dy, cast(step(x)))), NaN and infinity cases included, in one pass instead of three
// kernels (Step, Cast, Multiply), two of them over the whole activation.
import type { Fn } from './asm';
import { F32, rowMap } from './channels';

export function reluGradFn(): Fn {
  return rowMap('reluGrad', 2, 0, (f, [dy, x], _, type) => {
    f.get(dy);
    if (type === 'v128') {
      // (x > 0 ? all ones : 0) & 1.0f, or'ed with x itself where x != x (NaN).
      f.get(x).vzero().vgt().f32(1).vsplat().vand();
      f.get(x).get(x).op(0xfd, 0x42).get(x).vand(); // f32x4.ne
      f.vor().vmul();
    } else {
      f.get(x).f32(1).f32(0).get(x).f32(0).fgt().select();
      f.get(x).get(x).op(0x5c).select(); // f32.ne: NaN x -> x
      f.op(F32.mul);
    }
  });
}
