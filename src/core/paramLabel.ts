// Parameter names are exact paths (`architecture.layers[0]@1.layers[0].kernelSize`: the kernel size of the
// first layer of the block's second copy). People read them as "block #1 (copy 2), conv2d #1: kernelSize";
// the CLI's importance table and the panel's Parameters tab both print this label.
import type { RunState } from './runstate';

/** The type of the spec element at a path such as `architecture.layers[0].layers[1]`, if known. */
export type TypeAt = (specPath: string) => string | undefined;

const TAIL_WORDS: Record<string, string> = { option: 'option', optional: 'present', repeat: 'repeats' };

export function paramLabel(name: string, typeAt: TypeAt = () => undefined): string {
  const edge = /^architecture\.edge\[(\d+)->(\d+)\]$/.exec(name);
  if (edge) return `edge ${edge[1]} → ${edge[2]}`;
  const head = /^architecture\.layers\[(\d+)\]/.exec(name);
  if (!head) return name.replace(/^(architecture|training|search|dataset)\./, '');
  const parts: string[] = [];
  let specPath = `architecture.layers[${head[1]}]`;
  let index = Number(head[1]);
  let rest = name.slice(head[0].length);
  for (;;) {
    const rep = /^@(\d+)\.layers\[(\d+)\]/.exec(rest);
    const opt = /^\.options\[(\d+)\]/.exec(rest);
    const kind = rep || rest === '.repeat' ? 'block' : opt || rest === '.option' ? 'choice' : undefined;
    const type = typeAt(specPath) ?? kind ?? 'layer';
    // A block's copies each have their own parameters: "block #1 (copy 2)" from the second copy on.
    const copy = rep && rep[1] !== '0' ? ` (copy ${Number(rep[1]) + 1})` : '';
    parts.push(index < 0 ? type : `${type} #${index + 1}${copy}`);
    if (rep) {
      index = Number(rep[2]);
      specPath += `.layers[${rep[2]}]`;
      rest = rest.slice(rep[0].length);
    } else if (opt) {
      // An alternative of a choice reads by its type alone ("choice #3, dense"): its position says nothing.
      index = -1;
      specPath += `.options[${opt[1]}]`;
      rest = rest.slice(opt[0].length);
    } else break;
  }
  // Whatever follows is a field of the last element (possibly nested: `repeat` of a block, `units` of a layer).
  const key = rest.replace(/^\./, '');
  return `${parts.join(', ')}: ${TAIL_WORDS[key] ?? key}`;
}

/** Element types by spec path, from the trials a run has started (each concrete layer names its source). */
export function typesFromTrials(state: RunState): TypeAt {
  const types = new Map<string, string>();
  for (const t of state.trials.values()) {
    const arch = t.config.arch;
    if (arch.kind !== 'sequential') continue;
    for (const l of arch.layers) if (l.source) types.set(l.source, l.type);
  }
  return (p) => types.get(p);
}
