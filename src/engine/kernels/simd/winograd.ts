// Winograd F(2x2, 3x3) transforms for a stride-1 3x3 convolution, NHWC, channels four at a time. Each 2x2
// output tile comes from a 4x4 input patch d: V = B^T d B (16 values per channel), then 16 GEMMs
// M[t] = V[t] . U[t] over the channels (U = G g G^T, the filter's transform, done in JS), then
// Y = A^T M A. The GEMMs do 2.25x fewer multiplications than the direct convolution.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]      A^T = [1 1 1 0; 0 1 -1 -1]
// The filter gradient is the same algorithm read backwards (F(3x3, 2x2)): with e a 2x2 tile of dy and d the
// 4x4 patch of x it met, dW = G^T [sum over tiles of (A e A^T) . (B^T d B)] G, so it reuses winoIn for d,
// transforms dy with winoDy, and sums over tiles in 16 GEMMs.
import { Fn, type Local } from './asm';

/**
 * Emits the position of tile `tile0 + i`: its image n and its top-left (row, col) = 2 x its tile coordinates,
 * minus the padding when given. Every transform walks tiles this way.
 */
function tileOrigin(
  f: Fn,
  l: { tile0: Local; i: Local; tilesPerImage: Local; tilesW: Local; T: Local; n: Local; row: Local; col: Local; pad?: [Local, Local] },
): void {
  f.get(l.tile0).get(l.i).add().set(l.T);
  f.get(l.T).get(l.tilesPerImage).divU().set(l.n);
  f.get(l.T).get(l.tilesPerImage).remU().set(l.T);
  f.get(l.T).get(l.tilesW).divU().i32(1).shl();
  if (l.pad) f.get(l.pad[0]).sub();
  f.set(l.row);
  f.get(l.T).get(l.tilesW).remU().i32(1).shl();
  if (l.pad) f.get(l.pad[1]).sub();
  f.set(l.col);
}

export const WINO_IN_PARAMS = ['x', 'H', 'W', 'C', 'tilesW', 'tilesPerImage', 'pt', 'pl', 'tile0', 'count', 'v', 'zeros'] as const;

/**
 * winoIn(...): V[t][i][c] at v + t*count*C*4 + (i*C + c)*4 for tiles tile0 .. tile0+count (numbered image by
 * image, row by row). Patch pixels outside the image read from `zeros`, C zero floats.
 */
export function winoInFn(): Fn {
  const f = new Fn(
    'winoIn',
    WINO_IN_PARAMS.map(() => 'i32' as const),
  );
  const [x, H, W, C, tilesW, tilesPerImage, pt, pl, tile0, count, v, zeros] = WINO_IN_PARAMS.map((_, i) => f.param(i));
  const i = f.local('i32');
  const T = f.local('i32');
  const n = f.local('i32');
  const row0 = f.local('i32');
  const col0 = f.local('i32');
  const c = f.local('i32');
  const cBytes = f.local('i32');
  const planeBytes = f.local('i32');
  const dst = f.local('i32');
  const src: Local[] = Array.from({ length: 16 }, () => f.local('i32'));
  const d: Local[] = Array.from({ length: 16 }, () => f.local('v128'));
  const t: Local[] = Array.from({ length: 16 }, () => f.local('v128'));

  f.get(C).i32(2).shl().set(cBytes);
  f.get(count).get(cBytes).mul().set(planeBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    tileOrigin(f, { tile0, i, tilesPerImage, tilesW, T, n, row: row0, col: col0, pad: [pt, pl] });
    for (let r = 0; r < 4; r++) {
      for (let s = 0; s < 4; s++) {
        // (row0 + r) <u H and (col0 + s) <u W: inside the image; else the zero row
        f.get(x).get(n).get(H).mul().get(row0).i32(r).add().add().get(W).mul().get(col0).i32(s).add().add().get(cBytes).mul().add();
        f.get(zeros);
        f.get(row0).i32(r).add().get(H).ltU().get(col0).i32(s).add().get(W).ltU().and();
        f.select().set(src[r * 4 + s]);
      }
    }
    f.get(v).get(i).get(cBytes).mul().add().set(dst);
    f.i32(0).set(c);
    f.loop(c, cBytes, 16, () => {
      for (let k = 0; k < 16; k++) f.get(src[k]).get(c).add().loadV().set(d[k]);
      // rows: t = B^T d
      for (let s = 0; s < 4; s++) {
        const [d0, d1, d2, d3] = [d[s], d[4 + s], d[8 + s], d[12 + s]];
        f.get(d0).get(d2).vsub().set(t[s]);
        f.get(d1)
          .get(d2)
          .vadd()
          .set(t[4 + s]);
        f.get(d2)
          .get(d1)
          .vsub()
          .set(t[8 + s]);
        f.get(d1)
          .get(d3)
          .vsub()
          .set(t[12 + s]);
      }
      // columns: V = t B, stored plane by plane
      for (let r = 0; r < 4; r++) {
        const [t0, t1, t2, t3] = [t[r * 4], t[r * 4 + 1], t[r * 4 + 2], t[r * 4 + 3]];
        const store = (s: number, a: Local, b: Local, op: 'add' | 'sub') => {
          f.get(dst)
            .get(c)
            .add()
            .get(planeBytes)
            .i32(r * 4 + s)
            .mul()
            .add();
          f.get(a).get(b);
          if (op === 'add') f.vadd();
          else f.vsub();
          f.storeV();
        };
        store(0, t0, t2, 'sub');
        store(1, t1, t2, 'add');
        store(2, t2, t1, 'sub');
        store(3, t1, t3, 'sub');
      }
    });
  });
  return f;
}

