// The LSTM's per-step gate passes in wasm SIMD, four units at a time, for widths that are a multiple of four
// (lstm.ts runs the same arithmetic in JavaScript otherwise). In JavaScript the forward pass's five sigmoids and
// tanhs per unit were ~45 ms of a 105 ms training step (bench --profile --net lstm): Math.exp and Math.tanh
// cost 10-17 ns each. Here exp is Cephes's expf (range reduction by ln 2, a degree-5 polynomial, the power of two
// put straight into the exponent bits), accurate to a few float32 ulps, and the gradient pass runs four units
// per instruction too.
//
// lstmGates(z, bias, c, tc, h, rows, U, zStride, hStride, hasPrev): for each of `rows` batch rows, z's row
//   (4U pre-activations, in Keras's order i, f, g, o) plus the bias becomes the activations in place, and
//   c = f * cPrev + i * g (cPrev the previous step's c, one U-row before, when hasPrev), tc = tanh(c),
//   h = o * tc. Rows of z are zStride bytes apart, those of c, tc and h hStride.
// lstmGatesGrad(z, tc, c, dy, dh, dc, dz, rows, U, zStride, hStride, hasPrev): one step back. dh and dc are
//   dense [rows, U] (the state gradients carried from the step after); dy, c and tc have h's strides, dz z's.
//   Writes dz for this step and leaves dc = dC * f for the step before (dh is the caller's: dz . R^T).
import { Fn, type Local } from '../simd/asm';

// pmin/pmax are the plain compare-and-select forms (one minps/maxps on x64); min/max's NaN and signed-zero
// rules cost V8 a sequence of ~7 instructions each, and no NaN or zero reaches these clamps' choice.
const OP = { add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, pmin: 0xea, pmax: 0xeb, neg: 0xe1, iAdd: 0xae, iShl: 0xab };
/** 1.5 * 2^23: x + ROUND - ROUND is x rounded to the nearest integer (ties to even), for |x| < 2^22. */
const ROUND = 12582912;

/** One SIMD instruction (0xfd prefix, LEB128 opcode). */
function v(f: Fn, code: number): Fn {
  return code < 0x80 ? f.op(0xfd, code) : f.op(0xfd, (code & 0x7f) | 0x80, code >> 7);
}

/** v128.const with x in all four f32 lanes (or i32 lanes). */
function vconst(f: Fn, x: number, int = false): Fn {
  const lanes = int ? new Int32Array([x, x, x, x]) : new Float32Array([x, x, x, x]);
  return f.op(0xfd, 0x0c, ...new Uint8Array(lanes.buffer));
}

export class Emitter {
  private readonly n: Local;
  private readonly r: Local;

  constructor(readonly f: Fn) {
    this.n = f.local('v128');
    this.r = f.local('v128');
  }

  /**
   * t = exp(t), t a v128 local; arguments are clamped to [-87.3, 88] (exp then stays finite and normal).
   * n = round(t log2 e) is taken by adding and subtracting 1.5 * 2^23, whose sum keeps n in its low mantissa bits,
   * so 2^n is that sum's bits shifted into the exponent field: the same n and the same result, bit for bit, as
   * f32x4.nearest and i32x4.trunc_sat_f32x4_s, which V8 lowers on x64 to ~10 instructions (its NaN and overflow
   * handling). With the clamps on pmin/pmax (in-process A/B, CPU time, outputs bit-identical): lstmGates on 128 x 64
   * units 73 -> 50 us; softmaxRows over the transformer's 128 x 4 x 28 rows of 28 1.26 -> 0.96 ms (0.63 with its
   * row maximum on pmax too, attentionSimd.ts).
   */
  exp(t: Local): void {
    const { f, n, r } = this;
    f.get(t);
    vconst(f, 88);
    v(f, OP.pmin);
    vconst(f, -87.3);
    v(f, OP.pmax).set(t);
    f.get(t);
    vconst(f, Math.LOG2E);
    v(f, OP.mul);
    vconst(f, ROUND);
    v(f, OP.add);
    vconst(f, ROUND);
    v(f, OP.sub).set(n);
    // r = t - n ln2, ln 2 split in two so n * C1 is exact
    f.get(t).get(n);
    vconst(f, 0.693359375);
    v(f, OP.mul);
    v(f, OP.sub).get(n);
    vconst(f, -2.1219444e-4);
    v(f, OP.mul);
    v(f, OP.sub).set(r);
    f.get(r);
    vconst(f, 1.98756915e-4);
    v(f, OP.mul);
    for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1]) {
      vconst(f, c);
      v(f, OP.add).get(r);
      v(f, OP.mul);
    }
    vconst(f, 5.0000001201e-1);
    v(f, OP.add).get(r);
    v(f, OP.mul).get(r);
    v(f, OP.mul).get(r);
    v(f, OP.add);
    vconst(f, 1);
    v(f, OP.add);
    // times 2^n: the bits of n + ROUND are 0x4b400000 + n, and shifted left by 23 only n << 23 is left of them
    f.get(n);
    vconst(f, ROUND);
    v(f, OP.add).i32(23);
    v(f, OP.iShl);
    vconst(f, 127 << 23, true);
    v(f, OP.iAdd);
    v(f, OP.mul).set(t);
  }

  /** t = 1 / (1 + exp(-t)) */
  sigmoid(t: Local): void {
    const f = this.f;
    f.get(t);
    v(f, OP.neg).set(t);
    this.exp(t);
    vconst(f, 1);
    vconst(f, 1).get(t);
    v(f, OP.add);
    v(f, OP.div).set(t);
  }

  /** t = tanh(t) = 1 - 2 / (1 + exp(2t)) */
  tanh(t: Local): void {
    const f = this.f;
    f.get(t);
    vconst(f, 2);
    v(f, OP.mul).set(t);
    this.exp(t);
    vconst(f, 1);
    vconst(f, 2);
    vconst(f, 1).get(t);
    v(f, OP.add);
    v(f, OP.div);
    v(f, OP.sub).set(t);
  }
}

