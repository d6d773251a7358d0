// Winograd F(m x m, r x r) transforms for stride-1 convolutions, NHWC, four channels per vector, generated from
// the matrices of winogradMath.ts. Each m x m output tile comes from an alpha x alpha input patch d
// (alpha = m + r - 1): V = BT d B (alpha^2 planes), then alpha^2 GEMMs M[t] = V[t] . U[t] over the channels
// (U = G g G^T, the filter's transform, done in JS), then Y = AT M A.
// The filter gradient is the same algorithm read backwards: with e an m x m tile of dy and d the patch of x it
// met, dW = G^T [sum over tiles of (A e AT) . (BT d B)] G, so it reuses winoIn for d, transforms dy with
// winoDy, and sums over tiles in alpha^2 GEMMs.
// Every 2-D transform runs as two passes of one 1-D transform (columns, then rows), each an unrolled list of
// vector additions and multiplications by constants; the points come in +-p pairs, so rows (or columns) of
// the matrices pair up as even and odd parts, which halves the arithmetic.
import { winogradMatrices, type WinogradMatrices } from '../winogradMath';
import { Fn, type Local } from './asm';
import { NR } from './gemm';

/**
 * Emits the value of sum_k coef[k] * x_k (x_k pushed by `get(k)`); returns false (emitting nothing) when
 * every coefficient is zero. A positive term goes first, so negation is rarely needed.
 */
function emitSum(f: Fn, coef: number[], get: (k: number) => void): boolean {
  const terms = coef.map((c, k) => [c, k] as const).filter(([c]) => c !== 0);
  if (terms.length === 0) return false;
  const firstPositive = terms.findIndex(([c]) => c > 0);
  if (firstPositive > 0) terms.unshift(...terms.splice(firstPositive, 1));
  terms.forEach(([c, k], i) => {
    get(k);
    if (Math.abs(c) !== 1) f.f32(Math.abs(c)).vsplat().vmul();
    if (i === 0) {
      if (c < 0) f.vneg();
    } else if (c > 0) f.vadd();
    else f.vsub();
  });
  return true;
}

/** Rows i < j of T that are one point's row and its negative's: T[j][k] = (-1)^k T[i][k], odd part nonzero. */
function rowPairs(T: number[][]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const used = new Set<number>();
  for (let i = 0; i < T.length; i++) {
    if (used.has(i)) continue;
    for (let j = i + 1; j < T.length; j++) {
      if (used.has(j)) continue;
      const mirrored = T[i].every((v, k) => T[j][k] === (k % 2 === 0 ? v : -v));
      if (mirrored && T[i].some((v, k) => k % 2 === 1 && v !== 0)) {
        pairs.push([i, j]);
        used.add(i).add(j);
        break;
      }
    }
  }
  return pairs;
}

/** Columns i < j of T that are a point and its negative: T[k][j] = (-1)^k T[k][i], odd part nonzero. */
function columnPairs(T: number[][]): Array<[number, number]> {
  const transposed = T[0].map((_, j) => T.map((row) => row[j]));
  return rowPairs(transposed);
}

/**
 * out = T . in for one 1-D transform: `sink(i, push)` receives output row i with an emitter of its value.
 * Paired rows share their even and odd partial sums (two temporaries); paired columns are first replaced by
 * their sum and difference, which even and odd rows use respectively.
 */
function emitTransform(f: Fn, T: number[][], inputs: Local[], tmp: Local[], sink: (i: number, push: () => void) => void): void {
  const pairs = rowPairs(T);
  if (pairs.length === 0) {
    const cols = columnPairs(T);
    if (cols.length > 0) {
      const ins = [...inputs];
      const coef = T.map((row) => [...row]);
      cols.forEach(([a, b], n) => {
        const [sum, diff] = [tmp[2 + 2 * n], tmp[3 + 2 * n]];
        f.get(inputs[a]).get(inputs[b]).vadd().set(sum);
        f.get(inputs[a]).get(inputs[b]).vsub().set(diff);
        ins[a] = sum;
        ins[b] = diff;
        coef.forEach((row, i) => {
          if (i % 2 === 0) row[b] = 0;
          else [row[a], row[b]] = [0, row[a]];
        });
      });
      T = coef;
      inputs = ins;
    }
  }
  const get = (k: number) => void f.get(inputs[k]);
  const paired = new Set(pairs.flat());
  for (const [i, j] of pairs) {
    const even = T[i].map((v, k) => (k % 2 === 0 ? v : 0));
    const odd = T[i].map((v, k) => (k % 2 === 1 ? v : 0));
    if (!emitSum(f, even, get)) f.vzero();
    f.set(tmp[0]);
    emitSum(f, odd, get);
    f.set(tmp[1]);
    sink(i, () => f.get(tmp[0]).get(tmp[1]).vadd());
    sink(j, () => f.get(tmp[0]).get(tmp[1]).vsub());
  }
  T.forEach((row, i) => {
    if (!paired.has(i))
      sink(i, () => {
        if (!emitSum(f, row, get)) f.vzero();
      });
  });
}

