#!/usr/bin/env node
// The real-VS-Code tests: packages the extension, installs it into a fresh code-server (a full VS Code served to
// a browser, installed by scripts/setup-e2e.sh into a cache outside the clone), drives it with headless Chromium
// through playwright-core, and runs the extension-host test bundle inside it. See test/e2e/README.md.
//
//   node test/e2e/run.mjs [--grep TEXT] [--keep] [--update-docs]
//
// Without code-server installed it skips (exit 0) unless CI is set, where it fails. Prints one line per step and
// ends with "N passed, N failed"; exit code 1 when anything failed. Screenshots and logs: test-artifacts/e2e/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, SETTINGS, findChromium, findInstall, installExtension, makeSandbox, startServer } from './lib/codeServer.mjs';
import { killAll, killTree, run } from './lib/procs.mjs';
import { Workbench, folderUrl, launchBrowser } from './lib/workbench.mjs';
import { scenarios } from './scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ART = path.resolve(root, process.env.E2E_ARTIFACTS || 'test-artifacts/e2e');
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const args = process.argv.slice(2);
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : process.env.E2E_GREP;
const keep = args.includes('--keep') || process.env.E2E_KEEP === '1';
// 7 minutes: the darts step (e) adds about a minute and a half to steps a-d.
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 420_000);
const t0 = Date.now();

const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const logLines = [];
function log(msg) {
  const line = `[e2e ${elapsed()}] ${msg}`;
  logLines.push(line);
  console.log(line);
}

