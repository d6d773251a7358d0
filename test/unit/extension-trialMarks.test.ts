// "Reveal in spec": a trial's values placed after the fields that decided them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';
import { resolve } from '../../src/core/space';
import { trialMarks } from '../../src/extension/trialMarks';

test('every decision of a sampled config lands after its field', () => {
  const file = path.join(__dirname, '..', '..', 'examples', 'synthetic-shapes.nas.json');
  const text = fs.readFileSync(file, 'utf8');
  const spec = checkText(text, { file, probeData: false }).spec!;
  // Two repetitions of the block, the largest filters, the optional dropout present.
  const cfg = resolve(spec, (p) =>
    p.role === 'repeat'
      ? 2
      : p.role === 'optional'
        ? true
        : p.domain.kind === 'choice'
          ? p.domain.values.at(-1)!
          : p.domain.kind === 'float'
            ? 0.005
            : (p.domain as { hi: number }).hi,
  );
  const marks = trialMarks(text, spec, cfg.params);
  const at = (m: { offset: number }) => text.slice(0, m.offset).split('\n').length;
  const byLine = new Map(marks.map((m) => [at(m), m.text]));
  const line = (s: string) => text.split('\n').findIndex((l) => l.includes(s)) + 1;
  assert.equal(byLine.get(line('"repeat"')), 'repeat 2');
  const after = (s: string) => marks.find((m) => m.offset === text.indexOf(s) + s.length)?.text;
  // After the comma that ends the field, so the note does not read as one more item of a list.
  assert.equal(after('"filters": { "choice": [8, 16] },'), '16, 16');
  assert.equal(after('"kernelSize": { "choice": [3, 5] }'), '5, 5');
  assert.equal(byLine.get(line('"optional": true')), 'present');
  assert.equal(byLine.get(line('"learningRate"')), '0.005');
  assert.ok(marks.every((m, i) => i === 0 || marks[i - 1].offset <= m.offset));
});
