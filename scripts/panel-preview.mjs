#!/usr/bin/env node
// Renders the results panel outside VS Code: serves dist/webview.js under the panel's real HTML and CSP (from
// src/extension/panel/html.ts), fakes acquireVsCodeApi to answer `ready` with a journal's events, sets the
// theme variables VS Code would, and takes a screenshot in headless Chromium. For looking at the panel while
// working on it, and as a smoke check: it reports CSP violations, page errors and the messages posted.
//
//   npm run build
//   node scripts/panel-preview.mjs --journal RUN/journal.jsonl --theme dark --out test-artifacts/panel-dark.png
//   node scripts/panel-preview.mjs --synthetic 5000 --theme light      (a generated 5,000-trial run)
//   options: --status running|finished|stopped|crashed  --live N (stream the last N events after init)
//            --xmode trial|time (the objective chart's x axis, as if saved by an earlier session)
//            --select TRIAL  --tab progress|params|log  --click TESTID[,TESTID...]  --width 1280 --height 1500  --check (exit 1 on problems)
//            --smoke (click through sorting, keyboard, selection and actions, switch theme live; report)
//            --serve (keep serving; print the URL for a real browser)
// Needs playwright-core (devDependency) and a Chromium: /usr/bin/chromium (apt-get install chromium) or
// CHROMIUM=/path/to/chrome.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = parse(process.argv.slice(2));
const theme = args.theme ?? 'dark';
const out = path.resolve(args.out ?? path.join(root, 'test-artifacts', `panel-${theme}.png`));

const { renderPanelHtml, createNonce } = await tsImport('../src/extension/panel/html.ts', import.meta.url);
const { synthesize } = await import('./panel-synthetic.mjs');

let events;
if (args.synthetic) events = synthesize(Number(args.synthetic));
else if (args.journal) {
  const file = fs.statSync(args.journal).isDirectory() ? path.join(args.journal, 'journal.jsonl') : args.journal;
  events = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
} else {
  console.error('usage: panel-preview.mjs (--journal FILE | --synthetic N) [--theme dark|light|hc] [--out PNG]');
  process.exit(2);
}
const live = Number(args.live ?? 0);
const status = args.status ?? (live ? 'running' : events.some((e) => e.type === 'run-finished') ? 'finished' : 'stopped');
const init = {
  runDir: args.journal ? path.dirname(path.resolve(args.journal)) : '/tmp/synthetic-run',
  status,
  canResume: status === 'stopped' || status === 'crashed',
  events: live ? events.slice(0, -live) : events,
};
const streamed = live ? events.slice(-live) : [];

