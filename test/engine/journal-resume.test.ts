// Issue 14, acceptance 2: a journal from a real run, cut by a crash at various bytes (inside a trial-started
// line, inside an epoch line just after a nested "}", between a completion and its weights), resumes to the
// budget with no completed trial lost or repeated. test/unit/journal-cut.test.ts reads every byte prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { readJournal } from '../../src/core/journal';
import { runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';

const root = path.join(__dirname, '..', '..');

test('cut journals of a real run resume to the budget, no completed trial lost or repeated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-resume-'));
  try {
    const spec = path.join(dir, 'tiny.nas.json');
    fs.copyFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), spec);
    const quiet = () => {};
    const full = path.join(dir, 'full');
    assert.equal(await main(['run', spec, '--json', '--run-dir', full, '--parallel', '2'], quiet, quiet), 0);
    const bytes = fs.readFileSync(runPaths(full).journal);
    const lines = bytes.toString('utf8').split('\n');
    const offsetOf = (i: number) => Buffer.byteLength(lines.slice(0, i).join('\n')) + (i > 0 ? 1 : 0);
    const find = (pred: (l: string) => boolean, nth = 0) => lines.map((l, i) => (pred(l) ? i : -1)).filter((i) => i >= 0)[nth];
    const started = find((l) => l.startsWith('{"type":"trial-started"'), 2);
    const epoch = find((l) => l.startsWith('{"type":"epoch"'), 1);
    const completed = find((l) => l.startsWith('{"type":"trial-completed"'), 1);
    const cuts = [
      offsetOf(started) + 40,
      offsetOf(epoch) + lines[epoch].indexOf('}') + 1,
      offsetOf(completed + 1) - 1, // the completion whole but for its newline, its weights event not yet written
    ];
    for (const cut of cuts) {
      const copy = path.join(dir, `cut-${cut}`);
      fs.cpSync(full, copy, { recursive: true });
      fs.writeFileSync(runPaths(copy).journal, bytes.subarray(0, cut));
      const before = RunState.from(readJournal(runPaths(copy).journal).events);
      const doneBefore = [...before.trials.values()].filter((t) => t.status === 'completed').map((t) => t.trial);
      const out: string[] = [];
      const code = await main(['resume', copy, '--json'], (s) => out.push(s), quiet);
      assert.equal(code, 0, `cut at ${cut}: ${out.slice(-3).join('\n')}`);
      const { events, tornTail } = readJournal(runPaths(copy).journal);
      assert.equal(tornTail, false, `cut at ${cut}: the resume repaired the journal`);
      const after = RunState.from(events);
      const completions = events.filter((e) => e.type === 'trial-completed').map((e) => (e.type === 'trial-completed' ? e.trial : -1));
      assert.deepEqual([...completions].sort(), [0, 1, 2, 3, 4, 5], `cut at ${cut}: each trial completed exactly once`);
      for (const t of doneBefore) assert.equal(after.trials.get(t)?.status, 'completed');
      assert.equal(after.nextIndex(), 6, `cut at ${cut}: no trial index beyond the budget`);
      assert.equal(after.finished?.reason, 'budget');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
