// Shape inference over the whole space at once. Each position in the layer stack holds the set of shapes that
// some configuration can produce there, with the smallest and largest parameter count and FLOPs reaching
// each shape. Sets stay small because they are keyed by shape. Channel-like fields (filters, units,
// depthMultiplier, outputDim, feedForward) only need their extremes: costs grow monotonically in them and they
// cannot break shapes, except that attention heads must divide the width; a space with such a block gets
// every width value instead.
import type { CellOperation, ConcreteLayer } from '../shared/arch';
import type { Diagnostic } from '../shared/diagnostic';
import type { CellArchitecture, Element, NasSpec } from '../shared/spec';
import { CELL_DEFAULTS, LAYER_DEFAULTS, MAX_REPEAT, POOLING_TYPES } from './defaults';
import { formatPath, type JsonPath } from './json';
import { boundedValues, domainOf, isParam, numericExtremes } from './params';
import { cellCost, cellCostFrame, headCost, layerCost, liveEdges, liveNodes, opCost, ShapeError, type DataContext, type Shape } from './shapes';
import { cellEdgeList } from './space';

export interface CostRange {
  minParams: number;
  maxParams: number;
  minFlops: number;
  maxFlops: number;
}

export interface Problem {
  path: JsonPath;
  message: string;
  severity: 'error' | 'warning';
  code: Diagnostic['code'];
  /** One mistake that several configurations make: each case, at the decision that leads to it. */
  cases?: { message: string; path: JsonPath }[];
}

export interface Analysis extends Partial<CostRange> {
  /** Findings with their JSON path; the checker turns paths into ranges. */
  problems: Problem[];
  /** Shapes the network can end in before the output layer. */
  finalShapes: Shape[];
}

/** A decision that led to a state, to explain an error that only some configurations hit. */
interface Decision {
  /** The parameter decided: a later decision of the same parameter (the next copy of a block) replaces it. */
  key: string;
  path: JsonPath;
  text: string;
}

interface State extends CostRange {
  shape: Shape;
  /** The shape holds token ids (the raw input of a token dataset). */
  tokens: boolean;
  witness: Decision[];
}

/** Shape errors of one place and one kind, by the decisions that lead to them. */
interface Group {
  path: JsonPath;
  first: ShapeError;
  cases: Map<string, { details: Set<string>; why: Decision[] }>;
}

/** Cases listed with a finding; more are counted. */
const MAX_CASES = 8;
type States = Map<string, State>;

const CHANNEL_FIELDS = new Set(['filters', 'units', 'depthMultiplier', 'outputDim', 'feedForward']);
/** Channel fields that set the width later layers see (feedForward stays inside its block). */
const WIDTH_FIELDS = new Set(['filters', 'units', 'depthMultiplier', 'outputDim']);
const MAX_LOCAL_CONFIGS = 4096;
const MAX_STATES = 20000;

class Analyzer {
  problems: Problem[] = [];
  private seen = new Set<string>();
  private readonly groups = new Map<string, Group>();
  truncated = false;

  constructor(
    private readonly spec: NasSpec,
    private readonly data: DataContext = {},
    /** Enumerate width fields rather than take their extremes (a width some block must divide). */
    private readonly exactWidths = false,
  ) {}

