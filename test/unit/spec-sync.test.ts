// Things declared in two places must not drift: the schema and the generated TS types, the schema's
// `default`s and the defaults the engine applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import * as jsonc from 'jsonc-parser';
import { compileValidator, prebuilt } from '../../src/core/schema';
import schema from '../../schemas/nas.schema.json';
import {
  CELL_DEFAULTS,
  DATASET_DEFAULTS,
  LAYER_DEFAULTS,
  TRAINING_DEFAULTS,
  EARLY_STOPPING_DEFAULTS,
  SEARCH_DEFAULTS,
  EVOLUTION_DEFAULTS,
  PRUNER_DEFAULTS,
  BUDGET_DEFAULTS,
  DARTS_DEFAULTS,
} from '../../src/core/defaults';

const root = path.join(__dirname, '..', '..');
type S = { properties?: Record<string, S & { default?: unknown }>; default?: unknown };
const defs = (schema as unknown as { definitions: Record<string, S> }).definitions;

function expectDefaults(where: string, props: Record<string, { default?: unknown }> | undefined, defaults: Record<string, unknown>) {
  for (const [key, value] of Object.entries(defaults)) {
    if (typeof value === 'object' && !Array.isArray(value)) continue;
    assert.ok(props?.[key], `${where}.${key} is defaulted in code but not declared in the schema`);
    assert.deepEqual(
      props[key].default,
      value,
      `${where}.${key}: schema default ${JSON.stringify(props[key].default)} != code default ${JSON.stringify(value)}`,
    );
  }
}

test('src/shared/spec.ts is generated from the current schema', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-types.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});

test('layer defaults match the schema', () => {
  for (const [type, d] of Object.entries(LAYER_DEFAULTS)) expectDefaults(type, defs[`${type}Layer`].properties, d);
});

test('cell, training, search and dataset defaults match the schema', () => {
  const cell = (defs.architecture as unknown as { oneOf: S[] }).oneOf.find((s) => (s as { title?: string }).title === 'cellArchitecture')!;
  expectDefaults('cell', cell.properties, CELL_DEFAULTS);
  expectDefaults('training', defs.training.properties, TRAINING_DEFAULTS);
  expectDefaults('earlyStopping', defs.training.properties!.earlyStopping.properties, EARLY_STOPPING_DEFAULTS);
  expectDefaults('search', defs.search.properties, SEARCH_DEFAULTS);
  expectDefaults('evolution', defs.search.properties!.evolution.properties, EVOLUTION_DEFAULTS);
  expectDefaults('pruner', defs.search.properties!.pruner.properties, PRUNER_DEFAULTS);
  expectDefaults('budget', defs.search.properties!.budget.properties, BUDGET_DEFAULTS);
  expectDefaults('darts', defs.search.properties!.darts.properties, DARTS_DEFAULTS);
  const synthetic = (defs.dataset as unknown as { oneOf: S[] }).oneOf.find((s) => (s as { title?: string }).title === 'syntheticDataset')!;
  expectDefaults('dataset.synthetic', synthetic.properties, DATASET_DEFAULTS.synthetic);
  expectDefaults('dataset.synthetic', synthetic.properties, { validationSplit: DATASET_DEFAULTS.validationSplit });
  const csv = (defs.dataset as unknown as { oneOf: S[] }).oneOf.find((s) => (s as { title?: string }).title === 'csvDataset')!;
  expectDefaults('dataset.csv', csv.properties, DATASET_DEFAULTS.csv);
});

test('the build-time validator finds exactly what a freshly compiled one finds', async () => {
  const built = prebuilt();
  assert.ok(built, 'src/core/generated/nas-validate.js is missing or stale: run `npm run build`');
  const fresh = compileValidator();
  const dirs = ['test/fixtures/bad', 'examples'].map((d) => path.join(root, d));
  let compared = 0;
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir).filter((x: string) => x.endsWith('.nas.json'))) {
      const value = jsonc.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const a: boolean = built!(value) as boolean;
      const b: boolean = fresh(value) as boolean;
      assert.equal(a, b, f);
      const strip = (errs: ErrorObject[] | null | undefined) => (errs ?? []).map((e) => [e.instancePath, e.keyword, e.message]);
      assert.deepEqual(strip(built.errors), strip(fresh.errors), f);
      compared++;
    }
  }
  assert.ok(compared > 30);
});
