// The results panel's host side: one webview panel per run folder. It owns no process; it asks the
// RunController for the run's events and forwards the user's actions. The webview keeps no state the host
// cannot rebuild (retainContextWhenHidden is off): whenever it (re)loads it says `ready` and gets a fresh
// snapshot, so hiding the panel, reloading the window and opening a finished run are all the same path.
// The conversation itself is PanelSession (session.ts); this file is the VS Code glue around it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RESULTS_VIEW_TYPE } from '../ids';
import type { RunController } from '../runController';
import { createNonce, renderPanelHtml } from './html';
import { PanelSession } from './session';
import { panelTitle } from './title';

/** How often live events are forwarded: fast enough to feel live, slow enough that the webview never lags. */
const FLUSH_MS = 300;

/** What the webview saves with setState; the serializer gets it back after a window reload. */
interface PanelState {
  runDir?: unknown;
}

export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = RESULTS_VIEW_TYPE;
  private static readonly open = new Map<string, ResultsPanel>();

  /** Opens the panel of `runDir`, or brings it forward if it is already open. */
  static show(context: vscode.ExtensionContext, runDir: string, controller: RunController): ResultsPanel {
    const dir = path.resolve(runDir);
    const existing = ResultsPanel.open.get(key(dir));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ResultsPanel.viewType,
      titleFor(dir),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { ...webviewOptions(context), retainContextWhenHidden: false, enableFindWidget: true },
    );
    const p = new ResultsPanel(panel, context, dir, controller);
    context.subscriptions.push(p);
    return p;
  }

  /** Brings panels back after a window reload, reconnected to their runs through controller.snapshot. */
  static registerSerializer(context: vscode.ExtensionContext, controller: RunController): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ResultsPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const runDir = (state as PanelState | undefined)?.runDir;
        if (typeof runDir !== 'string' || !runDir) {
          // A panel that never got its run (closed before init) has nothing to show.
          panel.dispose();
          return;
        }
        const dir = path.resolve(runDir);
        const existing = ResultsPanel.open.get(key(dir));
        if (existing) {
          panel.dispose();
          existing.panel.reveal();
          return;
        }
        context.subscriptions.push(new ResultsPanel(panel, context, dir, controller));
      },
    });
  }

  /** The open panel of a run folder, if any. */
  static get(runDir: string): ResultsPanel | undefined {
    return ResultsPanel.open.get(key(path.resolve(runDir)));
  }

  static disposeAll(): void {
    for (const p of [...ResultsPanel.open.values()]) p.dispose();
  }

  readonly runDir: string;
  private readonly session: PanelSession;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once when the panel closes (by the user or through dispose()). */
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    runDir: string,
    controller: RunController,
  ) {
    this.runDir = runDir;
    ResultsPanel.open.set(key(runDir), this);
    this.session = new PanelSession(
      runDir,
      controller,
      {
        // A hidden or reloading page drops messages; it is sent everything again on its next `ready`.
        post: (m) => {
          try {
            void panel.webview.postMessage(m).then(undefined, () => undefined);
          } catch {
            // disposed between a batch being armed and the panel closing: nothing left to tell
          }
        },
        onError: (what, e) => void vscode.window.showErrorMessage(`NAS Studio: could not ${what}: ${e instanceof Error ? e.message : String(e)}`),
        onName: (name) => (panel.title = panelTitle(runDir, name)),
      },
      FLUSH_MS,
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.session.handle(m)),
      panel.onDidChangeViewState(() => {
        // Hidden means the page was torn down (no retained context): stop feeding it until it is back.
        if (!panel.visible) this.session.detach();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    // Listening first, then loading: the page's `ready` must find the handler. A revived panel comes back with
    // default options, so they are set again before the page loads.
    panel.webview.options = webviewOptions(context);
    panel.webview.html = html(panel.webview, context, panel.title);
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ResultsPanel.open.get(key(this.runDir)) === this) ResultsPanel.open.delete(key(this.runDir));
    this.session.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  // Only the built assets: the page has no business reading the workspace or the rest of the extension.
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')] };
}

function html(webview: vscode.Webview, context: vscode.ExtensionContext, title: string): string {
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', f)).toString();
  return renderPanelHtml({ cspSource: webview.cspSource, nonce: createNonce(), scriptUri: asset('webview.js'), styleUri: asset('webview.css'), title });
}

function titleFor(dir: string): string {
  return panelTitle(dir);
}

/** Folder identity: Windows and macOS paths are case-insensitive by default. */
function key(dir: string): string {
  return process.platform === 'linux' ? dir : dir.toLowerCase();
}
