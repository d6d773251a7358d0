// The sequence kernels' SIMD functions (and dropout's mask, dropoutSimd.ts), instantiated on the wasm backend's memory like simd/module.ts's (which
// checks that it is the single-threaded build): they read and write tensors in place.
import type * as tf from '@tensorflow/tfjs';
import { dropoutMaskFn } from '../dropoutSimd';
import { assemble } from '../simd/asm';
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
}

// The project compiles without DOM typings, which is where TypeScript declares WebAssembly.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
const instances = new WeakMap<object, SequenceExports>();

export function sequenceSimd(backend: tf.KernelBackend): SequenceExports {
  const memory = (backend as unknown as { wasm: { asm: { memory: object } } }).wasm.asm.memory;
  let inst = instances.get(memory);
  if (inst === undefined) {
    compiled ??= new WA.Module(
      assemble([lstmGatesFn(), lstmGatesGradFn(), layerNormRowsFn(), layerNormGradRowsFn(), softmaxRowsFn(), softmaxGradRowsFn(), dropoutMaskFn()]),
    );
    inst = new WA.Instance(compiled, { env: { memory } }).exports as unknown as SequenceExports;
    instances.set(memory, inst);
  }
  return inst;
}