  problem(path: JsonPath, message: string, severity: 'error' | 'warning' = 'error', code: Diagnostic['code'] = 'shape') {
    const key = `${formatPath(path)}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push({ path, message, severity, code });
  }

  elements(els: Element[], path: JsonPath, states: States): States {
    els.forEach((el, i) => (states = this.element(el, [...path, i], states)));
    return states;
  }

  element(el: Element, path: JsonPath, states: States): States {
    const e = el as unknown as Record<string, unknown>;
    let out: States;
    if (el.type === 'block') {
      const repeats = isParam(e.repeat)
        ? (boundedValues(domainOf(e.repeat), MAX_REPEAT + 1) as number[])
        : [(e.repeat as number | undefined) ?? LAYER_DEFAULTS.block.repeat];
      out = new Map();
      let cur = states;
      const maxR = Math.max(...repeats);
      for (let r = 0; r <= maxR; r++) {
        // Copy r exists whenever repeat >= r; the marker replaces the previous copy's.
        const repeatPath = [...path, 'repeat'];
        const decision = isParam(e.repeat)
          ? { key: formatPath(repeatPath), path: repeatPath, text: `${this.name(path)} repeats ${r === 1 ? 'once or more' : `${r} times or more`}` }
          : undefined;
        if (r > 0) cur = this.elements(e.layers as Element[], [...path, 'layers'], withWitness(cur, decision));
        if (repeats.includes(r)) merge(out, cur);
      }
    } else if (el.type === 'choice') {
      out = new Map();
      (e.options as Element[]).forEach((o, k) =>
        merge(
          out,
          this.element(
            o,
            [...path, 'options', k],
            withWitness(states, { key: formatPath(path), path: [...path, 'options', k], text: `${this.name(path)} picks ${o.type}` }),
          ),
        ),
      );
    } else {
      out = this.layer(e, path, states);
    }
    if (e.optional === true) merge(out, states);
    if (out.size > MAX_STATES) {
      this.truncated = true;
      out = new Map([...out.entries()].slice(0, MAX_STATES));
    }
    return out;
  }

  layer(e: Record<string, unknown>, path: JsonPath, states: States): States {
    const out: States = new Map();
    const configs = localConfigs(e, this.exactWidths, path, this.name(path));
    for (const st of states.values()) {
      for (const { layer, witness } of configs) {
        try {
          const c = layerCost(layer, st.shape, { vocabulary: this.data.vocabulary, tokens: st.tokens });
          add(out, {
            shape: c.out,
            tokens: false,
            minParams: st.minParams + c.params,
            maxParams: st.maxParams + c.params,
            minFlops: st.minFlops + c.flops,
            maxFlops: st.maxFlops + c.flops,
            witness: [...st.witness, ...witness],
          });
        } catch (err) {
          if (!(err instanceof ShapeError)) throw err;
          const field = err.field && e[err.field] !== undefined ? err.field : 'type';
          this.shapeError([...path, field], err, [...st.witness, ...witness]);
        }
      }
    }
    return out;
  }

  private shapeError(path: JsonPath, err: ShapeError, why: Decision[]) {
    const key = `${formatPath(path)}|${err.group?.summary ?? err.message}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { path, first: err, cases: new Map() }));
    const whyKey = why.map((d) => d.text).join(', ');
    let c = g.cases.get(whyKey);
    if (!c) g.cases.set(whyKey, (c = { details: new Set(), why }));
    c.details.add(err.group?.detail ?? err.message);
  }

  /** One finding per place and kind of mistake; the configurations that make it are its cases. */
  finish(): Problem[] {
    for (const g of this.groups.values()) {
      const cases = [...g.cases.values()];
      const when = (why: Decision[]) => (why.length ? `when ${why.map((d) => d.text).join(', ')}` : '');
      const summary = g.first.group?.summary;
      let message: string;
      if (cases.length === 1 && (cases[0].details.size === 1 || !summary)) {
        const w = when(cases[0].why);
        message = g.first.message + (w ? ` (${w})` : '');
        this.problems.push({ path: g.path, message, severity: 'error', code: 'shape' });
        continue;
      }
      if (!summary) {
        this.problems.push({ path: g.path, message: g.first.message, severity: 'error', code: 'shape' });
        continue;
      }
      const caseText = (c: (typeof cases)[number]) => [`${g.first.group?.verb ?? ''}${[...c.details].join(' or ')}`, when(c.why)].filter(Boolean).join(' ');
      if (cases.length === 1) {
        this.problems.push({ path: g.path, message: `${summary} (${caseText(cases[0])})`, severity: 'error', code: 'shape' });
        continue;
      }
      // Each case is shown where it differs from the others: the first decision not all of them share.
      const count = new Map<string, number>();
      for (const c of cases) for (const d of c.why) count.set(d.text, (count.get(d.text) ?? 0) + 1);
      const place = (c: (typeof cases)[number]) => (c.why.find((d) => count.get(d.text)! < cases.length) ?? c.why.at(-1))?.path ?? g.path;
      const listed = cases.slice(0, MAX_CASES).map((c) => ({ message: caseText(c), path: place(c) }));
      if (cases.length > MAX_CASES) listed.push({ message: `and ${cases.length - MAX_CASES} more configurations`, path: g.path });
      this.problems.push({ path: g.path, message: `${summary} (in ${cases.length} configurations)`, severity: 'error', code: 'shape', cases: listed });
    }
    this.groups.clear();
    return this.problems;
  }

  /** "conv2d #3": an element by its type and its place in its list, as people count. */
  name(path: JsonPath): string {
    let cur: unknown = this.spec;
    for (const k of path) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
    const type = (cur as { type?: unknown } | undefined)?.type;
    const index = path[path.length - 1];
    return `${typeof type === 'string' ? type : 'layer'}${typeof index === 'number' ? ` #${index + 1}` : ''}`;
  }
}

