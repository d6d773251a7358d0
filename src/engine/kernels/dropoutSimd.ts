// The dropout mask (dropout.ts) drawn in wasm SIMD: four xoshiro128+ generators side by side, one per lane, each
// seeded on its own. In JavaScript (one generator, ~6 ns a number) the MLP bench's two masks of 128 x 512 and
// 128 x 256 took ~0.6 ms of a step.
//
// dropoutMask(out, count, state, threshold, scale): out[i] = scale where the lane's next 32-bit draw is below
//   threshold (unsigned), else 0, for count floats (a multiple of 4). state: 16 u32, word k of the four
//   generators at state + 16k (lane j at + 4j), read at the start and written back at the end.
import { Fn } from './simd/asm';

/** An i32x4 instruction whose opcode needs two LEB128 bytes after the 0xfd prefix. */
const i32x4 = (f: Fn, code: number) => f.op(0xfd, (code & 0x7f) | 0x80, code >> 7);
const ADD = 0xae;
const SHL = 0xab;
const SHR_U = 0xad;
const XOR = (f: Fn) => f.op(0xfd, 0x51);
const LT_U = (f: Fn) => f.op(0xfd, 0x3a);
const I32X4_SPLAT = (f: Fn) => f.op(0xfd, 0x11);

export function dropoutMaskFn(): Fn {
  const f = new Fn('dropoutMask', ['i32', 'i32', 'i32', 'i32', 'f32']);
  const [out, count, state, threshold, scale] = [0, 1, 2, 3, 4].map((i) => f.param(i));
  const i = f.local('i32');
  const bytes = f.local('i32');
  const [s0, s1, s2, s3, t, thr, sc] = [0, 1, 2, 3, 4, 5, 6].map(() => f.local('v128'));
  const s = [s0, s1, s2, s3];
  s.forEach(
    (w, k) =>
      void f
        .get(state)
        .loadV(16 * k)
        .set(w),
  );
  f.get(threshold);
  I32X4_SPLAT(f).set(thr);
  f.get(scale).vsplat().set(sc);
  f.get(count).i32(2).shl().set(bytes);
  f.i32(0).set(i);
  f.loop(i, bytes, 16, () => {
    // out = (s0 + s3 < threshold) & scale
    f.get(out).get(i).add();
    f.get(s0).get(s3);
    i32x4(f, ADD).get(thr);
    LT_U(f).get(sc).vand();
    f.storeV();
    // t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
    f.get(s1).i32(9);
    i32x4(f, SHL).set(t);
    const xorInto = (a: (typeof s)[number], b: (typeof s)[number]) => {
      f.get(a).get(b);
      XOR(f).set(a);
    };
    xorInto(s2, s0);
    xorInto(s3, s1);
    xorInto(s1, s2);
    xorInto(s0, s3);
    xorInto(s2, t);
    f.get(s3).i32(11);
    i32x4(f, SHL).get(s3).i32(21);
    i32x4(f, SHR_U).vor().set(s3);
  });
  s.forEach(
    (w, k) =>
      void f
        .get(state)
        .get(w)
        .storeV(16 * k),
  );
  return f;
}
