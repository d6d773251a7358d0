// How the CLI prints findings: the compiler format (FILE:LINE:COL: severity: message) that VS Code problem
// matchers and most editors read, one-based like every compiler.
import type { Diagnostic } from '../shared/diagnostic';
import type { Summary } from '../core/check';
import { formatInt, formatSi } from '../shared/format';

/** The finding, then its cases as `note` lines at their own places (as gcc and rustc print them). */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const at = (r: Diagnostic['range']) => `${file}:${r.start.line + 1}:${r.start.character + 1}`;
  return [`${at(d.range)}: ${d.severity}: ${d.message}`, ...(d.related ?? []).map((r) => `${at(r.range)}: note: ${r.message}`)].join('\n');
}

export function diagnosticJson(d: Diagnostic) {
  return {
    severity: d.severity,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    message: d.message,
    code: d.code,
    path: d.path,
    ...(d.related
      ? { related: d.related.map((r) => ({ message: r.message, line: r.range.start.line + 1, column: r.range.start.character + 1, path: r.path })) }
      : {}),
  };
}

export function formatSummary(s: Summary): string {
  const parts: string[] = [];
  const cont = s.size.continuous.length;
  parts.push(`${formatInt(s.size.architectures)} architecture${s.size.architectures === 1n ? '' : 's'}`);
  if (s.size.configurations !== s.size.architectures) parts.push(`${formatInt(s.size.configurations)} configurations with training`);
  if (cont) parts.push(`x ${cont} continuous parameter${cont > 1 ? 's' : ''} (${s.size.continuous.join(', ')})`);
  parts.push(`${s.parameters} parameter${s.parameters === 1 ? '' : 's'} to search`);
  if (s.minParams !== undefined) parts.push(`weights ${formatSi(s.minParams)}-${formatSi(s.maxParams!)}`);
  if (s.minFlops !== undefined) parts.push(`${formatSi(s.minFlops)}-${formatSi(s.maxFlops!)} FLOPs/sample`);
  if (s.supernet) {
    const mb = Math.max(1, Math.round(s.supernet.memoryBytes / 1024 ** 2));
    parts.push(`supernet ${formatSi(s.supernet.params)} weights, ${formatSi(s.supernet.flops)} FLOPs/sample, about ${mb} MB to train`);
  }
  const ids = s.vocabulary !== undefined ? ` token ids (vocabulary ${s.vocabulary})` : '';
  if (s.inputShape) parts.push(`input [${s.inputShape.join(', ')}]${ids} -> ${s.outputs === 1 ? '1 output' : `${s.outputs} classes`}`);
  return parts.join(', ');
}

export function summaryJson(s: Summary) {
  return {
    architectures: s.size.architectures.toString(),
    configurations: s.size.configurations.toString(),
    continuous: s.size.continuous,
    parameters: s.parameters,
    inputShape: s.inputShape,
    vocabulary: s.vocabulary,
    outputs: s.outputs,
    samples: s.samples,
    params: s.minParams === undefined ? undefined : [s.minParams, s.maxParams],
    flops: s.minFlops === undefined ? undefined : [s.minFlops, s.maxFlops],
    supernet: s.supernet,
  };
}
