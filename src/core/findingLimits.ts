// Bounds on what one check reports. A hostile or machine-written spec can make thousands of findings (10,000
// duplicate choice values, a list of 10,000 bad layers): a Problems panel of 10,000 rows hides the finding that
// matters and the editor spends seconds drawing it. The same mistake at many analogous places becomes one
// finding with a count, and past MAX_FINDINGS the rest is summed up in a last one.
import type { Diagnostic } from '../shared/diagnostic';
import { formatInt } from '../shared/format';

/** A mistake at more analogous places than this (items of a list, its copies in every layer) is one finding. */
export const MAX_SAME = 10;
/** Of a repeated mistake, this many more places are listed as notes. */
export const LISTED_SAME = 5;
/** Findings shown at most; the last one then says how many more there are. */
export const MAX_FINDINGS = 200;

/** The place with list indices left out: `layers[3].units` and `layers[7].units` are analogous. */
export function analogous(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

/** Findings of one severity and code at more than MAX_SAME analogous places become the first one, counted. */
export function collapseRepeats(diags: Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, Diagnostic[]>();
  const keys = diags.map((d) => {
    const key = `${d.severity}|${d.code}|${analogous(d.path)}`;
    const g = groups.get(key);
    if (g) g.push(d);
    else groups.set(key, [d]);
    return key;
  });
  const out: Diagnostic[] = [];
  diags.forEach((d, i) => {
    const g = groups.get(keys[i])!;
    if (g.length <= MAX_SAME) out.push(d);
    else if (g[0] === d) out.push(counted(d, g.slice(1), g.length - 1));
  });
  return out;
}

/** `first`, saying how many more places (`more`) make the same mistake, with the first of them (`listed`) as notes. */
export function counted(first: Diagnostic, listed: readonly Pick<Diagnostic, 'message' | 'path' | 'range'>[], more: number): Diagnostic {
  return {
    ...first,
    message: `${first.message} (and ${formatInt(more)} more like it)`,
    related: [...(first.related ?? []), ...listed.slice(0, LISTED_SAME).map((o) => ({ message: `also: ${o.message}`, path: o.path, range: o.range }))],
  };
}

/** Sorted findings, at most MAX_FINDINGS: the last one then stands for the rest, at the first of them. */
export function capFindings(sorted: Diagnostic[]): Diagnostic[] {
  if (sorted.length <= MAX_FINDINGS) return sorted;
  const rest = sorted.slice(MAX_FINDINGS - 1);
  const errors = rest.filter((d) => d.severity === 'error').length;
  const first = rest[0];
  return [
    ...sorted.slice(0, MAX_FINDINGS - 1),
    {
      severity: errors ? 'error' : first.severity,
      code: first.code,
      path: first.path,
      range: first.range,
      message: `${formatInt(rest.length)} more findings from here on (${formatInt(errors)} of them errors) are not listed: fix the ones above first. The first: ${first.message}`,
    },
  ];
}
