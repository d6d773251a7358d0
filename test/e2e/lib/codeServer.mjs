// Finding, configuring and starting code-server (a full VS Code served to a browser) in an isolated sandbox:
// fresh user-data and extensions folders, HOME/XDG/TMPDIR inside the sandbox, loopback only, no auth.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run, start } from './procs.mjs';

export const CACHE = process.env.NAS_STUDIO_CACHE || path.join(os.homedir(), '.cache', 'nas-studio');
/** Preferred first: the pinned version, then the Node 20 fallback of scripts/setup-e2e.sh. */
const VERSIONS = [process.env.CODE_SERVER_VERSION || '4.139.1', '4.100.3'];

/** The installation scripts/setup-e2e.sh left in the cache: { version, node, entry }, or undefined. */
export function findInstall() {
  for (const v of VERSIONS) {
    const marker = path.join(CACHE, `code-server-${v}`, '.installed');
    if (!fs.existsSync(marker)) continue;
    try {
      const info = JSON.parse(fs.readFileSync(marker, 'utf8'));
      // Paths are relative to the cache folder (absolute for a Node outside it).
      info.entry = path.resolve(CACHE, info.entry);
      info.node = path.resolve(CACHE, info.node);
      if (fs.existsSync(info.entry) && fs.existsSync(info.node)) return info;
    } catch {
      // a broken marker counts as no install
    }
  }
  return undefined;
}

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  return candidates.find((c) => fs.existsSync(c));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A sandbox folder with its own home, temp, user-data and extensions folders, and the environment for it. */
export function makeSandbox(root, name, settings) {
  const dir = path.join(root, name);
  const d = {
    dir,
    home: path.join(dir, 'home'),
    tmp: path.join(dir, 'tmp'),
    userData: path.join(dir, 'user-data'),
    extensions: path.join(dir, 'extensions'),
    browserProfile: path.join(dir, 'browser'),
  };
  for (const p of Object.values(d)) fs.mkdirSync(p, { recursive: true });
  fs.mkdirSync(path.join(d.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(d.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  d.env = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: d.home,
    XDG_CONFIG_HOME: path.join(d.home, '.config'),
    XDG_DATA_HOME: path.join(d.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(d.home, '.cache'),
    XDG_RUNTIME_DIR: d.tmp,
    TMPDIR: d.tmp,
    // code-server must not open a browser or look for updates; the extension must not see our test env.
    BROWSER: 'none',
    NAS_STUDIO_E2E: '1',
  };
  return d;
}

/** Workbench settings for a test: nothing restored, nothing popping up, no network. */
export const SETTINGS = {
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
};

function baseArgs(install, sb) {
  return [
    install.entry,
    '--auth',
    'none',
    '--user-data-dir',
    sb.userData,
    '--extensions-dir',
    sb.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
}

/** `code-server --install-extension VSIX` into the sandbox's extensions folder. */
export async function installExtension(install, sb, vsix) {
  const r = await run(install.node, [...baseArgs(install, sb), '--install-extension', vsix], { env: sb.env, cwd: sb.dir, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`--install-extension ${vsix} failed (${r.code}):\n${r.out}`);
  return r.out;
}

/**
 * Whether this code-server passes options to VS Code (`--vscode-option`), which the smoke-test driver (and so
 * extension-host tests through the `payload` URL) needs. 4.139 does; the 4.100 fallback does not.
 */
export async function supportsVSCodeOptions(install) {
  if (install.vscodeOptions === undefined) {
    const r = await run(install.node, [install.entry, '--help'], { env: { PATH: process.env.PATH, HOME: os.tmpdir() }, timeoutMs: 30_000 });
    install.vscodeOptions = r.out.includes('--vscode-option');
  }
  return install.vscodeOptions;
}

/** Starts code-server on a free loopback port and waits for /healthz. Returns { proc, port, url }. */
export async function startServer(install, sb, { workspace, logFile, timeoutMs = 30_000 }) {
  const port = await freePort();
  const smoke = (await supportsVSCodeOptions(install)) ? ['--vscode-option', 'enable-smoke-test-driver'] : [];
  const args = [
    ...baseArgs(install, sb),
    '--bind-addr',
    `127.0.0.1:${port}`,
    ...smoke,
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ];
  const q = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const envText = Object.entries(sb.env)
    .filter(([k]) => k !== 'PATH')
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
  fs.writeFileSync(logFile, `# ${envText} ${[install.node, ...args].map(q).join(' ')}\n`);
  const proc = start(install.node, args, { env: sb.env, cwd: sb.dir, logFile });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) throw new Error(`code-server exited (${proc.code}) before it answered; see ${logFile}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, port, url };
}
