// Completion and hover in nas-json documents come from the schema through our own code (the JSON service no
// longer serves these files): field names at a field position, values and snippets at a value position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { completionsAt, type SnippetDef } from '../../src/extension/completion';
import { fieldHoverAt } from '../../src/extension/fieldInfo';

const raw = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'snippets', 'nas-json.code-snippets'), 'utf8')) as Record<
  string,
  Omit<SnippetDef, 'name'>
>;
const SNIPPETS: SnippetDef[] = Object.entries(raw).map(([name, s]) => ({ name, ...s }));
const LAYERS = (inner: string) => `{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [${inner}] } }`;

/** Completions at the `|` of `marked`. */
function at(marked: string) {
  const offset = marked.indexOf('|');
  const text = marked.replace('|', '');
  return { text, offset, items: completionsAt(text, offset, SNIPPETS) };
}

test('a field position in a conv2d offers its missing fields, with details, no snippets and no duplicates', () => {
  const { items } = at(LAYERS('{ "type": "conv2d", "filters": 8, | }'));
  const labels = items.map((i) => i.label);
  for (const f of ['kernelSize', 'strides', 'padding', 'activation']) assert.ok(labels.includes(f), `${f} in ${labels.join(', ')}`);
  assert.ok(!labels.includes('units'), 'units belongs to dense');
  assert.ok(!labels.includes('filters') && !labels.includes('type'), 'fields already written are not offered again');
  assert.equal(new Set(labels).size, labels.length, `duplicates in ${labels.join(', ')}`);
  assert.deepEqual(
    items.filter((i) => i.kind !== 'field').map((i) => i.label),
    [],
  );
  const kernel = items.find((i) => i.label === 'kernelSize')!;
  assert.equal(kernel.detail, 'integer ≥ 1 or a parameter · default 3');
  assert.match(kernel.documentation ?? '', /Size of the convolution window/);
  assert.equal(kernel.insertText, '"kernelSize": $1');
  assert.equal(items.find((i) => i.label === 'padding')!.detail, '"same" | "valid" or a parameter · default "same"');
});

test('typing inside a quoted key replaces the whole key and matches with its quote', () => {
  const { text, items } = at(LAYERS('{ "type": "dense", "un|" }'));
  const units = items.find((i) => i.label === 'units')!;
  assert.equal(text.slice(units.replace.offset, units.replace.offset + units.replace.length), '"un"');
  assert.equal(units.filterText, '"units"');
});

test('a new field gets a comma when another field follows it', () => {
  const { items } = at(LAYERS('{ "type": "dense", | "units": 8 }'));
  assert.equal(items.find((i) => i.label === 'activation')!.insertText, '"activation": $1,');
});

test('an object without its type yet offers the type first, not every layer field', () => {
  assert.deepEqual(
    at(LAYERS('{ | }')).items.map((i) => i.label),
    ['type'],
  );
  assert.deepEqual(
    at('{ "dataset": { | } }').items.map((i) => i.label),
    ['source'],
  );
});

test('value positions offer the schema values with their descriptions', () => {
  assert.deepEqual(
    at('{ "dataset": { "source": "|" } }').items.map((i) => i.label),
    ['"synthetic"', '"idx"', '"csv"'],
  );
  const types = at(LAYERS('{ "type": "|" }')).items;
  assert.ok(types.some((i) => i.label === '"conv2d"' && /2-D convolution/.test(i.documentation ?? '')));
  const inChoice = at(LAYERS('{ "type": "dense", "units": 8, "activation": { "choice": ["relu", |] } }')).items.map((i) => i.label);
  assert.ok(inChoice.includes('"swish"'), inChoice.join(', '));
});

test('layer snippets go in a list of layers, parameter snippets where a parameter may go', () => {
  const inList = at(LAYERS('|')).items;
  assert.ok(inList.some((i) => i.kind === 'snippet' && i.label === 'Conv2D layer'));
  assert.ok(!inList.some((i) => i.label === 'Choice parameter'));
  const units = at(LAYERS('{ "type": "dense", "units": | }')).items;
  assert.deepEqual(
    units.filter((i) => i.kind === 'snippet').map((i) => i.label),
    ['Choice parameter', 'Integer parameter'],
  );
  assert.ok(!units.some((i) => i.label === 'Dense layer'));
  // `rate` is a float: its parameters are choice and float, not int.
  const rate = at(LAYERS('{ "type": "dropout", "rate": | }'))
    .items.filter((i) => i.kind === 'snippet')
    .map((i) => i.label);
  assert.ok(rate.includes('Float parameter') && !rate.includes('Integer parameter'), rate.join(', '));
});

test('section snippets are offered at the top level beside the fields, an empty file gets the whole-spec snippet', () => {
  const top = at('{ | }').items;
  assert.ok(top.some((i) => i.kind === 'field' && i.label === 'training'));
  assert.ok(top.some((i) => i.kind === 'snippet' && i.label === 'Training section'));
  assert.deepEqual(
    at('|').items.map((i) => i.label),
    ['Search space'],
  );
});

test("hover on a parameter's inside, or on its field, keeps the field's documentation", () => {
  const text = LAYERS('{ "type": "conv2d", "filters": 8, "kernelSize": { "choice": [3, 5] } }');
  const root = jsonc.parseTree(text)!;
  for (const where of ['"choice"', '"kernelSize"', '[3, 5]']) {
    const h = fieldHoverAt(root, text.indexOf(where) + 2);
    assert.ok(h, where);
    assert.match(h.markdown, /^\*\*kernelSize\*\* — integer ≥ 1 or a parameter · default 3\n\nSize of the convolution window/, where);
  }
  const type = fieldHoverAt(root, text.indexOf('"conv2d"') + 2)!;
  assert.match(type.markdown, /`conv2d`: A 2-D convolution/);
});