/** Not installed: CI must run these tests, a developer's machine may not have the 1.2 GB they need. */
function unavailable(reason) {
  if (CI) {
    console.log(`e2e FAILED: ${reason} (CI is set, so the real-VS-Code tests must run; run scripts/setup-e2e.sh first)`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`e2e skipped: ${reason}; run scripts/setup-e2e.sh to install code-server and Chromium (cache: ${CACHE})`);
  process.exit(0);
}

if (!CI && /^(1|true|yes)$/i.test(process.env.E2E_SKIP ?? '')) {
  console.log('e2e skipped: E2E_SKIP is set');
  process.exit(0);
}

const install = findInstall();
if (!install) unavailable(`code-server is not installed in ${CACHE}`);
const chromiumPath = findChromium();
if (!chromiumPath) unavailable('Chromium is not installed (/usr/bin/chromium)');
try {
  await import('playwright-core');
} catch {
  unavailable('playwright-core is not installed (npm install)');
}

// One run at a time per clone: a second one (another `npm test` in the same checkout) waits for the first.
const LOCK = path.join(root, 'test-artifacts', '.e2e.lock');
fs.mkdirSync(path.dirname(LOCK), { recursive: true });
for (let waited = 0; ; waited += 2000) {
  try {
    fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    break;
  } catch {
    const holder = Number(fs.readFileSync(LOCK, 'utf8')) || 0;
    let alive = false;
    try {
      alive = holder > 0 && process.kill(holder, 0);
    } catch {
      // no such process: a stale lock
    }
    if (!alive) {
      fs.rmSync(LOCK, { force: true });
      continue;
    }
    if (waited === 0) console.log(`e2e: another e2e run (pid ${holder}) is using ${path.relative(root, path.dirname(LOCK))}; waiting for it`);
    if (waited > TOTAL_TIMEOUT_MS) {
      console.log(`e2e FAILED: another e2e run (pid ${holder}) held ${LOCK} for ${waited / 1000} s`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
const releaseLock = () => {
  try {
    if (Number(fs.readFileSync(LOCK, 'utf8')) === process.pid) fs.rmSync(LOCK, { force: true });
  } catch {
    // already gone
  }
};
process.on('exit', releaseLock);

fs.rmSync(ART, { recursive: true, force: true });
fs.mkdirSync(ART, { recursive: true });
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-studio-e2e-'));

const state = { servers: [], contexts: [], results: [] };

async function cleanup() {
  for (const c of state.contexts.splice(0)) await Promise.race([c.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  for (const s of state.servers.splice(0)) await killTree(s.proc);
  await killAll();
  fs.writeFileSync(path.join(ART, 'e2e.log'), logLines.join('\n') + '\n');
  if (!keep) fs.rmSync(tmpRoot, { recursive: true, force: true });
  else log(`kept ${tmpRoot}`);
}

function finish(code) {
  const passed = state.results.filter((r) => r.ok).length;
  const failed = state.results.length - passed;
  console.log(`e2e finished in ${elapsed()}; artifacts in ${path.relative(root, ART)}/`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}

// One deadline for everything: a hung browser or server cannot hold CI.
const watchdog = setTimeout(async () => {
  log(`TIMEOUT: the e2e run took longer than ${TOTAL_TIMEOUT_MS} ms; killing everything`);
  state.results.push({ name: 'whole run finished in time', ok: false });
  await cleanup().catch(() => {});
  finish(1);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    log(`${sig}: cleaning up`);
    await cleanup().catch(() => {});
    process.exit(130);
  });
}

// ------------------------------------------------------------------------------------------------ preparation

/** Builds (when run directly, not from `npm test` which already built) and packages the extension. */
async function packageExtension() {
  // E2E_EXTENSION_PATH: run the scenarios against another extension folder, loaded as a development extension.
  if (process.env.E2E_EXTENSION_PATH) return { devPath: path.resolve(process.env.E2E_EXTENSION_PATH), how: 'E2E_EXTENSION_PATH' };
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (process.env.npm_lifecycle_event !== 'test') {
    const b = await run(npm, ['run', 'build'], { cwd: root, env: process.env, timeoutMs: 120_000 });
    if (b.code !== 0) throw new Error(`npm run build failed:\n${b.out}`);
  }
  if (!fs.existsSync(path.join(root, pkg.main ?? 'dist/extension.js'))) return { missing: `${pkg.main} does not exist (the extension is not built)` };
  const started = Date.now() - 1000;
  let r;
  if (pkg.scripts?.package) {
    r = await run(npm, ['run', 'package'], { cwd: root, env: process.env, timeoutMs: 180_000 });
    if (r.code !== 0)
      return {
        devPath: root,
        how: 'extensionDevelopmentPath, since npm run package failed',
        packageError: new Error(`npm run package failed (${r.code}):\n${r.out.trim().split('\n').slice(-15).join('\n')}`),
      };
    const vsix = fs
      .readdirSync(root)
      .filter((f) => f.endsWith('.vsix'))
      .map((f) => path.join(root, f))
      .filter((f) => fs.statSync(f).mtimeMs >= started)
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (!vsix) throw new Error(`npm run package wrote no new .vsix in ${root}:\n${r.out}`);
    return { vsix, how: 'npm run package' };
  }
  const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
  if (fs.existsSync(vsce)) {
    const vsix = path.join(tmpRoot, `${pkg.name}.vsix`);
    r = await run(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
      cwd: root,
      env: process.env,
      timeoutMs: 180_000,
    });
    if (r.code !== 0) throw new Error(`vsce package failed:\n${r.out}`);
    return { vsix, how: 'vsce package' };
  }
  return { devPath: root, how: 'extensionDevelopmentPath (no package script and no @vscode/vsce)' };
}

/** The workspace the tests open: the examples, a spec with an error, a tiny fast search and a completion target. */
function makeWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(root, 'examples'), path.join(dir, 'examples'), { recursive: true });
  fs.cpSync(path.join(root, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  fs.cpSync(path.join(root, 'test', 'e2e', 'fixtures', 'workspace'), dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------------- steps

async function step(name, fn, { timeoutMs = 60_000, wb } = {}) {
  if (grep && !name.toLowerCase().includes(grep.toLowerCase())) return;
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    state.results.push({ name, ok: true });
    log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } catch (err) {
    state.results.push({ name, ok: false, error: err });
    log(`FAIL ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)\n${indent(err?.stack || String(err))}`);
    const w = typeof wb === 'function' ? wb() : wb;
    if (w) await w.screenshot(path.join(ART, `FAILED-${slug(name)}.png`));
  } finally {
    clearTimeout(timer);
  }
}

const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
const indent = (s) =>
  String(s)
    .split('\n')
    .map((l) => `     ${l}`)
    .join('\n');

/** A code-server with its own sandbox and a browser page on it. `payload` runs extension-host tests. */
async function openVSCode(name, { workspace, vsix, payload }) {
  const sb = makeSandbox(tmpRoot, name, SETTINGS);
  if (vsix) {
    const out = await installExtension(install, sb, vsix);
    log(`${name}: installed ${path.basename(vsix)}: ${out.trim().split('\n').pop()}`);
  }
  const server = await startServer(install, sb, { workspace, logFile: path.join(ART, `code-server-${name}.log`) });
  state.servers.push(server);
  log(`${name}: code-server ${install.version} on ${server.url}`);
  const automation = { logs: [], exit: () => {}, log: () => {} };
  const exited = new Promise((resolve) => {
    automation.exit = (code) => resolve(code);
  });
  automation.log = (type, a) => {
    const text = Array.isArray(a) ? a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') : String(a);
    automation.logs.push(`[${type}] ${text}`);
  };
  const context = await launchBrowser({ executablePath: chromiumPath, profileDir: sb.browserProfile, automation, env: sb.env });
  state.contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const fullPayload = payload ? payload(remote) : undefined;
  await page.goto(folderUrl(server.url, workspace, fullPayload), { timeout: 60_000 });
  const wb = new Workbench(page, { log });
  const close = async () => {
    fs.writeFileSync(path.join(ART, `browser-console-${name}.log`), consoleLog.join('\n') + '\n');
    state.contexts = state.contexts.filter((c) => c !== context);
    state.servers = state.servers.filter((s) => s !== server);
    await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    await killTree(server.proc);
  };
  return { sb, server, context, page, wb, automation, exited, consoleLog, remote, close };
}

// ----------------------------------------------------------------------------------------------------- main

let exitCode;
try {
  log(`code-server ${install.version} (${path.dirname(path.dirname(path.dirname(install.entry)))}), node ${install.node}, ${chromiumPath}`);
  const pkg = await packageExtension();
  if (pkg.missing) {
    if (CI) throw new Error(pkg.missing);
    console.log(`e2e skipped: ${pkg.missing}`);
    await cleanup();
    process.exit(0);
  }
  log(`extension: ${pkg.vsix ? path.relative(root, pkg.vsix) || pkg.vsix : pkg.devPath} (${pkg.how})`);
  if (pkg.packageError) {
    // A broken package is a failure of its own; the other steps still run, on the development folder.
    await step('package: npm run package produces a .vsix', async () => {
      throw pkg.packageError;
    });
  }
  const ctx = {
    root,
    art: ART,
    tmpRoot,
    log,
    step,
    openVSCode,
    pkg,
    install,
    updateDocs: args.includes('--update-docs') || process.env.E2E_UPDATE_DOCS === '1',
    workspace: makeWorkspace(path.join(tmpRoot, 'workspace')),
  };
  await scenarios(ctx);
} catch (err) {
  log(`setup failed: ${err?.stack || err}`);
  state.results.push({ name: 'setup', ok: false, error: err });
} finally {
  await cleanup().catch((e) => log(`cleanup: ${e}`));
}
finish(exitCode);