function withWitness(states: States, d: Decision | undefined): States {
  if (!d) return states;
  const out: States = new Map();
  for (const [k, s] of states) out.set(k, { ...s, witness: [...s.witness.filter((x) => x.key !== d.key), d] });
  return out;
}

function add(map: States, s: State) {
  const key = s.shape.join('x') + (s.tokens ? ' ids' : '');
  const cur = map.get(key);
  if (!cur) map.set(key, s);
  else {
    cur.minParams = Math.min(cur.minParams, s.minParams);
    cur.maxParams = Math.max(cur.maxParams, s.maxParams);
    cur.minFlops = Math.min(cur.minFlops, s.minFlops);
    cur.maxFlops = Math.max(cur.maxFlops, s.maxFlops);
  }
}

function merge(into: States, from: States) {
  for (const s of from.values()) add(into, { ...s });
}

/** The concrete variants of one layer that matter for shapes and costs. */
function localConfigs(e: Record<string, unknown>, exactWidths: boolean, path: JsonPath, name: string): { layer: ConcreteLayer; witness: Decision[] }[] {
  const type = e.type as string;
  const defaults = (LAYER_DEFAULTS as Record<string, Record<string, unknown>>)[type] ?? {};
  const fields: [string, unknown[], boolean][] = [];
  const fixed: Record<string, unknown> = { type, source: '' };
  for (const [k, v] of Object.entries({ ...defaults, ...e })) {
    if (k === 'type' || k === 'optional' || k === 'name') continue;
    if (!isParam(v)) {
      fixed[k] = v;
      continue;
    }
    const d = domainOf(v);
    const extremesOnly = CHANNEL_FIELDS.has(k) && !(exactWidths && WIDTH_FIELDS.has(k));
    fields.push([k, extremesOnly ? [...new Set(numericExtremes(d))] : boundedValues(d), extremesOnly]);
  }
  let configs: { layer: Record<string, unknown>; witness: Decision[] }[] = [{ layer: fixed, witness: [] }];
  for (const [k, values, silent] of fields) {
    const next: typeof configs = [];
    const at = [...path, k];
    for (const c of configs) {
      for (const v of values) {
        if (next.length >= MAX_LOCAL_CONFIGS) break;
        const d = { key: formatPath(at), path: at, text: `${name} ${k} = ${JSON.stringify(v)}` };
        next.push({ layer: { ...c.layer, [k]: v }, witness: silent ? c.witness : [...c.witness, d] });
      }
    }
    configs = next;
  }
  for (const c of configs) {
    if (POOLING_TYPES.has(type) && c.layer.strides === undefined) c.layer.strides = c.layer.poolSize;
  }
  return configs as unknown as { layer: ConcreteLayer; witness: Decision[] }[];
}

