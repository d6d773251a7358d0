// The `nasStudio.queue` setting reaches the CLI: the extension's run and resume lines carry `--queue`, and the
// CLI's parser reads it back; without the setting nothing about a queue is on the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG } from '../../src/shared/cli';
import { parseCommandLine } from '../../src/cli/main';
import { resumeArgs, runArgs } from '../../src/extension/cli';

test('the queue setting becomes --queue on run and resume, and only then', () => {
  const url = 'rediss://queue.example:6380/1';
  const run = parseCommandLine(runArgs('/w/a.nas.json', '/w/runs/r1', { parallel: 8, backend: 'auto', queue: url }));
  assert.equal(run.flags[FLAG.queue], url);
  assert.equal(run.flags[FLAG.parallel], 8);
  assert.equal(parseCommandLine(resumeArgs('/w/runs/r1', { parallel: null, backend: 'auto', queue: url })).flags[FLAG.queue], url);
  assert.ok(!runArgs('/w/a.nas.json', '/w/runs/r1', { parallel: null, backend: 'auto', queue: undefined }).includes(`--${FLAG.queue}`));
});
