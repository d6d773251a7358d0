// A run locked by a process on another machine (a shared folder) is followed as running: nothing here can tell
// otherwise. Stop and Resume offer the way out, a take-over, with what the user needs to judge that the process is
// gone: its host, pid, the lock's age and how long the journal has been quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLAG } from '../../src/shared/cli';
import { parseCommandLine } from '../../src/cli/main';
import { runPaths } from '../../src/core/rundir';
import { resumeArgs } from '../../src/extension/cli';
import { elsewhereNote, lockAge, takeOverPrompt } from '../../src/extension/foreignLock';
import { liveness } from '../../src/extension/runFolder';

const now = Date.parse('2026-12-03T12:00:00.000Z');
const foreign = { pid: 4242, host: 'gpu-box-7', started: '2026-12-03T09:00:00.000Z' };

test("another host's lock reads as elsewhere, and the prompt names its host, pid, age and the journal's quiet", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-foreign-'));
  fs.writeFileSync(runPaths(dir).lock, JSON.stringify(foreign));
  const probe = { hostname: 'laptop', alive: () => true };
  assert.deepEqual(liveness(dir, probe), { kind: 'elsewhere', lock: foreign });
  fs.rmSync(dir, { recursive: true, force: true });

  const p = takeOverPrompt('mnist cnn', foreign, 'laptop', now, now - 20 * 60_000);
  assert.match(p.message, /"mnist cnn" is locked by process 4242 on gpu-box-7 \(locked 3\.0 h ago, at 2026-12-03T09:00:00\.000Z\)/);
  assert.match(p.detail, /^laptop can neither check nor stop that process\. Its journal was last written 20 min ago\./);
  assert.match(p.detail, /stop it there first/);
  assert.doesNotMatch(takeOverPrompt('x', foreign, 'laptop', now).detail, /journal/, 'no journal, no claim about it');
  assert.match(elsewhereNote(foreign, 'laptop', now), /process 4242 on gpu-box-7 \(locked 3\.0 h ago\).*laptop cannot check: Stop offers to take it over/);
});

test('a lock time that does not parse is shown as written, not as an age', () => {
  const odd = { ...foreign, started: 'yesterday' };
  assert.equal(lockAge(odd, now), undefined);
  assert.match(takeOverPrompt('x', odd, 'laptop', now).message, /\(locked since yesterday\)\./);
  assert.equal(lockAge({ ...foreign, started: '2026-12-03T12:00:30.000Z' }, now), 'under 1 s', 'a clock ahead is no negative age');
});

test('the take-over resume is a command line the CLI reads as --take-over, and only when asked', () => {
  const cfg = { parallel: null, backend: 'auto' as const };
  assert.equal(parseCommandLine(resumeArgs('/w/runs/r1', cfg, false, true)).flags[FLAG.takeOver], true);
  assert.equal(parseCommandLine(resumeArgs('/w/runs/r1', cfg, true)).flags[FLAG.takeOver], undefined);
});