/**
 * out = T X T^T for a q x q block X of vectors (T is p x q): `load(r, s)` pushes X[r][s], `store(i, j, push)`
 * receives out[i][j]. Columns first (into p*q locals), then rows.
 */
function emitTransform2d(
  f: Fn,
  T: number[][],
  locals: { col: Local[]; mid: Local[]; tmp: Local[] },
  load: (r: number, s: number) => void,
  store: (i: number, j: number, push: () => void) => void,
): void {
  const [p, q] = [T.length, T[0].length];
  for (let s = 0; s < q; s++) {
    for (let r = 0; r < q; r++) {
      load(r, s);
      f.set(locals.col[r]);
    }
    emitTransform(f, T, locals.col, locals.tmp, (i, push) => {
      push();
      f.set(locals.mid[i * q + s]);
    });
  }
  for (let i = 0; i < p; i++) {
    emitTransform(f, T, locals.mid.slice(i * q, i * q + q), locals.tmp, (j, push) => store(i, j, push));
  }
}

function transformLocals(f: Fn, p: number, q: number) {
  return {
    col: Array.from({ length: q }, () => f.local('v128')),
    mid: Array.from({ length: p * q }, () => f.local('v128')),
    // two for paired rows, two per pair of columns
    tmp: Array.from({ length: 2 + q + 1 }, () => f.local('v128')),
  };
}

/** Emits the tile's image n and its tile row and column (th, tw), tiles numbered image by image, row by row. */
function tilePosition(f: Fn, l: { tile: Local; tilesPerImage: Local; tilesW: Local; n: Local; th: Local; tw: Local }): void {
  f.get(l.tile).get(l.tilesPerImage).divU().set(l.n);
  f.get(l.tile).get(l.tilesPerImage).remU().set(l.th);
  f.get(l.th).get(l.tilesW).remU().set(l.tw);
  f.get(l.th).get(l.tilesW).divU().set(l.th);
}

/** V = BT d B of one vector of channels into the alpha^2 planes (plane t at dst + c + t*planeBytes); `load(r, s)` pushes d[r][s]. */
function transformToPlanes(
  f: Fn,
  w: WinogradMatrices,
  locals: ReturnType<typeof transformLocals>,
  at: { dst: Local; c: Local; planeBytes: Local },
  load: (r: number, s: number) => void,
): void {
  emitTransform2d(f, w.BT, locals, load, (a, b, push) => {
    f.get(at.dst)
      .get(at.c)
      .add()
      .get(at.planeBytes)
      .i32(a * w.alpha + b)
      .mul()
      .add();
    push();
    f.storeV();
  });
}

export const WINO_IN_PARAMS = ['x', 'Hp', 'Wp', 'C', 'step', 'tilesW', 'tilesPerImage', 'tile0', 'count', 'v', 'planeBytes'] as const;

/**
 * winoIn<alpha>(...): V[t][i][c] = (BT d B)[t] at v + t*planeBytes + (i*C + c)*4 for tiles tile0 ..
 * tile0+count, d the alpha x alpha patch of x at (step*th, step*tw). x is [n, Hp, Wp, C], already padded so
 * every patch lies inside it; C a multiple of 4. planeBytes >= count*C*4 (winograd.ts planeStride).
 */