const THEMES = {
  dark: {
    body: 'vscode-dark',
    vars: {
      foreground: '#cccccc',
      'editor-background': '#1e1e1e',
      'editor-foreground': '#d4d4d4',
      descriptionForeground: '#ccccccb3',
      errorForeground: '#f48771',
      'font-family': 'system-ui, -apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'Menlo, Monaco, "Courier New", monospace',
      'editor-font-size': '12px',
      'charts-foreground': '#cccccc',
      'charts-lines': '#cccccc80',
      'charts-red': '#f14c4c',
      'charts-blue': '#3794ff',
      'charts-yellow': '#cca700',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'panel-border': '#80808059',
      'panel-background': '#1e1e1e',
      'widget-border': '#303031',
      'progressBar-background': '#0e70c0',
      focusBorder: '#007fd4',
      'list-hoverBackground': '#2a2d2e',
      'list-activeSelectionBackground': '#04395e',
      'list-activeSelectionForeground': '#ffffff',
      'list-inactiveSelectionBackground': '#37373d',
      'editorWidget-background': '#252526',
      'textLink-foreground': '#3794ff',
      'textLink-activeForeground': '#3794ff',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'editorWarning-foreground': '#cca700',
      'editor-selectionBackground': '#264f78',
      'button-background': '#0e639c',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#1177bb',
      'button-secondaryBackground': '#3a3d41',
      'button-secondaryForeground': '#ffffff',
      'button-secondaryHoverBackground': '#45494e',
      'badge-background': '#4d4d4d',
      'badge-foreground': '#ffffff',
      'dropdown-background': '#3c3c3c',
      'dropdown-border': '#3c3c3c',
      'dropdown-foreground': '#f0f0f0',
      'settings-dropdownListBorder': '#454545',
      'panelTitle-activeBorder': '#e7e7e7',
      'panelTitle-activeForeground': '#e7e7e7',
      'panelTitle-inactiveForeground': '#e7e7e799',
      'input-background': '#3c3c3c',
      'input-foreground': '#cccccc',
      'scrollbarSlider-background': '#79797966',
      'scrollbarSlider-hoverBackground': '#646464b3',
      'scrollbarSlider-activeBackground': '#bfbfbf66',
    },
  },
  light: {
    body: 'vscode-light',
    vars: {
      foreground: '#616161',
      'editor-background': '#ffffff',
      'editor-foreground': '#000000',
      descriptionForeground: '#717171',
      errorForeground: '#a1260d',
      'font-family': 'system-ui, -apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'Menlo, Monaco, "Courier New", monospace',
      'editor-font-size': '12px',
      'charts-foreground': '#616161',
      'charts-lines': '#61616180',
      'charts-red': '#e51400',
      'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803',
      'charts-orange': '#d18616',
      'charts-green': '#388a34',
      'charts-purple': '#652d90',
      'panel-border': '#80808059',
      'panel-background': '#ffffff',
      'widget-border': '#c8c8c8',
      'progressBar-background': '#0e70c0',
      focusBorder: '#0090f1',
      'list-hoverBackground': '#e8e8e8',
      'list-activeSelectionBackground': '#0060c0',
      'list-activeSelectionForeground': '#ffffff',
      'list-inactiveSelectionBackground': '#e4e6f1',
      'editorWidget-background': '#f3f3f3',
      'textLink-foreground': '#006ab1',
      'textLink-activeForeground': '#006ab1',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'editorWarning-foreground': '#bf8803',
      'editor-selectionBackground': '#add6ff',
      'button-background': '#007acc',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#0062a3',
      'button-secondaryBackground': '#5f6a79',
      'button-secondaryForeground': '#ffffff',
      'button-secondaryHoverBackground': '#4c5561',
      'badge-background': '#c4c4c4',
      'badge-foreground': '#333333',
      'dropdown-background': '#ffffff',
      'dropdown-border': '#cecece',
      'dropdown-foreground': '#616161',
      'settings-dropdownListBorder': '#c8c8c8',
      'panelTitle-activeBorder': '#424242',
      'panelTitle-activeForeground': '#424242',
      'panelTitle-inactiveForeground': '#424242bf',
      'input-background': '#ffffff',
      'input-foreground': '#616161',
      'scrollbarSlider-background': '#64646466',
      'scrollbarSlider-hoverBackground': '#646464b3',
      'scrollbarSlider-activeBackground': '#00000099',
    },
  },
  hc: {
    body: 'vscode-high-contrast',
    vars: {
      foreground: '#ffffff',
      'editor-background': '#000000',
      'editor-foreground': '#ffffff',
      descriptionForeground: '#ffffffb3',
      errorForeground: '#f48771',
      'font-family': 'system-ui, sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'monospace',
      'editor-font-size': '12px',
      'charts-foreground': '#ffffff',
      'charts-lines': '#ffffff80',
      'charts-red': '#f14c4c',
      'charts-blue': '#3794ff',
      'charts-yellow': '#ffd700',
      'charts-orange': '#ff9d00',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'panel-border': '#6fc3df',
      contrastBorder: '#6fc3df',
      contrastActiveBorder: '#f38518',
      'progressBar-background': '#6fc3df',
      focusBorder: '#f38518',
      'list-hoverBackground': '#000000',
      'list-activeSelectionBackground': '#000000',
      'list-inactiveSelectionBackground': '#000000',
      'editorWidget-background': '#0c141f',
      'textLink-foreground': '#21a6ff',
      'button-background': '#000000',
      'button-foreground': '#ffffff',
      'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff',
      'badge-background': '#000000',
      'badge-foreground': '#ffffff',
      'dropdown-background': '#000000',
      'dropdown-border': '#6fc3df',
      'dropdown-foreground': '#ffffff',
      'panelTitle-activeBorder': '#6fc3df',
      'panelTitle-activeForeground': '#ffffff',
      'panelTitle-inactiveForeground': '#ffffff',
    },
  },
};

