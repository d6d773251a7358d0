// bench/raceSim.ts: the simulated race that chose TPE's cost-aware acquisition. It must keep running against the
// real strategy, scheduler and time-budget rules, and say the same for the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARMS, simulate, Surrogate } from '../../bench/raceSim';
import { RACE_SEARCH, raceArchitecture } from '../../bench/raceSpace';
import { checkText } from '../../src/core/check';

test('a simulated 10-minute race runs every arm within its budget, deterministically', () => {
  for (const name of Object.keys(ARMS)) {
    const a = simulate(ARMS[name], new Surrogate(0.03, 7), 1, 600, 2);
    const b = simulate(ARMS[name], new Surrogate(0.03, 7), 1, 600, 2);
    assert.deepEqual(a, b, name);
    assert.ok(a.epochs > 5 && a.trials > 2, `${name}: ${JSON.stringify(a)}`);
    assert.ok(a.test > 0.8 && a.test < 0.95 && a.val > 0.8, `${name}: ${JSON.stringify(a)}`);
    // Two workers after a 10 s start-up: at most 1,180 worker-seconds to lose.
    assert.ok(a.lost >= 0 && a.lost < 1180, `${name}: ${JSON.stringify(a)}`);
  }
});

test('the quiet surrogate (fitted to the quiet race) prices epochs from FLOPs alone and learns less per epoch than the loaded one', () => {
  const config = {
    arch: {
      kind: 'sequential',
      layers: [{ type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', strides: 1 }, { type: 'flatten' }],
    },
    training: { optimizer: 'adam', learningRate: 1e-3, batchSize: 64, epochs: 4 },
    params: { blocks: 1 },
  } as never;
  const quiet = new Surrogate(0.01, 7, true);
  const loaded = new Surrogate(0.01, 7);
  // Batch 64 costs the loaded machine 15% more; the quiet fit has no batch term.
  assert.equal(quiet.epochSeconds(config), quiet.epochSeconds({ ...(config as object), training: { learningRate: 1e-3, batchSize: 128 } } as never));
  assert.ok(loaded.epochSeconds(config) > loaded.epochSeconds({ ...(config as object), training: { learningRate: 1e-3, batchSize: 128 } } as never));
  // From epoch 1 to 4 the quiet curve gains 0.04 * (1 - e^-1.8) ~ 0.033 (measured 0.025-0.037); the loaded one 0.052.
  const gain = (s: Surrogate) => s.accuracy(config, 4) - s.accuracy(config, 1);
  assert.ok(Math.abs(gain(quiet) - 0.04 * (1 - Math.exp(-1.8))) < 1e-9, String(gain(quiet)));
  assert.ok(Math.abs(gain(loaded) - 0.07 * (1 - Math.exp(-1.35))) < 1e-9, String(gain(loaded)));
  const r = simulate(ARMS.min2w05, quiet, 1, 600, 2);
  assert.deepEqual(r, simulate(ARMS.min2w05, new Surrogate(0.01, 7, true), 1, 600, 2));
  assert.ok(r.epochs > 5 && r.test > 0.8 && r.test < 0.95, JSON.stringify(r));
});

test("the race's search (successive halving from 2 epochs) checks without a finding and is the simulated asha2 arm", () => {
  const spec = { name: 'race', dataset: { source: 'synthetic' }, ...raceArchitecture(), search: { ...RACE_SEARCH, budget: { minutes: 10 }, parallel: 2 } };
  const found = checkText(JSON.stringify(spec)).diagnostics.filter((d) => d.path.startsWith('search'));
  // Hyperband with a first rung of 2 would warn here (one bracket: it is asha); asha does not.
  assert.deepEqual(found, []);
  const arm = ARMS.asha2;
  assert.deepEqual([arm.pruner, arm.minEpochs], [RACE_SEARCH.pruner?.type, (RACE_SEARCH.pruner as { minEpochs?: number }).minEpochs]);
  const hb = checkText(JSON.stringify({ ...spec, search: { ...spec.search, pruner: { type: 'hyperband', minEpochs: 2, reductionFactor: 3 } } })).diagnostics;
  assert.ok(
    hb.some((d) => /only one bracket/.test(d.message)),
    'the checker no longer tells hyperband from asha here',
  );
});

test('the slow-start surrogate lets bigger networks start lower and gain more than small ones', () => {
  const conv = (filters: number[]) =>
    ({
      arch: {
        kind: 'sequential',
        layers: [
          ...filters.flatMap((f) => [
            { type: 'conv2d', filters: f, kernelSize: 5, padding: 'same', activation: 'relu', strides: 1 },
            { type: 'maxPooling2d', poolSize: 2, padding: 'valid', strides: 2 },
          ]),
          { type: 'flatten' },
          { type: 'dense', units: 128, activation: 'relu' },
        ],
      },
      training: { optimizer: 'adam', learningRate: 1e-3, batchSize: 128, epochs: 4 },
      params: { filters },
    }) as never;
  const small = conv([16]);
  const big = conv([64, 64]);
  const slow = new Surrogate(0.01, 7, true, true);
  const quiet = new Surrogate(0.01, 7, true);
  const gain = (s: Surrogate, c: never) => s.accuracy(c, 4) - s.accuracy(c, 1);
  assert.ok(gain(slow, big) > gain(slow, small) + 0.005, `${gain(slow, big)} vs ${gain(slow, small)}`);
  // The plain quiet surrogate: every config gains the same.
  assert.ok(Math.abs(gain(quiet, big) - gain(quiet, small)) < 1e-12);
  // Same ceiling after many epochs as the quiet surrogate (only the early curve differs).
  assert.ok(Math.abs(slow.accuracy(big, 60) - quiet.accuracy(big, 60)) < 1e-6);
});
