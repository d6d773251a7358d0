// The editor covers the sequence layers as it does the image ones: hover documents every layer type and every
// field of it (also inside a parameter), and completion inside one offers that layer's own fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { completionsAt } from '../../src/extension/completion';
import { fieldHoverAt } from '../../src/extension/fieldInfo';
import { SEQUENCE_LAYER_TYPES } from '../../src/shared/arch';

interface Def {
  properties?: Record<string, unknown>;
}
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'nas.schema.json'), 'utf8')) as { definitions: Record<string, Def> };
const LAYERS = (inner: string) => `{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [${inner}] } }`;

/** The fields a layer type's schema definition lists, `type` aside. */
function fieldsOf(type: string): string[] {
  const def = schema.definitions[`${type}Layer`];
  assert.ok(def?.properties, `schema has ${type}Layer`);
  return Object.keys(def.properties).filter((k) => k !== 'type');
}

for (const type of SEQUENCE_LAYER_TYPES) {
  test(`${type}: hover documents the type and each field, completion offers its fields`, () => {
    const fields = fieldsOf(type);
    // Every field given a parameter value, so the hover also has to see through `choice`.
    const body = [`"type": "${type}"`, ...fields.map((f) => `"${f}": { "choice": [1, 2] }`)].join(', ');
    const text = LAYERS(`{ ${body} }`);
    const root = jsonc.parseTree(text)!;
    const typeHover = fieldHoverAt(root, text.indexOf(`"${type}"`) + 2);
    assert.ok(typeHover, `hover on "${type}"`);
    assert.match(typeHover.markdown, new RegExp(`\`${type}\`: \\S`), `the type's description: ${typeHover.markdown}`);
    for (const f of fields) {
      const h = fieldHoverAt(root, text.indexOf(`"${f}"`) + 2);
      assert.ok(h, `${type}.${f}: no hover`);
      const [title, ...doc] = h.markdown.split('\n\n');
      assert.match(title, new RegExp(`^\\*\\*${f}\\*\\*`), `${type}.${f}: ${h.markdown}`);
      assert.ok(doc.join('').trim().length > 10, `${type}.${f}: no documentation in ${h.markdown}`);
    }
    const marked = LAYERS(`{ "type": "${type}", | }`);
    const offset = marked.indexOf('|');
    const labels = completionsAt(marked.replace('|', ''), offset, []).map((i) => i.label);
    assert.deepEqual([...labels].sort(), [...fields].sort(), `${type}: completion offers ${labels.join(', ')}`);
  });
}
