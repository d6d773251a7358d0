// The extension's settings, read in one place and typed. Values a user can mistype in settings.json are
// checked here, so the rest of the extension can trust them.
import * as vscode from 'vscode';
import type { BackendRequest } from '../shared/protocol';
import { SECTION, SETTING_DEFAULTS } from './ids';

export { SECTION };

export interface NasStudioConfig {
  /** Workers per search; null leaves it to the spec (`search.parallel`, default one per core). */
  readonly parallel: number | null;
  /** The engine backend to ask for; `auto` lets the engine pick the fastest that loads. */
  readonly backend: BackendRequest;
  /** The Node executable for searches; undefined runs VS Code's own runtime as Node. */
  readonly nodePath: string | undefined;
  /** Where runs go, relative to the workspace folder; undefined means `.nas-studio/runs` beside the spec. */
  readonly resultsFolder: string | undefined;
  /** A Redis URL: searches train on `nas-studio worker` processes through it (`run --queue`); undefined: locally. */
  readonly queue: string | undefined;
}

export function getConfig(scope?: vscode.ConfigurationScope): NasStudioConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const parallel = c.get<unknown>('parallel', SETTING_DEFAULTS.parallel);
  const backend = c.get<unknown>('backend', SETTING_DEFAULTS.backend);
  const nodePath = c.get<unknown>('nodePath', SETTING_DEFAULTS.nodePath);
  const resultsFolder = c.get<unknown>('resultsFolder', SETTING_DEFAULTS.resultsFolder);
  const queue = c.get<unknown>('queue', SETTING_DEFAULTS.queue);
  return {
    parallel: typeof parallel === 'number' && Number.isInteger(parallel) && parallel >= 1 ? parallel : null,
    // The CLI validates the name and says what is allowed; the settings editor offers only valid ones.
    backend: typeof backend === 'string' && backend ? (backend as BackendRequest) : 'auto',
    nodePath: typeof nodePath === 'string' && nodePath.trim() ? nodePath.trim() : undefined,
    resultsFolder: typeof resultsFolder === 'string' && resultsFolder.trim() ? resultsFolder.trim() : undefined,
    // The CLI checks the URL and says what is wrong with it.
    queue: typeof queue === 'string' && queue.trim() ? queue.trim() : undefined,
  };
}

export function affectsConfig(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
