// The checker's bounds on hostile input (issue 14), each with the finding the user gets: nesting past
// MAX_NESTING, networks past MAX_LAYERS once unrolled, the same mistake at thousands of places as one counted
// finding, at most MAX_FINDINGS findings, space sizes capped instead of overflowing. fuzz-hostile.test.ts
// checks that no input crashes or stalls the checker; this file checks what it says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';
import { MAX_FINDINGS } from '../../src/core/findingLimits';
import { MAX_NESTING } from '../../src/core/json';
import { MAX_LAYERS } from '../../src/core/semantic';
import { spaceSize, SPACE_SIZE_CAP } from '../../src/core/space';
import { formatInt } from '../../src/shared/format';
import type { NasSpec } from '../../src/shared/spec';

const root = path.join(__dirname, '..', '..');
const where = (d: { range: { start: { line: number; character: number } } }) => `${d.range.start.line + 1}:${d.range.start.character + 1}`;
const spec = (layers: unknown[]) => JSON.stringify({ dataset: { source: 'synthetic' }, architecture: { type: 'sequential', layers } });
const blocks = (depth: number, repeat: unknown = { int: [1, 2] }) => {
  let v: unknown = { type: 'dense', units: 4 };
  for (let i = 0; i < depth; i++) v = { type: 'block', repeat, layers: [v] };
  return v;
};

describe('checker limits', () => {
  it(`refuses nesting deeper than ${MAX_NESTING} levels at the bracket that goes too deep`, () => {
    const text = `{\n  "name": "x",\n  "description": ${'['.repeat(300)}${']'.repeat(300)}\n}`;
    const r = checkText(text);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].code, 'syntax');
    assert.match(r.diagnostics[0].message, /nested more than 256 levels deep/);
    // The object is level 1, so the 256th bracket of the list opens level 257.
    assert.equal(where(r.diagnostics[0]), `3:${18 + 255}`);
    // Brackets inside strings and comments do not count.
    const quoted = `// ${'['.repeat(300)}\n{ "name": "${'['.repeat(300)}", "dataset": { "source": "synthetic" } }`;
    assert.ok(!checkText(quoted).diagnostics.some((d) => /nested/.test(d.message)));
  });

  it(`stops a network that unrolls past ${MAX_LAYERS} layers, at the block that makes it so`, () => {
    const text = spec([{ type: 'flatten' }, blocks(13)]);
    const r = checkText(text);
    const d = r.diagnostics.find((x) => x.code === 'size');
    assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.message)));
    assert.equal(d.message, 'this block unrolls to as many as 8,192 layers (2 copies of 4,096); NAS Studio builds networks of at most 4,096 layers');
    // The outermost block: its 2 copies of 4,096 layers are what goes over.
    assert.equal(d.path, 'architecture.layers[1]');
    assert.equal(where(d), `1:${text.indexOf('"repeat"') + 1}`);
    // Twelve levels alone (4,096 layers) are allowed; a flat list of 5,000 layers is not.
    assert.ok(!checkText(spec([blocks(12)])).diagnostics.some((x) => x.code === 'size'));
    const flat = checkText(spec(Array.from({ length: 5000 }, () => ({ type: 'dense', units: 2 }))));
    assert.ok(flat.diagnostics.some((x) => x.path === 'architecture.layers' && /as many as 5,000 layers/.test(x.message)));
  });

  it('makes one counted finding of a mistake repeated at thousands of places, listing five of them', () => {
    const r = checkText(spec([{ type: 'flatten' }, { type: 'dense', units: { choice: Array.from({ length: 3000 }, () => 'x') } }]));
    const wrong = r.diagnostics.filter((d) => /must be an integer/.test(d.message));
    assert.equal(wrong.length, 1);
    assert.match(wrong[0].message, /^must be an integer, not a string \(and 2,999 more like it\)$/);
    assert.equal(wrong[0].related?.length, 5);
    assert.ok(wrong[0].related!.every((n) => n.message === 'also: must be an integer, not a string' && /units\.choice\[\d\]$/.test(n.path)));
    const twice = r.diagnostics.filter((d) => /listed twice/.test(d.message));
    assert.equal(twice.length, 1);
    assert.match(twice[0].message, /\(and 2,998 more like it\)$/);
    // Ten are still listed one by one (quick fixes work on each).
    const ten = checkText(spec([{ type: 'flatten' }, { type: 'dense', units: { choice: Array.from({ length: 10 }, () => 'x') } }]));
    assert.equal(ten.diagnostics.filter((d) => /must be an integer/.test(d.message)).length, 10);
  });

  it(`lists at most ${MAX_FINDINGS} findings, the last one counting the rest`, () => {
    // 120 nested blocks with two mistakes each: at different depths they are not analogous, so none collapse.
    let layers: unknown = [{ type: 'dense', units: 2 }];
    for (let i = 0; i < 120; i++) layers = [{ type: 'block', repeat: 'x', [`bad${i}`]: 1, layers }];
    const r = checkText(spec(layers as unknown[]));
    assert.equal(r.diagnostics.length, MAX_FINDINGS);
    const last = r.diagnostics.at(-1)!;
    assert.equal(last.severity, 'error');
    assert.match(last.message, /^41 more findings from here on \(41 of them errors\) are not listed: fix the ones above first\. The first: /);
    assert.equal(r.spec, undefined, 'the spec is still rejected');
  });

  it('caps the size of a space of nested repeats instead of overflowing, and says so', () => {
    const s = { dataset: { source: 'synthetic' }, architecture: { type: 'sequential', layers: [blocks(250)] } } as unknown as NasSpec;
    const size = spaceSize(s);
    assert.equal(size.architectures, SPACE_SIZE_CAP);
    assert.equal(formatInt(size.architectures), '1e+300 or more');
    assert.equal(formatInt(10n ** 299n), '1.00e+299');
  });

  it('checks the data of a spec whose seed the schema rejects, without throwing', () => {
    const text = fs.readFileSync(path.join(root, 'examples', 'text-reviews.nas.json'), 'utf8').replace(/"seed":\s*\d+/, '"seed": { "float": [0, 1] }');
    const r = checkText(text, { file: path.join(root, 'examples', 'x.nas.json') });
    assert.ok(
      r.diagnostics.some((d) => d.path === 'search.seed'),
      JSON.stringify(r.diagnostics.map((d) => `${d.path}: ${d.message}`)),
    );
  });
});
