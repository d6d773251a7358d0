// The matrices of Winograd's minimal filtering F(m, r) (Lavin & Gray 2015), built from interpolation points
// rather than typed in, so every tile size the kernels use comes from one construction. For one dimension,
// m outputs of an r-tap correlation of d (m + r - 1 = alpha inputs) are
//     y = AT [(G g) * (BT d)]
// with alpha points p_j (the last one "infinity"): G[j][k] = p_j^k, AT[i][j] = p_j^i, and BT = C^T for C the
// inverse of the alpha x alpha Vandermonde matrix (Toom-Cook: evaluate, multiply pointwise, interpolate, read
// transposed). Two dimensions apply each matrix on both sides: Y = AT [(G g G^T) * (BT d B)] A.
// Row j of BT is scaled by the product of (p_j - p_l) over the other finite points, and row j of G divided
// by it: the data transform, done in float32 for every tile, then has small integer-like coefficients, and
// the fractions go to the filter transform, done once per step in float64.

export interface WinogradMatrices {
  m: number;
  r: number;
  alpha: number;
  /** m x alpha */
  AT: number[][];
  /** alpha x r */
  G: number[][];
  /** alpha x alpha */
  BT: number[][];
}

/** Finite points in order of preference: small magnitudes keep the transforms well conditioned. */
const POINTS = [0, 1, -1, 2, -2, 0.5, -0.5, 3, -3];

function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    if (d === 0) throw new Error('singular Vandermonde matrix: repeated interpolation points');
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c || m[r][c] === 0) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

/** Rounds values within 1e-12 of a multiple of 1/64 to it (the inversion leaves crumbs). */
function tidy(x: number): number {
  const q = Math.round(x * 64) / 64;
  return Math.abs(x - q) < 1e-12 ? q : x;
}

export function winogradMatrices(m: number, r: number): WinogradMatrices {
  const alpha = m + r - 1;
  if (alpha - 1 > POINTS.length) throw new Error(`F(${m}, ${r}) needs more interpolation points than defined`);
  const pts = POINTS.slice(0, alpha - 1);
  // Row j evaluates a polynomial of degree < cols at point j; the last row (infinity) takes its top coefficient.
  const vander = (cols: number) => [
    ...pts.map((p) => Array.from({ length: cols }, (_, k) => p ** k)),
    Array.from({ length: cols }, (_, k) => (k === cols - 1 ? 1 : 0)),
  ];
  const C = invert(vander(alpha));
  const scale = [...pts.map((p, j) => pts.reduce((s, q, l) => (l === j ? s : s * (p - q)), 1)), 1];
  const BT = Array.from({ length: alpha }, (_, i) => Array.from({ length: alpha }, (_, j) => tidy(C[j][i] * scale[i])));
  const G = vander(r).map((row, j) => row.map((v) => v / scale[j]));
  const AT = Array.from({ length: m }, (_, i) => vander(m).map((row) => row[i]));
  return { m, r, alpha, AT, G, BT };
}