export function winoInFn(w: WinogradMatrices): Fn {
  const { alpha } = w;
  const f = new Fn(
    `winoIn${alpha}`,
    WINO_IN_PARAMS.map(() => 'i32' as const),
  );
  const [x, Hp, Wp, C, step, tilesW, tilesPerImage, tile0, count, v, planeBytes] = WINO_IN_PARAMS.map((_, i) => f.param(i));
  const [i, tile, n, th, tw, c, cBytes, rowBytes, base, dst, col] = Array.from({ length: 11 }, () => f.local('i32'));
  const rowOff = Array.from({ length: alpha }, () => f.local('i32'));
  const locals = transformLocals(f, alpha, alpha);

  f.get(C).i32(2).shl().set(cBytes);
  f.get(Wp).get(cBytes).mul().set(rowBytes);
  rowOff.forEach((o, r) => f.get(rowBytes).i32(r).mul().set(o));
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    f.get(tile0).get(i).add().set(tile);
    tilePosition(f, { tile, tilesPerImage, tilesW, n, th, tw });
    // base = x + ((n*Hp + th*step)*Wp + tw*step) * C*4
    f.get(x).get(n).get(Hp).mul().get(th).get(step).mul().add().get(Wp).mul().get(tw).get(step).mul().add().get(cBytes).mul().add().set(base);
    f.get(v).get(i).get(cBytes).mul().add().set(dst);
    f.i32(0).set(c);
    f.loop(c, cBytes, 16, () =>
      transformToPlanes(f, w, locals, { dst, c, planeBytes }, (r, s) => {
        if (r === 0) f.get(base).get(c).add().get(cBytes).i32(s).mul().add().set(col);
        f.get(col).get(rowOff[r]).add().loadV();
      }),
    );
  });
  return f;
}

export const WINO_IN_BOUNDED_PARAMS = [
  'x',
  'H',
  'W',
  'C',
  'top',
  'left',
  'step',
  'tilesW',
  'tilesPerImage',
  'tile0',
  'count',
  'v',
  'planeBytes',
  'zeros',
] as const;

/**
 * winoInB<alpha>(...): winoIn's V read from x [n, H, W, C] itself, each tile's patch at (step*th - top,
 * step*tw - left), its pixels outside x read from `zeros` (C zero floats) instead, so no zero-bordered copy of x
 * is made first: each tile picks its alpha^2 source addresses once and every channel vector reuses them.
 */
export function winoInBoundedFn(w: WinogradMatrices): Fn {
  const { alpha } = w;
  const f = new Fn(
    `winoInB${alpha}`,
    WINO_IN_BOUNDED_PARAMS.map(() => 'i32' as const),
  );
  const [x, H, W, C, top, left, step, tilesW, tilesPerImage, tile0, count, v, planeBytes, zeros] = WINO_IN_BOUNDED_PARAMS.map((_, i) => f.param(i));
  const [i, tile, n, th, tw, c, cBytes, row, dst] = Array.from({ length: 9 }, () => f.local('i32'));
  const src = Array.from({ length: alpha * alpha }, () => f.local('i32'));
  const locals = transformLocals(f, alpha, alpha);

  f.get(C).i32(2).shl().set(cBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    f.get(tile0).get(i).add().set(tile);
    tilePosition(f, { tile, tilesPerImage, tilesW, n, th, tw });
    f.get(th).get(step).mul().get(top).sub().set(th); // the patch's first row and column in x
    f.get(tw).get(step).mul().get(left).sub().set(tw);
    for (let r = 0; r < alpha; r++) {
      // row = x + ((n*H + th + r)*W + tw) * C*4: pixel (th + r, tw) of image n, were it inside x
      f.get(x).get(n).get(H).mul().get(th).add().i32(r).add().get(W).mul().get(tw).add().get(cBytes).mul().add().set(row);
      for (let q = 0; q < alpha; q++) {
        f.get(row).get(cBytes).i32(q).mul().add();
        f.get(zeros);
        // (th + r) <u H and (tw + q) <u W: inside x; else the zero pixel
        f.get(th).i32(r).add().get(H).ltU().get(tw).i32(q).add().get(W).ltU().and();
        f.select().set(src[r * alpha + q]);
      }
    }
    f.get(v).get(i).get(cBytes).mul().add().set(dst);
    f.i32(0).set(c);
    f.loop(c, cBytes, 16, () =>
      transformToPlanes(
        f,
        w,
        locals,
        { dst, c, planeBytes },
        (r, q) =>
          void f
            .get(src[r * alpha + q])
            .get(c)
            .add()
            .loadV(),
      ),
    );
  });
  return f;
}

