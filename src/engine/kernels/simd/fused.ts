// The SIMD kernels for the layers and optimizer that training runs besides GEMMs and convolutions (batch norm,
// pooling gradients, depthwise gradients, Adam, ReLU gradients), instantiated on the wasm backend's memory (loader.ts):
// they read and write tensors in place. A module of their own keeps them apart from the GEMM/convolution set.
import { adamFn } from './adam';
import { biasReluFn, biasReluGradFn } from './biasRelu';
import { avgPool3x3Fn, avgPool3x3GradFn } from './box3';
import { affine2Fn, affineFn, sumDyXcFn, sumSqDevFn } from './channels';
import { reluGradFn } from './relu';
import { kernelLoader } from './loader';
import { macWalkFn } from './walk';

export interface FusedExports {
  sumSqDev(x: number, rows: number, width: number, mean: number, out: number): void;
  sumDyXc(dy: number, x: number, rows: number, width: number, mean: number, sumDy: number, sumDyXc: number): void;
  affine(x: number, rows: number, width: number, m: number, s: number, t: number, y: number): void;
  affine2(dy: number, x: number, rows: number, width: number, a: number, m: number, b: number, c: number, dx: number): void;
  adam(...args: number[]): void;
  reluGrad(dy: number, x: number, rows: number, width: number, out: number): void;
  biasRelu(x: number, rows: number, width: number, b: number, y: number): void;
  biasReluGrad(dy: number, y: number, dz: number, rows: number, width: number, db: number, acc: number): void;
  avgPool3x3(x: number, y: number, n: number, h: number, w: number, c: number, rowW: number, colW: number, zeroRow: number, t: number): void;
  avgPool3x3Grad(dy: number, dx: number, n: number, h: number, w: number, c: number, rowW: number, colW: number, zeroRow: number, t: number): void;
  macWalk(
    a: number,
    b: number,
    out: number,
    rows: number,
    cols: number,
    c: number,
    aRow: number,
    aCol: number,
    bRow: number,
    bCol: number,
    oRow: number,
    oCol: number,
  ): void;
}

/** The kernels bound to this backend's memory. */
export const fused = kernelLoader<FusedExports>(() => [
  sumSqDevFn(),
  sumDyXcFn(),
  affineFn(),
  affine2Fn(),
  adamFn(),
  macWalkFn(),
  biasReluFn(),
  biasReluGradFn(),
  reluGradFn(),
  avgPool3x3Fn(),
  avgPool3x3GradFn(),
]);
