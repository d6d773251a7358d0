// A run followed through its folder: events arrive as the journal grows, listeners hear each once, and the
// status follows the launch from starting to its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import { RunRecord, type RunChange } from '../../src/extension/runRecord';
import { started as runStarted } from '../helpers/events';

const started = (resumed = false): RunEvent =>
  runStarted(0, { time: new Date().toISOString(), budget: { trials: 2 }, specFile: '/s.nas.json', inputShape: [2], outputs: 2, resumed });
const finished = (reason: 'budget' | 'stopped'): RunEvent => ({ type: 'run-finished', time: new Date().toISOString(), reason });

test('a run is followed from an empty folder to its end, and resumed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-rec-'));
  const journal = path.join(dir, 'journal.jsonl');
  const append = (e: RunEvent) => fs.appendFileSync(journal, JSON.stringify(e) + '\n');
  const r = new RunRecord(dir);
  assert.equal(r.status, 'crashed', 'no journal and no process: it never started');
  assert.equal(r.canResume, false);
  const changes: RunChange[] = [];
  const unsubscribe = r.subscribe((c) => changes.push(c));

  r.beginLaunch(0);
  assert.equal(r.status, 'starting');
  append(started());
  fs.appendFileSync(journal, '{"type":"log","time":"x","lev'); // half written
  r.poll();
  assert.equal(r.status, 'running');
  assert.equal(r.events.length, 1);
  fs.appendFileSync(journal, 'el":"info","message":"m"}\n');
  append(finished('stopped'));
  r.poll();
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['run-started', 'log', 'run-finished'],
  );
  r.settle();
  assert.equal(r.status, 'stopped');
  assert.equal(r.canResume, true);

  // A resume: the old events stay, the launch starts after them.
  r.beginLaunch(r.events.length);
  assert.equal(r.status, 'starting');
  assert.equal(r.launchFrom, 3);
  append(started(true));
  append(finished('budget'));
  r.poll();
  r.settle();
  assert.equal(r.status, 'finished');
  assert.equal(r.canResume, false);

  const delivered = changes.flatMap((c) => c.events);
  assert.equal(delivered.length, r.events.length, 'every event reached the listener exactly once');
  assert.deepEqual(
    changes.filter((c) => c.status).map((c) => c.status),
    ['starting', 'running', 'stopped', 'starting', 'running', 'finished'],
  );
  unsubscribe();
  append(started(true));
  r.poll();
  assert.equal(changes.flatMap((c) => c.events).length, delivered.length, 'no news after unsubscribing');
});

test('a folder opened later reads the whole journal at once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-rec-'));
  fs.writeFileSync(path.join(dir, 'journal.jsonl'), [started(), finished('budget')].map((e) => JSON.stringify(e)).join('\n') + '\n');
  const r = new RunRecord(dir);
  assert.equal(r.events.length, 2);
  assert.equal(r.status, 'finished');
  assert.equal(r.name, 'demo');
});
