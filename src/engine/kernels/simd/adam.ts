// adam(value, grad, m, v, n, outValue, outM, outV, beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction1,
// correction2, negLr, epsilon): Adam's whole update of one variable in one pass, the same arithmetic, in the same
// order, as tfjs's AdamOptimizer (which runs ten elementwise kernels over each variable):
//   m' = m*beta1 + g*(1-beta1);  v' = v*beta2 + g^2*(1-beta2)
//   value' = (m'/correction1) / (sqrt(v'/correction2) + epsilon) * -lr + value
// correction_i = 1 - beta_i^t. The outputs may be the inputs themselves (each element is read before written).
import { Fn, type Local } from './asm';
import { F32, vop, type Lane } from './channels';

export function adamFn(): Fn {
  const f = new Fn('adam', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32']);
  const [value, grad, m, v, n, outValue, outM, outV] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => f.param(i));
  const scalars = [8, 9, 10, 11, 12, 13, 14, 15].map((i) => f.param(i));
  const vectors = scalars.map(() => f.local('v128'));
  const i = f.local('i32');
  const n4 = f.local('i32');
  const bytes = f.local('i32');
  const lane = { v128: { g: f.local('v128'), m: f.local('v128'), v: f.local('v128') }, f32: { g: f.local('f32'), m: f.local('f32'), v: f.local('f32') } };

  const step = (t: Lane) => {
    const [b1, omb1, b2, omb2, c1, c2, negLr, eps] = t === 'v128' ? vectors : scalars;
    const { g, m: mm, v: vv } = lane[t];
    const ld = (p: Local) => (t === 'v128' ? f.get(p).get(i).add().loadV() : f.get(p).get(i).add().loadF32());
    const st = () => (t === 'v128' ? f.storeV() : f.storeF32());
    const mul = () => (t === 'v128' ? f.vmul() : f.op(F32.mul));
    const add = () => (t === 'v128' ? f.vadd() : f.fadd());
    const div = () => (t === 'v128' ? vop(f, 'div') : f.op(F32.div));
    const sqrt = () => (t === 'v128' ? vop(f, 'sqrt') : f.op(F32.sqrt));
    ld(grad).set(g);
    ld(m).get(b1);
    mul();
    f.get(g).get(omb1);
    mul();
    add();
    f.set(mm);
    ld(v).get(b2);
    mul();
    f.get(g).get(g);
    mul();
    f.get(omb2);
    mul();
    add();
    f.set(vv);
    f.get(outM).get(i).add().get(mm);
    st();
    f.get(outV).get(i).add().get(vv);
    st();
    f.get(outValue).get(i).add();
    f.get(mm).get(c1);
    div();
    f.get(vv).get(c2);
    div();
    sqrt();
    f.get(eps);
    add();
    div();
    f.get(negLr);
    mul();
    ld(value);
    add();
    st();
  };

  scalars.forEach((s, k) => f.get(s).vsplat().set(vectors[k]));
  f.get(n).i32(2).shl().set(bytes);
  f.get(n).i32(-4).and().i32(2).shl().set(n4);
  f.i32(0).set(i);
  f.loop(i, n4, 16, () => step('v128'));
  f.loop(i, bytes, 4, () => step('f32'));
  return f;
}
