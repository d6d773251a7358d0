// Compiling a set of generated kernels once per process and instantiating it once per wasm backend memory, so the
// kernels read and write tensors in place. One loader per kernel set (fused.ts, sequence/module.ts, and one per
// tap layout in depthwiseSimd.ts); simd/module.ts keeps its own with the same check.
import type * as tf from '@tensorflow/tfjs';
import { assemble, type Fn } from './asm';

// The project compiles without DOM typings, which is where TypeScript declares WebAssembly.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels `build` generates, bound to a backend's memory on first use there. */
export function kernelLoader<T>(build: () => Fn[]): (backend: tf.KernelBackend) => T {
  let compiled: object | undefined;
  const instances = new WeakMap<object, T>();
  return (backend) => {
    const memory = (backend as unknown as { wasm: { asm: { memory: { buffer: ArrayBuffer } } } }).wasm.asm.memory;
    let inst = instances.get(memory);
    if (inst === undefined) {
      // Our modules import an unshared memory, as the single-threaded build Node always gets (backend.ts) has.
      if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
        throw new Error("NAS Studio's SIMD kernels need tfjs's single-threaded wasm build (setThreadsCount(1))");
      }
      compiled ??= new WA.Module(assemble(build()));
      inst = new WA.Instance(compiled, { env: { memory } }).exports as T;
      instances.set(memory, inst);
    }
    return inst;
  };
}
