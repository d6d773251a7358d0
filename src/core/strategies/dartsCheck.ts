// The checker's findings for `"strategy": "darts"`: what the supernet does not cover (a located error per
// place), options that cannot be mixed (a weighted sum needs equal shapes), and the supernet's size, FLOPs and
// training memory, refused when it would not fit in a worker.
import type { ConcreteLayer } from '../../shared/arch';
import type { Diagnostic } from '../../shared/diagnostic';
import type { NasSpec } from '../../shared/spec';
import { mixedChoices, type SupernetSpace } from '../../shared/supernet';
import { formatPath, parsePath, type JsonPath, type ParsedDoc } from '../json';
import { TRAINING_DEFAULTS } from '../defaults';
import { toDiag } from '../semantic';
import { headCost, inputContext, layerCost, opCost, ShapeError, type DataContext, type Shape } from '../shapes';
import { dartsProblems, supernetSpace } from './dartsSpace';

/**
 * Training memory a supernet may take. The worker's fallback backends (wasm, and tfjs-node's own allocator
 * less so) address at most 4 GiB; half of it leaves room for the data and tfjs's own copies.
 */
export const SUPERNET_MEMORY_LIMIT = 2 * 1024 ** 3;

export interface SupernetEstimate {
  params: number;
  /** One forward pass of one sample through every candidate. */
  flops: number;
  /** Weights with their gradients and Adam moments, and one batch's activations with their gradients. */
  memoryBytes: number;
}

/** Findings that need no data: coverage of the space. */
export function dartsDiagnostics(doc: ParsedDoc, spec: NasSpec): Diagnostic[] {
  const problems = dartsProblems(spec);
  const out = problems.map((p) => toDiag(doc, { severity: 'error', code: 'strategy', path: formatPath(p.path), at: p.path, message: p.message }));
  if (problems.length === 0 && mixedChoices(supernetSpace(spec)).length === 0) {
    const at = spec.architecture.type === 'cell' ? ['architecture', 'operations'] : ['architecture', 'layers'];
    out.push(
      toDiag(doc, {
        severity: 'error',
        code: 'strategy',
        path: formatPath(at),
        at,
        message: 'darts has nothing to search here: list several cell operations or add a layer choice',
      }),
    );
  }
  return out;
}

/** Findings that need the data's shapes: options that cannot be mixed, and the supernet's cost. */
export function dartsShapeDiagnostics(
  doc: ParsedDoc,
  spec: NasSpec,
  input: Shape,
  outputs: number,
  data: DataContext = {},
): { diagnostics: Diagnostic[]; estimate?: SupernetEstimate } {
  if (dartsProblems(spec).length) return { diagnostics: [] };
  const space = supernetSpace(spec);
  // The supernet trains with its own batch size when search.darts gives one.
  const batch = spec.search?.darts?.batchSize ?? spec.training?.batchSize;
  const batchSize = typeof batch === 'number' ? batch : TRAINING_DEFAULTS.batchSize;
  const diagnostics: Diagnostic[] = [];
  let estimate: SupernetEstimate | undefined;
  try {
    const cost = supernetCost(space, input, outputs, data, (name, message) => {
      const at: JsonPath = [...parsePath(name.replace(/@\d+/g, '').replace(/\.option$/, '')), 'options'];
      diagnostics.push(toDiag(doc, { severity: 'error', code: 'strategy', path: formatPath(at), at, atKey: true, message }));
    });
    if (!cost) return { diagnostics };
    estimate = { params: cost.params, flops: cost.flops, memoryBytes: trainingBytes(cost.params, cost.activations, batchSize) };
  } catch (e) {
    // A layer that cannot take its input: the shape analysis reports it where it is.
    if (e instanceof ShapeError) return { diagnostics };
    throw e;
  }
  const at: JsonPath = ['search', 'strategy'];
  const mb = (b: number) => `${Math.round(b / 1024 ** 2)} MB`;
  if (estimate.memoryBytes > SUPERNET_MEMORY_LIMIT) {
    diagnostics.push(
      toDiag(doc, {
        severity: 'error',
        code: 'size',
        path: formatPath(at),
        at,
        message: `the supernet holds every candidate at once: about ${mb(estimate.memoryBytes)} to train with batch size ${batchSize}, beyond a worker's ${mb(SUPERNET_MEMORY_LIMIT)}; lower the batch size, channels or the number of candidates`,
      }),
    );
  }
  return { diagnostics, estimate };
}

