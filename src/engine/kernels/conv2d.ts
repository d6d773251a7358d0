// The forward Conv2D, which training runs unfused (tfjs fuses bias and activation only outside gradient
// tapes): stride-1 square convolutions of a size Winograd is generated for, with enough channels, go to
// Winograd; stride-2 3x3 ones to Winograd through space-to-depth (spaceToDepth.ts); first layers (few input
// channels) to im2row + GEMM; other strided, pointwise and other convolutions whose
// output channels fill GEMM panels to im2colRows + GEMM (gemmConv.ts); the rest to XNNPACK as before.
// FusedConv2D takes the same route: tfjs-layers calls it even inside a tape when the activation is linear (a
// conv without activation, as before batch norm in a cell network), and outside tapes (validation, prediction)
// with bias and ReLU; its bias and activation then follow as ordinary wasm kernels.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, dispose, runWasm, type Info } from './common';
import { fewChannelsConv, fewChannelsFits } from './fewChannelsConv';
import { gemmConv, gemmConvFits } from './gemmConv';
import { runOriginal } from './override';
import { spaceToDepthConv, spaceToDepthTile } from './spaceToDepth';
import { winogradConv, winogradFits, winogradTile } from './winograd';

type Args = Parameters<tf.KernelFunc>[0];

/** The convolution on Winograd or on our GEMM (see the top of the file); undefined where none applies. */
function viaWinograd(args: Args): Info | undefined {
  const { x, filter } = args.inputs as unknown as { x: Info; filter: Info };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  const [fh, fw, ci, co] = filter.shape;
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = convGeometry(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false);
  const backend = args.backend as tf.KernelBackend & { makeOutput(shape: number[], dtype: string): Info };
  if (fewChannelsFits(ci, co)) return fewChannelsConv(backend, x, filter, info);
  const { top, left } = info.padInfo;
  const m = fh === fw && winogradFits(ci, co) ? winogradTile(fh, info.outHeight, info.outWidth, ci, co) : undefined;
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  if (m !== undefined && stride1 && top >= 0 && left >= 0) return winogradConv(backend, x, filter, { top, left }, info.outHeight, info.outWidth, m);
  const s2d = spaceToDepthTile(info, ci, co, 'forward');
  if (s2d !== undefined) return spaceToDepthConv(backend, x, filter, info, s2d);
  if (gemmConvFits(info, co) && top >= 0 && left >= 0) return gemmConv(backend, x, filter, info);
  return undefined;
}

function conv2D(args: Args): Info {
  return viaWinograd(args) ?? runOriginal(tf.Conv2D, args);
}

function fusedConv2D(args: Args): Info {
  const { bias, preluActivationWeights } = args.inputs as unknown as { bias?: Info; preluActivationWeights?: Info };
  const { activation } = args.attrs as unknown as tf.FusedConv2DAttrs;
  const simple = preluActivationWeights === undefined && (activation === undefined || activation === 'linear' || activation === 'relu');
  const y = simple ? viaWinograd(args) : undefined;
  if (y === undefined) return runOriginal(tf.FusedConv2D, args);
  const backend = args.backend as tf.KernelBackend;
  const steps: Array<(t: Info) => Info> = [];
  if (bias !== undefined) steps.push((t) => runWasm('Add', backend, { a: t, b: bias }));
  if (activation === 'relu') steps.push((t) => runWasm('Relu', backend, { x: t }));
  let out = y;
  for (const step of steps) {
    const prev = out;
    try {
      out = step(prev);
    } finally {
      dispose(backend, prev);
    }
  }
  return out;
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as tf.KernelFunc,
};

export const fusedConv2DConfig: tf.KernelConfig = {
  kernelName: tf.FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D as tf.KernelFunc,
};