/** Whether some transformerEncoder splits its input width between heads (no keySize of its own). */
function hasDividedWidth(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasDividedWidth);
  const o = node as Record<string, unknown>;
  if (o.type === 'transformerEncoder' && o.keySize === undefined) return true;
  return Object.values(o).some(hasDividedWidth);
}

function valuesOf(raw: unknown, dflt: number): number[] {
  if (raw === undefined) return [dflt];
  if (!isParam(raw)) return [raw as number];
  return boundedValues(domainOf(raw)) as number[];
}

/** `data` says whether the input holds token ids, and their vocabulary. */
export function analyze(spec: NasSpec, input: Shape, outputs: number, data: DataContext = {}): Analysis {
  const a = new Analyzer(spec, data, hasDividedWidth(spec.architecture));
  // darts derives only cells whose every edge is an operation (then two inputs per node): none is dead.
  if (spec.architecture.type === 'cell') return analyzeCell(spec.architecture as CellArchitecture, input, outputs, a, spec.search?.strategy === 'darts');
  const tokens = data.vocabulary !== undefined;
  const start: States = new Map();
  add(start, { shape: input, tokens, minParams: 0, maxParams: 0, minFlops: 0, maxFlops: 0, witness: [] });
  const end = a.elements((spec.architecture as { layers: Element[] }).layers, ['architecture', 'layers'], start);
  const result: Analysis = { problems: a.finish(), finalShapes: [...end.values()].map((s) => s.shape) };
  if (end.size > 0) {
    let range: CostRange | undefined;
    for (const s of end.values()) {
      const h = headCost(s.shape, outputs);
      const r = { minParams: s.minParams + h.params, maxParams: s.maxParams + h.params, minFlops: s.minFlops + h.flops, maxFlops: s.maxFlops + h.flops };
      range = range
        ? {
            minParams: Math.min(range.minParams, r.minParams),
            maxParams: Math.max(range.maxParams, r.maxParams),
            minFlops: Math.min(range.minFlops, r.minFlops),
            maxFlops: Math.max(range.maxFlops, r.maxFlops),
          }
        : r;
    }
    Object.assign(result, range);
  } else if (!a.problems.some((p) => p.severity === 'error')) {
    a.problem(['architecture'], 'no configuration of this space produces a valid network');
  }
  return result;
}

