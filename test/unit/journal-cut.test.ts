// Issue 14, item 2: a crash can cut the journal at any byte. Every prefix of a real run's journal must read as
// its complete events plus at most one dropped torn line, and stay readable once reopened (repaired) and
// appended to, also right after the repair with nothing appended yet; a failed or partial write must not glue
// two events together. (test/engine/journal-resume.test.ts resumes cut journals to the budget.)
import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
// the module object itself (not a namespace copy), whose writeSync the journal calls: the tests below mock it
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/shared/events';
import { Journal, parseJournal, readJournal } from '../../src/core/journal';

/** A journal written by `nas-studio run` on test/fixtures/specs/tiny.nas.json (6 trials, 2 workers). */
const real = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'journal', 'tiny-run.jsonl'));
const lines = real.toString('utf8').split('\n').slice(0, -1);
/** Byte offset just past each line's newline. */
const ends: number[] = [];
for (let i = 0, at = 0; i < lines.length; i++) ends.push((at += Buffer.byteLength(lines[i]) + 1));

/** How many events a cut at `n` bytes leaves whole: lines ending before it, and a last line missing only its newline. */
function wholeAt(n: number): { whole: number; torn: boolean } {
  const whole = ends.filter((e) => e <= n).length;
  const start = whole === 0 ? 0 : ends[whole - 1];
  if (n === start) return { whole, torn: false };
  if (n === ends[whole] - 1) return { whole: whole + 1, torn: false };
  return { whole, torn: true };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-journal-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const extra: RunEvent = { type: 'log', time: '2026-12-03T05:00:00.000Z', level: 'info', message: 'appended after the cut' };

describe('a real journal cut at every byte', () => {
  it('reads as its complete events plus at most one dropped torn line', () => {
    assert.ok(lines.length > 30 && real.length > 5000, 'the fixture is a whole run');
    for (let n = 0; n <= real.length; n++) {
      const { whole, torn } = wholeAt(n);
      const r = parseJournal(real.subarray(0, n).toString('utf8'), `cut at ${n}`);
      assert.equal(r.events.length, whole, `cut at ${n}`);
      assert.equal(r.tornTail, torn, `cut at ${n}`);
      if (whole > 0) assert.deepEqual(r.events[whole - 1], JSON.parse(lines[whole - 1]));
      // what the repair of the version on main did: a newline after the torn line, then nothing yet
      if (torn) assert.equal(parseJournal(real.subarray(0, n).toString('utf8') + '\n').events.length, whole, `cut at ${n}, newline added`);
    }
  });

  it('a torn line that ends in "}" followed by later events (an older repair) still reads', () => {
    // cut just after a nested object closes: the line ends in "}" but is not whole
    const i = lines.findIndex((l) => l.includes('"metrics":{'));
    const cut = lines[i].indexOf('}') + 1;
    const text = [...lines.slice(0, i), lines[i].slice(0, cut), ...lines.slice(i + 1)].join('\n') + '\n';
    const r = parseJournal(text);
    assert.equal(r.tornTail, true);
    assert.equal(r.events.length, lines.length - 1);
  });

  it('a sample of cuts reopened and appended to: the complete events, then the new one', () => {
    const step = Math.max(1, Math.floor(real.length / 150));
    for (let n = 0; n <= real.length; n += step) {
      const file = path.join(dir, `cut-${n}.jsonl`);
      fs.writeFileSync(file, real.subarray(0, n));
      const { whole } = wholeAt(n);
      const j = new Journal(file);
      // right after the repair, before anything is appended (during a resume, until the first worker is ready)
      const repaired = readJournal(file);
      assert.equal(repaired.events.length, whole, `cut at ${n}, repaired`);
      assert.equal(repaired.tornTail, false, `cut at ${n}: the repair leaves complete lines only`);
      j.append(extra);
      j.close();
      const r = readJournal(file);
      assert.equal(r.events.length, whole + 1, `cut at ${n}, appended`);
      assert.deepEqual(r.events.at(-1), extra);
      // and again: a second crash and resume
      const k = new Journal(file);
      k.append(extra);
      k.close();
      assert.equal(readJournal(file).events.length, whole + 2);
      fs.rmSync(file);
    }
  });
});

describe('writes', () => {
  it('a partial write is continued until the line is whole', (t) => {
    const file = path.join(dir, 'partial.jsonl');
    const j = new Journal(file);
    const real = fsModule.writeSync;
    // at most 7 bytes per call, as a write interrupted by a signal may return
    t.mock.method(fsModule, 'writeSync', (fd: number, buf: Buffer | string, off?: number, len?: number) =>
      typeof buf === 'string' ? real(fd, Buffer.from(buf).subarray(0, 7)) : real(fd, buf, off, Math.min(len ?? buf.length, 7)),
    );
    j.append(extra);
    j.append(extra);
    mock.restoreAll();
    j.close();
    assert.deepEqual(readJournal(file).events, [extra, extra]);
  });

  it('a write that fails midway is taken back: the next append starts on a line of its own', (t) => {
    const file = path.join(dir, 'failed.jsonl');
    const j = new Journal(file);
    j.append(extra);
    const real = fsModule.writeSync;
    let calls = 0;
    t.mock.method(fsModule, 'writeSync', (fd: number, buf: Buffer, off: number, len: number) => {
      if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return real(fd, buf, off, Math.min(len, 10));
    });
    assert.throws(() => j.append(extra), /ENOSPC/);
    mock.restoreAll();
    j.append(extra);
    j.close();
    const r = readJournal(file);
    assert.equal(r.tornTail, false);
    assert.deepEqual(r.events, [extra, extra]);
  });
});