export const WINO_OUT_PARAMS = ['m', 'ldm', 'out', 'OH', 'OW', 'CO', 'tilesW', 'tilesPerImage', 'tile0', 'count', 'planeBytes'] as const;

/**
 * winoOut<m>x<alpha>(...): out[n, m*th + a, m*tw + b, co] = (AT M A)[a][b] for the same tiles, M[t][i][co] at
 * m + t*planeBytes + i*ldm + co*4 (ldm: bytes per row of the GEMM output). Pixels past the output's edge
 * are not written.
 */
export function winoOutFn(w: WinogradMatrices): Fn {
  const { m: tm, alpha, AT } = w;
  const f = new Fn(
    `winoOut${tm}x${alpha}`,
    WINO_OUT_PARAMS.map(() => 'i32' as const),
  );
  const [mBuf, ldm, out, OH, OW, CO, tilesW, tilesPerImage, tile0, count, planeBytes] = WINO_OUT_PARAMS.map((_, i) => f.param(i));
  const [i, tile, n, th, tw, co, coBytes, rowBytes, src, base, rows, cols] = Array.from({ length: 12 }, () => f.local('i32'));
  const locals = transformLocals(f, tm, alpha);

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(OW).get(coBytes).mul().set(rowBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    f.get(tile0).get(i).add().set(tile);
    tilePosition(f, { tile, tilesPerImage, tilesW, n, th, tw });
    f.get(th).i32(tm).mul().set(th);
    f.get(tw).i32(tm).mul().set(tw);
    // rows, cols: how much of the tile lies inside the output
    f.get(OH).get(th).sub().set(rows);
    f.get(OW).get(tw).sub().set(cols);
    f.get(out).get(n).get(OH).mul().get(th).add().get(OW).mul().get(tw).add().get(coBytes).mul().add().set(base);
    f.get(mBuf).get(i).get(ldm).mul().add().set(src);
    // A tile wholly inside the output (every tile of a map whose sides m divides) stores without a test per pixel:
    // F(4x4, 3x3) at batch 64, 16 -> 16 channels, 0.21 -> 0.15 ms on 16x16 maps, 0.75 -> 0.53 on 28x28.
    const emitTile = (guarded: boolean) => {
      f.i32(0).set(co);
      f.loop(co, coBytes, 16, () => {
        emitTransform2d(
          f,
          AT,
          locals,
          (r, s) =>
            void f
              .get(src)
              .get(co)
              .add()
              .get(planeBytes)
              .i32(r * alpha + s)
              .mul()
              .add()
              .loadV(),
          (a, b, push) => {
            const body = () => {
              f.get(base).get(co).add().get(rowBytes).i32(a).mul().add().get(coBytes).i32(b).mul().add();
              push();
              f.storeV();
            };
            if (!guarded || (a === 0 && b === 0)) body();
            else f.get(rows).i32(a).op(0x4a).get(cols).i32(b).op(0x4a).and().if(body); // a < rows && b < cols
          },
        );
      });
    };
    f.get(rows)
      .i32(tm)
      .geS() // rows >= m
      .get(cols)
      .i32(tm)
      .geS()
      .and()
      .if(
        () => emitTile(false),
        () => emitTile(true),
      );
  });
  return f;
}

export const WINO_DY_PARAMS = ['dy', 'OH', 'OW', 'CO', 'tilesW', 'tilesPerImage', 'tile0', 'count', 'out', 'zeros', 'planeBytes'] as const;

/**
 * winoDy<m>x<alpha>(...): E[t] = (A e AT)[t] for the same tiles, e the m x m tile of dy at (m*th, m*tw), zero
 * past dy's edge (read from `zeros`, CO zero floats), written in gemm's packed-B layout: plane t at
 * out + t*planeBytes (>= count*NP*4, NP = CO rounded up to NR) holds NR-column panels of count rows, so the GEMMs
 * that sum over tiles take it as it is. Columns past CO are zeroed.
 */
