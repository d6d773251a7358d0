// One finding per mistake: a shape mistake that many configurations make is reported once, with the
// configurations as its cases, and a range error elsewhere does not hide it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../src/core/check';
import { formatDiagnostic } from '../../src/cli/format';

const DATA = `"dataset": { "source": "synthetic", "generator": "shapes", "samples": 300, "imageSize": 16, "classes": 3 }`;
const spec = (layers: string) => `{\n  ${DATA},\n  "architecture": { "type": "sequential", "layers": [\n${layers}\n  ] }\n}`;

function errors(text: string) {
  return checkText(text).diagnostics.filter((d) => d.severity === 'error');
}

test('a range error and a shape error in one file are both reported', () => {
  const found = errors(
    spec(`    { "type": "conv2d", "filters": { "int": [8, 2] } },
    { "type": "flatten" },
    { "type": "conv2d", "filters": 8 },
    { "type": "dense", "units": 16 }`),
  );
  assert.deepEqual(
    found.map((d) => [d.code, d.path]),
    [
      ['reversed-bounds', 'architecture.layers[0].filters'],
      ['shape', 'architecture.layers[2].type'],
    ],
  );
});

test('shape errors are found past every kind of error that cannot change a shape', () => {
  const cases = [
    `{ "type": "conv2d", "filters": { "int": [64, 16] } }`,
    `{ "type": "conv2d", "filters": { "int": [16, 100], "step": 16 } }`,
    `{ "type": "conv2d", "filters": 16, "activaton": "relu" }`,
    `{ "type": "conv2d" }`,
    `{ "type": "conv2d", "filters": 8, "activation": "relu7" }`,
  ];
  for (const first of cases) {
    const found = errors(spec(`    ${first},\n    { "type": "flatten" },\n    { "type": "conv2d", "filters": 8 }`));
    assert.ok(
      found.some((d) => d.code === 'shape' && d.path === 'architecture.layers[2].type'),
      `${first}: ${found.map((d) => d.message).join(' | ')}`,
    );
    assert.ok(found.length >= 2, first);
  }
});

test('an error that could change shapes stops the analysis there instead of inventing shape errors', () => {
  // kernelSize is unreadable: nothing after it can be known, so only the error itself is reported.
  const found = errors(
    spec(`    { "type": "conv2d", "filters": 8, "kernelSize": { "int": [0, 3], "log": true }, "padding": "valid" },
    { "type": "conv2d", "filters": 8, "kernelSize": 3, "padding": "valid" },
    { "type": "flatten" }`),
  );
  assert.ok(found.length >= 1);
  assert.ok(!found.some((d) => d.code === 'shape'), found.map((d) => d.message).join(' | '));
});

test('one mistake reached through many configurations is one finding, with the cases inside', () => {
  const text = spec(`    { "type": "conv2d", "filters": { "choice": [8, 16] }, "kernelSize": { "choice": [3, 5] } },
    { "type": "maxPooling2d", "poolSize": { "choice": [2, 4] } },
    { "type": "flatten" },
    { "type": "conv2d", "filters": 8 },
    { "type": "dense", "units": 16 }`);
  const found = errors(text);
  assert.equal(found.length, 1, found.map((d) => d.message).join('\n'));
  const d = found[0];
  assert.equal(d.path, 'architecture.layers[3].type');
  assert.match(d.message, /^conv2d needs a feature map \[height, width, channels\] but gets a vector; .* \(in 2 configurations\)$/);
  // Each case says what reaches the layer and which decision leads there, at that decision.
  assert.deepEqual(
    d.related?.map((r) => r.message),
    [
      'gets [512] or [1024] when conv2d #1 kernelSize = 3, maxPooling2d #2 poolSize = 2',
      'gets [128] or [256] when conv2d #1 kernelSize = 3, maxPooling2d #2 poolSize = 4',
    ],
  );
  assert.deepEqual(
    d.related?.map((r) => r.path),
    ['architecture.layers[1].poolSize', 'architecture.layers[1].poolSize'],
  );
  // The CLI prints the cases as notes under the finding.
  const lines = formatDiagnostic('s.nas.json', d).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^s\.nas\.json:7:\d+: error: conv2d needs a feature map/);
  assert.match(lines[1], /^s\.nas\.json:5:\d+: note: gets \[512\] or \[1024\] when/);
});

test('the same mistake with one deciding configuration stays one plain finding', () => {
  const found = errors(
    spec(`    { "type": "conv2d", "filters": { "choice": [8, 16] } },
    { "type": "flatten" },
    { "type": "conv2d", "filters": 8 }`),
  );
  assert.equal(found.length, 1);
  assert.equal(found[0].related, undefined);
  assert.match(found[0].message, /gets a vector; .* \(gets \[2048\] or \[4096\]\)$/);
});
