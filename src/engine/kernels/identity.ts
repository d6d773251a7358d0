// tfjs clones every tensor it saves for the backward pass (engine.saveTensorsForBackwardMode), and wasm's
// Identity copies the data: three activation-sized copies per step of a small CNN. ReLU's gradient casts a
// float32 mask to float32, another copy. Tensors are immutable, so sharing the buffer is enough, as the cpu
// backend does and as wasm's own Reshape does.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './common';
import { runOriginal } from './override';

function identity(args: Parameters<tf.KernelFunc>[0]): Info {
  const { x } = args.inputs as unknown as { x: Info };
  if (x.dtype === 'string') return runOriginal(tf.Identity, args);
  (args.backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as tf.KernelFunc,
};

/** Cast to the dtype the tensor already has shares it; real conversions stay with wasm's kernel. */
function cast(args: Parameters<tf.KernelFunc>[0]): Info {
  const { x } = args.inputs as unknown as { x: Info };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (x.dtype !== dtype || dtype === 'string') return runOriginal(tf.Cast, args);
  (args.backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: cast as tf.KernelFunc,
};
