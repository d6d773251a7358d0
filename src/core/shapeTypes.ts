// The vocabulary of shape inference, shared by src/core/shapes.ts (images, vectors, cells) and
// src/core/sequenceShapes.ts (sequences and token ids).

/** One sample's shape, without the batch axis: `[features]`, `[steps, features]` or `[height, width, channels]`. */
export type Shape = number[];

export interface Cost {
  out: Shape;
  params: number;
  /** Floating-point operations of one forward pass (a multiply-add counts as 2). */
  flops: number;
}

export class ShapeError extends Error {
  /** The field the problem is about, so the editor can underline it. */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function describeShape(s: Shape): string {
  if (s.length === 1) return `a vector [${s[0]}]`;
  if (s.length === 2) return `a sequence [${s.join(', ')}]`;
  return `a feature map [${s.join(', ')}]`;
}
