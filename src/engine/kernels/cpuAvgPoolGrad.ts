// The average-pool gradient on the cpu backend. tfjs's cpu kernel divides every window's dy by the full window
// size, but its forward pass (like TensorFlow's and our wasm kernels) divides by the window's in-image pixels, so
// where 'same' padding cuts a window (the whole border of a cell's avgPool3x3) its gradient is not the forward
// pass's derivative: darts on `--backend cpu` learnt alpha from whole-network gradients up to 25% off the finite
// differences (which agree with wasm). This kernel is that derivative; the cpu backend is the last fallback, so a
// plain loop is enough.
import * as tf from '@tensorflow/tfjs';

type CpuBackend = tf.KernelBackend & {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
};

function avgPoolGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const g = backend.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(batchSize * inHeight * inWidth * c);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * strideHeight - info.padInfo.top;
      const y0 = Math.max(0, top);
      const y1 = Math.min(inHeight, top + fh);
      for (let ox = 0; ox < outWidth; ox++) {
        const left = ox * strideWidth - info.padInfo.left;
        const x0 = Math.max(0, left);
        const x1 = Math.min(inWidth, left + fw);
        const count = (y1 - y0) * (x1 - x0);
        if (count <= 0) continue;
        const at = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const to = ((b * inHeight + y) * inWidth + x) * c;
            for (let k = 0; k < c; k++) dx[to + k] += g[at + k] / count;
          }
        }
      }
    }
  }
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

const config: tf.KernelConfig = { kernelName: tf.AvgPoolGrad, backendName: 'cpu', kernelFunc: avgPoolGrad as unknown as tf.KernelFunc };

/** Puts the derivative in place of tfjs's cpu AvgPoolGrad; idempotent. */
export function registerCpuKernels(): void {
  const current = tf.getKernel(tf.AvgPoolGrad, 'cpu');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) tf.unregisterKernel(tf.AvgPoolGrad, 'cpu');
  tf.registerKernel(config);
}
