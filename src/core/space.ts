// The search space of a spec: which parameters exist, how many configurations there are, and how a set of
// decisions turns into one concrete architecture. Parameters are conditional: those inside an unchosen
// alternative, an absent optional layer or an unused repetition do not exist for that configuration.
import type { Assignment, CellArch, CellEdge, CellOperation, ConcreteLayer, ConcreteTraining, ParamValue, TrialConfig } from '../shared/arch';
import type { CellArchitecture, Element, NasSpec } from '../shared/spec';
import { CELL_DEFAULTS, EARLY_STOPPING_DEFAULTS, LAYER_DEFAULTS, POOLING_TYPES, TRAINING_DEFAULTS } from './defaults';
import { formatPath, type JsonPath } from './json';
import { domainOf, domainSize, finiteValues, isParam, numericExtremes, type Domain, type ParamDef, type ParamRole } from './params';

/** Picks a value for each parameter as the walk reaches it. */
export type Decider = (p: ParamDef) => ParamValue;

type Obj = Record<string, unknown>;

class Walker {
  readonly params: Assignment = {};
  readonly order: ParamDef[] = [];
  constructor(private readonly decide: Decider) {}

  value(raw: unknown, dflt: unknown, path: JsonPath, name: string, role: ParamRole = 'value'): unknown {
    if (raw === undefined) return dflt;
    if (!isParam(raw)) return raw;
    return this.ask({ name, label: raw.name, path, domain: domainOf(raw), role });
  }

  ask(def: ParamDef): ParamValue {
    const v = this.decide(def);
    this.params[def.name] = v;
    this.order.push(def);
    return v;
  }
}

export function resolve(spec: NasSpec, decide: Decider): TrialConfig & { order: ParamDef[] } {
  const w = new Walker(decide);
  const arch =
    spec.architecture.type === 'cell'
      ? resolveCell(w, spec.architecture as CellArchitecture)
      : {
          kind: 'sequential' as const,
          layers: resolveElements(w, (spec.architecture as { layers: Element[] }).layers, ['architecture', 'layers'], 'architecture.layers'),
        };
  const training = resolveTraining(w, (spec.training ?? {}) as Obj);
  return { arch, training, params: w.params, order: w.order };
}

function resolveElements(w: Walker, els: Element[], path: JsonPath, name: string): ConcreteLayer[] {
  const out: ConcreteLayer[] = [];
  els.forEach((el, i) => resolveElement(w, el, [...path, i], `${name}[${i}]`, out));
  return out;
}

function resolveElement(w: Walker, el: Element, path: JsonPath, name: string, out: ConcreteLayer[]): void {
  const e = el as unknown as Obj;
  if (e.optional === true) {
    const present = w.ask({ name: `${name}.optional`, label: labelOf(e, 'present'), path: [...path, 'optional'], domain: { kind: 'bool' }, role: 'optional' });
    if (!present) return;
  }
  if (el.type === 'block') {
    const repeat = w.value(e.repeat, LAYER_DEFAULTS.block.repeat, [...path, 'repeat'], `${name}.repeat`, 'repeat') as number;
    for (let k = 0; k < repeat; k++) {
      const copy = `${name}@${k}.layers`;
      (e.layers as Element[]).forEach((child, j) => resolveElement(w, child, [...path, 'layers', j], `${copy}[${j}]`, out));
    }
    return;
  }
  if (el.type === 'choice') {
    const options = e.options as Element[];
    const idx = w.ask({
      name: `${name}.option`,
      label: labelOf(e, 'option'),
      path: [...path, 'options'],
      domain: { kind: 'choice', values: options.map((_, k) => k) },
      role: 'option',
      optionLabels: options.map((o) => o.type),
    }) as number;
    resolveElement(w, options[idx], [...path, 'options', idx], `${name}.options[${idx}]`, out);
    return;
  }
  out.push(resolveLayer(w, e, path, name));
}

/**
 * The layers of an element that holds no parameter (an option of a DARTS supernet's choice, a fixed layer).
 * Throws when it does hold one: the caller checked that first.
 */
export function resolveFixedElement(el: Element, path: JsonPath, name: string): ConcreteLayer[] {
  const out: ConcreteLayer[] = [];
  const w = new Walker((p) => {
    throw new Error(`internal: ${p.name} is a parameter`);
  });
  resolveElement(w, el, path, name, out);
  return out;
}

function labelOf(e: Obj, what: string): string | undefined {
  return typeof e.name === 'string' ? `${e.name}.${what}` : undefined;
}

