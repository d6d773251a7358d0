// Which output pixels each filter tap of a 2-D window operation touches, so a depthwise convolution's gradients
// and the average-pool gradient run as one strided walk per (image, tap) (simd/walk.ts), with no bounds checks
// inside: out-of-image taps are cut from the ranges here.

export interface WindowGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

export interface TapRange {
  /** Index of the tap in the filter, kh * filterWidth + kw. */
  tap: number;
  /** Output pixels [oh0, oh1) x [ow0, ow1) read this tap from inside the image... */
  oh0: number;
  oh1: number;
  ow0: number;
  ow1: number;
  /** ...starting at input pixel (ih0, iw0). */
  ih0: number;
  iw0: number;
}

/** [lo, hi) of o with 0 <= o*stride + offset < size and 0 <= o < count. */
function range(size: number, count: number, stride: number, offset: number): [number, number] {
  return [Math.max(0, Math.ceil(-offset / stride)), Math.min(count, Math.floor((size - 1 - offset) / stride) + 1)];
}

export function tapRanges(g: WindowGeometry): TapRange[] {
  const out: TapRange[] = [];
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const offH = kh * g.dilationHeight - g.padTop;
    const [oh0, oh1] = range(g.inHeight, g.outHeight, g.strideHeight, offH);
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const offW = kw * g.dilationWidth - g.padLeft;
      const [ow0, ow1] = range(g.inWidth, g.outWidth, g.strideWidth, offW);
      if (oh1 > oh0 && ow1 > ow0)
        out.push({ tap: kh * g.filterWidth + kw, oh0, oh1, ow0, ow1, ih0: oh0 * g.strideHeight + offH, iw0: ow0 * g.strideWidth + offW });
    }
  }
  return out;
}
