// The run-time validator (src/core/schema.ts compileValidator, used when the build's generated one is stale or
// missing) against a hostile list: ajv's own error gathering copied the error list once per bad item, so 20,000
// layers of a wrong type took half a minute of CPU before the checker saw an error (10,000 took 6 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { compileValidator } from '../../src/core/schema';

const root = path.join(__dirname, '..', '..');

test('the run-time validator gathers the errors of 20,000 bad layers in linear time', () => {
  const validate = compileValidator();
  const spec = jsonc.parse(fs.readFileSync(path.join(root, 'examples', 'synthetic-shapes.nas.json'), 'utf8'));
  spec.architecture.layers = Array.from({ length: 20_000 }, () => ({ type: 'dense', units: 'x' }));
  const c0 = process.cpuUsage();
  assert.equal(validate(spec), false);
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  // Every layer's wrong `units` is reported, in layer order: the in-place append keeps ajv's errors as they were.
  const units = (validate.errors ?? []).filter((e) => e.instancePath.endsWith('/units'));
  assert.ok(units.length >= 20_000, `${units.length} errors on units`);
  const layerOf = units.map((e) => Number(/layers\/(\d+)\//.exec(e.instancePath)![1]));
  assert.deepEqual(
    layerOf.filter((n, i) => i > 0 && n < layerOf[i - 1]),
    [],
  );
  // Linear takes about 0.1 s here; quadratic took 31 s. 5 s leaves room for a loaded 2-core machine.
  console.log(`validation: ${cpuMs.toFixed(0)} ms of CPU`);
  assert.ok(cpuMs < 5000, `validation took ${cpuMs.toFixed(0)} ms of CPU`);
});
