// The sequence kernels' SIMD functions (and dropout's mask, dropoutSimd.ts), instantiated on the wasm backend's memory
// (simd/loader.ts): they read and write tensors in place.
import { dropoutMaskFn } from '../dropoutSimd';
import { gemmFn } from '../simd/gemm';
import { kernelLoader } from '../simd/loader';
import { softmaxGradRowsFn, softmaxRowsFn } from './attentionSimd';
import { layerNormGradRowsFn, layerNormRowsFn } from './layerNormSimd';
import { lstmGatesFn, lstmGatesGradFn } from './lstmGates';

export interface SequenceExports {
  lstmGates(z: number, bias: number, c: number, tc: number, h: number, rows: number, units: number, zStride: number, hStride: number, hasPrev: number): void;
  lstmGatesGrad(
    z: number,
    tc: number,
    c: number,
    dy: number,
    dh: number,
    dc: number,
    dz: number,
    rows: number,
    units: number,
    zStride: number,
    hStride: number,
    hasPrev: number,
  ): void;
  layerNormRows(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    rstd: number,
    rows: number,
    width: number,
    invWidth: number,
    epsilon: number,
  ): void;
  layerNormGradRows(
    dy: number,
    x: number,
    gamma: number,
    mean: number,
    rstd: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    block: number,
    rows: number,
    width: number,
    invWidth: number,
  ): void;
  softmaxRows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, cols: number, scale: number): void;
  dropoutMask(out: number, count: number, state: number, threshold: number, scale: number): void;
  softmaxGradRows(ds: number, dsStride: number, p: number, pStride: number, rows: number, cols: number, scale: number): void;
  /** simd/gemm.ts's GEMM with A stored transposed and B read as it lies (attention's gradient: dS^T Q, P^T dO). */
  gemmTS(a: number, strideK: number, b: number, c: number, ldc: number, m: number, n: number, k: number, accumulate: number, ldb: number): void;
}

export const sequenceSimd = kernelLoader<SequenceExports>(() => [
  lstmGatesFn(),
  lstmGatesGradFn(),
  layerNormRowsFn(),
  layerNormGradRowsFn(),
  softmaxRowsFn(),
  softmaxGradRowsFn(),
  dropoutMaskFn(),
  gemmFn(true, true),
]);