export function lstmGatesFn(): Fn {
  const f = new Fn('lstmGates', new Array(10).fill('i32'));
  const [z, bias, c, tc, h, rows, U, zStride, hStride, hasPrev] = [...Array(10).keys()].map((i) => f.param(i));
  const [b, j, u4, zr, hr, at] = [...Array(6).keys()].map(() => f.local('i32'));
  const [gi, gf, gg, go, cell] = [...Array(5).keys()].map(() => f.local('v128'));
  const e = new Emitter(f);
  f.get(U).i32(2).shl().set(u4);
  f.get(z).set(zr);
  f.i32(0).set(hr);
  f.i32(0).set(b);
  f.loop(b, rows, 1, () => {
    f.i32(0).set(j);
    f.loop(j, u4, 16, () => {
      // gate k's value at zr + k*u4 + j, its bias at bias + k*u4 + j
      [gi, gf, gg, go].forEach((g, k) => {
        f.get(zr).get(j).add();
        if (k > 0) f.get(u4).i32(k).mul().add();
        f.loadV();
        f.get(bias).get(j).add();
        if (k > 0) f.get(u4).i32(k).mul().add();
        f.loadV().vadd().set(g);
      });
      e.sigmoid(gi);
      e.sigmoid(gf);
      e.tanh(gg);
      e.sigmoid(go);
      [gi, gf, gg, go].forEach((g, k) => {
        f.get(zr).get(j).add();
        if (k > 0) f.get(u4).i32(k).mul().add();
        f.get(g).storeV();
      });
      f.get(hr).get(j).add().set(at);
      f.get(gi).get(gg).vmul().set(cell);
      f.get(hasPrev).if(() => {
        // the previous step's c: one U-row before this one
        f.get(cell).get(c).get(at).add().get(u4).sub().loadV().get(gf).vmul().vadd().set(cell);
      });
      f.get(c).get(at).add().get(cell).storeV();
      e.tanh(cell);
      f.get(tc).get(at).add().get(cell).storeV();
      f.get(h).get(at).add().get(cell).get(go).vmul().storeV();
    });
    f.inc(zr, zStride);
    f.inc(hr, hStride);
  });
  return f;
}

export function lstmGatesGradFn(): Fn {
  const f = new Fn('lstmGatesGrad', new Array(12).fill('i32'));
  const [z, tc, c, dy, dh, dc, dz, rows, U, zStride, hStride, hasPrev] = [...Array(12).keys()].map((i) => f.param(i));
  const [b, j, u4, zr, hr, sr, at, za] = [...Array(8).keys()].map(() => f.local('i32'));
  const [gi, gf, gg, go, th, dH, dC, cPrev, one] = [...Array(9).keys()].map(() => f.local('v128'));
  f.get(U).i32(2).shl().set(u4);
  vconst(f, 1).set(one);
  f.i32(0).set(zr);
  f.i32(0).set(hr);
  f.i32(0).set(sr);
  f.i32(0).set(b);
  f.loop(b, rows, 1, () => {
    f.i32(0).set(j);
    f.loop(j, u4, 16, () => {
      f.get(zr).get(j).add().set(za);
      [gi, gf, gg, go].forEach((g, k) => {
        f.get(z).get(za).add();
        if (k > 0) f.get(u4).i32(k).mul().add();
        f.loadV().set(g);
      });
      f.get(hr).get(j).add().set(at);
      f.get(tc).get(at).add().loadV().set(th);
      // dH = dh + dy; dC = dc + dH * o * (1 - th^2)
      f.get(dh).get(sr).add().get(j).add().loadV();
      f.get(dy).get(at).add().loadV().vadd().set(dH);
      f.get(dc).get(sr).add().get(j).add().loadV();
      f.get(dH).get(go).vmul().get(one).get(th).get(th).vmul().vsub().vmul().vadd().set(dC);
      f.vzero().set(cPrev);
      f.get(hasPrev).if(() => void f.get(c).get(at).add().get(u4).sub().loadV().set(cPrev));
      const store = (k: number, value: () => void) => {
        f.get(dz).get(za).add();
        if (k > 0) f.get(u4).i32(k).mul().add();
        value();
        f.storeV();
      };
      // d(sigmoid) = s (1 - s), d(tanh) = 1 - t^2
      store(0, () => f.get(dC).get(gg).vmul().get(gi).vmul().get(one).get(gi).vsub().vmul());
      store(1, () => f.get(dC).get(cPrev).vmul().get(gf).vmul().get(one).get(gf).vsub().vmul());
      store(2, () => f.get(dC).get(gi).vmul().get(one).get(gg).get(gg).vmul().vsub().vmul());
      store(3, () => f.get(dH).get(th).vmul().get(go).vmul().get(one).get(go).vsub().vmul());
      f.get(dc).get(sr).add().get(j).add().get(dC).get(gf).vmul().storeV();
    });
    f.inc(zr, zStride);
    f.inc(hr, hStride);
    f.inc(sr, u4);
  });
  return f;
}
