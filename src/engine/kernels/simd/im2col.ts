// The patches a convolution reads, written straight into gemm's packed-B layout: row r of the patch matrix
// is output pixel rowStart + r, column q = (kh*KW + kw)*C + c is x[n, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, c]
// (zero outside the image), stored at panel q/NR, row r, lane q%NR; columns from KH*KW*C up to NP are zero. One K-chunk at a time, so the panels
// stay in cache while the GEMM reads them; the full patch matrix (9x the input) never exists.
import { Fn } from './asm';
import { NR } from './gemm';

export const IM2COL_PARAMS = ['x', 'H', 'W', 'C', 'OW', 'OHW', 'KH', 'KW', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'rowStart', 'rows', 'dst', 'NP'] as const;

export function im2colFn(): Fn {
  const f = new Fn(
    'im2col',
    IM2COL_PARAMS.map(() => 'i32' as const),
  );
  const [x, H, W, C, OW, OHW, KH, KW, sh, sw, dh, dw, pt, pl, rowStart, rows, dst, NP] = IM2COL_PARAMS.map((_, i) => f.param(i));
  const r = f.local('i32');
  const R = f.local('i32');
  const n = f.local('i32');
  const ihBase = f.local('i32');
  const iwBase = f.local('i32');
  const kh = f.local('i32');
  const kw = f.local('i32');
  const ih = f.local('i32');
  const iw = f.local('i32');
  const q0 = f.local('i32');
  const c = f.local('i32');
  const src = f.local('i32');
  const panelBytes = f.local('i32');
  const rowOff = f.local('i32');
  const vec = f.local('i32');
  const cEnd = f.local('i32');
  const q = f.local('i32');
  const ok = f.local('i32');

  // Byte address of column q (on the stack) in row r: dst + (q/NR)*panelBytes + r*NR*4 + (q%NR)*4.
  const colAddr = () => {
    f.set(q);
    f.get(dst).get(q).i32(3).op(0x76).get(panelBytes).mul().add(); // q >>> 3, NR being 8
    f.get(rowOff).add();
    f.get(q)
      .i32(NR - 1)
      .and()
      .i32(2)
      .shl()
      .add();
  };

  f.get(rows)
    .i32(NR * 4)
    .mul()
    .set(panelBytes);
  // Channel groups of four are copied as vectors; C % 4 == 0 keeps them inside one panel row.
  f.get(C).i32(3).and().eqz().set(vec);
  f.i32(0).set(r);
  f.loop(r, rows, 1, () => {
    f.get(rowStart).get(r).add().set(R);
    f.get(R).get(OHW).divU().set(n);
    f.get(R).get(OHW).remU().tee(R); // R now holds the pixel index within its image
    f.get(OW).divU().get(sh).mul().get(pt).sub().set(ihBase);
    f.get(R).get(OW).remU().get(sw).mul().get(pl).sub().set(iwBase);
    f.get(r)
      .i32(NR * 4)
      .mul()
      .set(rowOff);
    f.i32(0).set(q0);
    f.i32(0).set(kh);
    f.loop(kh, KH, 1, () => {
      f.get(ihBase).get(kh).get(dh).mul().add().set(ih);
      f.i32(0).set(kw);
      f.loop(kw, KW, 1, () => {
        f.get(iwBase).get(kw).get(dw).mul().add().set(iw);
        // Unsigned compares also reject negative rows and columns: taps that fall in the padding read zeros.
        f.get(ih).get(H).ltU().get(iw).get(W).ltU().and().set(ok);
        f.get(x).get(n).get(H).mul().get(ih).add().get(W).mul().get(iw).add().get(C).mul().i32(2).shl().add().set(src);
        f.i32(0).set(c);
        f.get(vec).if(
          () => {
            f.get(C).set(cEnd);
            f.loop(c, cEnd, 4, () => {
              f.get(q0).get(c).add();
              colAddr();
              f.get(ok).if(
                () => void f.get(src).get(c).i32(2).shl().add().loadV(),
                () => void f.vzero(),
                'v128',
              );
              f.storeV();
            });
          },
          () => {
            f.get(C).set(cEnd);
            f.loop(c, cEnd, 1, () => {
              f.get(q0).get(c).add();
              colAddr();
              f.get(ok).if(
                () => void f.get(src).get(c).i32(2).shl().add().loadF32(),
                () => void f.f32(0),
                'f32',
              );
              f.storeF32();
            });
          },
        );
        f.get(q0).get(C).add().set(q0);
      });
    });
    // Columns past the last real one, up to NP (a multiple of NR), are zeros the GEMM multiplies harmlessly.
    f.loop(q0, NP, 1, () => {
      f.get(q0);
      colAddr();
      f.f32(0).storeF32();
    });
  });
  return f;
}