export const WINO_OUT_PARAMS = ['m', 'ldm', 'out', 'OH', 'OW', 'CO', 'tilesW', 'tilesPerImage', 'tile0', 'count'] as const;

/**
 * winoOut(...): out[n, 2*th + a, 2*tw + b, co] = (A^T M A)[a][b] for the same tiles, M[t][i][co] at
 * m + t*count*ldm + i*ldm + co*4 (ldm: bytes per row of the GEMM output). Rows and columns past the output's
 * edge (odd sizes) are not written.
 */
export function winoOutFn(): Fn {
  const f = new Fn(
    'winoOut',
    WINO_OUT_PARAMS.map(() => 'i32' as const),
  );
  const [m, ldm, out, OH, OW, CO, tilesW, tilesPerImage, tile0, count] = WINO_OUT_PARAMS.map((_, i) => f.param(i));
  const i = f.local('i32');
  const T = f.local('i32');
  const n = f.local('i32');
  const oh = f.local('i32');
  const ow = f.local('i32');
  const co = f.local('i32');
  const coBytes = f.local('i32');
  const planeBytes = f.local('i32');
  const srcRow = f.local('i32');
  const base = f.local('i32');
  const okRow = f.local('i32');
  const okCol = f.local('i32');
  const mv: Local[] = Array.from({ length: 16 }, () => f.local('v128'));
  const u: Local[] = Array.from({ length: 8 }, () => f.local('v128'));

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(count).get(ldm).mul().set(planeBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    tileOrigin(f, { tile0, i, tilesPerImage, tilesW, T, n, row: oh, col: ow });
    f.get(oh).i32(1).add().get(OH).ltS().set(okRow);
    f.get(ow).i32(1).add().get(OW).ltS().set(okCol);
    f.get(out).get(n).get(OH).mul().get(oh).add().get(OW).mul().get(ow).add().get(coBytes).mul().add().set(base);
    f.get(m).get(i).get(ldm).mul().add().set(srcRow);
    f.i32(0).set(co);
    f.loop(co, coBytes, 16, () => {
      for (let k = 0; k < 16; k++) f.get(srcRow).get(co).add().get(planeBytes).i32(k).mul().add().loadV().set(mv[k]);
      // rows: u = A^T M (2 x 4)
      for (let s = 0; s < 4; s++) {
        f.get(mv[s])
          .get(mv[4 + s])
          .vadd()
          .get(mv[8 + s])
          .vadd()
          .set(u[s]);
        f.get(mv[4 + s])
          .get(mv[8 + s])
          .vsub()
          .get(mv[12 + s])
          .vsub()
          .set(u[4 + s]);
      }
      // columns: y = u A, written where the pixel exists
      for (let a = 0; a < 2; a++) {
        const [u0, u1, u2, u3] = [u[a * 4], u[a * 4 + 1], u[a * 4 + 2], u[a * 4 + 3]];
        const write = (b: number, value: () => void) => {
          const addr = () => f.get(base).get(co).add().i32(a).get(OW).mul().i32(b).add().get(coBytes).mul().add();
          const body = () => {
            addr();
            value();
            f.storeV();
          };
          if (a === 0 && b === 0) body();
          else if (a === 0) f.get(okCol).if(body);
          else if (b === 0) f.get(okRow).if(body);
          else f.get(okRow).get(okCol).and().if(body);
        };
        write(0, () => f.get(u0).get(u1).vadd().get(u2).vadd());
        write(1, () => f.get(u1).get(u2).vsub().get(u3).vsub());
      }
    });
  });
  return f;
}

