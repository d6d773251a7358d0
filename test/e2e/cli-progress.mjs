#!/usr/bin/env node
// The CLI's live progress line as a user sees it in a terminal: `nas-studio run` inside a tmux pane (a real
// TTY), the pane captured while a trial trains, checked for "trials n/N", the running trial's epoch and an ETA,
// and drawn into a PNG (the captured text with its colours, rendered by Chromium).
//
//   node test/e2e/cli-progress.mjs                 # check, screenshot to test-artifacts/e2e/cli-progress.png
//   node test/e2e/cli-progress.mjs --update-docs   # also write docs/screenshots/cli-progress.png
//
// Needs tmux and Chromium (scripts/setup-e2e.sh installs Chromium); builds dist/cli.js first when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './lib/codeServer.mjs';
import { launchBrowser } from './lib/workbench.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const updateDocs = process.argv.includes('--update-docs');
const artifacts = process.env.E2E_ARTIFACTS || path.join(root, 'test-artifacts', 'e2e');
const COLUMNS = 120;
const ROWS = 12;

function tmux(...args) {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.log('cli-progress skipped: tmux is not installed');
  process.exit(process.env.CI ? 1 : 0);
}
const chromium = findChromium();
if (!chromium) {
  console.log('cli-progress skipped: no Chromium (run scripts/setup-e2e.sh)');
  process.exit(process.env.CI ? 1 : 0);
}
if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-studio-cli-progress-'));
// Long enough trials that the pane is caught mid-trial: more samples and epochs than the quick example.
const spec = JSON.parse(
  fs
    .readFileSync(path.join(root, 'examples', 'synthetic-shapes.nas.json'), 'utf8')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/"\$schema":[^,]*,/, ''),
);
spec.dataset.samples = 3000;
spec.training = { ...spec.training, epochs: 6 };
spec.search = { ...spec.search, parallel: 1, budget: { trials: 8 } };
const specFile = path.join(work, 'shapes.nas.json');
fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));

const session = `nas-cli-progress-${process.pid}`;
let failed = false;
try {
  // A plain shell with a short prompt, and `nas-studio` as a user who installed it types it.
  tmux('new-session', '-d', '-s', session, '-x', String(COLUMNS), '-y', String(ROWS), '-c', work, "env PS1='$ ' bash --norc --noprofile");
  tmux('send-keys', '-t', session, `nas-studio() { node ${JSON.stringify(path.join(root, 'dist', 'cli.js'))} "$@"; }; clear`, 'Enter');
  await new Promise((r) => setTimeout(r, 500));
  tmux('send-keys', '-t', session, 'nas-studio run shapes.nas.json', 'Enter');
  // Wait for a live line after the first trial, with one in its second epoch or later: best and ETA are known.
  const want = /trials [1-7]\/8 \| #\d+ epoch [2-6]\/6 .*\| ETA \d/;
  const deadline = Date.now() + 180_000;
  let pane = '';
  for (;;) {
    pane = tmux('capture-pane', '-p', '-t', session);
    if (want.test(pane)) break;
    if (Date.now() > deadline) throw new Error(`no live progress line within 180 s; the pane shows:\n${pane}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const colored = tmux('capture-pane', '-p', '-e', '-t', session);
  const line = pane.split('\n').find((l) => want.test(l));
  console.log(`live line: ${line.trim()}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const png = path.join(artifacts, 'cli-progress.png');
  await screenshot(colored, png);
  console.log(`screenshot: ${path.relative(root, png)}`);
  if (updateDocs) {
    const doc = path.join(root, 'docs', 'screenshots', 'cli-progress.png');
    fs.copyFileSync(png, doc);
    console.log(`updated ${path.relative(root, doc)}`);
  }
} catch (e) {
  failed = true;
  console.error(`FAIL cli-progress: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  // Ctrl+C stops the search (it exits as "stopped"), then the session goes.
  spawnSync('tmux', ['send-keys', '-t', session, 'C-c']);
  await new Promise((r) => setTimeout(r, 1500));
  spawnSync('tmux', ['kill-session', '-t', session]);
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** Renders tmux's `capture-pane -e` text (SGR colour escapes) as a terminal-looking page and screenshots it. */
async function screenshot(ansi, file) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-studio-cli-shot-'));
  const context = await launchBrowser({ executablePath: chromium, profileDir: profile, automation: { log() {}, exit() {} } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#1e1e1e">
<pre id="t" style="margin:0;padding:12px 14px;display:inline-block;color:#d4d4d4;background:#1e1e1e;font:14px/1.35 'DejaVu Sans Mono',monospace">${toHtml(ansi)}</pre></body></html>`);
    await page.locator('#t').screenshot({ path: file });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const PALETTE = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5'];
const BRIGHT = ['#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];

// Terminal colour escapes start with ESC (0x1b): matching them is the point of these expressions.
/* eslint-disable no-control-regex */
function toHtml(ansi) {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  let out = '';
  let style = {};
  let open = false;
  for (const part of ansi.replace(/\s+$/, '').split(/(\x1b\[[0-9;]*m)/)) {
    const m = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (!m) {
      out += esc(part);
      continue;
    }
    const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) style = {};
      else if (c === 1) style.weight = 'bold';
      else if (c === 2) style.opacity = '0.7';
      else if (c === 22) delete style.weight;
      else if (c >= 30 && c <= 37) style.color = PALETTE[c - 30];
      else if (c >= 90 && c <= 97) style.color = BRIGHT[c - 90];
      else if (c === 39) delete style.color;
      else if (c === 38 && codes[i + 1] === 5) {
        const n = codes[i + 2];
        style.color = n < 8 ? PALETTE[n] : n < 16 ? BRIGHT[n - 8] : undefined;
        i += 2;
      }
    }
    if (open) out += '</span>';
    const css = [style.color && `color:${style.color}`, style.weight && `font-weight:${style.weight}`, style.opacity && `opacity:${style.opacity}`]
      .filter(Boolean)
      .join(';');
    out += `<span style="${css}">`;
    open = true;
  }
  return out + (open ? '</span>' : '');
}
/* eslint-enable no-control-regex */
