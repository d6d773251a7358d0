// Our SIMD kernels, instantiated on the wasm backend's own memory so they read and write tensors in place:
// no copies in or out, and tensors they allocate are ordinary backend tensors.
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assemble } from './asm';
import { col2imFn } from './col2im';
import { gemmFn, packFn } from './gemm';
import { im2colFn } from './im2col';
import { im2colRowsFn } from './im2colRows';
import { im2rowFn } from './im2row';
import { padFn } from './pad';
import { maxPoolGradFn } from './pool';
import { avgPool2x2Fn, avgPoolGrad2x2Fn, maxPool2x2Fn, maxPoolGrad2x2Fn } from './pool2x2';
import { sumRowsFn } from './reduce';
import { spaceToDepthFn } from './spaceToDepth';
import { transpose4Fn } from './transpose';
import { winogradFns } from './winograd';

export interface SimdExports {
  pack(b: number, strideK: number, strideN: number, k: number, n: number, dst: number): void;
  gemm(a: number, lda: number, pb: number, c: number, ldc: number, m: number, n: number, k: number, accumulate: number): void;
  gemmT(a: number, strideK: number, pb: number, c: number, ldc: number, m: number, n: number, k: number, accumulate: number): void;
  gemmS(a: number, lda: number, b: number, c: number, ldc: number, m: number, n: number, k: number, accumulate: number, ldb: number): void;
  im2col(...args: number[]): void;
  im2row(...args: number[]): void;
  im2colRows(...args: number[]): void;
  col2im(...args: number[]): void;
  maxPoolGrad(...args: number[]): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, rows: number, ow: number, c: number): void;
  maxPool2x2(x: number, y: number, rows: number, ow: number, c: number): void;
  avgPool2x2(x: number, y: number, rows: number, ow: number, c: number): void;
  avgPoolGrad2x2(dx: number, dy: number, rows: number, ow: number, c: number): void;
  pad(...args: number[]): void;
  spaceToDepth(...args: number[]): void;
  transpose4(src: number, rows: number, cols: number, dst: number): void;
  sumRows(x: number, rows: number, width: number, out: number): void;
  /** Generated kernels looked up by name (the Winograd transforms of each tile size). */
  [name: string]: (...args: number[]) => void;
}

// The project compiles without DOM typings, which is where TypeScript declares WebAssembly.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Emscripten {
  asm: { memory: WasmMemory };
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

let compiled: object | undefined;
const instances = new WeakMap<WasmMemory, SimdExports>();

function emscripten(backend: tf.KernelBackend): Emscripten {
  return (backend as unknown as { wasm: Emscripten }).wasm;
}

/** The module's bytes as the generators write them (scripts/prebuiltKernels.mjs runs this at build time too). */
export function simdModuleBytes(): Uint8Array {
  return assemble([
    packFn(),
    gemmFn(),
    gemmFn(true),
    gemmFn(false, true),
    im2colFn(),
    im2colRowsFn(),
    im2rowFn(),
    col2imFn(),
    padFn(),
    spaceToDepthFn(),
    transpose4Fn(),
    maxPoolGradFn(),
    maxPoolGrad2x2Fn(),
    maxPool2x2Fn(),
    avgPool2x2Fn(),
    avgPoolGrad2x2Fn(),
    sumRowsFn(),
    ...winogradFns(),
  ]);
}

// Generating the bytes costs ~130-160 ms of CPU (mostly the Winograd transforms) in every worker process, on its first
// convolution. A one-shot build (scripts/build.mjs) embeds them in the worker and bench bundles as base64; under tsx
// and `build --watch` (the bundle would go stale as a generator changes) this is undefined and they are generated.
declare const __NAS_SIMD_WASM__: string | undefined;
function prebuiltBytes(): Uint8Array | undefined {
  return typeof __NAS_SIMD_WASM__ === 'string' ? Buffer.from(__NAS_SIMD_WASM__, 'base64') : undefined;
}

/** The kernels bound to this backend's memory; compiled once per process, instantiated once per memory. */
export function simd(backend: tf.KernelBackend): SimdExports {
  const memory = emscripten(backend).asm.memory;
  let inst = instances.get(memory);
  if (inst === undefined) {
    // Our module imports an unshared memory, as the single-threaded build Node always gets (backend.ts) has.
    if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
      throw new Error("NAS Studio's SIMD kernels need tfjs's single-threaded wasm build (setThreadsCount(1))");
    }
    compiled ??= new WA.Module(prebuiltBytes() ?? simdModuleBytes());
    inst = new WA.Instance(compiled, { env: { memory } }).exports as unknown as SimdExports;
    instances.set(memory, inst);
  }
  return inst;
}

/** Byte address of a tensor's data in the heap. */
export function addr(backend: tf.KernelBackend, t: tf.TensorInfo): number {
  return (backend as unknown as BackendWasm).dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Heap scratch for intermediates no tensor holds (packed panels); `free` it in a finally. */
export function scratch(backend: tf.KernelBackend, bytes: number): { ptr: number; free(): void } {
  const em = emscripten(backend);
  // 16-byte aligned by emscripten's malloc, as v128 access prefers.
  const ptr = em._malloc(bytes) >>> 0;
  if (ptr === 0) throw new Error(`wasm heap: could not allocate ${bytes} bytes`);
  return { ptr, free: () => em._free(ptr) };
}

/** Zeroes a tensor's bytes (a native fill, at memset speed). */
export function zero(backend: tf.KernelBackend, t: tf.TensorInfo): void {
  const at = addr(backend, t);
  const bytes = t.shape.reduce((p, q) => p * q, 1) * 4;
  emscripten(backend).HEAPU8.fill(0, at, at + bytes);
}

/** A Float32Array over heap bytes; take it after the last allocation, as growing the heap detaches it. */
export function heapF32(backend: tf.KernelBackend, ptr: number, length: number): Float32Array {
  return new Float32Array(emscripten(backend).HEAPU8.buffer, ptr, length);
}
