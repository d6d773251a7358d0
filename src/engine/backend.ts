// Picks the fastest TensorFlow.js backend this machine can run: tfjs-node (native libtensorflow, an optional
// dependency that often fails to install), else wasm (XNNPACK, ships with the extension), else pure-JS cpu.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './kernels';
import { registerCpuKernels } from './kernels/cpuAvgPoolGrad';

import type { BackendName, BackendRequest } from '../shared/protocol';

export type { BackendName, BackendRequest };

export interface ChosenBackend {
  name: BackendName;
  tf: typeof tf;
  /** Why a faster backend was skipped. */
  reason?: string;
}

const WASM_BINARIES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

/** A failure reason, or undefined once the backend is active. */
type Attempt = () => Promise<string | undefined>;

async function tryTensorflow(): Promise<string | undefined> {
  // A computed name keeps bundlers from trying to resolve (and failing on) the optional package.
  const name = ['@tensorflow', 'tfjs-node'].join('/');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, resolved at run time
    require(name);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(name)) return 'tfjs-node not installed';
    return `tfjs-node failed to load: ${e.message}`;
  }
  // tfjs-node registers itself with the @tensorflow/tfjs it resolves; a second copy would not be ours.
  if (tf.findBackendFactory('tensorflow') == null) return 'tfjs-node loaded against another copy of @tensorflow/tfjs';
  return (await tf.setBackend('tensorflow')) ? undefined : 'tfjs-node backend failed to initialise';
}

/** The directory holding the .wasm binaries, both from source (node_modules) and bundled (dist/wasm/). */
export function findWasmDir(): { dir?: string; reason?: string } {
  const hasBinary = (dir: string) => WASM_BINARIES.some((f) => fs.existsSync(path.join(dir, f)));
  const override = process.env.NAS_STUDIO_WASM_DIR;
  if (override) {
    return hasBinary(override) ? { dir: override } : { reason: `NAS_STUDIO_WASM_DIR=${override} holds no ${WASM_BINARIES[0]}` };
  }
  const candidates: string[] = [];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // Bundled without node_modules: only the copy next to the bundle is left.
  }
  if (typeof __dirname === 'string') candidates.push(path.join(__dirname, 'wasm'));
  const dir = candidates.find(hasBinary);
  return dir ? { dir } : { reason: `no ${WASM_BINARIES[0]} in ${candidates.join(' or ')}` };
}

let wasmConfigured = false;

async function tryWasm(): Promise<string | undefined> {
  registerWasmGradientKernels();
  // Not tf.findBackend('wasm') to ask whether it is up: that call starts initialising it, default paths and all.
  if (!wasmConfigured) {
    const { dir, reason } = findWasmDir();
    if (!dir) return reason;
    try {
      setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    } catch (err) {
      return (err as Error).message;
    }
    // Node gets the single-threaded build anyway; if a later tfjs enables threads there, worker start-up
    // inside a VS Code extension host is not worth it for our small batches.
    setThreadsCount(1);
    wasmConfigured = true;
  }
  if (!(await tf.setBackend('wasm'))) return 'wasm backend failed to initialise (see the warning above)';
  reserveWasmHeap();
  shareSavedTensors();
  return undefined;
}

interface EngineInternals {
  backendName: string;
  backend: tf.KernelBackend;
  state: { tensorInfo: Map<object, { backend: tf.KernelBackend }> };
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
}

let savedTensorsShared = false;

/**
 * tfjs keeps each tensor a kernel's gradient needs as a clone: an Identity kernel call and a tape node apiece, 23 of
 * the MLP's 79 kernel calls a training step and 57 of the transformer's 160. On wasm that Identity only shares the
 * buffer (kernels/identity.ts), so the kept tensor is made here directly: the same buffer with one more reference,
 * which the engine drops when it disposes the kept tensor after the backward pass, as it did the clone's. Other
 * backends, and tensors that live on another backend, keep tfjs's clone.
 */
function shareSavedTensors(): void {
  if (savedTensorsShared) return;
  savedTensorsShared = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const clone = engine.saveTensorsForBackwardMode;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    if (this.backendName !== 'wasm') return clone.call(this, tensors);
    return tensors.map((t) => {
      if (t.dtype === 'string' || this.state.tensorInfo.get(t.dataId)?.backend !== this.backend) return clone.call(this, [t])[0];
      this.backend.incRef(t.dataId);
      return this.keep(this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
    });
  };
}

/**
 * The wasm heap's size right after start-up. Left to itself, tfjs-wasm's malloc grows the heap step by step during
 * the first training step (to ~150 MB for a small cell supernet), which measured 0.2-0.5 s of CPU on that step (the
 * first supernet step 0.93-1.31 s -> 0.68-0.84 s CPU); pages never written take no resident memory.
 */
export const WASM_HEAP_RESERVE = 256 * 1024 ** 2;

interface WasmHeap {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** Grows the heap past WASM_HEAP_RESERVE in one step: one allocation that large, freed at once. */
function reserveWasmHeap(): void {
  const heap = (tf.backend() as unknown as { wasm: WasmHeap }).wasm;
  if (heap.HEAPU8.length >= WASM_HEAP_RESERVE) return;
  // The whole reserve, not what is missing: what is free at the top of the heap would fall short of it.
  const at = heap._malloc(WASM_HEAP_RESERVE);
  if (at) heap._free(at);
}

async function tryCpu(): Promise<string | undefined> {
  registerCpuKernels();
  if (!(await tf.setBackend('cpu'))) return 'cpu backend failed to initialise';
  // The cpu backend prints a "install tfjs-node" banner on first use; we already report why it was chosen.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return undefined;
}

const ATTEMPTS: Record<BackendName, Attempt> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

export async function initBackend(requested: BackendRequest = 'auto', log?: (msg: string) => void): Promise<ChosenBackend> {
  if (requested !== 'auto') {
    const failure = await ATTEMPTS[requested]();
    if (failure !== undefined) throw new Error(`TensorFlow.js backend '${requested}' is unavailable: ${failure}`);
    log?.(`TensorFlow.js backend: ${requested}`);
    return { name: requested, tf };
  }
  const skipped: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const failure = await ATTEMPTS[name]();
    if (failure === undefined) {
      const reason = skipped.length > 0 ? skipped.join('; ') : undefined;
      log?.(`TensorFlow.js backend: ${name}${reason ? ` (${reason})` : ''}`);
      return { name, tf, reason };
    }
    skipped.push(failure);
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.join('; ')}`);
}
