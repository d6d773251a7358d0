// What the CLI says about the test set when a run ends: the kept trials' test scores beside their validation
// scores, or that no test set was given.
import type { TestFields, TestSummary } from '../shared/cli';
import { NO_TEST_SET } from '../shared/events';
import { formatInt, formatValue } from '../shared/format';
import type { RunState, TrialState } from '../core/runstate';

/** Test scores of the kept trials, best validation first (the JSON summary's `test`); null without a test set. */
export function testSummary(state: RunState): TestSummary | null {
  const set = state.started?.test;
  if (!set) return null;
  return {
    set,
    trials: state
      .ranked()
      .filter((t) => t.test)
      .map((t) => ({ trial: t.trial, value: t.value, ...testFields(t) })),
  };
}

/** The test fields of one trial, named as in the journal, for summaries and exports. */
export function testFields(t: TrialState): TestFields {
  if (!t.test) return {};
  return {
    ...(t.test.accuracy !== undefined ? { test_accuracy: t.test.accuracy } : {}),
    ...(t.test.loss !== undefined ? { test_loss: t.test.loss } : {}),
    test_samples: t.test.samples,
    ...(t.test.error ? { test_error: t.test.error } : {}),
  };
}

export function testLines(state: RunState): string[] {
  const set = state.started?.test;
  if (!set) return state.ranked().length ? [NO_TEST_SET] : [];
  const scored = state.ranked().filter((t) => t.test);
  if (!scored.length) return [`test set (${set}): no kept trial was scored yet; a resume to the end scores them`];
  const metric = state.started?.objective.metric ?? 'objective';
  const out = [`test set (${set}, ${formatInt(scored[0].test!.samples)} samples), kept trials by ${metric}:`];
  for (const t of scored) {
    const s = t.test!;
    const scores = s.error
      ? `not scored: ${s.error}`
      : [s.accuracy !== undefined ? `test_accuracy ${formatValue(s.accuracy)}` : '', s.loss !== undefined ? `test_loss ${formatValue(s.loss)}` : '']
          .filter(Boolean)
          .join('  ');
    out.push(`  trial ${String(t.trial).padStart(3)}: ${metric} ${formatValue(t.value)}  ${scores}`);
  }
  return out;
}