function resolveLayer(w: Walker, e: Obj, path: JsonPath, name: string): ConcreteLayer {
  const type = e.type as ConcreteLayer['type'];
  const defaults = (LAYER_DEFAULTS as Record<string, Record<string, unknown>>)[type] ?? {};
  const layer: Obj = { type, source: formatPath(path) };
  for (const [key, raw] of Object.entries(e)) {
    if (key === 'type' || key === 'optional' || key === 'name') continue;
    layer[key] = w.value(raw, undefined, [...path, key], `${name}.${key}`);
  }
  for (const [key, dflt] of Object.entries(defaults)) if (layer[key] === undefined) layer[key] = dflt;
  if (POOLING_TYPES.has(type) && layer.strides === undefined) layer.strides = layer.poolSize;
  return layer as unknown as ConcreteLayer;
}

/** Edges of a cell in a fixed order: (0,1), (0,2), (1,2), (0,3), ... so node j's inputs come together. */
export function cellEdgeList(nodes: number): [number, number][] {
  const out: [number, number][] = [];
  for (let to = 1; to < nodes; to++) for (let from = 0; from < to; from++) out.push([from, to]);
  return out;
}

function resolveCell(w: Walker, a: CellArchitecture): CellArch {
  const nodes = a.nodes ?? CELL_DEFAULTS.nodes;
  const ops = (a.operations ?? CELL_DEFAULTS.operations) as CellOperation[];
  const base = ['architecture'];
  const channels = w.value(a.channels, CELL_DEFAULTS.channels, [...base, 'channels'], 'architecture.channels') as number;
  const cells = w.value(a.cells, CELL_DEFAULTS.cells, [...base, 'cells'], 'architecture.cells') as number;
  const stages = w.value(a.stages, CELL_DEFAULTS.stages, [...base, 'stages'], 'architecture.stages') as number;
  const edges: CellEdge[] = cellEdgeList(nodes).map(([from, to]) => ({
    from,
    to,
    op:
      ops.length === 1
        ? ops[0]
        : (w.ask({
            name: `architecture.edge[${from}->${to}]`,
            path: [...base, 'operations'],
            domain: { kind: 'choice', values: ops },
            role: 'edge',
          }) as CellOperation),
  }));
  return { kind: 'cell', nodes, edges, channels, cells, stages };
}

function resolveTraining(w: Walker, t: Obj): ConcreteTraining {
  const p = (k: string) => ['training', k];
  const out: ConcreteTraining = {
    optimizer: w.value(t.optimizer, TRAINING_DEFAULTS.optimizer, p('optimizer'), 'training.optimizer') as ConcreteTraining['optimizer'],
    learningRate: w.value(t.learningRate, TRAINING_DEFAULTS.learningRate, p('learningRate'), 'training.learningRate') as number,
    batchSize: w.value(t.batchSize, TRAINING_DEFAULTS.batchSize, p('batchSize'), 'training.batchSize') as number,
    epochs: w.value(t.epochs, TRAINING_DEFAULTS.epochs, p('epochs'), 'training.epochs') as number,
  };
  if (t.earlyStopping) out.earlyStopping = { ...EARLY_STOPPING_DEFAULTS, ...(t.earlyStopping as object) };
  if (typeof t.timeLimitSeconds === 'number') out.timeLimitSeconds = t.timeLimitSeconds;
  return out;
}

// ---- The space as a whole -------------------------------------------------------------------------------

/**
 * Counts stop growing here (they mean "at least this many"): nested repeated blocks multiply exponentially, and
 * a few hundred levels of them made a number beyond BigInt's limit (a RangeError out of the checker) or with
 * millions of digits that took seconds to print.
 */
export const SPACE_SIZE_CAP = 10n ** 300n;

const capped = (n: bigint): bigint => (n > SPACE_SIZE_CAP ? SPACE_SIZE_CAP : n);

/** body ** r, stopping at the cap (r is at most a repeat count, and the loop ends once the cap is reached). */
function cappedPow(body: bigint, r: number): bigint {
  if (r <= 0) return 1n;
  if (body <= 1n) return body;
  let n = 1n;
  for (let i = 0; i < r && n < SPACE_SIZE_CAP; i++) n *= body;
  return capped(n);
}

export interface SpaceSize {
  /** Distinct architectures, counting continuous parameters once; at most SPACE_SIZE_CAP (then: at least). */
  architectures: bigint;
  /** Distinct configurations (architecture and training), counting continuous parameters once. */
  configurations: bigint;
  /** Names of continuous parameters: each makes the real space infinite. */
  continuous: string[];
}

