// Entry point for VS Code's extensionTestsPath: runs every dist-test/*.test.js inside the extension host.
// Build with `npm run build:ext-tests`; see test/extension/README.md for how a harness starts it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/**
 * One finished line per test. Mocha's own reporters call console.log with format strings ("%s) %s"), which a
 * harness that forwards the raw arguments (the web workbench's codeAutomationLog) prints unformatted.
 */
class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    runner.on(EVENT_TEST_PASS, (t) => console.log(`ok - ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on(EVENT_TEST_FAIL, (t, err: Error) => console.log(`FAILED - ${t.fullTitle()}: ${err.stack ?? err.message}`));
    runner.on(EVENT_TEST_PENDING, (t) => console.log(`skipped - ${t.fullTitle()}`));
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      console.log(`nas-studio extension tests: ${s.passes} passing, ${s.failures} failing, ${s.pending} pending (${s.duration ?? 0} ms)`);
    });
  }
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: LineReporter });
  // NAS_STUDIO_TEST_GREP narrows a run to matching tests, e.g. when the harness reruns one that failed.
  if (process.env.NAS_STUDIO_TEST_GREP) mocha.grep(process.env.NAS_STUDIO_TEST_GREP);
  for (const f of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort())
    mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} NAS Studio extension test${failures > 1 ? 's' : ''} failed`)) : resolve()));
  });
}
