// transpose4(src, R, C, dst): dst [C][R] = src [R][C]^T, both row-major, R and C multiples of 4, in 4x4 blocks of
// four loads, eight shuffles and four stores. The stride-1 input gradient's flipped, channel-swapped filter
// (conv2dBackpropInput.ts) is one such transpose per tap; value by value in JavaScript it cost 0.05-0.25 ms a call.
import { Fn } from './asm';

export function transpose4Fn(): Fn {
  const f = new Fn('transpose4', ['i32', 'i32', 'i32', 'i32']);
  const [src, R, C, dst] = [0, 1, 2, 3].map((i) => f.param(i));
  const [r, c, at] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const v = Array.from({ length: 4 }, () => f.local('v128'));
  const t = Array.from({ length: 4 }, () => f.local('v128'));
  f.i32(0).set(r);
  f.loop(r, R, 4, () => {
    f.i32(0).set(c);
    f.loop(c, C, 4, () => {
      // Rows r..r+3 of the block: v[i] = src[r + i][c..c+3].
      f.get(src).get(r).get(C).mul().get(c).add().i32(2).shl().add().set(at);
      for (let i = 0; i < 4; i++)
        f.get(at)
          .get(C)
          .i32(4 * i)
          .mul()
          .add()
          .loadV()
          .set(v[i]);
      // [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3], then whole columns [a_j b_j c_j d_j].
      f.get(v[0]).get(v[1]).shuffle32([0, 4, 1, 5]).set(t[0]);
      f.get(v[0]).get(v[1]).shuffle32([2, 6, 3, 7]).set(t[1]);
      f.get(v[2]).get(v[3]).shuffle32([0, 4, 1, 5]).set(t[2]);
      f.get(v[2]).get(v[3]).shuffle32([2, 6, 3, 7]).set(t[3]);
      f.get(dst).get(c).get(R).mul().get(r).add().i32(2).shl().add().set(at);
      const halves: Array<[number, [number, number, number, number]]> = [
        [0, [0, 1, 4, 5]],
        [0, [2, 3, 6, 7]],
        [1, [0, 1, 4, 5]],
        [1, [2, 3, 6, 7]],
      ];
      halves.forEach(([lo, lanes], j) => {
        f.get(at)
          .get(R)
          .i32(4 * j)
          .mul()
          .add();
        f.get(t[lo])
          .get(t[lo + 2])
          .shuffle32(lanes)
          .storeV();
      });
    });
  });
  return f;
}
