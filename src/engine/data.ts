// LoadedData to tensors. The samples are copied into tensors once per worker and dataset; batches are then
// gathered by index on the backend, never rebuilt from JS arrays.
import * as tf from '@tensorflow/tfjs';
import type { LoadedData } from '../core/data/dataset';
import { Rng } from '../core/rng';

export interface Batch {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

export interface DataTensors {
  /** [train, ...inputShape] */
  trainX: tf.Tensor;
  /** One-hot float32 [train, classes] for classification, [train, 1] for regression. */
  trainY: tf.Tensor;
  valX: tf.Tensor;
  valY: tf.Tensor;
  inputShape: number[];
  classes: number;
  /** Text: the inputs are token ids below this. */
  vocabulary?: number;
  /** Shuffled training batches, seeded; the caller disposes each batch's tensors. */
  batches(epochSeed: number, batchSize: number): Generator<Batch>;
  dispose(): void;
}

function copyRows(data: LoadedData, idx: Int32Array, out: Float32Array): Float32Array {
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < idx.length; i++) out.set(data.x.subarray(idx[i] * f, idx[i] * f + f), i * f);
  return out;
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * The samples `idx` as one tensor. On wasm they are written straight into the tensor's heap storage: building a
 * JS array first and uploading it costs a second copy of the whole split (~170 MB for Fashion-MNIST's training
 * split) and about half a second of a worker's start-up.
 */
function rowsTensor(data: LoadedData, idx: Int32Array): tf.Tensor {
  const shape = [idx.length, ...data.inputShape];
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  if (tf.getBackend() === 'wasm' && backend.makeOutput && backend.typedArrayFromHeap) {
    const info = backend.makeOutput(shape, 'float32');
    copyRows(data, idx, backend.typedArrayFromHeap(info));
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  return tf.tensor(copyRows(data, idx, new Float32Array(idx.length * f)), shape, 'float32');
}

function targets(data: LoadedData, idx: Int32Array): tf.Tensor {
  if (data.task === 'regression') {
    const y = new Float32Array(idx.length);
    for (let i = 0; i < idx.length; i++) y[i] = data.y[idx[i]];
    return tf.tensor2d(y, [idx.length, 1]);
  }
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) y[i] = data.y[idx[i]];
  return tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), data.classes).toFloat());
}

export function createDataTensors(data: LoadedData): DataTensors {
  const trainX = rowsTensor(data, data.train);
  const trainY = targets(data, data.train);
  const valX = rowsTensor(data, data.val);
  const valY = targets(data, data.val);
  const n = data.train.length;
  let disposed = false;
  return {
    trainX,
    trainY,
    valX,
    valY,
    inputShape: [...data.inputShape],
    classes: data.classes,
    vocabulary: data.vocabulary,
    *batches(epochSeed: number, batchSize: number) {
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const rng = Rng.derive(epochSeed, 'batches');
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let start = 0; start < n; start += batchSize) {
        yield tf.tidy(() => {
          const idx = tf.tensor1d(order.subarray(start, Math.min(n, start + batchSize)), 'int32');
          return { xs: tf.gather(trainX, idx), ys: tf.gather(trainY, idx) };
        });
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose([trainX, trainY, valX, valY]);
    },
  };
}

const cache = new Map<string, DataTensors>();

/**
 * The tensors for `key`, decoded and uploaded at most once per worker. They belong to the cache: callers must
 * not dispose them (dispose() on a cached entry also evicts it); free them with releaseDataTensors.
 */
export function getDataTensors(key: string, load: () => LoadedData): DataTensors {
  const hit = cache.get(key);
  if (hit) return hit;
  const t = createDataTensors(load());
  const dispose = t.dispose;
  t.dispose = () => {
    if (cache.get(key) === t) cache.delete(key);
    dispose();
  };
  cache.set(key, t);
  return t;
}

/** Frees one cached dataset, or all of them when no key is given. */
export function releaseDataTensors(key?: string): void {
  for (const k of key === undefined ? [...cache.keys()] : [key]) cache.get(k)?.dispose();
}
