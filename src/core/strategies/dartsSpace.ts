// What a DARTS supernet covers in a spec: the operation of every cell edge and every layer `choice` (each
// becomes a mixed operation with its own alpha). A cell space's width and depth (channels, cells) may be
// choices: they are scaled, not searched, as DARTS searches a narrow network and retrains a wide one (16
// against 36 channels, 8 against 20 cells): the supernet takes the smallest value, the derived architectures
// the largest. Anything else the spec leaves open (filters, a repeat, an optional layer, the learning rate)
// would need one supernet per value, so the checker refuses it, located.
import type { CellOperation, ConcreteLayer } from '../../shared/arch';
import type { CellArchitecture, Element, NasSpec } from '../../shared/spec';
import type { SupernetPosition, SupernetSpace } from '../../shared/supernet';
import { CELL_DEFAULTS, LAYER_DEFAULTS } from '../defaults';
import type { JsonPath } from '../json';
import { paramLabel } from '../paramLabel';
import { domainOf, isParam, numericExtremes } from '../params';
import { cellEdgeList, listParams, resolveFixedElement } from '../space';

export interface DartsProblem {
  path: JsonPath;
  message: string;
}

/** Cell parameters the supernet takes at their smallest and the derived architectures at their largest. */
export const SCALED_CELL_PARAMS: ReadonlySet<string> = new Set(['architecture.channels', 'architecture.cells']);

/** The smallest and largest value of a scaled parameter (a fixed number is both). */
export function scaledRange(v: unknown, dflt: number): [number, number] {
  if (!isParam(v)) return [(v as number | undefined) ?? dflt, (v as number | undefined) ?? dflt];
  return numericExtremes(domainOf(v));
}

/**
 * The space darts' derived architectures come from: a cell space's channels and cells fixed at their largest
 * (what is retrained). The checker's summary counts this one, so a scaled choice is not called searched.
 */
export function derivedSpec(spec: NasSpec): NasSpec {
  if (spec.architecture.type !== 'cell') return spec;
  const a = { ...(spec.architecture as CellArchitecture) };
  for (const key of ['channels', 'cells'] as const) {
    if (!isParam(a[key])) continue;
    const largest = numericExtremes(domainOf(a[key]))[1];
    if (Number.isFinite(largest)) a[key] = largest;
  }
  return { ...spec, architecture: a };
}

/** Parameters of the spec that the supernet does not cover, once per place in the file. */
export function dartsProblems(spec: NasSpec): DartsProblem[] {
  const out = new Map<string, DartsProblem>();
  const cell = spec.architecture.type === 'cell';
  for (const p of listParams(spec)) {
    if (p.role === 'edge') continue;
    if (cell && SCALED_CELL_PARAMS.has(p.name) && numericExtremes(p.domain).every(Number.isFinite)) continue;
    // A choice inside another choice's option would need a supernet inside a candidate.
    if (p.role === 'option' && !/\.options\[\d+\]/.test(p.name.replace(/\.option$/, ''))) continue;
    const key = JSON.stringify(p.path);
    if (out.has(key)) continue;
    out.set(key, { path: p.path, message: uncovered(p.role, p.name) });
  }
  return [...out.values()];
}

function uncovered(role: string, name: string): string {
  const what = name.replace(/@\d+/g, '');
  switch (role) {
    case 'option':
      return 'darts mixes the options of top-level choices (and choices in blocks), not a choice inside an option: move it out or fix it';
    case 'optional':
      return 'darts does not cover optional layers: remove "optional" (or write a choice between this layer and another)';
    case 'repeat':
      return 'darts cannot search how often a block repeats: fix repeat to one number';
    default:
      return what.startsWith('training.')
        ? `darts trains one supernet with one training setting: fix ${what} to one value`
        : `darts covers cell operations and layer choices, not this value: fix it to one value (numeric choices stay discrete)`;
  }
}

/** The supernet of a spec without DARTS problems (dartsProblems empty). */
export function supernetSpace(spec: NasSpec): SupernetSpace {
  if (spec.architecture.type === 'cell') {
    const a = spec.architecture as CellArchitecture;
    const fixed = (v: unknown, d: number, field: string): number => {
      if (isParam(v)) throw new Error(`internal: architecture.${field} is a parameter`);
      return (v as number | undefined) ?? d;
    };
    const smallest = (v: unknown, d: number): number => scaledRange(v, d)[0];
    const nodes = a.nodes ?? CELL_DEFAULTS.nodes;
    const operations = (a.operations ?? CELL_DEFAULTS.operations) as CellOperation[];
    return {
      kind: 'cell',
      nodes,
      channels: smallest(a.channels, CELL_DEFAULTS.channels),
      cells: smallest(a.cells, CELL_DEFAULTS.cells),
      stages: fixed(a.stages, CELL_DEFAULTS.stages, 'stages'),
      operations,
      // One operation only: the resolver asks no parameter, so there is nothing to mix.
      edges:
        operations.length < 2
          ? []
          : cellEdgeList(nodes).map(([from, to]) => {
              const name = `architecture.edge[${from}->${to}]`;
              return { name, label: paramLabel(name), ops: [...operations], from, to };
            }),
    };
  }
  const positions: SupernetPosition[] = [];
  const fixed = (layers: ConcreteLayer[]) => {
    const last = positions[positions.length - 1];
    if (last?.kind === 'fixed') last.layers.push(...layers);
    else if (layers.length) positions.push({ kind: 'fixed', layers: [...layers] });
  };
  const walk = (els: Element[], path: JsonPath, name: string) =>
    els.forEach((el, i) => {
      const at = [...path, i];
      const here = `${name}[${i}]`;
      const e = el as unknown as Record<string, unknown>;
      if (el.type === 'block') {
        const repeat = (e.repeat as number | undefined) ?? LAYER_DEFAULTS.block.repeat;
        for (let k = 0; k < repeat; k++) walk(e.layers as Element[], [...at, 'layers'], `${here}@${k}.layers`);
      } else if (el.type === 'choice') {
        const options = e.options as Element[];
        const param = `${here}.option`;
        positions.push({
          kind: 'mixed',
          name: param,
          label: paramLabel(param).replace(/: option$/, ''),
          ops: options.map((o) => o.type),
          options: options.map((o, k) => resolveFixedElement(o, [...at, 'options', k], `${here}.options[${k}]`)),
        });
      } else fixed(resolveFixedElement(el, at, here));
    });
  walk((spec.architecture as { layers: Element[] }).layers, ['architecture', 'layers'], 'architecture.layers');
  return { kind: 'sequential', positions };
}
