// Every name package.json and the code must agree on: commands, settings and their defaults, context keys for
// `when` clauses, the webview type. Declared once here, without importing vscode, so that a unit test can hold
// package.json to it (test/unit/extension-manifest.test.ts).

/** The settings section: every setting is `nasStudio.<key>`. */
export const SECTION = 'nasStudio';

export const COMMANDS = {
  run: 'nasStudio.runSearch',
  stop: 'nasStudio.stopSearch',
  resume: 'nasStudio.resumeSearch',
  open: 'nasStudio.openResults',
  exportBest: 'nasStudio.exportBestModel',
  check: 'nasStudio.checkSearchSpace',
  newSpec: 'nasStudio.newSearchSpace',
} as const;

/** Each setting's key under SECTION and the default package.json declares for it. */
export const SETTING_DEFAULTS = {
  parallel: null,
  backend: 'auto',
  nodePath: '',
  resultsFolder: '',
  queue: '',
} as const;

/** Context keys the extension sets for menus' `when` clauses. */
export const CONTEXT_KEYS = {
  hasLiveRun: 'nasStudio.hasLiveRun',
  liveRuns: 'nasStudio.liveRuns',
  runningSpecs: 'nasStudio.runningSpecs',
} as const;

export const RESULTS_VIEW_TYPE = 'nasStudio.results';

export const LANGUAGE_ID = 'nas-json';
