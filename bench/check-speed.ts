// How long the checker takes on a 1,000-line spec (the editor re-checks on every pause in typing).
// Run: npm run bench:check. Prints the figures and, last, one JSON line.
import { performance } from 'node:perf_hooks';
import { checkText } from '../src/core/check';
import { formatCount } from '../src/core/text';

function bigSpec(targetLines: number): string {
  const layers: string[] = [];
  let i = 0;
  // Each block below is 9 lines: a repeated conv block with parameters, as a user would write it.
  while (layers.join('\n').split('\n').length < targetLines - 20) {
    layers.push(
      [
        '      {',
        '        "type": "block",',
        `        "repeat": { "int": [0, ${1 + (i % 2)}] },`,
        '        "layers": [',
        `          { "type": "conv2d", "filters": { "choice": [8, 16, 32] }, "kernelSize": { "choice": [1, 3] } },`,
        '          { "type": "batchNormalization", "optional": true },',
        `          { "type": "choice", "options": [{ "type": "activation", "activation": "relu" }, { "type": "activation", "activation": "swish" }] }`,
        '        ]',
        '      }',
      ].join('\n'),
    );
    i++;
  }
  return [
    '// generated: a long sequential space',
    '{',
    '  "dataset": { "source": "synthetic", "generator": "shapes", "imageSize": 32 },',
    '  "architecture": {',
    '    "type": "sequential",',
    '    "layers": [',
    layers.join(',\n') + ',',
    '      { "type": "globalAveragePooling2d" },',
    '      { "type": "dense", "units": { "int": [16, 256], "step": 16 } },',
    '      { "type": "dropout", "rate": { "float": [0, 0.5] } }',
    '    ]',
    '  },',
    '  "training": { "learningRate": { "float": [0.0001, 0.01], "log": true }, "batchSize": { "choice": [32, 64, 128] }, "epochs": 5 },',
    '  "search": { "strategy": "evolution", "budget": { "trials": 100 } }',
    '}',
  ].join('\n');
}

const text = bigSpec(1000);
const lines = text.split('\n').length;
const t0 = performance.now();
const first = checkText(text, { file: '/tmp/bench.nas.json' });
const cold = performance.now() - t0;
const errors = first.diagnostics.filter((d) => d.severity === 'error');
if (errors.length) throw new Error(`the generated spec should be valid: ${errors[0].message}`);
const times: number[] = [];
for (let k = 0; k < 20; k++) {
  const s = performance.now();
  checkText(text, { file: '/tmp/bench.nas.json' });
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1];
console.log(
  `spec: ${lines} lines, ${first.summary?.parameters} parameters, ${first.summary ? formatCount(first.summary.size.architectures) : '?'} architectures`,
);
console.log(
  `check: first run ${cold.toFixed(1)} ms (a fresh process: includes loading the validator), then median ${median.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms over 20 runs`,
);
console.log(
  JSON.stringify({ bench: 'check', lines, first_ms: +cold.toFixed(1), median_ms: +median.toFixed(1), target_ms: 200, ok: median < 200 && cold < 200 }),
);
