// What the hover says about a parameter object: how many values it can take and which strategies can search
// it. The strategy list comes from the schema, so a strategy added there shows up here without a change.
import * as jsonc from 'jsonc-parser';
import schema from '../../schemas/nas.schema.json';
import { formatPath } from '../core/json';
import { describeDomain, domainOf, domainSize, finiteValues, isParam, type Domain, type RawParam } from '../core/params';
import { formatInt } from '../shared/format';

export interface StrategyInfo {
  name: string;
  description?: string;
  /** Strategies that list every configuration cannot use a continuous range. */
  needsFinite: boolean;
}

/** Strategies that enumerate the space instead of sampling it. */
const ENUMERATING = new Set(['grid']);

export function strategiesFromSchema(): StrategyInfo[] {
  const prop = (schema as { definitions?: { search?: { properties?: { strategy?: { enum?: string[]; enumDescriptions?: string[] } } } } }).definitions?.search
    ?.properties?.strategy;
  const names = prop?.enum ?? ['random', 'grid', 'evolution'];
  return names.map((name, i) => ({ name, description: prop?.enumDescriptions?.[i], needsFinite: ENUMERATING.has(name) }));
}

export interface ParamHover {
  /** The parameter object's extent, for the hover's range. */
  offset: number;
  length: number;
  markdown: string;
}

/** The parameter object at `offset` (on its key, inside it, or on the property holding it), if any. */
export function paramNodeAt(root: jsonc.Node, offset: number): jsonc.Node | undefined {
  let node = jsonc.findNodeAtOffset(root, offset, true);
  // On the key of `"units": {...}`: the value is what is meant.
  if (node?.parent?.type === 'property' && node === node.parent.children?.[0]) node = node.parent.children?.[1];
  for (let n = node; n; n = n.parent) {
    if (n.type === 'object' && isParam(jsonc.getNodeValue(n))) return n;
  }
  return undefined;
}

export function paramHoverAt(root: jsonc.Node, offset: number, strategies: readonly StrategyInfo[], current?: string): ParamHover | undefined {
  const node = paramNodeAt(root, offset);
  if (!node) return undefined;
  const raw = jsonc.getNodeValue(node) as RawParam;
  if (!wellFormed(raw)) return undefined; // the diagnostics explain what is wrong with it
  const domain = domainOf(raw);
  const path = jsonc.getNodePath(node);
  const lines: string[] = [];
  const label = typeof raw.name === 'string' ? ` \`${raw.name}\`` : '';
  lines.push(`**Search parameter**${label} at \`${formatPath(path)}\``, '');
  lines.push(countLine(domain));
  const notes = conditions(root, path);
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  lines.push('', '| strategy | can search it |', '|---|---|');
  const finite = domainSize(domain) !== undefined;
  for (const s of strategies) {
    const here = s.name === current ? ' (this spec)' : '';
    const verdict = s.needsFinite
      ? finite
        ? `yes: lists all ${formatInt(domainSize(domain)!)} values`
        : 'no: a continuous range cannot be listed; add a `step` or use `choice`'
      : `yes: samples it${(domain.kind === 'int' || domain.kind === 'float') && domain.log ? ' on a log scale' : ''}`;
    lines.push(`| \`${s.name}\`${here} | ${verdict} |`);
  }
  return { offset: node.offset, length: node.length, markdown: lines.join('\n') };
}

function wellFormed(p: RawParam): boolean {
  if ('choice' in p) return Array.isArray(p.choice) && p.choice.length > 0;
  const bounds = 'int' in p ? p.int : p.float;
  return (
    Array.isArray(bounds) &&
    bounds.length === 2 &&
    bounds.every((b) => typeof b === 'number') &&
    bounds[0] <= bounds[1] &&
    (p.step === undefined || (typeof p.step === 'number' && p.step > 0))
  );
}

function countLine(d: Domain): string {
  const n = domainSize(d);
  if (n === undefined) {
    const f = d as Extract<Domain, { kind: 'float' }>;
    return `**Continuous**: any number in [${f.lo}, ${f.hi}]${f.log ? ', sampled on a log scale' : ''}: infinitely many values.`;
  }
  const values = finiteValues(d) ?? [];
  const shown =
    values.length <= 8
      ? values.map((v) => `\`${JSON.stringify(v)}\``).join(', ')
      : `${values
          .slice(0, 3)
          .map((v) => `\`${v}\``)
          .join(', ')}, ..., \`${values.at(-1)}\``;
  return `**${formatInt(n)} value${n === 1n ? '' : 's'}**: ${shown}${d.kind === 'choice' ? '' : ` (${describeDomain(d)})`}.`;
}

/** When the parameter exists at all: only in some configurations if it sits under a choice, an optional layer
 *  or a repeated block. */
function conditions(root: jsonc.Node, path: jsonc.JSONPath): string[] {
  const out: string[] = [];
  for (let i = path.length - 1; i > 0; i--) {
    if (typeof path[i] !== 'number') continue;
    const el = jsonc.findNodeAtLocation(root, path.slice(0, i + 1));
    const v = el ? (jsonc.getNodeValue(el) as Record<string, unknown>) : undefined;
    if (!v || typeof v !== 'object') continue;
    const parentKey = path[i - 1];
    if (parentKey === 'options') out.push(`exists only when option ${path[i]} of the choice at \`${formatPath(path.slice(0, i - 1))}\` is picked`);
    if (v.optional === true && i < path.length - 1)
      out.push(`exists only when the optional ${String(v.type)} layer at \`${formatPath(path.slice(0, i + 1))}\` is present`);
    if (v.type === 'block' && path[i + 1] === 'layers') {
      const rep = v.repeat;
      if (isParam(rep) || (typeof rep === 'number' && rep > 1))
        out.push(`decided anew for each repetition of the block at \`${formatPath(path.slice(0, i + 1))}\``);
    }
  }
  return out;
}
