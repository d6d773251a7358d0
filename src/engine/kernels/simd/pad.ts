// The zero-padded copy of an NHWC tensor that Winograd's input transform reads without bounds checks. In JS it
// was a fill of the whole buffer and then one copyWithin per image row: the interior written twice and ~1,800
// calls for a 64x28x28x16 input, 11-13 ms of a 170 ms cell-network step (21 pads, 65 MB). Here each destination
// row is written once, by native memset and memmove (wasm bulk memory): zeros, the source row, zeros.
import { Fn } from './asm';

export const PAD_PARAMS = ['x', 'N', 'H', 'srcRow', 'Hp', 'dstRow', 'top', 'lead', 'seg', 'srcOff', 'dst'] as const;

/**
 * pad(x, N, H, srcRow, Hp, dstRow, top, lead, seg, srcOff, dst), sizes in bytes except N, H, Hp, top: for image
 * b and destination row y (dstRow bytes each, Hp per image, images back to back at dst), source row
 * iy = y - top; when 0 <= iy < H the row is `lead` zero bytes, `seg` bytes from x + (b*H + iy)*srcRow + srcOff,
 * then zeros to its end; otherwise all zeros.
 */
export function padFn(): Fn {
  const f = new Fn(
    'pad',
    PAD_PARAMS.map(() => 'i32' as const),
  );
  const [x, N, H, srcRow, Hp, dstRow, top, lead, seg, srcOff, dst] = PAD_PARAMS.map((_, i) => f.param(i));
  const b = f.local('i32');
  const y = f.local('i32');
  const iy = f.local('i32');
  const d = f.local('i32');
  const tail = f.local('i32'); // bytes after lead + seg
  f.get(dstRow).get(lead).sub().get(seg).sub().set(tail);
  f.get(dst).set(d);
  f.i32(0).set(b);
  f.loop(b, N, 1, () => {
    f.i32(0).set(y);
    f.loop(y, Hp, 1, () => {
      // Unsigned: a row above the image (iy < 0) compares as huge and is zeroed too.
      f.get(y).get(top).sub().tee(iy).get(H).ltU();
      f.if(
        () => {
          f.get(d).i32(0).get(lead).memoryFill();
          f.get(d).get(lead).add();
          f.get(x).get(b).get(H).mul().get(iy).add().get(srcRow).mul().add().get(srcOff).add();
          f.get(seg).memoryCopy();
          f.get(d).get(lead).add().get(seg).add().i32(0).get(tail).memoryFill();
        },
        () => {
          f.get(d).i32(0).get(dstRow).memoryFill();
        },
      );
      f.inc(d, dstRow);
    });
  });
  return f;
}
