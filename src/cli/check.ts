import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../core/check';
import { diagnosticJson, formatDiagnostic, formatSummary, summaryJson } from './format';

export interface CheckCliOptions {
  json: boolean;
}

/** `nas-studio check FILE...`: exit 0 without errors, 1 with errors. */
export function checkCommand(files: string[], opts: CheckCliOptions, out: (s: string) => void): number {
  let errors = 0;
  let warnings = 0;
  const results: unknown[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      errors++;
      const message = `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`;
      if (opts.json) results.push({ file, diagnostics: [{ severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1, message, code: 'io', path: '' }] });
      else out(`${file}:1:1: error: ${message}`);
      continue;
    }
    const r = checkText(text, { file: path.resolve(file) });
    const fileErrors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const fileWarnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
    errors += fileErrors;
    warnings += fileWarnings;
    if (opts.json) {
      results.push({ file, diagnostics: r.diagnostics.map(diagnosticJson), summary: r.summary ? summaryJson(r.summary) : undefined });
      continue;
    }
    for (const d of r.diagnostics) out(formatDiagnostic(file, d));
    const counts = fileErrors || fileWarnings ? `${plural(fileErrors, 'error')}, ${plural(fileWarnings, 'warning')}` : 'ok';
    out(`${file}: ${counts}${r.summary ? `; ${formatSummary(r.summary)}` : ''}`);
  }
  if (opts.json) out(JSON.stringify({ files: results, errors, warnings }, null, 2));
  return errors > 0 ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