export const WINO_DY_PARAMS = ['dy', 'OH', 'OW', 'CO', 'tilesW', 'tilesPerImage', 'tile0', 'count', 'out', 'zeros'] as const;

/**
 * winoDy(...): E[t][i][co] = (A e A^T)[t] at out + t*count*CO*4 + (i*CO + co)*4, e the 2x2 tile of dy at
 * (2*th, 2*tw) of tile tile0 + i, zero past dy's edge. A = [1 0; 1 1; 1 -1; 0 -1].
 */
export function winoDyFn(): Fn {
  const f = new Fn(
    'winoDy',
    WINO_DY_PARAMS.map(() => 'i32' as const),
  );
  const [dy, OH, OW, CO, tilesW, tilesPerImage, tile0, count, out, zeros] = WINO_DY_PARAMS.map((_, i) => f.param(i));
  const i = f.local('i32');
  const T = f.local('i32');
  const n = f.local('i32');
  const oh = f.local('i32');
  const ow = f.local('i32');
  const co = f.local('i32');
  const coBytes = f.local('i32');
  const planeBytes = f.local('i32');
  const dst = f.local('i32');
  const src: Local[] = Array.from({ length: 4 }, () => f.local('i32'));
  const e: Local[] = Array.from({ length: 4 }, () => f.local('v128'));
  const r: Local[] = Array.from({ length: 8 }, () => f.local('v128'));

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(count).get(coBytes).mul().set(planeBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    tileOrigin(f, { tile0, i, tilesPerImage, tilesW, T, n, row: oh, col: ow });
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        f.get(dy).get(n).get(OH).mul().get(oh).i32(a).add().add().get(OW).mul().get(ow).i32(b).add().add().get(coBytes).mul().add();
        f.get(zeros);
        f.get(oh).i32(a).add().get(OH).ltU().get(ow).i32(b).add().get(OW).ltU().and();
        f.select().set(src[a * 2 + b]);
      }
    }
    f.get(out).get(i).get(coBytes).mul().add().set(dst);
    f.i32(0).set(co);
    f.loop(co, coBytes, 16, () => {
      for (let k = 0; k < 4; k++) f.get(src[k]).get(co).add().loadV().set(e[k]);
      // rows: r = A e (4 x 2)
      for (let b = 0; b < 2; b++) {
        const [e0, e1] = [e[b], e[2 + b]];
        f.get(e0).set(r[b]);
        f.get(e0)
          .get(e1)
          .vadd()
          .set(r[2 + b]);
        f.get(e0)
          .get(e1)
          .vsub()
          .set(r[4 + b]);
        f.get(e1)
          .vneg()
          .set(r[6 + b]);
      }
      // columns: E = r A^T, stored plane by plane
      for (let a = 0; a < 4; a++) {
        const [r0, r1] = [r[a * 2], r[a * 2 + 1]];
        const store = (s: number, value: () => void) => {
          f.get(dst)
            .get(co)
            .add()
            .get(planeBytes)
            .i32(a * 4 + s)
            .mul()
            .add();
          value();
          f.storeV();
        };
        store(0, () => f.get(r0));
        store(1, () => f.get(r0).get(r1).vadd());
        store(2, () => f.get(r0).get(r1).vsub());
        store(3, () => f.get(r1).vneg());
      }
    });
  });
  return f;
}
