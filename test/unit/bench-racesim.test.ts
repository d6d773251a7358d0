// bench/raceSim.ts: the simulated race that chose TPE's cost-aware acquisition. It must keep running against the
// real strategy, scheduler and time-budget rules, and say the same for the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARMS, simulate, Surrogate } from '../../bench/raceSim';

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
