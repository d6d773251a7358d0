// The webview's side of VS Code: typed so only declared messages are posted (shared/panel.ts).
import type { PanelToHost } from '../src/shared/panel';
import type { SortOrder, XMode } from './model';

/** What survives a reload of the webview. The host's serializer reads `runDir`; the rest is view state. */
export interface SavedState {
  runDir: string;
  selected?: number;
  sort?: SortOrder;
  tab?: string;
  xMode?: XMode;
}

export interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}

declare global {
  // Injected by VS Code into every webview; callable once per page load.
  function acquireVsCodeApi(): VsCodeApi;
}

let api: VsCodeApi | undefined;

export function vscode(): VsCodeApi {
  return (api ??= acquireVsCodeApi());
}
