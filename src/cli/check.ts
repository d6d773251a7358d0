// `nas-studio check FILE...`: findings in the compiler format, a size summary per file; exit 0 without errors.
import * as path from 'node:path';
import { EXIT, type CheckedFile, type CheckReport } from '../shared/cli';
import { plural } from '../shared/format';
import { checkText } from '../core/check';
import { readTextFile } from './files';
import { diagnosticJson, formatDiagnostic, formatSummary, summaryJson } from './format';
import { CliFailure, type Io } from './report';

export interface CheckCliOptions {
  json: boolean;
}

export function checkCommand(files: string[], opts: CheckCliOptions, io: Pick<Io, 'out' | 'err'>): number {
  const report: CheckReport = { files: [], errors: 0, warnings: 0 };
  for (const file of files) {
    let text: string;
    try {
      text = readTextFile(file);
    } catch (err) {
      if (!(err instanceof CliFailure)) throw err;
      report.errors++;
      const message = err.message;
      if (opts.json)
        report.files.push({ file, diagnostics: [{ severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1, message, code: 'io', path: '' }] });
      else io.err(`nas-studio: ${message}`);
      continue;
    }
    const r = checkText(text, { file: path.resolve(file) });
    const fileErrors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const fileWarnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
    report.errors += fileErrors;
    report.warnings += fileWarnings;
    if (opts.json) {
      const entry: CheckedFile = { file, diagnostics: r.diagnostics.map(diagnosticJson) };
      if (r.summary) entry.summary = summaryJson(r.summary);
      report.files.push(entry);
      continue;
    }
    for (const d of r.diagnostics) io.out(formatDiagnostic(file, d));
    const counts = fileErrors || fileWarnings ? `${plural(fileErrors, 'error')}, ${plural(fileWarnings, 'warning')}` : 'ok';
    io.out(`${file}: ${counts}${r.summary ? `; ${formatSummary(r.summary)}` : ''}`);
  }
  if (opts.json) io.out(JSON.stringify(report, null, 2));
  return report.errors > 0 ? EXIT.failed : EXIT.ok;
}
