// Quick fixes: each one, applied to a bad fixture, removes the finding it was offered for and adds no error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';
import { applyEdits } from '../../src/extension/jsonEdits';
import { fixesFor, insertionIndex, parsePath } from '../../src/extension/fixes';

const dir = path.join(__dirname, '..', 'fixtures', 'bad');

function fixture(name: string) {
  const file = path.join(dir, name);
  const text = fs.readFileSync(file, 'utf8');
  return { file, text, diags: checkText(text, { file }).diagnostics };
}

function apply(name: string, code: string, title: RegExp) {
  const f = fixture(name);
  const d = f.diags.find((x) => x.code === code);
  assert.ok(d, `${name} has no ${code} finding`);
  const fix = fixesFor(f.text, d, { tabSize: 2, insertSpaces: true, eol: '\n' }).find((x) => title.test(x.title));
  assert.ok(
    fix,
    `no fix matching ${title} for ${name}: ${fixesFor(f.text, d)
      .map((x) => x.title)
      .join(' | ')}`,
  );
  const text = applyEdits(f.text, fix.edits);
  const after = checkText(text, { file: f.file }).diagnostics;
  assert.ok(!after.some((x) => x.code === d.code && x.path === d.path), `${name}: the finding is still there`);
  assert.equal(
    after.filter((x) => x.severity === 'error').length,
    f.diags.filter((x) => x.severity === 'error').length - 1,
    `${name}: ${after.map((x) => x.message).join('; ')}`,
  );
  return { fix, text };
}

test('parsePath inverts formatPath', () => {
  assert.deepEqual(parsePath('architecture.layers[2].options[0].units'), ['architecture', 'layers', 2, 'options', 0, 'units']);
  assert.deepEqual(parsePath('(root)'), []);
});

test('reversed bounds are swapped in place', () => {
  const { fix, text } = apply('05-reversed-bounds.nas.json', 'reversed-bounds', /^Swap/);
  assert.equal(fix.title, 'Swap the bounds to [16, 64]');
  assert.ok(fix.preferred);
  assert.match(text, /"units": \{ "int": \[16, 64\] \}/);
});

test('an unknown property is renamed to the suggestion, or removed', () => {
  const renamed = apply('03-typo-field.nas.json', 'unknown-property', /^Rename/);
  assert.equal(renamed.fix.title, "Rename 'filter' to 'filters'");
  assert.match(renamed.text, /\{ "type": "conv2d", "filters": 8 \}/);
  const f = fixture('03-typo-field.nas.json');
  const d = f.diags.find((x) => x.code === 'unknown-property')!;
  const remove = fixesFor(f.text, d).find((x) => x.title.startsWith('Remove'))!;
  assert.match(applyEdits(f.text, remove.edits), /\{ "type": "conv2d" \},/);
  const top = apply('30-unknown-top-level.nas.json', 'unknown-property', /./);
  assert.ok(top.fix);
});

test('a missing property is added with a default that checks', () => {
  const units = apply('04-missing-units.nas.json', 'missing-property', /^Add/);
  assert.match(units.text, /\{ "type": "dense", "units": 32 \}/);
  const dataset = apply('16-missing-dataset.nas.json', 'missing-property', /^Add/);
  assert.match(dataset.text, /\{\n {2}"dataset": \{ "source": "synthetic", "generator": "shapes" \},\n {2}"architecture"/);
});

test('an enum typo is replaced by the suggestion', () => {
  const opt = apply('14-unknown-optimizer.nas.json', 'schema', /^Change/);
  assert.equal(opt.fix.title, "Change to 'adam'");
  assert.match(opt.text, /"optimizer": "adam"/);
  apply('02-unknown-layer-type.nas.json', 'schema', /conv2d/);
});

test('findings without a fix get none', () => {
  const f = fixture('08-conv-after-flatten.nas.json');
  for (const d of f.diags) assert.deepEqual(fixesFor(f.text, d), []);
});

test('new keys go where people put them', () => {
  assert.equal(insertionIndex([], ['architecture', 'search'], 'dataset'), 0);
  assert.equal(insertionIndex([], ['dataset', 'architecture'], 'search'), undefined);
  assert.equal(insertionIndex(['architecture', 'layers', 0], ['type', 'activation'], 'units'), 1);
  assert.equal(insertionIndex(['architecture', 'layers', 0], ['activation'], 'type'), 0);
});
