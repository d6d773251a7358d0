// Routes tfjs's Dense layer to one kernel each way (NasDense and its registered gradient), as convLayer.ts does
// for Conv2D. In training tfjs runs a Dense layer as several recorded ops: a ReLU layer as MatMul, Add of the bias
// and Relu (tf.fused.matMul fuses nothing while gradients are recorded), a linear or softmax one (every
// classification head) as a fused matMul that reshapes both operands to rank 3 and back, then a separate Add of the
// bias; its gradient, a tf.customGrad, computes the input's gradient even where nothing asks for it (the first
// layer of the transformer: a [3584,64] x [64,28] product thrown away every step). On the MLP of the suite the
// head alone was 14 recorded ops forward and 9 backward. Here the forward pass is the GEMM plus one bias (+ ReLU)
// pass, and the gradient gives each input its own lazy function: the input's product runs only when asked for.
// Other activations (softmax, tanh, ...) apply after the linear kernel. Patched on the layer class for the reason
// batchNormLayer.ts gives; other backends run tfjs's own code unchanged.
import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU, BIAS_RELU_GRAD } from './biasRelu';
import { dispose, runWasm, wasmKernel, type Info } from './common';

export const NAS_DENSE = 'NasDense';

interface DenseAttrs {
  /** relu(x . kernel + bias); bias is then required. Else x . kernel (+ bias). */
  relu: boolean;
}

function dense(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as tf.KernelBackend;
  const { x, kernel, bias } = args.inputs as unknown as { x: Info; kernel: Info; bias?: Info };
  const { relu } = args.attrs as unknown as DenseAttrs;
  const z = runWasm(tf.BatchMatMul, backend, { a: x, b: kernel }, { transposeA: false, transposeB: false });
  if (bias === undefined) return z;
  try {
    return relu ? runWasm(BIAS_RELU, backend, { x: z, bias }) : runWasm(tf.Add, backend, { a: z, b: bias });
  } finally {
    dispose(backend, z);
  }
}

export const denseConfig = wasmKernel(NAS_DENSE, dense);

export const denseGradient: tf.GradConfig = {
  kernelName: NAS_DENSE,
  inputsToSave: ['x', 'kernel'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
    const [x, kernel, y] = saved;
    let dz = dy as tf.Tensor;
    let dbias: tf.Tensor | undefined;
    // One kernel makes dz and the bias's gradient, so it runs here rather than in one input's function.
    if ((attrs as unknown as DenseAttrs).relu) [dz, dbias] = tf.engine().runKernel(BIAS_RELU_GRAD, { dy: dz, y }) as tf.Tensor[];
    return {
      x: () => tf.matMul(dz, kernel, false, true),
      kernel: () => tf.matMul(x, dz, true, false),
      bias: () => dbias ?? tf.sum(dz, 0),
    };
  },
};

interface DenseLayer {
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null;
  kernel: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  invokeCallHook?(inputs: unknown, kwargs: unknown): void;
}
type Call = (this: DenseLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor;

let original: Call | undefined;

const routedCall: Call = function (inputs, kwargs) {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const activation = this.activation?.getClassName() ?? 'linear';
  const relu = activation === 'relu';
  const fast =
    (!Array.isArray(inputs) || inputs.length === 1) &&
    (!relu || this.bias != null) &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    tf.getKernel(NAS_DENSE, tf.getBackend()) !== undefined;
  if (!fast) return original!.call(this, inputs, kwargs);
  this.invokeCallHook?.(inputs, kwargs);
  return tf.tidy(() => {
    const kernel = this.kernel.read() as tf.Tensor2D;
    // Leading axes folded into rows, as tfjs's own K.dot does for inputs of rank 3 and more.
    const rows = x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[x.rank - 1]]);
    const operands: tf.NamedTensorMap = { x: rows, kernel };
    if (this.bias) operands.bias = this.bias.read();
    const z = tf.engine().runKernel(NAS_DENSE, operands, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const y = x.rank === 2 ? z : tf.reshape(z, [...x.shape.slice(0, -1), kernel.shape[1]]);
    return relu || activation === 'linear' ? y : this.activation!.apply(y);
  });
};

let gradientRegistered = false;

/** Registers NAS_DENSE on wasm and routes the Dense layer class to it. Idempotent. */
export function routeDenseLayer(): void {
  if (tf.getKernel(NAS_DENSE, 'wasm') === undefined) tf.registerKernel(denseConfig);
  if (!gradientRegistered) {
    tf.registerGradient(denseGradient);
    gradientRegistered = true;
  }
  const proto = Object.getPrototypeOf(tf.layers.dense({ units: 1 })) as { call: Call };
  if (proto.call === routedCall) return;
  original = proto.call;
  proto.call = routedCall;
}
