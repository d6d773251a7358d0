// tf.variableGrads for the supernet's steps, on tfjs's own tape, with memory handed back as the backward pass goes.
// tfjs (4.22 engine.gradients) keeps every intermediate gradient and every activation saved for the backward pass
// until the pass ends: a cell supernet step at 8 channels peaked at ~90 MB of wasm heap, twice its forward pass.
// Each page of that is written for the first time in the first step, and a first write costs ~17 us a 4 KB page on
// the machines we measure on (a 64 MB fill: 280-320 ms the first time, 3 ms the second), so the first step paid
// ~0.4 s for it. Here a node's saved tensors and its outputs' gradients are released as soon as the node's
// gradient has run, the only reader of either. Same nodes, same order, same adds: the values are tfjs's.
import * as tf from '@tensorflow/tfjs';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/** The loss and each variable's gradient (null where the loss does not depend on it), as tf.variableGrads. */
export function variableGrads(f: () => tf.Scalar, vars: tf.Variable[]): { value: tf.Scalar; grads: (tf.Tensor | null)[] } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0) {
    // Inside another gradient (not how the supernet trains): tfjs's own, whose tape the outer pass still needs.
    const { value, grads } = tf.variableGrads(f, vars);
    return { value, grads: vars.map((v) => grads[v.name] ?? null) };
  }
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  const tape = engine.state.activeTape!;
  const filtered = nodesFromXToY(tape, vars, y);
  return engine.tidy('backward', () => {
    const acc = new Accumulated();
    acc.set(y.id, tf.onesLike(y));
    const wanted = new Set(vars.map((v) => v.id));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      const inputGrads = node.gradient!(node.outputs.map((o) => acc.get(o.id) ?? null));
      const summed: tf.Tensor[] = [];
      for (const name in node.inputs) {
        const x = node.inputs[name];
        const dx = engine.tidy(() => inputGrads[name]());
        if (dx.dtype !== 'float32' || !tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(`internal: the gradient of ${node.kernelName}'s input '${name}' is ${dx.dtype} [${dx.shape}], the input ${x.dtype} [${x.shape}]`);
        }
        const added = acc.add(x.id, dx);
        if (added) summed.push(added);
      }
      // Nothing reads this node's outputs' gradients, its saved tensors or the gradients that went into sums again.
      for (const t of summed) if (!acc.holds(t)) t.dispose();
      for (const o of node.outputs) if (!wanted.has(o.id)) acc.release(o.id);
      for (const t of node.saved ?? []) if (!acc.holds(t)) t.dispose();
    }
    const grads = vars.map((v) => acc.get(v.id) ?? null);
    // What tfjs does after every top-level backward pass (the saved tensors already released stay released).
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    return { value: y, grads };
  }) as { value: tf.Scalar; grads: (tf.Tensor | null)[] };
}

/** Tensor id -> its accumulated gradient, counting how many ids hold each tensor (a gradient may pass dy on as is). */
class Accumulated {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  holds(t: tf.Tensor): boolean {
    return this.holders.has(t);
  }

  set(id: number, t: tf.Tensor): void {
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  /**
   * Adds dx to id's gradient as tfjs's tape does (the first gradient as is, later ones with tf.add); returns dx
   * when it went into a sum, for the caller to dispose once no other input of the node can return it again.
   */
  add(id: number, dx: tf.Tensor): tf.Tensor | undefined {
    const cur = this.byId.get(id);
    if (cur === undefined) {
      this.set(id, dx);
      return undefined;
    }
    const sum = tf.add(cur, dx);
    this.release(id);
    this.set(id, sum);
    return dx;
  }

  /** Forgets id's gradient, disposing it unless another id holds it too. */
  release(id: number): void {
    const t = this.byId.get(id);
    if (t === undefined) return;
    this.byId.delete(id);
    const n = this.holders.get(t)! - 1;
    if (n > 0) this.holders.set(t, n);
    else {
      this.holders.delete(t);
      t.dispose();
    }
  }
}

/**
 * The tape's nodes on a path from xs to y, each with only its inputs that depend on xs: tfjs's own filter
 * (tape.ts getFilteredNodesXToY, which the package does not export), so exactly the gradients tfjs would run.
 */
function nodesFromXToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((n) => nodesFromX.has(n.id) && nodesToY.has(n.id))
    .map((n) => ({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([, t]) => fromX.has(t.id))) }));
}