const t = THEMES[theme];
if (!t) throw new Error(`unknown theme ${theme}`);
const nonce = createNonce();

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/' || url.pathname === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page());
    return;
  }
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file = path.join(root, 'dist', path.basename(url.pathname));
  if (!url.pathname.startsWith('/dist/') || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
  res.writeHead(200, { 'content-type': type });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

function page() {
  let html = renderPanelHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/webview.js`,
    styleUri: `${origin}/dist/webview.css`,
    title: 'NAS preview',
  });
  const vars = Object.entries(t.vars)
    .map(([k, v]) => `--vscode-${k}: ${v};`)
    .join(' ');
  // What VS Code does to every webview: theme variables on <html>, the theme class on <body>, and the API.
  const fake = `
window.__posted = []; window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
document.documentElement.style.cssText = ${JSON.stringify(vars)};
document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(t.body)}));
const __init = ${JSON.stringify(init)};
const __streamed = ${JSON.stringify(streamed)};
let __state = ${JSON.stringify(args.xmode ? { runDir: init.runDir, xMode: args.xmode } : undefined) ?? 'undefined'};
window.acquireVsCodeApi = () => ({
  postMessage(m) {
    window.__posted.push(m);
    if (m.method === 'ready') {
      setTimeout(() => window.postMessage({ method: 'init', params: __init }, '*'), 0);
      let i = 0;
      const tick = setInterval(() => {
        if (i >= __streamed.length) { clearInterval(tick); return; }
        window.postMessage({ method: 'events', params: { events: __streamed.slice(i, i + 5) } }, '*');
        i += 5;
      }, 300);
    }
  },
  getState: () => __state,
  setState: (s) => { __state = s; window.__state = s; },
});`;
  html = html.replace('<script nonce=', `<script nonce="${nonce}">${fake}</script>\n<script nonce=`);
  html = html.replace('<body>', `<body class="${t.body}">`);
  return html;
}

if (args.serve) {
  console.log(`serving ${origin}/ (Ctrl-C to stop)`);
} else {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
  if (!executablePath) throw new Error('no Chromium found: apt-get install chromium, or set CHROMIUM');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const problems = [];
  try {
    const pg = await browser.newPage({ viewport: { width: Number(args.width ?? 1280), height: Number(args.height ?? 1500) }, deviceScaleFactor: 1 });
    pg.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    pg.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await pg.goto(`${origin}/`);
    await pg.waitForSelector('[data-testid=leaderboard-row]', { timeout: 15000 });
    if (args.tab) await pg.click(`[data-testid=tab-${args.tab}]`);
    // --click a,b: click these data-testids in order (e.g. leaderboard-header-state twice to see failures first).
    for (const id of args.click ? String(args.click).split(',') : []) {
      await pg.click(`[data-testid=${id}]`);
      await pg.waitForTimeout(50);
    }
    if (args.select !== undefined) {
      await pg.evaluate((n) => {
        const row = [...document.querySelectorAll('[data-testid=leaderboard-row]')].find((r) => r.dataset.trial === String(n));
        row?.click();
      }, String(args.select));
    }
    await pg.waitForTimeout(live ? 300 * Math.ceil(streamed.length / 5) + 800 : 800);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await pg.screenshot({ path: out, fullPage: true });
    const report = await pg.evaluate(() => ({
      rowsInDom: document.querySelectorAll('[data-testid=leaderboard-row]').length,
      progressText: document.querySelector('[data-testid=progress]')?.innerText,
      rowCount: document.querySelector('[data-testid=leaderboard]')?.getAttribute('data-row-count'),
      status: document.querySelector('[data-testid=run-status]')?.textContent,
      progress:
        document.querySelector('[data-testid=progress]')?.getAttribute('aria-valuenow') +
        '/' +
        document.querySelector('[data-testid=progress]')?.getAttribute('aria-valuemax'),
      posted: window.__posted.map((m) => m.method),
      state: window.__state,
      csp: window.__csp,
    }));
    problems.push(...report.csp.map((c) => `CSP violation: ${c}`));
    if (args.smoke) {
      const smoke = await smokeTest(pg);
      report.smoke = smoke.results;
      problems.push(...smoke.failures);
    }
    console.log(JSON.stringify({ screenshot: path.relative(root, out), ...report, csp: undefined }, null, 1));
  } finally {
    await browser.close();
    server.close();
  }
  for (const p of problems) console.error(p);
  if (args.check && problems.length) process.exit(1);
}

/** Drives the panel like a user would and checks what it shows and posts. Returns failures as text. */
async function smokeTest(pg) {
  const failures = [];
  const results = {};
  const check = (name, ok, detail) => {
    results[name] = ok ? 'ok' : `FAILED ${detail ?? ''}`;
    if (!ok) failures.push(`smoke: ${name} ${detail ?? ''}`);
  };
  const firstTrial = () =>
    pg.evaluate(() => {
      const rows = [...document.querySelectorAll('[data-testid=leaderboard-row]')];
      rows.sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
      return rows[0]?.dataset.trial;
    });
  const rowCount = Number(await pg.getAttribute('[data-testid=leaderboard]', 'data-row-count'));
  const inDom = await pg.locator('[data-testid=leaderboard-row]').count();
  check('virtualised', rowCount < 60 || inDom < 60, `${inDom} rows in the DOM for ${rowCount}`);

  await pg.click('[data-testid=leaderboard-header-trial]');
  await pg.waitForTimeout(100);
  check('sort by trial ascending', (await firstTrial()) === '0', await firstTrial());
  await pg.click('[data-testid=leaderboard-header-trial]');
  await pg.waitForTimeout(100);
  check('sort by trial descending', (await firstTrial()) === String(rowCount - 1), await firstTrial());
  const sortAttr = await pg.getAttribute('[data-testid=leaderboard-header-trial]', 'aria-sort');
  check('aria-sort', sortAttr === 'descending', sortAttr);

  await pg.focus('[data-testid=leaderboard]');
  await pg.keyboard.press('Home');
  await pg.keyboard.press('ArrowDown');
  await pg.waitForTimeout(100);
  const kb = await pg.evaluate(() => {
    const grid = document.querySelector('[data-testid=leaderboard]');
    const active = document.getElementById(grid.getAttribute('aria-activedescendant') ?? '');
    return {
      trial: active?.dataset.trial,
      selected: active?.getAttribute('aria-selected'),
      title: document.querySelector('[data-testid=trial-detail-title]')?.textContent,
    };
  });
  check(
    'keyboard moves the selection',
    kb.trial === String(rowCount - 2) && kb.selected === 'true' && kb.title?.includes(`#${rowCount - 2}`),
    JSON.stringify(kb),
  );
  await pg.keyboard.press('End');
  await pg.waitForTimeout(100);
  const end = await pg.evaluate(() => document.querySelector('[data-testid=trial-detail-title]')?.textContent);
  check('End selects the last row (scrolled into view)', end?.includes('#0'), end);

  await pg.click('[data-testid=leaderboard-header-rank]');
  // Rows are recycled as the list scrolls: bring the top into view before clicking one by its trial.
  await pg.evaluate(() => (document.querySelector('.lb-viewport').scrollTop = 0));
  await pg.waitForTimeout(100);
  const best = await firstTrial();
  await pg.click(`[data-testid=leaderboard-row][data-trial="${best}"]`);
  await pg.waitForTimeout(100);
  const title = await pg.textContent('[data-testid=trial-detail-title]');
  check('a click opens the trial', title.includes(`#${best}`), title);
  check('the diagram is drawn', (await pg.locator('[data-testid=arch-diagram] svg').count()) === 1);

  await pg.click('[data-testid=reveal-button]');
  if (!(await pg.getAttribute('[data-testid=export-button]', 'disabled'))) await pg.click('[data-testid=export-button]');
  const status = await pg.getAttribute('[data-testid=run-status]', 'data-status');
  if (status === 'running') await pg.click('[data-testid=stop-button]');
  const posted = await pg.evaluate(() => window.__posted);
  check(
    'reveal posts the trial',
    posted.some((m) => m.method === 'reveal' && String(m.params.trial) === best),
    JSON.stringify(posted),
  );
  if (status === 'running')
    check(
      'stop posts stop',
      posted.some((m) => m.method === 'stop'),
    );

  // A live theme switch, as VS Code does it: new variables on <html>, a new class on <body>.
  const other = theme === 'light' ? THEMES.dark : THEMES.light;
  await pg.evaluate(
    ({ vars, body }) => {
      document.documentElement.style.cssText = vars;
      document.body.className = body;
    },
    {
      vars: Object.entries(other.vars)
        .map(([k, v]) => `--vscode-${k}: ${v};`)
        .join(' '),
      body: other.body,
    },
  );
  await pg.waitForTimeout(500);
  const switched = out.replace(/\.png$/, '-switched.png');
  await pg.screenshot({ path: switched, fullPage: true });
  results.switchedScreenshot = path.relative(root, switched);
  return { results, failures };
}

function parse(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const k = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) o[k] = true;
    else o[k] = argv[++i];
  }
  return o;
}