/** Weights x4 (value, gradient, two Adam moments) and activations x2 (value and gradient), float32. */
function trainingBytes(params: number, activations: number, batchSize: number): number {
  return 4 * (4 * params + 2 * activations * batchSize);
}

interface Cost {
  params: number;
  flops: number;
  /** Floats of intermediate results per sample (what backpropagation keeps). */
  activations: number;
}

/** undefined when some choice's options cannot be mixed (reported through `mismatch`). */
export function supernetCost(
  space: SupernetSpace,
  input: Shape,
  outputs: number,
  data: DataContext,
  mismatch: (name: string, message: string) => void,
): Cost | undefined {
  const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
  if (space.kind === 'cell') {
    if (input.length !== 3) return undefined;
    let [h, w] = input;
    let c = space.channels;
    let params = 9 * input[2] * c + 4 * c;
    let flops = 18 * input[2] * c * h * w;
    let activations = 2 * h * w * c;
    for (let s = 0; s < space.stages; s++) {
      if (s > 0) {
        const cp = c;
        c *= 2;
        h = Math.ceil(h / 2);
        w = Math.ceil(w / 2);
        params += 9 * cp * c + 4 * c + 9 * c * c + 4 * c + cp * c;
        flops += 2 * h * w * (9 * cp * c + 9 * c * c + cp * c);
        activations += 6 * h * w * c;
      }
      for (let k = 0; k < space.cells; k++) {
        for (let e = 0; e < (space.nodes * (space.nodes - 1)) / 2; e++) {
          for (const op of space.operations) {
            const oc = opCost(op, h, w, c);
            params += oc.params;
            flops += oc.flops;
            // ReLU, convolution and norm each keep a map; pooling one; the weighted copy one more.
            activations += h * w * c * (oc.params > 0 ? 4 : 2);
          }
        }
      }
    }
    const head = headCost([c], outputs);
    return { params: params + head.params, flops: flops + head.flops, activations };
  }
  let shape = input;
  let params = 0;
  let flops = 0;
  let activations = 0;
  let first = true;
  const run = (layers: ConcreteLayer[], from: Shape, isFirst: boolean) => {
    let s = from;
    let p = 0;
    let f = 0;
    let a = 0;
    layers.forEach((l, i) => {
      const c = layerCost(l, s, inputContext(data, isFirst && i === 0));
      s = c.out;
      p += c.params;
      f += c.flops;
      a += size(s);
    });
    return { out: s, params: p, flops: f, activations: a };
  };
  let mixable = true;
  for (const pos of space.positions) {
    if (pos.kind === 'fixed') {
      const r = run(pos.layers, shape, first);
      ({ out: shape } = r);
      params += r.params;
      flops += r.flops;
      activations += r.activations;
    } else {
      const results = pos.options.map((o) => run(o, shape, first));
      const shapes = results.map((r) => JSON.stringify(r.out));
      if (new Set(shapes).size > 1) {
        mismatch(
          pos.name,
          `darts mixes these options by a weighted sum, so their outputs must have one shape; here they give ${pos.ops.map((op, k) => `${op} [${results[k].out.join(', ')}]`).join(', ')}`,
        );
        mixable = false;
      }
      for (const r of results) {
        params += r.params;
        flops += r.flops;
        activations += r.activations + size(r.out);
      }
      shape = results[0].out;
    }
    first = false;
  }
  if (!mixable) return undefined;
  const head = headCost(shape, outputs);
  return { params: params + head.params, flops: flops + head.flops, activations: activations + size(input) };
}
