// tfjs clones every tensor it saves for the backward pass (engine.saveTensorsForBackwardMode), and wasm's
// Identity copies the data: three activation-sized copies per step of a small CNN. Tensors are immutable,
// so sharing the buffer is enough, as the cpu backend does and as wasm's own Reshape does.
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
