// The tfjs these layers are defined against is passed in, never imported: the same code runs in the worker
// (with the engine's tfjs) and in the loader that ships with an exported model (with the user's tfjs).
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;
export type Tensor = tfjs.Tensor;
export type Kwargs = Record<string, unknown>;
/** tfjs-layers' LayerArgs (name, trainable, input shape...), which the package does not export by name. */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfjs.layers.Layer>[0]>;
export type Shape = (number | null)[];
export type LayerVariable = ReturnType<tfjs.layers.Layer['addWeight']>;

/** The single tensor a layer was called with (tfjs hands over an array for multi-input layers). */
export function one(inputs: Tensor | Tensor[]): Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`expected one input tensor, got ${inputs.length}`);
    return inputs[0];
  }
  return inputs;
}

export function oneShape(shape: Shape | Shape[]): Shape {
  return (Array.isArray(shape[0]) ? shape[0] : shape) as Shape;
}
