// Routes tfjs's Dense layer with a ReLU and a bias to a plain matMul followed by the fused bias + ReLU kernel
// (biasRelu.ts), as convLayer.ts does for Conv2D. In training tfjs runs such a layer unfused (tf.fused.matMul
// fuses nothing while gradients are recorded): MatMul, Add of the bias, Relu forward; the ReLU gradient and a Sum
// for the bias backward. On the MLP of the suite those small ops and their per-op overhead cost more than the
// arithmetic they do. Patched on the layer class for the reason batchNormLayer.ts gives. Anything else (other
// activations, no bias, another backend) runs tfjs's own code unchanged.
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU } from './biasRelu';

interface DenseLayer {
  activation?: { getClassName(): string } | null;
  kernel: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  invokeCallHook?(inputs: unknown, kwargs: unknown): void;
}
type Call = (this: DenseLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor;

let original: Call | undefined;

const routedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const fast =
    (!Array.isArray(inputs) || inputs.length === 1) &&
    this.activation?.getClassName() === 'relu' &&
    this.bias != null &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    tf.getKernel(BIAS_RELU, tf.getBackend()) !== undefined;
  if (!fast) return original!.call(this, inputs, kwargs);
  this.invokeCallHook?.(inputs, kwargs);
  return tf.tidy(() => {
    const kernel = this.kernel.read() as tf.Tensor2D;
    // Leading axes folded into rows, as tfjs's own K.dot does for inputs of rank 3 and more.
    const rows = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]);
    const z = tf.matMul(rows, kernel);
    const y = tf.engine().runKernel(BIAS_RELU, { x: z, bias: this.bias!.read() }) as tf.Tensor;
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), kernel.shape[1]]);
  });
};

/** Idempotent. */
export function routeDenseLayer(): void {
  const proto = Object.getPrototypeOf(tf.layers.dense({ units: 1 })) as { call: Call };
  if (proto.call === routedCall) return;
  original = proto.call;
  proto.call = routedCall;
}
