// What a DARTS supernet covers in a spec: the operation of every cell edge and every layer `choice` (each
// becomes a mixed operation with its own alpha). Anything else the spec leaves open (filters, a repeat, an
// optional layer, the learning rate) would need one supernet per value, so the checker refuses it, located.
import type { CellOperation, ConcreteLayer } from '../../shared/arch';
import type { CellArchitecture, Element, NasSpec } from '../../shared/spec';
import type { SupernetPosition, SupernetSpace } from '../../shared/supernet';
import { CELL_DEFAULTS, LAYER_DEFAULTS } from '../defaults';
import type { JsonPath } from '../json';
import { paramLabel } from '../paramLabel';
import { isParam } from '../params';
import { cellEdgeList, listParams, resolveFixedElement } from '../space';

export interface DartsProblem {
  path: JsonPath;
  message: string;
}

/** Parameters of the spec that the supernet does not cover, once per place in the file. */
export function dartsProblems(spec: NasSpec): DartsProblem[] {
  const out = new Map<string, DartsProblem>();
  for (const p of listParams(spec)) {
    if (p.role === 'edge') continue;
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
    const nodes = a.nodes ?? CELL_DEFAULTS.nodes;
    const operations = (a.operations ?? CELL_DEFAULTS.operations) as CellOperation[];
    return {
      kind: 'cell',
      nodes,
      channels: fixed(a.channels, CELL_DEFAULTS.channels, 'channels'),
      cells: fixed(a.cells, CELL_DEFAULTS.cells, 'cells'),
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
