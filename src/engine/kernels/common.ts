// Building blocks for composite wasm kernels. They call other wasm kernels' kernelFuncs directly (as the
// backends' own composite kernels do) rather than tf ops: a kernelFunc runs inside the engine's bookkeeping
// and must hand back TensorInfos owned by the backend, so intermediates live as bare backend data ids that
// we free ourselves, never as engine-tracked Tensors.
import * as tf from '@tensorflow/tfjs';

export type Info = tf.TensorInfo;
export type Pair = [number, number];

/** Explicit padding of the two spatial dims; negative means "crop this many rows/columns". */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The registration of one of our wasm kernels. */
export function wasmKernel(kernelName: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => Info | Info[]): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

export function runWasm(name: string, backend: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: object = {}): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Same data, another shape: free for row-major reshapes, and nothing extra to dispose. */
export function view(t: Info, shape: number[]): Info {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function dispose(backend: tf.KernelBackend, ...infos: Info[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function transpose(backend: tf.KernelBackend, x: Info, perm: number[]): Info {
  return runWasm('Transpose', backend, { x }, { perm });
}

/** XNNPACK's forward convolution with exact per-side padding, cropping the input where a pad is negative. */
export function convExplicit(backend: tf.KernelBackend, x: Info, filter: Info, strides: Pair, dilations: Pair, pads: Pads, depthwise: boolean): Info {
  const [n, h, w, c] = x.shape;
  const cut = { top: Math.max(0, -pads.top), bottom: Math.max(0, -pads.bottom), left: Math.max(0, -pads.left), right: Math.max(0, -pads.right) };
  const cropped = cut.top + cut.bottom + cut.left + cut.right > 0;
  const input = cropped
    ? runWasm('Slice', backend, { x }, { begin: [0, cut.top, cut.left, 0], size: [n, h - cut.top - cut.bottom, w - cut.left - cut.right, c] })
    : x;
  const pad = [
    [0, 0],
    [Math.max(0, pads.top), Math.max(0, pads.bottom)],
    [Math.max(0, pads.left), Math.max(0, pads.right)],
    [0, 0],
  ];
  try {
    return runWasm(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', backend, { x: input, filter }, { strides, dilations, pad, dataFormat: 'NHWC' });
  } finally {
    if (cropped) dispose(backend, input);
  }
}

/**
 * Spreads dy [n, oh, ow, c] out to [n, oh*sh, ow*sw, c] with zeros between (and after) the samples, so a
 * strided convolution's input gradient becomes a stride-1 forward convolution.
 */
export function zeroInsert(backend: tf.KernelBackend, dy: Info, sh: number, sw: number): Info {
  const [n, oh, ow, c] = dy.shape;
  const spread = runWasm(
    'PadV2',
    backend,
    { x: view(dy, [n * oh, 1, ow, 1, c]) },
    {
      paddings: [
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return view(spread, [n, oh * sh, ow * sw, c]);
}

/** Forward-conv geometry of a backprop kernel, from the same computeConv2DInfo the cpu backend uses. */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | number[],
  dilations: number | number[] | undefined,
  pad: unknown,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides as [number, number],
    (dilations ?? 1) as [number, number],
    pad as 'same',
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** The geometry arguments im2col and im2row take, in their order. */
export function patchArgs(info: tf.backend_util.Conv2DInfo, ci: number, kh: number, kw: number): number[] {
  return [
    info.inHeight,
    info.inWidth,
    ci,
    info.outWidth,
    info.outHeight * info.outWidth,
    kh,
    kw,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
