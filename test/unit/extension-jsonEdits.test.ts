// Layout-keeping JSONC edits used by quick fixes and templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { applyEdits, inlineJson, insertProperty, removeProperty, renameKey, swapNodes } from '../../src/extension/jsonEdits';
import { instantiate, specName, TEMPLATES } from '../../src/extension/templateText';
import { checkText } from '../../src/core/check';

function prop(text: string, path: jsonc.JSONPath): jsonc.Node {
  const n = jsonc.findNodeAtLocation(jsonc.parseTree(text)!, path);
  assert.ok(n?.parent?.type === 'property', `no property at ${path.join('.')}`);
  return n.parent!;
}

function obj(text: string, path: jsonc.JSONPath): jsonc.Node {
  const root = jsonc.parseTree(text)!;
  return path.length ? jsonc.findNodeAtLocation(root, path)! : root;
}

test('inlineJson spaces like hand-written JSON', () => {
  assert.equal(inlineJson({ type: 'dense', units: 32 }), '{ "type": "dense", "units": 32 }');
  assert.equal(inlineJson([{ type: 'flatten' }, 1]), '[{ "type": "flatten" }, 1]');
  assert.equal(inlineJson({}), '{}');
});

test('removing a property from a one-line object keeps it on one line', () => {
  const t = '{ "a": 1, "b": 2, "c": 3 }';
  assert.equal(applyEdits(t, removeProperty(t, prop(t, ['a']))), '{ "b": 2, "c": 3 }');
  assert.equal(applyEdits(t, removeProperty(t, prop(t, ['b']))), '{ "a": 1, "c": 3 }');
  assert.equal(applyEdits(t, removeProperty(t, prop(t, ['c']))), '{ "a": 1, "b": 2 }');
  const one = '{ "a": 1 }';
  assert.equal(applyEdits(one, removeProperty(one, prop(one, ['a']))), '{ }');
});

test('removing a property on its own line takes the line and its comment, and keeps the neighbours comments', () => {
  const t = '{\n  "a": 1, // one\n  "x": "y", // about x\n  "b": 2\n}\n';
  assert.equal(applyEdits(t, removeProperty(t, prop(t, ['x']))), '{\n  "a": 1, // one\n  "b": 2\n}\n');
  const last = '{\n  "a": 1, // one\n  "b": 2\n}\n';
  assert.equal(applyEdits(last, removeProperty(last, prop(last, ['b']))), '{\n  "a": 1 // one\n}\n');
  const crlf = '{\r\n  "a": 1,\r\n  "b": 2\r\n}';
  assert.equal(applyEdits(crlf, removeProperty(crlf, prop(crlf, ['a']))), '{\r\n  "b": 2\r\n}');
});

test('inserting into a one-line object stays on one line', () => {
  const t = '{ "layers": [{ "type": "flatten" }, { "type": "dense" }] }';
  const o = obj(t, ['layers', 1]);
  assert.equal(applyEdits(t, insertProperty(t, o, 'units', 32)), '{ "layers": [{ "type": "flatten" }, { "type": "dense", "units": 32 }] }');
  const empty = '{ "training": {} }';
  assert.equal(applyEdits(empty, insertProperty(empty, obj(empty, ['training']), 'epochs', 3)), '{ "training": { "epochs": 3 } }');
});

test('inserting into a multi-line object gets its own line, indented like the others', () => {
  const t = '{\n    "architecture": {}\n}\n';
  assert.equal(
    applyEdits(t, insertProperty(t, obj(t, []), 'dataset', { source: 'synthetic' }, undefined, 0)),
    '{\n    "dataset": { "source": "synthetic" },\n    "architecture": {}\n}\n',
  );
  assert.equal(
    applyEdits(t, insertProperty(t, obj(t, []), 'search', { strategy: 'grid' })),
    '{\n    "architecture": {},\n    "search": { "strategy": "grid" }\n}\n',
  );
  const commented = '{\n  "a": 1 // note\n}';
  assert.equal(applyEdits(commented, insertProperty(commented, obj(commented, []), 'b', 2)), '{\n  "a": 1, // note\n  "b": 2\n}');
  const big = '{\n  "a": 1\n}';
  const value = { type: 'sequential', layers: [{ type: 'flatten' }, { type: 'dense', units: 32 }] };
  const out = applyEdits(big, insertProperty(big, obj(big, []), 'architecture', value));
  assert.deepEqual(jsonc.parse(out), { a: 1, architecture: value });
  assert.match(out, /\n {2}"architecture": \{\n {4}"type": "sequential",/);
});

test('renaming and swapping keep the original spelling', () => {
  const t = '{ "filter": 8, "int": [1e2, 16] }';
  assert.equal(applyEdits(t, renameKey(prop(t, ['filter']), 'filters')), '{ "filters": 8, "int": [1e2, 16] }');
  const arr = obj(t, ['int']);
  assert.equal(applyEdits(t, swapNodes(t, arr.children![0], arr.children![1])), '{ "filter": 8, "int": [16, 1e2] }');
});

test('every template instantiates to a spec without $schema that still checks clean', () => {
  const dir = path.join(__dirname, '..', '..', 'examples');
  for (const t of TEMPLATES) {
    const text = fs.readFileSync(path.join(dir, t.file), 'utf8');
    const out = instantiate(text, 'my search');
    assert.ok(!out.includes('$schema'), t.file);
    assert.equal((jsonc.parse(out) as { name: string }).name, 'my search');
    assert.ok(out.startsWith('//'), `${t.file}: the leading comment is kept`);
    const errors = checkText(out, { file: path.join(dir, t.file), probeData: false }).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], t.file);
    for (const d of t.data ?? []) assert.ok(fs.existsSync(path.join(dir, d)), d);
  }
  assert.equal(specName('my search.nas.json'), 'my search');
});
