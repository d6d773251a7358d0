// The scenarios: what a user does with NAS Studio in a real VS Code, and the extension-host test bundles.
// Each `step` is reported on its own; a failed step saves FAILED-<step>.png next to the step screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { supportsVSCodeOptions } from './lib/codeServer.mjs';
import { run } from './lib/procs.mjs';
import { dartsStep } from './dartsScenario.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `fn()` returns a truthy value (or throws the last error / a timeout). */
async function until(what, fn, timeoutMs = 30_000, everyMs = 300) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

const formatProblems = (rows) => rows.map((r) => `  ${r.file}: ${r.severity}: ${r.text}`).join('\n') || '  (none)';

/** The extension's own extension-host test bundle, if its build produced one. */
function findExtensionTests(root) {
  const candidates = [
    process.env.E2E_EXTENSION_TESTS,
    'dist-test/index.js',
    'dist/test/extension/index.js',
    'dist/test/extension.js',
    'dist/extension-tests.js',
    'dist/test/index.js',
    'out/test/extension/index.js',
    'out/test/index.js',
  ].filter(Boolean);
  return candidates.map((c) => path.resolve(root, c)).find((c) => fs.existsSync(c));
}

export async function scenarios(ctx) {
  const { root, art, log, step, openVSCode, pkg, workspace } = ctx;
  const shot = (wb, name) => wb.screenshot(path.join(art, `${name}.png`));
  const devPayload = pkg.devPath ? (remote) => [['extensionDevelopmentPath', remote(pkg.devPath)]] : undefined;

  // ----------------------------------------------------------------------------- the extension in a workbench
  // Started by the first UI step that runs (so --grep can pick steps); a start failure fails each UI step.
  let vs;
  let starting;
  const ui = () =>
    (starting ??= (async () => {
      const v = await openVSCode('main', { workspace, vsix: pkg.vsix, payload: devPayload });
      vs = v;
      await v.wb.ready();
      await shot(v.wb, '00-workbench');
      log('   workbench ready');
      return v;
    })());
  const wbOf = () => vs?.wb;

  await step(
    'a. Problems shows the checker message at its line for a spec with an error',
    async () => {
      const { wb } = await ui();
      const file = path.join(workspace, 'broken.nas.json');
      const r = await run(process.execPath, [path.join(root, 'dist/cli.js'), 'check', '--json', file], { cwd: root, timeoutMs: 30_000 });
      const expected = JSON.parse(r.out.slice(r.out.indexOf('{'))).files[0].diagnostics.filter((d) => d.severity === 'error');
      assert.ok(expected.length > 0, `the CLI checker found no error in ${file}:\n${r.out}`);
      log(`   checker: ${expected.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
      await wb.openFile('broken.nas.json');
      let rows = [];
      await until(
        'the checker messages in the Problems panel',
        async () => {
          rows = await wb.problems();
          return expected.every((d) =>
            rows.some(
              (row) =>
                row.file === 'broken.nas.json' &&
                row.severity === 'error' &&
                row.text.includes(d.message) &&
                row.text.includes(`Ln ${d.line}, Col ${d.column}`),
            ),
          );
        },
        30_000,
        1000,
      ).catch((err) => {
        throw new Error(
          `${err.message}\nexpected: ${expected.map((d) => `"${d.message}" [Ln ${d.line}, Col ${d.column}]`).join(', ')}\nProblems:\n${formatProblems(rows)}`,
        );
      });
      await shot(wb, 'a-problems');
    },
    { timeoutMs: 120_000, wb: wbOf },
  );

  await step(
    'a. specs the checker accepts show no errors in Problems',
    async () => {
      const { wb } = await ui();
      const files = ['e2e-tiny.nas.json', 'examples/synthetic-shapes.nas.json'];
      for (const f of files) {
        const r = await run(process.execPath, [path.join(root, 'dist/cli.js'), 'check', path.join(workspace, f)], { cwd: root, timeoutMs: 30_000 });
        assert.equal(r.code, 0, `the CLI checker rejects ${f}:\n${r.out}`);
        await wb.openFile(f);
      }
      // broken.nas.json stays open as a witness that the panel lists diagnostics at all.
      await wb.openFile('broken.nas.json');
      await sleep(4000); // diagnostics are computed after a short debounce
      const rows = await until(
        'the diagnostics of broken.nas.json in Problems',
        async () => {
          const r = await wb.problems();
          return r.some((row) => row.file === 'broken.nas.json' && row.severity === 'error') && r;
        },
        20_000,
        1000,
      );
      // Other validators (VS Code's JSON service) answer later than ours: watch for a while before concluding.
      const errorsOf = (r) => r.filter((row) => row.severity === 'error' && files.some((f) => path.basename(f) === row.file));
      let seen = rows;
      for (let i = 0; i < 10 && errorsOf(seen).length === 0; i++) {
        await sleep(1000);
        seen = await wb.problems();
      }
      await shot(wb, 'a-problems-valid-specs');
      const errors = errorsOf(seen);
      assert.equal(errors.length, 0, `Problems shows errors for specs the checker accepts:\n${formatProblems(errors)}`);
    },
    { timeoutMs: 120_000, wb: wbOf },
  );

  await step(
    'b. completion in a conv2d offers conv2d fields, not dense units',
    async () => {
      const { wb, page } = await ui();
      await wb.openFile('completion.nas.json');
      // Right after the `{` of the conv2d object (the fixture leaves two spaces there).
      const text = fs.readFileSync(path.join(workspace, 'completion.nas.json'), 'utf8').split('\n');
      const line = text.findIndex((l) => l.includes('"type": "conv2d"'));
      assert.ok(line >= 0, 'no conv2d line in completion.nas.json');
      await wb.goTo(line + 1, text[line].indexOf('{') + 2);
      let labels = [];
      await until(
        'conv2d fields among the suggestions',
        async () => {
          labels = (await wb.suggestions()).map((l) => l.replace(/^"|"$/g, ''));
          return labels.includes('kernelSize');
        },
        20_000,
        500,
      ).catch((err) => {
        throw new Error(`${err.message}; suggestions: ${labels.join(', ') || '(none)'}`);
      });
      await shot(wb, 'b-completion-conv2d');
      log(`   suggestions: ${labels.join(', ')}`);
      for (const f of ['kernelSize', 'strides', 'padding']) assert.ok(labels.includes(f), `suggestions lack ${f}: ${labels.join(', ')}`);
      assert.ok(!labels.includes('units'), `suggestions offer dense's units inside a conv2d: ${labels.join(', ')}`);
      await page.keyboard.press('Escape');
    },
    { timeoutMs: 120_000, wb: wbOf },
  );

  await step(
    'b. the "Run search" CodeLens is shown at the top of a spec',
    async () => {
      const { wb, page } = await ui();
      await wb.openFile('e2e-tiny.nas.json');
      await page.keyboard.press('Control+Home');
      const lenses = await until(
        'a Run search CodeLens',
        async () => {
          const l = await wb.codeLenses();
          return l.some((t) => /run search/i.test(t)) && l;
        },
        20_000,
        500,
      );
      log(`   CodeLens: ${lenses.join(' | ')}`);
      // At the top: within the first lines of the editor, scrolled to its start.
      const firstLens = await page
        .locator('.editor-instance .monaco-editor .codelens-decoration', { hasText: /run search/i })
        .first()
        .boundingBox();
      const editor = await page.locator('.editor-instance .monaco-editor .view-lines').first().boundingBox();
      assert.ok(
        firstLens && editor && firstLens.y - editor.y < 200,
        `the Run search CodeLens is not near the top of the editor (y=${firstLens?.y}, editor y=${editor?.y})`,
      );
      await shot(wb, 'b-codelens');
    },
    { timeoutMs: 100_000, wb: wbOf },
  );

  await step(
    'c. Run Search opens the results panel with progress and leaderboard rows; Stop stops it; it survives a reload',
    async () => {
      const { wb, page } = await ui();
      await wb.openFile('e2e-tiny.nas.json');
      await wb.command('NAS Studio: Run Search');
      // The webview's frames can be replaced (panel moved, reloaded): every look searches the frames afresh.
      const rowSel = '[data-testid=leaderboard-row]';
      const count = async (sel) => (await wb.frameWith(sel, { timeout: 5_000 }).catch(() => null))?.locator.count() ?? 0;
      const text = async (sel) => {
        const f = await wb.frameWith(sel, { timeout: 5_000 });
        return (await f.locator.first().innerText({ timeout: 5_000 })).trim().replace(/\s+/g, ' ');
      };
      await wb.frameWith(rowSel, { timeout: 90_000 });
      // Four rows: the leaderboard fills as trials end (and the screenshot tells more); the search has 1000 tiny
      // trials (a quiet run here did 21 in the 8 s to its Stop: 150 left a fast machine only a few-fold margin), so it
      // keeps running meanwhile. A miss fails the step (it used to be swallowed) and says how many.
      let rows = 0;
      await until('four leaderboard rows', async () => (rows = await count(rowSel)) >= 4, 60_000).catch((err) => {
        throw new Error(`${err.message}; the leaderboard showed ${rows} rows`);
      });
      assert.ok((await count('[data-testid=progress]')) > 0, 'the panel shows no [data-testid=progress]');
      const progressText = await text('[data-testid=progress]').catch(() => '');
      const statusText = await text('[data-testid=run-status]');
      log(`   running: ${await count(rowSel)} rows, progress "${progressText}", status "${statusText}"`);
      assert.match(statusText, /running|starting/i, 'the run status while the search runs');
      // The visible tabs are evenly spaced: the hidden Pareto tab (one objective here) leaves no gap among them.
      const { frame: tabsFrame } = await wb.frameWith('[data-testid=tab-log]');
      const box = async (id) => tabsFrame.locator(`[data-testid=tab-${id}]`).boundingBox();
      const [tp, tq, tl] = [await box('progress'), await box('params'), await box('log')];
      const gaps = [tq.x - (tp.x + tp.width), tl.x - (tq.x + tq.width)];
      assert.ok(Math.abs(gaps[0] - gaps[1]) <= 4, `uneven gaps between the tabs: ${gaps.map((g) => g.toFixed(0)).join(' px, ')} px`);
      // The panel alone, as large as the window allows: focus its editor group (a click on its top-left
      // corner, off any control) and maximize that group.
      const el = await wb.webviewElement((await wb.frameWith(rowSel)).frame);
      if (el) {
        await el.click({ position: { x: 3, y: 3 } }).catch(() => {});
        await wb.command('View: Maximize Editor Group and Hide Side Bars').catch((e) => log(`   could not maximize the panel: ${e.message}`));
        await sleep(800);
      }
      await shot(wb, 'c-1-panel-running');
      const docs = path.join(root, 'docs', 'screenshots', 'panel-running.png');
      if (ctx.updateDocs || !fs.existsSync(docs)) {
        fs.mkdirSync(path.dirname(docs), { recursive: true });
        const el2 = await wb.webviewElement((await wb.frameWith(rowSel)).frame);
        await (el2 ?? page).screenshot({ path: docs, timeout: 15_000 });
        log(`   wrote ${path.relative(root, docs)}`);
      }

      await wb.command('NAS Studio: Stop Search');
      let lastStatus = '';
      await until('the run status to say stopped', async () => /stopped/i.test((lastStatus = await text('[data-testid=run-status]'))), 30_000).catch((err) => {
        throw new Error(`${err.message}; status "${lastStatus}"`);
      });
      const rowsStopped = await count(rowSel);
      log(`   stopped with ${rowsStopped} rows`);
      assert.ok(rowsStopped < 1000, 'the search ran to its budget: Stop did not stop it');
      // Nobody picked a trial: the detail follows the best one as it changes (it once stuck to the first best).
      let detailTitle = '';
      await until(
        'the trial detail to show the best trial',
        async () => / — best$/.test((detailTitle = await text('[data-testid=trial-detail-title]'))),
        10_000,
      ).catch((err) => {
        throw new Error(`${err.message}; detail title "${detailTitle}"`);
      });
      const chosen = await text('[data-testid=param-table]');
      log(`   detail: "${detailTitle}", chosen values "${chosen}"`);
      assert.doesNotMatch(chosen, /architecture\.|layers\[/, 'parameter names in the trial detail are paths, not readable labels');
      await shot(wb, 'c-2-panel-stopped');

      await wb.command('Developer: Reload Window');
      await sleep(2000);
      await wb.ready(60_000, { explorer: false }); // the side bars stay hidden after the maximize above
      // The serializer restores the panel from the run folder: same rows, still stopped.
      await wb.frameWith(rowSel, { timeout: 60_000 });
      const rowsRestored = await until(
        'the restored rows',
        async () => {
          const n = await count(rowSel);
          return n >= rowsStopped && n;
        },
        20_000,
      );
      const restoredStatus = await text('[data-testid=run-status]');
      log(`   after reload: ${rowsRestored} rows, status "${restoredStatus}"`);
      assert.match(restoredStatus, /stopped/i, 'the restored panel shows the run as stopped');
      await shot(wb, 'c-3-panel-after-reload');
    },
    { timeoutMs: 240_000, wb: wbOf },
  );

  await dartsStep(ctx, { ui, shot, wbOf });

  await vs?.close();

  // -------------------------------------------------------------------------------------- extension-host tests
  const selftest = path.join(root, 'test', 'e2e', 'fixtures', 'selftest-ext');
  const suites = [{ name: 'harness self-test', dev: selftest, tests: path.join(selftest, 'test', 'index.js'), expect: /selftest: 3 passing, 0 failing/ }];
  // The extension's own bundle (test/extension/*.test.ts), built by its `build:ext-tests` script when it has one.
  const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {};
  let buildError;
  const ownBundle = !process.env.E2E_EXTENSION_PATH;
  if (ownBundle && scripts['build:ext-tests']) {
    const b = await run('npm', ['run', 'build:ext-tests'], { cwd: root, env: process.env, timeoutMs: 120_000 });
    if (b.code !== 0) buildError = new Error(`npm run build:ext-tests failed (${b.code}):\n${b.out}`);
  }
  const ownTests = buildError || !ownBundle ? undefined : findExtensionTests(root);
  if (ownTests) suites.push({ name: 'extension test bundle', dev: root, tests: ownTests });
  else if (ownBundle && (buildError || scripts['build:ext-tests'])) {
    await step('d. extension-host tests: extension test bundle', async () => {
      throw buildError ?? new Error('npm run build:ext-tests produced no bundle where test/e2e/scenarios.mjs looks (findExtensionTests)');
    });
  } else log(`   no extension-host test bundle of the extension (no build:ext-tests script); only the harness self-test runs`);

  for (const suite of suites) {
    let host;
    await step(
      `d. extension-host tests: ${suite.name} (${path.relative(root, suite.tests)})`,
      async () => {
        if (!(await supportsVSCodeOptions(ctx.install))) {
          throw new Error(
            `code-server ${ctx.install.version} has no --vscode-option, so it cannot enable the smoke-test driver that runs extension-host tests; install 4.139.1 (scripts/setup-e2e.sh without CODE_SERVER_FALLBACK)`,
          );
        }
        host = await openVSCode(`exthost-${suite.name.replace(/\W+/g, '-')}`, {
          workspace,
          payload: (remote) => [
            ['extensionDevelopmentPath', remote(suite.dev)],
            ['extensionTestsPath', remote(suite.tests)],
          ],
        });
        let timer;
        const code = await Promise.race([
          host.exited,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('the tests did not report back (codeAutomationExit) within 150 s')), 150_000);
          }),
        ]).finally(() => clearTimeout(timer));
        const output = host.automation.logs.join('\n');
        fs.writeFileSync(path.join(art, `exthost-${suite.name.replace(/\W+/g, '-')}.log`), output + '\n');
        await shot(host.wb, `d-exthost-${suite.name.replace(/\W+/g, '-')}`);
        // The workbench's own chatter (sockets, the gallery it cannot reach) stays in the log file.
        const noise =
          /Creating a socket|connection token|reconnection-grace|builtin extensions cache|Service Worker|AgentHost|AccountPolicyGate|ENOTFOUND|open-vsx|marketplace|authentication provider 'github'|Creation of workbench contribution/i;
        for (const l of host.automation.logs) if (!noise.test(l)) log(`   | ${l.split('\n')[0]}`);
        assert.equal(code, 0, `extension-host tests exited with ${code}`);
        if (suite.expect) assert.match(output, suite.expect);
      },
      { timeoutMs: 180_000, wb: () => host?.wb },
    );
    await host?.close();
  }
}
