// Seeded generators, so a search runs anywhere without downloads and replays exactly.
import { Rng } from '../rng';
import { DataError } from './errors';

export interface Generated {
  x: Float32Array;
  y: Int32Array | Float32Array;
  inputShape: number[];
  /** 1 for regression. */
  classes: number;
  classNames?: string[];
}

export const SHAPE_NAMES = ['square', 'disc', 'plus', 'triangle'] as const;

export interface ShapesOptions {
  samples: number;
  /** 2 to 4; default 4. */
  classes?: number;
  imageSize?: number;
  /** 0 (clean) to 1; default 0.1. */
  noise?: number;
  seed: number;
}

/**
 * Grey images of shapes at random positions and sizes. Pixel values are in 0..255, like IDX ubyte images, so
 * `normalize: scale` treats every image source alike. Position varies over the whole image and size over about
 * 2x, so a dense net must learn every placement separately while a small conv net generalises across them.
 */
export function shapes(opts: ShapesOptions): Generated {
  const classes = opts.classes ?? SHAPE_NAMES.length;
  if (!Number.isInteger(classes) || classes < 2 || classes > SHAPE_NAMES.length) {
    throw new DataError(`the shapes generator draws 2 to ${SHAPE_NAMES.length} classes, not ${classes}`);
  }
  const size = opts.imageSize ?? 16;
  const noise = opts.noise ?? 0.1;
  const n = opts.samples;
  const rng = Rng.derive(opts.seed, 'shapes');
  const x = new Float32Array(n * size * size);
  const y = balancedLabels(n, classes, rng);
  const lo = Math.max(4, Math.round(size * 0.35));
  const hi = Math.max(lo, Math.round(size * 0.7));
  const img = new Float32Array(size * size);
  for (let i = 0; i < n; i++) {
    const s = lo + rng.int(hi - lo + 1);
    const ox = rng.int(size - s + 1);
    const oy = rng.int(size - s + 1);
    const bg = 0.15 * rng.next();
    const fg = 0.55 + 0.45 * rng.next();
    img.fill(bg);
    draw(img, size, y[i], ox, oy, s, fg);
    const o = i * size * size;
    for (let p = 0; p < img.length; p++) {
      const v = img[p] + noise * 0.5 * rng.normal();
      x[o + p] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  return { x, y, inputShape: [size, size, 1], classes, classNames: SHAPE_NAMES.slice(0, classes) };
}

function draw(img: Float32Array, size: number, shape: number, ox: number, oy: number, s: number, v: number): void {
  const c = (s - 1) / 2;
  const t = Math.max(1, Math.round(s / 4));
  const lo = Math.floor(c - (t - 1) / 2);
  for (let r = 0; r < s; r++) {
    for (let q = 0; q < s; q++) {
      let on: boolean;
      switch (shape) {
        case 0:
          on = true;
          break;
        case 1:
          on = (r - c) ** 2 + (q - c) ** 2 <= (s / 2) ** 2 - 0.25;
          break;
        case 2:
          on = (r >= lo && r < lo + t) || (q >= lo && q < lo + t);
          break;
        default:
          // apex up: width grows linearly down the rows
          on = Math.abs(q - c) <= ((r + 1) / s) * (s / 2);
      }
      if (on) img[(oy + r) * size + ox + q] = v;
    }
  }
}

export interface BlobsOptions {
  samples: number;
  /** Default 3. */
  classes?: number;
  /** Default 8. */
  features?: number;
  /** 0 to 1; default 0.1. */
  noise?: number;
  seed: number;
  /** Make a regression target instead of class labels. */
  regression?: boolean;
}

/**
 * Tabular Gaussian clusters, two per class, so a linear model is not enough. Centres are scaled so the nearest
 * pair of different classes is a fixed distance apart: difficulty then depends on `noise`, not on the seed.
 */
export function blobs(opts: BlobsOptions): Generated {
  const classes = opts.classes ?? 3;
  const d = opts.features ?? 8;
  const n = opts.samples;
  const noise = opts.noise ?? 0.1;
  const rng = Rng.derive(opts.seed, 'blobs');
  if (opts.regression) return blobsRegression(n, d, noise, rng);
  if (!Number.isInteger(classes) || classes < 2) throw new DataError(`the blobs generator needs at least 2 classes, not ${classes}`);
  const per = 2;
  const k = classes * per;
  const centres = new Float64Array(k * d);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  let nearest = Infinity;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      if (Math.floor(a / per) === Math.floor(b / per)) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (centres[a * d + j] - centres[b * d + j]) ** 2;
      nearest = Math.min(nearest, Math.sqrt(s));
    }
  }
  const scale = nearest > 0 ? 4 / nearest : 1;
  const sd = 0.4 + 10 * noise;
  const x = new Float32Array(n * d);
  const y = balancedLabels(n, classes, rng);
  for (let i = 0; i < n; i++) {
    const c = y[i] * per + rng.int(per);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] * scale + sd * rng.normal();
  }
  const classNames = Array.from({ length: classes }, (_, i) => `blob ${i}`);
  return { x, y, inputShape: [d], classes, classNames };
}

/** A smooth nonlinear target of Gaussian features, plus noise. */
function blobsRegression(n: number, d: number, noise: number, rng: Rng): Generated {
  const units = 4;
  const w = Float64Array.from({ length: units * d }, () => rng.normal() / Math.sqrt(d));
  const a = Float64Array.from({ length: units }, () => rng.normal());
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    let t = 0;
    for (let u = 0; u < units; u++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[u * d + j] * x[i * d + j];
      t += a[u] * Math.tanh(2 * z);
    }
    y[i] = t + noise * rng.normal();
  }
  return { x, y, inputShape: [d], classes: 1 };
}

/** Equal class counts (within one), in seeded random order. */
function balancedLabels(n: number, classes: number, rng: Rng): Int32Array {
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % classes;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = y[i];
    y[i] = y[j];
    y[j] = t;
  }
  return y;
}