/** Every parameter that some configuration has (repetitions up to the largest repeat). */
export function listParams(spec: NasSpec): ParamDef[] {
  const all = new Map<string, ParamDef>();
  // Resolving with every finite value would explode; instead walk with a decider that records and picks the
  // value opening the most structure (largest repeat, optional present), once per alternative.
  const visit = (decide: Decider) =>
    resolve(spec, (p) => {
      if (!all.has(p.name)) all.set(p.name, p);
      return decide(p);
    });
  visit(maximal);
  // Alternatives each open their own parameters: walk once per option index of every option parameter.
  let grew = true;
  const tried = new Set<string>();
  while (grew) {
    grew = false;
    for (const def of [...all.values()]) {
      if (def.role !== 'option') continue;
      for (const v of (def.domain as { values: number[] }).values) {
        const key = `${def.name}=${v}`;
        if (tried.has(key)) continue;
        tried.add(key);
        const before = all.size;
        visit((p) => (p.name === def.name ? v : maximal(p)));
        if (all.size > before) grew = true;
      }
    }
  }
  return [...all.values()];
}

function maximal(p: ParamDef): ParamValue {
  if (p.domain.kind === 'bool') return true;
  if (p.role === 'repeat') return numericExtremes(p.domain)[1];
  const values = finiteValues(p.domain);
  return values ? values[0] : (p.domain as { lo: number }).lo;
}

/** Exact counts by structure (sums over alternatives, powers over repetitions), never by enumeration. */
export function spaceSize(spec: NasSpec): SpaceSize {
  const continuous: string[] = [];
  const size = (raw: unknown, name: string): bigint => {
    if (!isParam(raw)) return 1n;
    const n = domainSize(domainOf(raw));
    if (n === undefined) {
      continuous.push(name);
      return 1n;
    }
    return n;
  };
  let arch: bigint;
  if (spec.architecture.type === 'cell') {
    const a = spec.architecture as CellArchitecture;
    const edges = cellEdgeList(a.nodes ?? CELL_DEFAULTS.nodes).length;
    const ops = BigInt((a.operations ?? CELL_DEFAULTS.operations).length);
    arch = capped(
      cappedPow(ops, edges) * size(a.channels, 'architecture.channels') * size(a.cells, 'architecture.cells') * size(a.stages, 'architecture.stages'),
    );
  } else {
    arch = countElements((spec.architecture as { layers: Element[] }).layers, 'architecture.layers', size);
  }
  const t = (spec.training ?? {}) as Obj;
  let train = 1n;
  for (const k of ['optimizer', 'learningRate', 'batchSize', 'epochs']) train *= size(t[k], `training.${k}`);
  return { architectures: arch, configurations: capped(arch * train), continuous: [...new Set(continuous)] };
}

function countElements(els: Element[], name: string, size: (raw: unknown, name: string) => bigint): bigint {
  let total = 1n;
  els.forEach((el, i) => (total = capped(total * countElement(el, `${name}[${i}]`, size))));
  return total;
}

function countElement(el: Element, name: string, size: (raw: unknown, name: string) => bigint): bigint {
  const e = el as unknown as Obj;
  let n: bigint;
  if (el.type === 'block') {
    const body = countElements(e.layers as Element[], `${name}.layers`, size);
    const repeats = isParam(e.repeat) ? (finiteValues(domainOf(e.repeat)) as number[]) : [(e.repeat as number | undefined) ?? 1];
    n = repeats.reduce((acc, r) => capped(acc + cappedPow(body, r)), 0n);
  } else if (el.type === 'choice') {
    n = (e.options as Element[]).reduce((acc, o, k) => capped(acc + countElement(o, `${name}.options[${k}]`, size)), 0n);
  } else {
    n = 1n;
    for (const [k, v] of Object.entries(e)) if (k !== 'type') n = capped(n * size(v, `${name}.${k}`));
  }
  return e.optional === true ? capped(n + 1n) : n;
}

/** Every configuration of a finite space, in a fixed order (the grid strategy). Conditional parameters are
 *  handled by replaying the walk: the decisions before a parameter fix which parameters come next. */
export function* gridConfigs(spec: NasSpec): Generator<TrialConfig> {
  const stack: { values: ParamValue[]; idx: number }[] = [];
  for (;;) {
    let depth = 0;
    const cfg = resolve(spec, (p) => {
      if (depth < stack.length) return stack[depth++].values[stack[depth - 1].idx];
      const values = finiteValues(p.domain);
      if (!values) throw new Error(`grid search cannot enumerate ${p.name}: it is continuous`);
      stack.push({ values, idx: 0 });
      depth++;
      return values[0];
    });
    stack.length = depth;
    const { order: _order, ...config } = cfg;
    yield config;
    while (stack.length && ++stack[stack.length - 1].idx >= stack[stack.length - 1].values.length) stack.pop();
    if (!stack.length) return;
  }
}

export type { Domain, ParamDef };