/** Cells: costs depend on which nodes are live, so small cells are enumerated exactly; large ones are bounded. */
function analyzeCell(arch: CellArchitecture, input: Shape, outputs: number, a: Analyzer, onlyLiveCells = false): Analysis {
  const result: Analysis = { problems: a.problems, finalShapes: [] };
  if (input.length !== 3) {
    a.problem(
      ['architecture', 'type'],
      `a cell space needs image input [height, width, channels] but the data gives a vector [${input.join(', ')}]; use a sequential space for tabular data`,
    );
    return result;
  }
  const nodes = arch.nodes ?? CELL_DEFAULTS.nodes;
  const ops = (arch.operations ?? CELL_DEFAULTS.operations) as CellOperation[];
  const edgeList = cellEdgeList(nodes);
  const total = ops.length ** edgeList.length;
  const channels = valuesOf(arch.channels, CELL_DEFAULTS.channels);
  const cellsV = valuesOf(arch.cells, CELL_DEFAULTS.cells);
  const stagesV = valuesOf(arch.stages, CELL_DEFAULTS.stages);
  const chExtremes = channels.length > 2 ? numericExtremes({ kind: 'choice', values: channels }) : channels;
  let range: CostRange | undefined;
  const note = (p: number, f: number) => {
    range = range
      ? {
          minParams: Math.min(range.minParams, p),
          maxParams: Math.max(range.maxParams, p),
          minFlops: Math.min(range.minFlops, f),
          maxFlops: Math.max(range.maxFlops, f),
        }
      : { minParams: p, maxParams: p, minFlops: f, maxFlops: f };
  };
  for (const st of stagesV) {
    if (2 ** (st - 1) > Math.min(input[0], input[1])) {
      a.problem(
        ['architecture', 'stages'],
        `${st} stages halve the ${input[0]}x${input[1]} input ${st - 1} times: the last stages would work on a 1x1 map`,
        'warning',
      );
    }
  }
  if (total <= 20000) {
    // Exact over every cell, without building each: a cell's cost is a fixed part plus one term per live edge,
    // and which edges are live depends only on which are `none`. So each none-pattern of the edges is one
    // case, whose cheapest and dearest cells put the cheapest or dearest operation on every live edge.
    const real = ops.filter((o) => o !== 'none');
    const noneChoices = ops.length - real.length;
    let dead = 0;
    const frames = chExtremes.flatMap((ch) =>
      cellsV.flatMap((cells) => stagesV.map((stages) => cellCostFrame({ channels: ch, cells, stages }, input, outputs))),
    );
    const bounds = frames.map((f) => {
      const costs = real.map((op) => f.edge(op));
      const min = (k: 'params' | 'flops') => Math.min(...costs.map((c) => c[k]));
      const max = (k: 'params' | 'flops') => Math.max(...costs.map((c) => c[k]));
      return { base: f.base, minP: min('params'), maxP: max('params'), minF: min('flops'), maxF: max('flops') };
    });
    for (let mask = 0; mask < 2 ** edgeList.length; mask++) {
      // Bit e set: edge e carries one of the real operations (the first stands for all: liveness ignores which).
      const edges = edgeList.map(([from, to], e) => ({ from, to, op: mask & (1 << e) ? real[0] : ('none' as const) }));
      const used = edges.filter((e) => e.op !== 'none').length;
      const cellsLikeThis = real.length ** used * noneChoices ** (edgeList.length - used);
      if (cellsLikeThis === 0) continue;
      if (!liveNodes({ nodes, edges })[nodes - 1]) {
        dead += cellsLikeThis;
        continue;
      }
      const n = liveEdges({ nodes, edges }).length;
      for (const b of bounds) {
        note(b.base.params + n * b.minP, b.base.flops + n * b.minF);
        note(b.base.params + n * b.maxP, b.base.flops + n * b.maxF);
      }
    }
    if (dead === total) a.problem(['architecture', 'operations'], 'no cell in this space connects its input to its output: add an operation other than `none`');
    else if (dead > 0 && !onlyLiveCells) {
      a.problem(
        ['architecture', 'operations'],
        `${dead} of ${total} cells have no path from input to output; trials that sample one are recorded as failed`,
        'warning',
        'cell',
      );
    }
  } else {
    // Too many cells to enumerate: bound each edge independently (dead edges only lower the true minimum).
    for (const ch of chExtremes)
      for (const cells of cellsV)
        for (const stages of stagesV) {
          const cheapest = edgeList.map(([from, to]) => ({ from, to, op: ops.includes('skip') ? ('skip' as const) : cheapestOp(ops) }));
          const dearest = edgeList.map(([from, to]) => ({ from, to, op: dearestOp(ops) }));
          for (const edges of [cheapest, dearest]) {
            try {
              const c = cellCost({ kind: 'cell', nodes, edges, channels: ch, cells, stages }, input, outputs);
              note(c.params, c.flops);
            } catch {
              /* an all-none bound: the other bound still counts */
            }
          }
        }
  }
  if (range) Object.assign(result, range);
  return result;
}

function cheapestOp(ops: CellOperation[]): CellOperation {
  return [...ops].filter((o) => o !== 'none').sort((x, y) => opCost(x, 8, 8, 8).params - opCost(y, 8, 8, 8).params)[0] ?? 'none';
}

function dearestOp(ops: CellOperation[]): CellOperation {
  return [...ops].sort((x, y) => opCost(y, 8, 8, 8).flops - opCost(x, 8, 8, 8).flops)[0];
}
