// A mutation fuzz test of the checker through the CLI entry point: random JSON-level damage to the examples
// (deleted keys, wrong types, negative or huge numbers, truncated text, duplicate keys). Whatever the input,
// the exit code is 0 or 1, nothing throws, and every finding has a location inside the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { Rng } from '../../src/core/rng';
import { assertLocated, checkJson, exampleSpecs, valuePaths } from '../helpers/checkFuzz';

const root = path.join(__dirname, '..', '..');
const examples = exampleSpecs();

const WEIRD: unknown[] = [
  null,
  true,
  false,
  -1,
  0,
  1e308,
  -1e308,
  2 ** 53,
  0.5,
  -0.0001,
  '',
  'x',
  'conv2d',
  [],
  [1],
  [1, 2, 3],
  {},
  { choice: [] },
  { int: [5, 1] },
  { float: [0, 0], log: true },
  { int: [1, 4], step: 0 },
  { choice: [1, 'a', null] },
  { type: 'dense' },
];

function mutate(text: string, rng: Rng): string {
  const tree = jsonc.parseTree(text);
  if (!tree) return text + rng.pick(['{', '"', '1']);
  const all = valuePaths(tree);
  if (all.length === 0) return text.slice(0, rng.int(text.length + 1));
  const target = rng.pick(all);
  const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2 } };
  switch (rng.int(6)) {
    case 0: // delete a key or an element
      return jsonc.applyEdits(text, jsonc.modify(text, target, undefined, fmt));
    case 1: // replace with a value of another type or size
      return jsonc.applyEdits(text, jsonc.modify(text, target, rng.pick(WEIRD), fmt));
    case 2: {
      // negate or blow up a number
      const node = jsonc.findNodeAtLocation(tree, target);
      const v = node?.type === 'number' ? (node.value as number) : 3;
      return jsonc.applyEdits(text, jsonc.modify(text, target, rng.pick([-v, v * 1e9, v + 0.5, Math.floor(v / 7)]), fmt));
    }
    case 3: // truncate anywhere
      return text.slice(0, rng.int(text.length));
    case 4: {
      // duplicate a key inside its object
      const node = jsonc.findNodeAtLocation(tree, target);
      const prop = node?.parent;
      if (!prop || prop.type !== 'property') return text + '}';
      const s = text.slice(prop.offset, prop.offset + prop.length);
      return text.slice(0, prop.offset) + s + ', ' + text.slice(prop.offset);
    }
    default: {
      // a random byte of damage
      const i = rng.int(text.length);
      return text.slice(0, i) + rng.pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', '/*']) + text.slice(i + 1);
    }
  }
}

test('1,000 random mutations: exit 0 or 1, no throw, every error located', async () => {
  const rng = new Rng(20261128);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-fuzz-'));
  // Dataset paths are relative to the spec: keep the example data reachable from the temp folder.
  fs.cpSync(path.join(root, 'examples', 'data'), path.join(dir, 'data'), { recursive: true });
  const file = path.join(dir, 'm.nas.json');
  const codes = { 0: 0, 1: 0 } as Record<number, number>;
  for (let i = 0; i < 1000; i++) {
    const base = rng.pick(examples);
    let text = mutate(base.text, rng);
    if (rng.next() < 0.3) text = mutate(text, rng);
    fs.writeFileSync(file, text);
    const r = await checkJson(file);
    assertLocated(`mutation ${i} of ${base.name}`, text, r);
    codes[r.code]++;
  }
  // Both outcomes must actually occur, or the mutations are not exercising anything.
  assert.ok(codes[1] > 300, `only ${codes[1]} mutations were rejected`);
  assert.ok(codes[0] > 20, `only ${codes[0]} mutations were accepted`);
  fs.rmSync(dir, { recursive: true, force: true });
});
