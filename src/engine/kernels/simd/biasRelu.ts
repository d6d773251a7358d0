// The bias and ReLU that follow a convolution, as one pass each way over channels-last data (kernels/biasRelu.ts
// says why). Both mirror tfjs's op chain element for element: forward relu(x + b) with NaN kept, backward
// dy * step(z) with step 1 above zero, 0 at or below and NaN for NaN (so Infinity * 0 is NaN there as here),
// the bias gradient being the column sums of that.
import { Fn } from './asm';
import { rowMap, type Lane } from './channels';

const op = {
  v128: { lt: [0xfd, 0x43], gt: [0xfd, 0x44], eq: [0xfd, 0x41], add: [0xfd, 0xe4, 0x01], mul: [0xfd, 0xe6, 0x01] },
  f32: { lt: [0x5d], gt: [0x5e], eq: [0x5b], add: [0x92], mul: [0x94] },
} as const;

const zero = (f: Fn, type: Lane) => (type === 'v128' ? f.vzero() : f.f32(0));
const one = (f: Fn, type: Lane) => (type === 'v128' ? f.f32(1).vsplat() : f.f32(1));
/** [t, e, condition] on the stack -> condition ? t : e (a lane mask for vectors). */
const choose = (f: Fn, type: Lane) => (type === 'v128' ? f.vbitselect() : f.select());

/** biasRelu(x, rows, width, b, y): y[r][j] = x[r][j] + b[j] where that is not below 0, else 0. y may be x. */
export function biasReluFn(): Fn {
  return rowMap('biasRelu', 1, 1, (f, [x], [b], type) => {
    const s = f.local(type);
    f.get(x)
      .get(b)
      .op(...op[type].add)
      .set(s);
    zero(f, type).get(s);
    f.get(s);
    zero(f, type).op(...op[type].lt);
    choose(f, type);
  });
}

/** Rows summed into the scratch before joining the total, as channels.ts's column sums do for precision. */
const BLOCK = 64;

/**
 * biasReluGrad(dy, y, dz, rows, width, db, acc): dz = dy * step(y) (y = relu output), db[j] += column sums of dz.
 * `acc` is scratch for `width` floats. Row-major, so dy, y and dz stream through once; a column walk (channels.ts's
 * columnReduce) took 2.7 ms on [128,28,28,32], strided across rows three arrays at a time.
 */
export function biasReluGradFn(): Fn {
  const f = new Fn('biasReluGrad', new Array(7).fill('i32'));
  const [dy, y, dz, rows, width, db, acc] = [...Array(7).keys()].map((i) => f.param(i));
  const [r0, r1, r, j, j4, q, o, rowBytes] = [...Array(8).keys()].map(() => f.local('i32'));
  const dVal = { v128: f.local('v128'), f32: f.local('f32') };
  const yVal = { v128: f.local('v128'), f32: f.local('f32') };
  // Called as load(f.get(p)..., type): the address is pushed first, then the load.
  const load = (_: Fn, type: Lane) => (type === 'v128' ? f.loadV() : f.loadF32());
  const store = (type: Lane) => (type === 'v128' ? f.storeV() : f.storeF32());

  const body = (type: Lane) => {
    const [d, yv] = [dVal[type], yVal[type]];
    f.get(q).get(j).add().set(o);
    load(f.get(y).get(o).add(), type).set(yv);
    load(f.get(dy).get(o).add(), type);
    // step(y): y > 0 ? 1 : 0, then NaN where y is NaN (y == y fails only there)
    one(f, type);
    zero(f, type);
    f.get(yv);
    zero(f, type).op(...op[type].gt);
    choose(f, type);
    f.get(yv);
    f.get(yv)
      .get(yv)
      .op(...op[type].eq);
    choose(f, type);
    f.op(...op[type].mul).set(d);
    f.get(dz).get(o).add().get(d);
    store(type);
    f.get(acc).get(j).add();
    load(f.get(acc).get(j).add(), type)
      .get(d)
      .op(...op[type].add);
    store(type);
  };
  const addInto = (type: Lane) => {
    f.get(db).get(j).add();
    load(f.get(db).get(j).add(), type);
    load(f.get(acc).get(j).add(), type).op(...op[type].add);
    store(type);
  };
  const columns = (fn: (type: Lane) => void) => {
    f.i32(0).set(j);
    f.loop(j, j4, 16, () => fn('v128'));
    f.loop(j, rowBytes, 4, () => fn('f32'));
  };

  f.get(width).i32(2).shl().set(rowBytes);
  f.get(width).i32(-4).and().i32(2).shl().set(j4);
  f.i32(0).set(q);
  f.i32(0).set(r0);
  f.loop(r0, rows, BLOCK, () => {
    f.get(r0).i32(BLOCK).add().get(rows).minS().set(r1);
    f.get(acc).i32(0).get(rowBytes).memoryFill();
    f.get(r0).set(r);
    f.loop(r, r1, 1, () => {
      columns(body);
      f.inc(q, rowBytes);
    });
    columns(addInto);
  });
  return f;
}
