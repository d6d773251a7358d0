// How many real-VS-Code tests a run of test/e2e/run.mjs ran, read from its output, and the lines scripts/test.mjs
// ends with. A separate file so the reading is unit-tested (test/unit/vscode-tally.test.ts): a silent zero is
// what let `npm test` pass with no VS Code test run.

/**
 * The e2e steps that ran (run.mjs logs `ok   NAME (Ns)` or `FAIL NAME (Ns)` for each; its closing `N passed,
 * M failed` also counts a missing install or a timeout as a failure, which is no test run), the
 * extension-host tests (the last `nas-studio extension tests: N passing, M failing, K pending` line of
 * test/extension/index.ts), and why the run was skipped or refused, if it was.
 */
export function tallyVSCode(output) {
  const ran = [...output.matchAll(/^\[e2e [^\]]*\] (ok {3}|FAIL )/gm)].map((m) => m[1].trim());
  const host = [...output.matchAll(/nas-studio extension tests: (\d+) passing, (\d+) failing, (\d+) pending/g)].at(-1);
  const skipped = output.match(/^e2e (?:skipped|FAILED): (.*)$/m);
  return {
    steps: ran.length ? { passed: ran.filter((r) => r === 'ok').length, failed: ran.filter((r) => r === 'FAIL').length } : undefined,
    host: host ? { passing: Number(host[1]), failing: Number(host[2]), pending: Number(host[3]) } : undefined,
    skipped: skipped?.[1],
  };
}

/** How many VS Code tests ran: e2e steps plus extension-host tests that passed or failed (not pending). */
export function vscodeTestsRan(t) {
  return (t.steps ? t.steps.passed + t.steps.failed : 0) + (t.host ? t.host.passing + t.host.failing : 0);
}

/**
 * The banner scripts/test.mjs prints last, and whether the run fails for it: with CI set, a run in which no
 * VS Code test ran is a failure (CI must exercise the real editor). An extension-host suite that never reported
 * is called out too; the e2e step that runs it has failed the run already, unless E2E_GREP left it out.
 */
export function vscodeBanner(t, { ci, selected }) {
  const bar = '='.repeat(78);
  if (!selected) return { lines: [bar, 'VS Code tests: not selected in this run (scripts/test.mjs without e2e)', bar], fail: false };
  const ran = vscodeTestsRan(t);
  const lines = [bar];
  let fail = false;
  if (ran === 0) {
    lines.push(`!!! NO VS CODE TESTS RAN${t.skipped ? `: ${t.skipped}` : ' (the e2e run printed no counts)'}`);
    lines.push(ci ? '!!! CI is set, so this run FAILS' : '!!! only the unit and engine tests above were run; editor behaviour is untested');
    fail = ci;
  } else {
    const steps = t.steps ? `${t.steps.passed} passed, ${t.steps.failed} failed` : 'no count';
    const host = t.host ? `${t.host.passing} passing, ${t.host.failing} failing, ${t.host.pending} pending` : 'NONE RAN';
    lines.push(`VS Code tests: ${ran} ran in code-server. e2e steps: ${steps}; extension-host tests: ${host}`);
    if (!t.host) lines.push('!!! the extension-host tests (test/extension) did not run or did not report');
  }
  lines.push(bar);
  return { lines, fail };
}
