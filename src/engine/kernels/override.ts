// Replacing a kernel the wasm backend already has, while keeping it for the cases the replacement hands back.
// The original's setupFunc binds its C++ entry point when the backend starts; a kernel unregistered before
// that never got set up, so it is set up on first use instead.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';

type Args = Parameters<tf.KernelFunc>[0];

const originals = new Map<string, tf.KernelConfig | undefined>();
const setUp = new WeakMap<object, Set<string>>();

/** Registers `config` in place of wasm's own kernel of that name; idempotent. */
export function replaceWasmKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  originals.set(config.kernelName, current);
  if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}

export function hasOriginal(name: string): boolean {
  return originals.get(name) !== undefined;
}

/** Runs wasm's own kernel `name` (the one replaceWasmKernel displaced). */
export function runOriginal(name: string, args: Args): Info {
  const original = originals.get(name);
  if (original === undefined) throw new Error(`wasm has no kernel '${name}' of its own to fall back on`);
  const backend = args.backend as object;
  let done = setUp.get(backend);
  if (done === undefined) setUp.set(backend, (done = new Set()));
  if (!done.has(name)) {
    original.setupFunc?.(args.backend);
    done.add(name);
  }
  return original.kernelFunc(args) as Info;
}
