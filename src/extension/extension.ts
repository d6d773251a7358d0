// Wiring. Activation only creates objects and registers providers: checking specs, scanning for runs to
// re-attach and everything else that costs time happens after `activate` has returned.
import * as vscode from 'vscode';
import { ResultsPanel } from './panel';
import * as path from 'node:path';
import { SpecCodeLenses } from './codelens';
import { SpecCompletions } from './completionProvider';
import { registerCommands } from './commands';
import { affectsConfig } from './config';
import { CONTEXT_KEYS } from './ids';
import { SpecDiagnostics } from './diagnostics';
import { SpecFormatter } from './formatter';
import { ParamHoverProvider } from './hover';
import { SpecOutline } from './outline';
import { SpecQuickFixes } from './quickfix';
import { MachineSpeed } from './speed';
import { SELECTOR, SpecAnalyses } from './specs';
import { RunStatusBar } from './statusbar';
import { RunSupervisor, specOf } from './supervisor';

/** What the extension hands to other extensions and to its own tests. */
export interface NasStudioApi {
  readonly supervisor: RunSupervisor;
  readonly diagnostics: SpecDiagnostics;
}

export function activate(context: vscode.ExtensionContext): NasStudioApi | undefined {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('NAS Studio', { log: true });
  context.subscriptions.push(log);
  try {
    const analyses = new SpecAnalyses(log);
    const diagnostics = new SpecDiagnostics(analyses);
    const speed = new MachineSpeed(context.globalState);
    const openResults = (runDir: string) => void ResultsPanel.show(context, runDir, supervisor);
    const supervisor = new RunSupervisor(context, log, speed, { openResults });
    const lenses = new SpecCodeLenses(analyses, supervisor, speed, [
      diagnostics.onDidUpdate,
      supervisor.onDidChangeRuns,
      speed.onDidChange,
      vscode.workspace.onDidGrantWorkspaceTrust,
      vscode.workspace.onDidChangeConfiguration,
    ]);
    context.subscriptions.push(
      analyses,
      diagnostics,
      speed,
      supervisor,
      lenses,
      new RunStatusBar(supervisor),
      vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
      vscode.languages.registerHoverProvider(SELECTOR, new ParamHoverProvider(analyses)),
      vscode.languages.registerCompletionItemProvider(
        SELECTOR,
        new SpecCompletions(path.join(context.extensionPath, 'snippets', 'nas-json.code-snippets'), log),
        ...SpecCompletions.triggerCharacters,
      ),
      vscode.languages.registerDocumentSymbolProvider(SELECTOR, new SpecOutline(), { label: 'NAS spec' }),
      vscode.languages.registerDocumentFormattingEditProvider(SELECTOR, new SpecFormatter()),
      vscode.languages.registerDocumentRangeFormattingEditProvider(SELECTOR, new SpecFormatter()),
      vscode.languages.registerCodeActionsProvider(SELECTOR, new SpecQuickFixes(analyses), SpecQuickFixes.metadata),
      ResultsPanel.registerSerializer(context, supervisor),
      ...registerCommands({ context, supervisor, analyses, diagnostics, log, openResults }),
      supervisor.onDidChangeRuns(() => updateContextKeys(supervisor)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsConfig(e)) log.info('settings changed; they apply to the next search');
      }),
    );
    // Runs that outlived a window reload, or were started in another window, are followed again.
    setTimeout(() => {
      supervisor.reattach().then(
        () => updateContextKeys(supervisor),
        (e: unknown) => log.error(`looking for running searches failed: ${errorText(e)}`),
      );
    }, 0);
    log.info(`NAS Studio activated in ${Date.now() - started} ms`);
    return { supervisor, diagnostics };
  } catch (e) {
    // A failure here would otherwise only appear in the extension host log, which users never see.
    log.error(`activation failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void vscode.window.showErrorMessage(`NAS Studio failed to start: ${errorText(e)}`, 'Show Log').then((pick) => pick && log.show());
    return undefined;
  }
}

export function deactivate(): void {
  // Searches are separate processes and keep running; the next window re-attaches to them.
}

/** Context keys for menus: which runs and which specs have a live search (Stop instead of Run). */
function updateContextKeys(supervisor: RunSupervisor) {
  const live = supervisor.liveRuns();
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasLiveRun, live.length > 0);
  void vscode.commands.executeCommand(
    'setContext',
    CONTEXT_KEYS.liveRuns,
    live.map((r) => r.runDir),
  );
  void vscode.commands.executeCommand(
    'setContext',
    CONTEXT_KEYS.runningSpecs,
    live.map(specOf).filter((s): s is string => !!s),
  );
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
