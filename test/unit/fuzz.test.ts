// A mutation fuzz test of the checker through the CLI entry point: random JSON-level damage to the examples
// (deleted keys, wrong types, negative or huge numbers, truncated text, duplicate keys). Whatever the input,
// the exit code is 0 or 1, nothing throws, and every finding has a location inside the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { main } from '../../src/cli/main';
import { Rng } from '../../src/core/rng';

const root = path.join(__dirname, '..', '..');
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.nas.json'))
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(root, 'examples', f), 'utf8') }));

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

function paths(node: jsonc.Node, at: jsonc.JSONPath = [], out: jsonc.JSONPath[] = []): jsonc.JSONPath[] {
  out.push(at);
  if (node.type === 'object') for (const p of node.children ?? []) if (p.children?.[1]) paths(p.children[1], [...at, p.children[0].value as string], out);
  if (node.type === 'array') (node.children ?? []).forEach((c, i) => paths(c, [...at, i], out));
  return out;
}

function mutate(text: string, rng: Rng): string {
  const tree = jsonc.parseTree(text);
  if (!tree) return text + rng.pick(['{', '"', '1']);
  const all = paths(tree).filter((p) => p.length > 0);
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
    const out: string[] = [];
    let code: number;
    try {
      code = await main(
        ['check', '--json', file],
        (s) => out.push(s),
        (s) => out.push(s),
      );
    } catch (e) {
      assert.fail(`mutation ${i} of ${base.name} threw ${(e as Error).stack}\n--- input ---\n${text}`);
    }
    assert.ok(code === 0 || code === 1, `mutation ${i} exited ${code}`);
    codes[code]++;
    const lines = text.split(/\r\n|\r|\n/);
    const report = JSON.parse(out.join('\n'));
    for (const d of report.files[0].diagnostics) {
      assert.ok(d.line >= 1 && d.line <= lines.length + 1, `mutation ${i}: line ${d.line} outside the file`);
      assert.ok(d.column >= 1, `mutation ${i}: column ${d.column}`);
      assert.ok(typeof d.message === 'string' && d.message.length > 0 && !/\n\s+at /.test(d.message), `mutation ${i}: bad message ${d.message}`);
    }
    if (code === 1) assert.ok(report.files[0].diagnostics.some((d: { severity: string }) => d.severity === 'error'));
  }
  // Both outcomes must actually occur, or the mutations are not exercising anything.
  assert.ok(codes[1] > 300, `only ${codes[1]} mutations were rejected`);
  assert.ok(codes[0] > 20, `only ${codes[0]} mutations were accepted`);
  fs.rmSync(dir, { recursive: true, force: true });
});
