// Every bad spec in test/fixtures/bad ends with `// expect: LINE:COL severity: message` lines (one-based, as the
// CLI prints them). The checker must report exactly those errors, at exactly those places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';

const dir = path.join(__dirname, '..', 'fixtures', 'bad');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.nas.json'))
  .sort();

test('there are at least 25 bad-spec fixtures', () => {
  assert.ok(files.length >= 25, `only ${files.length} fixtures`);
});

for (const f of files) {
  test(`fixture ${f}`, () => {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, 'utf8');
    const expected = [...text.matchAll(/^\/\/ expect: (\d+):(\d+) (error|warning): (.*)$/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}: ${m[4]}`);
    assert.ok(expected.length > 0, `${f} has no expect lines`);
    const r = checkText(text, { file });
    const got = r.diagnostics
      .filter((d) => d.severity !== 'info')
      .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity}: ${d.message}`);
    assert.deepEqual(got, expected);
    assert.equal(r.spec, undefined, 'a spec with errors must not be handed on');
  });
}
