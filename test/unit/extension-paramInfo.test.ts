// The parameter hover: value counts and which strategies can search the parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import { paramHoverAt, paramNodeAt, strategiesFromSchema } from '../../src/extension/paramInfo';

const text = `{
  "architecture": { "type": "sequential", "layers": [
    { "type": "block", "repeat": { "int": [0, 2] }, "layers": [
      { "type": "conv2d", "filters": { "choice": [8, 16], "name": "width" } }
    ] },
    { "type": "choice", "options": [{ "type": "dense", "units": { "int": [16, 128], "step": 16 } }, { "type": "flatten" }] },
    { "type": "dropout", "rate": { "float": [0, 0.5] }, "optional": true }
  ] },
  "training": { "learningRate": { "float": [0.0001, 0.01], "log": true } },
  "search": { "strategy": "grid" }
}`;
const root = jsonc.parseTree(text)!;
const at = (s: string, skip = 0) => text.indexOf(s) + skip;
const strategies = strategiesFromSchema();

test('the strategies come from the schema, and only grid needs a finite range', () => {
  const names = strategies.map((s) => s.name);
  for (const n of ['random', 'grid', 'evolution']) assert.ok(names.includes(n));
  assert.deepEqual(
    strategies.filter((s) => s.needsFinite).map((s) => s.name),
    ['grid'],
  );
});

test('a parameter is found from its key, its inside, or its values', () => {
  const choice = paramNodeAt(root, at('"choice": [8'))!;
  assert.equal(choice.offset, at('{ "choice": [8'));
  assert.equal(paramNodeAt(root, at('16], "name"'))?.offset, choice.offset);
  assert.equal(paramNodeAt(root, at('"filters"', 2))?.offset, choice.offset);
  assert.equal(paramNodeAt(root, at('"conv2d"')), undefined);
});

test('a choice: its values, its name, and that it repeats with its block', () => {
  const h = paramHoverAt(root, at('"choice": [8'), strategies, 'grid')!;
  assert.match(h.markdown, /\*\*Search parameter\*\* `width`/);
  assert.match(h.markdown, /\*\*2 values\*\*: `8`, `16`/);
  assert.match(h.markdown, /each repetition of the block at `architecture.layers\[0\]`/);
  assert.match(h.markdown, /\| `grid` \(this spec\) \| yes: lists all 2 values \|/);
});

test('a stepped int inside a choice option', () => {
  const h = paramHoverAt(root, at('"int": [16'), strategies)!;
  assert.match(h.markdown, /\*\*8 values\*\*: `16`, `32`, `48`, `64`, `80`, `96`, `112`, `128` \(an integer in \[16, 128\] step 16\)/);
  assert.match(h.markdown, /exists only when option 0 of the choice at `architecture.layers\[1\]` is picked/);
});

test('a continuous float: grid cannot use it', () => {
  const h = paramHoverAt(root, at('"float": [0.0001'), strategies)!;
  assert.match(h.markdown, /\*\*Continuous\*\*: any number in \[0.0001, 0.01\], sampled on a log scale/);
  assert.match(h.markdown, /\| `grid` \| no: a continuous range cannot be listed/);
  assert.match(h.markdown, /\| `random` \| yes: samples it on a log scale \|/);
  const rate = paramHoverAt(root, at('"float": [0,'), strategies)!;
  assert.match(rate.markdown, /optional dropout layer at `architecture.layers\[2\]` is present/);
});

test('a malformed parameter gets no hover (the diagnostics explain it)', () => {
  const bad = jsonc.parseTree('{ "units": { "int": [64, 16] } }')!;
  assert.equal(paramHoverAt(bad, 14, strategies), undefined);
});
