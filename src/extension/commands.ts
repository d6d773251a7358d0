// The commands. Each takes what the place it was run from gives (a spec's URI from the editor title, the
// explorer or a CodeLens; a run folder from the explorer, the status bar or the panel) and otherwise asks.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDiagnostic, formatSummary } from '../cli/format';
import { formatValue } from '../shared/format';
import { runsRootFor } from './cli';
import { getConfig } from './config';
import { COMMANDS } from './ids';
import type { SpecDiagnostics } from './diagnostics';
import { isRunDir, latestRunOf, runDirs } from './runFolder';
import { showRunProgress } from './runProgress';
import { isSpec, type SpecAnalyses } from './specs';
import { samePath, type RunSupervisor } from './supervisor';
import { newSearchSpace } from './templates';
import { ensureTrusted } from './trust';

export { COMMANDS };

export interface CommandDeps {
  context: vscode.ExtensionContext;
  supervisor: RunSupervisor;
  analyses: SpecAnalyses;
  diagnostics: SpecDiagnostics;
  log: vscode.LogOutputChannel;
  openResults(runDir: string): void;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const guarded = (name: string, fn: (...args: unknown[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(name, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        d.log.error(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        void vscode.window.showErrorMessage(`NAS Studio: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    });
  return [
    guarded(COMMANDS.run, (arg) => runSearch(d, arg)),
    guarded(COMMANDS.stop, async (arg) => {
      const dir = await runDirArg(d, arg, 'live', 'Stop which search?');
      if (dir) await d.supervisor.stop(dir);
    }),
    guarded(COMMANDS.resume, async (arg) => {
      if (!(await ensureTrusted('Resuming a search'))) return;
      const dir = await runDirArg(d, arg, 'resumable', 'Resume which search?');
      if (!dir) return;
      await d.supervisor.resume(dir);
      const r = d.supervisor.record(dir);
      if (r.live) {
        showRunProgress(d.supervisor, r);
        d.openResults(dir);
      }
    }),
    guarded(COMMANDS.open, async (arg) => {
      const dir = await runDirArg(d, arg, 'any', 'Open the results of which run?');
      if (dir) d.openResults(dir);
    }),
    guarded(COMMANDS.exportBest, async (arg) => {
      const dir = await runDirArg(d, arg, 'any', 'Export the best model of which run?');
      if (dir) await d.supervisor.exportTrial(dir, 'best');
    }),
    guarded(COMMANDS.check, (arg) => checkSearchSpace(d, arg)),
    guarded(COMMANDS.newSpec, (arg) => newSearchSpace(d.context.extensionUri, arg instanceof vscode.Uri ? arg : undefined)),
  ];
}

async function runSearch(d: CommandDeps, arg: unknown): Promise<string | undefined> {
  if (!(await ensureTrusted('Running a search'))) return undefined;
  const uri = await specArg(arg);
  if (!uri) return undefined;
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('NAS Studio: save the spec as a .nas.json file on disk first: a search runs from the file.');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  // The search reads the file, not the editor: what the user sees is what must run.
  if (doc.isDirty && !(await doc.save())) return undefined;
  const errors = d.diagnostics.refresh(doc).filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
  if (errors.length) {
    const pick = await vscode.window.showErrorMessage(
      `NAS Studio: ${path.basename(uri.fsPath)} has ${errors.length} error${errors.length > 1 ? 's' : ''}; the search was not started.`,
      'Show Problems',
    );
    if (pick) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return undefined;
  }
  const running = d.supervisor.liveRunOf(uri.fsPath);
  if (running) {
    const pick = await vscode.window.showWarningMessage(
      `NAS Studio: a search of ${path.basename(uri.fsPath)} is already running. Start another one beside it?`,
      'Start Another',
      'Open Results',
    );
    if (pick === 'Open Results') d.openResults(running.runDir);
    if (pick !== 'Start Another') return undefined;
  }
  const runDir = await d.supervisor.start(uri.fsPath);
  if (!runDir) return undefined; // the supervisor told the user why
  showRunProgress(d.supervisor, d.supervisor.record(runDir));
  d.openResults(runDir);
  return runDir;
}

/** What Check Search Space showed: the notification's text and the report's lines (returned for the tests). */
export interface CheckReport {
  message: string;
  lines: string[];
}

async function checkSearchSpace(d: CommandDeps, arg: unknown): Promise<CheckReport | undefined> {
  const uri = await specArg(arg);
  if (!uri) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  const result = d.analyses.get(doc);
  d.diagnostics.refresh(doc);
  if (!result) throw new Error('the checker failed; see the log');
  const name = vscode.workspace.asRelativePath(uri);
  const errors = result.diagnostics.filter((x) => x.severity === 'error').length;
  const warnings = result.diagnostics.filter((x) => x.severity === 'warning').length;
  // The report reads like `nas-studio check`, so a finding is the same line in the terminal and here.
  const lines = [`check ${name}`];
  d.log.info(lines[0]);
  for (const x of result.diagnostics) {
    lines.push(formatDiagnostic(name, x));
    d.log[x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warn' : 'info'](lines.at(-1)!);
  }
  const counts = errors || warnings ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : 'ok';
  const summary = result.summary ? formatSummary(result.summary) : undefined;
  lines.push(`${name}: ${counts}${summary ? `; ${summary}` : ''}`);
  d.log.info(lines.at(-1)!);
  const message = `NAS Studio: ${path.basename(uri.fsPath)}: ${counts}${summary ? `. ${summary}.` : ''}`;
  const show = errors ? vscode.window.showErrorMessage : warnings ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message, ...(errors || warnings ? ['Show Problems'] : []), 'Show Report').then((pick) => {
    if (pick === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    else if (pick === 'Show Report') d.log.show(true);
  });
  return { message, lines };
}

/** The spec a command is about: the one it was run on, else the active one, else one the user picks. */
async function specArg(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && isSpec(active)) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.nas.json', '**/{node_modules,.nas-studio}/**', 200);
  if (files.length === 0) {
    const pick = await vscode.window.showInformationMessage('NAS Studio: there is no .nas.json search space in this workspace.', 'New Search Space');
    if (pick) await vscode.commands.executeCommand(COMMANDS.newSpec);
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(
    files.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(path.dirname(u.fsPath)), uri: u })),
    { placeHolder: 'Which search space?' },
  );
  return pick?.uri;
}

type Want = 'live' | 'resumable' | 'any';

/** The run a command is about: a run folder or a spec (its newest run) it was run on, else one the user picks. */
async function runDirArg(d: CommandDeps, arg: unknown, want: Want, title: string): Promise<string | undefined> {
  if (typeof arg === 'string' && arg) return arg;
  if (arg instanceof vscode.Uri && arg.scheme === 'file') {
    if (isRunDir(arg.fsPath)) return arg.fsPath;
    if (/\.nas\.json$/i.test(arg.fsPath)) {
      const live = d.supervisor.liveRunOf(arg.fsPath);
      if (live) return live.runDir;
      const latest = latestRunOf(
        runsRootFor(arg.fsPath, getConfig(arg).resultsFolder, vscode.workspace.getWorkspaceFolder(arg)?.uri.fsPath),
        arg.fsPath,
        samePath,
      );
      if (latest) return latest;
      void vscode.window.showInformationMessage(`NAS Studio: ${path.basename(arg.fsPath)} has not been run yet.`);
      return undefined;
    }
  }
  const live = d.supervisor.liveRuns();
  if (want === 'live') {
    if (live.length === 1) return live[0].runDir;
    if (live.length === 0) {
      void vscode.window.showInformationMessage('NAS Studio: no search is running.');
      return undefined;
    }
  }
  const dirs = want === 'live' ? live.map((r) => r.runDir) : await allRunDirs();
  const records = dirs.map((dir) => d.supervisor.record(dir)).filter((r) => want !== 'resumable' || r.canResume);
  if (records.length === 0) {
    void vscode.window.showInformationMessage(
      want === 'resumable' ? 'NAS Studio: there is no stopped or crashed search to resume.' : 'NAS Studio: no search has been run in this workspace yet.',
    );
    return undefined;
  }
  // One candidate needs no question.
  if (records.length === 1) return records[0].runDir;
  const pick = await vscode.window.showQuickPick(
    records.map((r) => {
      const p = r.tracker.progress();
      return {
        label: r.name,
        description: `${r.status} · ${p.done}/${p.total} trials${p.best ? ` · best ${formatValue(p.best.value)}` : ''}`,
        detail: vscode.workspace.asRelativePath(r.runDir),
        dir: r.runDir,
      };
    }),
    { title: `NAS Studio: ${title}`, placeHolder: 'Type to filter by name or folder', matchOnDetail: true },
  );
  return pick?.dir;
}

/** Run folders of the workspace, newest first. */
async function allRunDirs(): Promise<string[]> {
  const found = await vscode.workspace.findFiles('**/.nas-studio/runs/*/run.json', '**/node_modules/**', 500);
  const dirs = new Set(found.map((u) => path.dirname(u.fsPath)));
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const custom = getConfig(folder.uri).resultsFolder;
    if (custom) for (const dir of runDirs(path.resolve(folder.uri.fsPath, custom))) dirs.add(dir);
  }
  return [...dirs].sort((a, b) => path.basename(b).localeCompare(path.basename(a)));
}