export function winoDyFn(w: WinogradMatrices): Fn {
  const { m: tm, alpha, AT } = w;
  const A = Array.from({ length: alpha }, (_, j) => AT.map((row) => row[j]));
  const f = new Fn(
    `winoDy${tm}x${alpha}`,
    WINO_DY_PARAMS.map(() => 'i32' as const),
  );
  const [dy, OH, OW, CO, tilesW, tilesPerImage, tile0, count, out, zeros, planeBytes] = WINO_DY_PARAMS.map((_, i) => f.param(i));
  const [i, tile, n, th, tw, co, coBytes, panelBytes, dst, base, lane] = Array.from({ length: 11 }, () => f.local('i32'));
  const src = Array.from({ length: tm * tm }, () => f.local('i32'));
  const locals = transformLocals(f, alpha, tm);

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(count)
    .i32(NR * 4)
    .mul()
    .set(panelBytes);
  f.i32(0).set(i);
  f.loop(i, count, 1, () => {
    f.get(tile0).get(i).add().set(tile);
    tilePosition(f, { tile, tilesPerImage, tilesW, n, th, tw });
    f.get(th).i32(tm).mul().set(th);
    f.get(tw).i32(tm).mul().set(tw);
    f.get(dy).get(n).get(OH).mul().get(th).add().get(OW).mul().get(tw).add().get(coBytes).mul().add().set(base);
    for (let a = 0; a < tm; a++) {
      for (let b = 0; b < tm; b++) {
        // (th + a) <u OH and (tw + b) <u OW: inside dy; else the zero row
        f.get(base).get(OW).i32(a).mul().i32(b).add().get(coBytes).mul().add();
        f.get(zeros);
        f.get(th).i32(a).add().get(OH).ltU().get(tw).i32(b).add().get(OW).ltU().and();
        f.select().set(src[a * tm + b]);
      }
    }
    f.get(out)
      .get(i)
      .i32(NR * 4)
      .mul()
      .add()
      .set(dst);
    f.i32(0).set(co);
    f.loop(co, coBytes, 16, () => {
      // byte offset of this vector in its plane: panel (co / (NR*4)) * panelBytes + lane (co % (NR*4))
      f.get(co).i32(5).op(0x76).get(panelBytes).mul().get(co).i32(31).and().add().get(dst).add().set(lane);
      emitTransform2d(
        f,
        A,
        locals,
        (r, s) =>
          void f
            .get(src[r * tm + s])
            .get(co)
            .add()
            .loadV(),
        (a, b, push) => {
          f.get(lane)
            .get(planeBytes)
            .i32(a * alpha + b)
            .mul()
            .add();
          push();
          f.storeV();
        },
      );
    });
    // CO % 8 == 4: the last panel's upper half is padding the GEMM multiplies; keep it zero.
    f.get(CO)
      .i32(7)
      .and()
      .if(() => {
        f.get(CO).i32(3).op(0x76).get(panelBytes).mul().get(dst).add().i32(16).add().set(lane);
        for (let t = 0; t < alpha * alpha; t++) {
          f.get(lane).get(planeBytes).i32(t).mul().add().vzero().storeV();
        }
      });
  });
  return f;
}

export const WINO_FILTER_PARAMS = ['w', 'CI', 'CO', 'out', 'planeBytes'] as const;

/**
 * winoFilter<m>x<r>(w, CI, CO, out, planeBytes): U = G g G^T of the r x r filter w ([r, r, CI, CO], CO a
 * multiple of 4), written in gemm's packed-B layout, plane t at out + t*planeBytes (>= CI*NP*4, NP = CO rounded
 * up to NR), as [CI][NP] panels. The padding columns of the last panel are left as they are (the caller zeroes the buffer).
 */
