// Driving the VS Code workbench in Chromium through playwright-core: opening files, the command palette,
// the Problems panel, suggestions, notifications and webview frames. Every wait is bounded.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-default-browser-check',
  '--password-store=basic',
];

/** A persistent Chromium context with a fresh profile. `automation` receives the smoke-test driver callbacks. */
export async function launchBrowser({ executablePath, profileDir, automation, env }) {
  const { chromium } = require('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    env,
    timeout: 60_000,
  });
  // Exposed before any navigation: the workbench calls these when it runs extension tests (payload URL).
  await context.exposeFunction('codeAutomationLog', (type, args) => automation.log(type, args));
  await context.exposeFunction('codeAutomationExit', (code, logs) => automation.exit(code, logs));
  return context;
}

export function folderUrl(base, folder, payload) {
  const u = new URL(base);
  u.searchParams.set('folder', folder);
  if (payload) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Workbench {
  constructor(page, { log }) {
    this.page = page;
    this.log = log;
  }

  /** Waits for the workbench and (unless the side bar is hidden: `explorer: false`) the explorer's rows. */
  async ready(timeout = 60_000, { explorer = true } = {}) {
    await this.page.waitForSelector('.monaco-workbench', { timeout });
    await this.page.waitForSelector(explorer ? '.explorer-folders-view .monaco-list-row' : '.monaco-workbench .part.statusbar', { timeout });
    // Let contributions settle (status bar, extensions activating on startup).
    await sleep(1000);
  }

  /** Screenshot to `file` (directories created). */
  async screenshot(file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, timeout: 15_000 }).catch((e) => this.log(`screenshot ${file} failed: ${e.message}`));
  }

  /** Opens a file of the workspace through Quick Open (Ctrl+P) and waits for its editor tab. */
  async openFile(relPath, timeout = 20_000) {
    const name = path.basename(relPath);
    await this.quickInput('Control+P', relPath);
    // Quick Open lists recent files first and file-search results a moment later: wait for the row of this file.
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ state: 'visible', timeout });
    await this.page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout });
    // Quick Open leaves the focus in the editor; park the mouse where its hovers cannot cover anything.
    await this.page.mouse.move(1, 1);
  }

  /** Opens a quick input (F1, Ctrl+P, Ctrl+G) and types `text` after the prefix the key puts there (">", ":"). */
  async quickInput(key, text) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press(key);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const prefix = { F1: '>', 'Control+Shift+P': '>', 'Control+G': ':' }[key] ?? '';
    await input.fill(prefix + text);
  }

  /**
   * Runs a command by its title through the command palette. Waits for the exact title to be listed.
   * The palette is reopened until the deadline: right after a window reload the contributed commands can take a while
   * to be listed (a CI run waited 15 s once and saw none), and a palette opened too early can lose the typed filter.
   * On failure the error tells what the palette showed.
   */
  async command(title, timeout = 45_000) {
    const deadline = Date.now() + timeout;
    let seen = '';
    for (;;) {
      await this.quickInput('F1', title);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      const wait = Math.max(1_000, Math.min(10_000, deadline - Date.now()));
      const found = await row.waitFor({ state: 'visible', timeout: wait }).then(
        () => true,
        () => false,
      );
      if (found) {
        await row.click();
        break;
      }
      const value = await this.page
        .locator('.quick-input-widget .quick-input-box input')
        .inputValue({ timeout: 1_000 })
        .catch(() => '?');
      const rows = await this.page
        .locator('.quick-input-list .monaco-list-row')
        .allInnerTexts()
        .catch(() => []);
      seen = `the palette held "${value}" and listed ${rows.length} rows: ${rows
        .slice(0, 8)
        .map((r) => JSON.stringify(r.replace(/\s+/g, ' ').trim()))
        .join(', ')}`;
      await this.page.keyboard.press('Escape');
      if (Date.now() >= deadline) throw new Error(`command "${title}" was not listed in the command palette within ${timeout} ms; ${seen}`);
      await sleep(1_000);
    }
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => {});
  }

  /** Titles the command palette lists for `filter` (to tell whether a command is contributed). */
  async commandTitles(filter) {
    await this.quickInput('F1', filter);
    await sleep(500);
    const titles = await this.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await this.page.keyboard.press('Escape');
    return titles;
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G accepts "line:column"). */
  async goTo(line, column) {
    await this.quickInput('Control+G', `${line}:${column}`);
    await sleep(200);
    await this.page.keyboard.press('Enter');
    await sleep(200);
  }

  /**
   * Markers of the Problems panel: [{ file, text, severity }], `file` from the file row above each marker.
   * Opens the panel. Marker rows are the ones with a position ("[Ln 9, Col 7]").
   */
  async problems() {
    await this.command('View: Focus Problems');
    await this.page.waitForSelector('.markers-panel', { timeout: 10_000 });
    await sleep(300);
    const rows = await this.page.$$eval('.markers-panel .monaco-list-row', (els) =>
      els.map((r) => ({
        text: r.innerText.replace(/\s+/g, ' ').trim(),
        top: parseFloat(r.style.top) || 0,
        severity: r.querySelector('.codicon-error')
          ? 'error'
          : r.querySelector('.codicon-warning')
            ? 'warning'
            : r.querySelector('.codicon-info')
              ? 'info'
              : '',
      })),
    );
    rows.sort((a, b) => a.top - b.top);
    let file = '';
    const out = [];
    for (const r of rows) {
      if (!/\[Ln \d+, Col \d+\]/.test(r.text)) file = r.text.split(' ')[0];
      else out.push({ file, text: r.text, severity: r.severity });
    }
    return out;
  }

  /** Triggers suggestions at the cursor and returns their labels. */
  async suggestions(timeout = 15_000) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+Space');
    await this.page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout });
    // Wait until the list stops changing (the JSON service answers asynchronously).
    let last = '';
    for (let i = 0; i < 10; i++) {
      const now = (await this.suggestionLabels()).join('|');
      if (now && now === last) break;
      last = now;
      await sleep(300);
    }
    return this.suggestionLabels();
  }

  async suggestionLabels() {
    return this.page.$$eval('.suggest-widget .monaco-list-row', (rows) =>
      rows.map((r) => (r.querySelector('.label-name')?.textContent || r.getAttribute('aria-label') || '').trim()),
    );
  }

  /** The CodeLens texts visible in the active editor. */
  async codeLenses() {
    return this.page.$$eval('.editor-instance .monaco-editor .codelens-decoration a, .editor-instance .monaco-editor .codelens-decoration span', (els) =>
      els.map((e) => e.textContent.trim()).filter(Boolean),
    );
  }

  /** Notification toasts and the notification centre's messages. */
  async notifications() {
    const texts = await this.page.$$eval('.notification-toast .notification-list-item-message, .notifications-center .notification-list-item-message', (els) =>
      els.map((e) => e.textContent.trim()),
    );
    return texts;
  }

  /** Waits until some frame (webviews are nested iframes) has `selector`; returns { frame, locator }. */
  async frameWith(selector, { timeout = 30_000, predicate } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const frame of this.page.frames()) {
        try {
          const loc = frame.locator(selector);
          if ((await loc.count()) > 0 && (!predicate || (await predicate(loc)))) return { frame, locator: loc };
        } catch {
          // frame detached meanwhile
        }
      }
      if (Date.now() > deadline) throw new Error(`no webview frame has ${selector} within ${timeout} ms`);
      await sleep(300);
    }
  }

  /** The element handle of the iframe that hosts a webview frame, for a screenshot of the panel alone. */
  async webviewElement(frame) {
    let f = frame;
    while (f.parentFrame() && f.parentFrame() !== this.page.mainFrame()) f = f.parentFrame();
    return f.frameElement();
  }
}
