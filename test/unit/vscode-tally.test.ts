// scripts/test.mjs's last lines: how many real-VS-Code tests ran, read from test/e2e/run.mjs's output, and
// failing a CI run in which none did (issue 14: `npm test` used to pass quietly with no VS Code test run).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs script without type declarations
import { tallyVSCode, vscodeBanner, vscodeTestsRan } from '../../scripts/vscode-tally.mjs';

// Abridged from a real run of test/e2e/run.mjs.
const FULL = `[e2e 0.4s] code-server 4.139.1 (/x), node v24, /usr/bin/chromium
[e2e 60.1s] ok   a. language mode (3.1s)
[e2e 61.1s] ok   b. completion (1.1s)
[e2e 62.1s] ok   c. panel (1.1s)
[e2e 63.1s] ok   c2. panel again (1.1s)
[e2e 64.1s] ok   c3. panel reload (1.1s)
[e2e 65.1s] ok   d. extension-host tests: harness self-test (test/e2e/fixtures/selftest-ext/test/index.js) (9.1s)
[e2e 200.2s]    | [log] ok - commands and configuration every command is registered (3 ms)
[e2e 200.3s]    | [log] nas-studio extension tests: 24 passing, 1 failing, 2 pending (9120 ms)
[e2e 201.0s] FAIL d. extension-host tests: extension test bundle (dist-test/index.js)
e2e finished in 201.0s; artifacts in test-artifacts/e2e/
6 passed, 1 failed
`;

describe('counting the VS Code tests of an npm test run', () => {
  it('reads the e2e steps and the extension-host suite, counting pending tests as not run', () => {
    const t = tallyVSCode(FULL);
    assert.deepEqual(t, { steps: { passed: 6, failed: 1 }, host: { passing: 24, failing: 1, pending: 2 }, skipped: undefined });
    assert.equal(vscodeTestsRan(t), 32);
    const b = vscodeBanner(t, { ci: true, selected: true });
    assert.equal(b.fail, false, 'tests ran: the failures are the e2e exit code, not the banner');
    assert.match(
      b.lines.join('\n'),
      /VS Code tests: 32 ran in code-server\. e2e steps: 6 passed, 1 failed; extension-host tests: 24 passing, 1 failing, 2 pending/,
    );
  });

  it('says loudly that none ran when code-server is missing, and fails then only under CI', () => {
    const out = 'e2e skipped: code-server is not installed in /root/.cache/nas-studio; run scripts/setup-e2e.sh\n';
    const t = tallyVSCode(out);
    assert.equal(vscodeTestsRan(t), 0);
    const local = vscodeBanner(t, { ci: false, selected: true });
    assert.equal(local.fail, false);
    assert.match(local.lines.join('\n'), /!!! NO VS CODE TESTS RAN: code-server is not installed/);
    assert.equal(vscodeBanner(t, { ci: true, selected: true }).fail, true);
    // CI without code-server: run.mjs counts its refusal as one failed step, which is no test run.
    const refused = tallyVSCode('e2e FAILED: code-server is not installed in /x (CI is set, ...)\n0 passed, 1 failed\n');
    assert.equal(vscodeTestsRan(refused), 0);
    assert.match(vscodeBanner(refused, { ci: true, selected: true }).lines.join('\n'), /NO VS CODE TESTS RAN: code-server is not installed/);
    // No output at all (run.mjs missing or crashed before printing): still none ran.
    const empty = vscodeBanner(tallyVSCode(''), { ci: true, selected: true });
    assert.equal(empty.fail, true);
    assert.match(empty.lines.join('\n'), /NO VS CODE TESTS RAN \(the e2e run printed no counts\)/);
  });

  it('calls out an extension-host suite that never reported, and a run without e2e selected', () => {
    const t = tallyVSCode('[e2e 9.0s] ok   a. language mode (3.1s)\n[e2e 9.5s] FAIL b. completion (0.5s)\n1 passed, 1 failed\n');
    assert.equal(vscodeTestsRan(t), 2);
    assert.match(vscodeBanner(t, { ci: true, selected: true }).lines.join('\n'), /extension-host tests: NONE RAN[\s\S]*did not run or did not report/);
    const b = vscodeBanner(tallyVSCode(''), { ci: true, selected: false });
    assert.equal(b.fail, false);
    assert.match(b.lines.join('\n'), /not selected/);
  });
});