export function winoFilterFn(w: WinogradMatrices): Fn {
  const { m: tm, r, alpha, G } = w;
  const f = new Fn(
    `winoFilter${tm}x${r}`,
    WINO_FILTER_PARAMS.map(() => 'i32' as const),
  );
  const [wAt, CI, CO, out, planeBytes] = WINO_FILTER_PARAMS.map((_, i) => f.param(i));
  const [c, o, coBytes, tapBytes, src, dst] = Array.from({ length: 6 }, () => f.local('i32'));
  const locals = transformLocals(f, alpha, r);

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(CI).get(coBytes).mul().set(tapBytes);
  f.i32(0).set(c);
  f.loop(c, CI, 1, () => {
    f.i32(0).set(o);
    f.loop(o, coBytes, 16, () => {
      f.get(wAt).get(c).get(coBytes).mul().add().get(o).add().set(src);
      // packed: panel o / (NR*4) holds CI rows of NR*4 bytes
      f.get(out).get(o).i32(5).op(0x76).get(CI).mul().get(c).add().i32(5).shl().add().get(o).i32(31).and().add().set(dst);
      emitTransform2d(
        f,
        G,
        locals,
        (kh, kw) =>
          void f
            .get(src)
            .get(tapBytes)
            .i32(kh * r + kw)
            .mul()
            .add()
            .loadV(),
        (a, b, push) => {
          f.get(dst)
            .get(planeBytes)
            .i32(a * alpha + b)
            .mul()
            .add();
          push();
          f.storeV();
        },
      );
    });
  });
  return f;
}

export const WINO_GRAD_PARAMS = ['mBuf', 'CI', 'CO', 'ldm', 'out', 'planeBytes'] as const;

/**
 * winoGrad<m>x<r>(mBuf, CI, CO, ldm, out, planeBytes): dW = G^T M G, M[t][c][o] at mBuf + t*planeBytes +
 * c*ldm + o*4 (the GEMMs' sums over tiles; planeBytes >= CI*ldm), into out [r, r, CI, CO]; CO a multiple of 4.
 */
export function winoGradFn(w: WinogradMatrices): Fn {
  const { m: tm, r, alpha, G } = w;
  const GT = Array.from({ length: r }, (_, k) => G.map((row) => row[k]));
  const f = new Fn(
    `winoGrad${tm}x${r}`,
    WINO_GRAD_PARAMS.map(() => 'i32' as const),
  );
  const [mBuf, CI, CO, ldm, out, planeBytes] = WINO_GRAD_PARAMS.map((_, i) => f.param(i));
  const [c, o, coBytes, tapBytes, src, dst] = Array.from({ length: 6 }, () => f.local('i32'));
  const locals = transformLocals(f, r, alpha);

  f.get(CO).i32(2).shl().set(coBytes);
  f.get(CI).get(coBytes).mul().set(tapBytes);
  f.i32(0).set(c);
  f.loop(c, CI, 1, () => {
    f.i32(0).set(o);
    f.loop(o, coBytes, 16, () => {
      f.get(mBuf).get(c).get(ldm).mul().add().get(o).add().set(src);
      f.get(out).get(c).get(coBytes).mul().add().get(o).add().set(dst);
      emitTransform2d(
        f,
        GT,
        locals,
        (a, b) =>
          void f
            .get(src)
            .get(planeBytes)
            .i32(a * alpha + b)
            .mul()
            .add()
            .loadV(),
        (kh, kw, push) => {
          f.get(dst)
            .get(tapBytes)
            .i32(kh * r + kw)
            .mul()
            .add();
          push();
          f.storeV();
        },
      );
    });
  });
  return f;
}

/** The F(m x m, r x r) tile sizes the kernels are generated for, [m, r]; winograd.ts picks among them. */
export const WINOGRAD_TILES: ReadonlyArray<readonly [number, number]> = [
  [2, 3],
  [4, 3],
  [6, 3],
  [2, 5],
  [3, 5],
  [4, 5],
  [2, 7],
  [7, 2],
];

/** Every transform function of every tile size (winoIn once per alpha: it depends on nothing else). */
export function winogradFns(): Fn[] {
  const fns: Fn[] = [];
  const inputs = new Set<number>();
  for (const [m, r] of WINOGRAD_TILES) {
    const w = winogradMatrices(m, r);
    if (!inputs.has(w.alpha)) fns.push(winoInFn(w), winoInBoundedFn(w));
    inputs.add(w.alpha);
    fns.push(winoOutFn(w), winoDyFn(w), winoFilterFn(w), winoGradFn(w));
  }
  return fns;
}
