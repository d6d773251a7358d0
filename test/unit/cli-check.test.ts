// `nas-studio check` as a user runs it: compiler-style lines, a summary per file, exit codes 0/1/2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../helpers/cli';

const root = path.join(__dirname, '..', '..');

test('every example passes check and gets a size and weight range', async () => {
  const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.nas.json'));
  assert.ok(examples.length >= 4);
  const r = await cli('check', ...examples.map((f) => path.join(root, 'examples', f)));
  assert.equal(r.code, 0, r.out);
  for (const f of examples) {
    const line = r.out.split('\n').find((l) => l.startsWith(path.join(root, 'examples', f) + ': '));
    assert.ok(line, `no summary line for ${f}`);
    assert.match(line, /architectures?/);
    assert.match(line, /weights \d/);
    assert.match(line, /FLOPs\/sample/);
  }
});

test('errors print as FILE:LINE:COL: error: MESSAGE and exit 1', async () => {
  const file = path.join(root, 'test/fixtures/bad/05-reversed-bounds.nas.json');
  const r = await cli('check', file);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:76: error: the lower bound 64 is greater than the upper bound 16$`, 'm'));
});

test('--json prints the same findings as JSON', async () => {
  const file = path.join(root, 'test/fixtures/bad/05-reversed-bounds.nas.json');
  const r = await cli('check', '--json', file);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out);
  assert.equal(j.errors, 1);
  assert.deepEqual(
    j.files[0].diagnostics.map((d: { line: number; column: number; severity: string; code: string }) => [d.line, d.column, d.severity, d.code]),
    [[6, 76, 'error', 'reversed-bounds']],
  );
  const ok = JSON.parse((await cli('check', '--json', path.join(root, 'examples/synthetic-shapes.nas.json'))).out);
  assert.equal(ok.errors, 0);
  assert.equal(ok.files[0].summary.architectures, '168');
  assert.deepEqual(ok.files[0].summary.inputShape, [16, 16, 1]);
});

test('usage errors exit 2 with a message, missing files exit 1', async () => {
  assert.equal((await cli()).code, 2);
  const unknown = await cli('chekc');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command 'chekc'/);
  const flag = await cli('check', '--jsn', 'x');
  assert.equal(flag.code, 2);
  assert.match(flag.err, /unknown option --jsn/);
  assert.equal((await cli('check')).code, 2);
  const missing = await cli('check', path.join(os.tmpdir(), 'does-not-exist.nas.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nas-studio: cannot read .*does-not-exist\.nas\.json: no such file/);
});
