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
  /**
   * `field`: the field the problem is about, so the editor can underline it. `group`: the same mistake in
   * general words, and what is particular to this configuration (`verb` + `detail`: "gets [512]"); the
   * checker reports a mistake that many configurations make once, with the particulars as its cases.
   */
  constructor(
    message: string,
    readonly field?: string,
    readonly group?: { summary: string; detail: string; verb?: string },
  ) {
    super(message);
  }
}

/** "a vector", "a sequence", "a feature map". */
export function shapeKind(s: Shape): string {
  return s.length === 1 ? 'a vector' : s.length === 2 ? 'a sequence' : 'a feature map';
}

export function describeShape(s: Shape): string {
  return `${shapeKind(s)} [${s.join(', ')}]`;
}
