// Search strategies: one contract every strategy must keep (valid, replayable, budget-bounded, seeded,
// failure-tolerant, resumable), then what is particular to grid, random and evolution. Trials are
// simulated with a synthetic objective, so the whole file runs in a few seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import type { TrialConfig } from '../../src/shared/arch';
import type { Direction } from '../../src/shared/events';
import type { NasSpec, Search } from '../../src/shared/spec';
import { inDomain } from '../../src/core/params';
import { Rng } from '../../src/core/rng';
import { resolve, spaceSize } from '../../src/core/space';
import { configKey, createStrategy, type FinishedTrial, type Strategy } from '../../src/core/strategies';
import { EvolutionStrategy, mutate } from '../../src/core/strategies/evolution';
import { sampleConfig } from '../../src/core/strategies/random';

type Name = 'random' | 'grid' | 'evolution';
const NAMES: Name[] = ['random', 'grid', 'evolution'];

/** Finite and conditional: a choice layer, an optional layer and a repeated block (4 * 2 * (4 + 16) * 2 = 320). */
const SMALL: NasSpec = {
  dataset: { source: 'synthetic' },
  architecture: {
    type: 'sequential',
    layers: [
      {
        type: 'choice',
        options: [
          { type: 'dense', units: { choice: [8, 16] } },
          { type: 'dropout', rate: { choice: [0.1, 0.3] } },
        ],
      },
      { type: 'dense', units: 4, optional: true },
      { type: 'block', repeat: { int: [1, 2] }, layers: [{ type: 'dense', units: { choice: [4, 8] }, activation: { choice: ['relu', 'tanh'] } }] },
      { type: 'dense', units: 2 },
    ],
  },
  training: { learningRate: { choice: [0.01, 0.001] } },
};

/** No conditional parameters, every kind of domain. */
const FLAT: NasSpec = {
  dataset: { source: 'synthetic' },
  architecture: {
    type: 'sequential',
    layers: [
      { type: 'dense', units: { int: [1, 32] }, activation: { choice: ['relu', 'tanh', 'elu', 'selu'] } },
      { type: 'dense', units: { int: [4, 64], step: 4, log: true } },
      { type: 'batchNormalization', optional: true },
      { type: 'dropout', rate: { float: [0, 0.5], step: 0.1 } },
      { type: 'dense', units: { int: [1, 32] }, activation: { choice: ['relu', 'tanh', 'elu', 'selu'] } },
      { type: 'dropout', rate: { float: [0, 0.5] } },
    ],
  },
  training: { learningRate: { float: [1e-4, 1e-1], log: true }, optimizer: { choice: ['adam', 'sgd', 'rmsprop'] }, batchSize: { choice: [16, 32, 64, 128] } },
};

function withSearch(spec: NasSpec, search: Search): NasSpec {
  return { ...spec, search: { ...spec.search, ...search } };
}

function make(spec: NasSpec, strategy: Name, seed = 1, direction: Direction = 'maximize'): Strategy {
  return createStrategy({ spec: withSearch(spec, { strategy }), seed, direction });
}

/** A config is valid when its params alone replay it: every decision asked for, in its domain, nothing extra. */
function assertValid(spec: NasSpec, config: TrialConfig): void {
  const asked: string[] = [];
  const replay = resolve(spec, (p) => {
    const v = config.params[p.name];
    assert.ok(v !== undefined, `missing decision ${p.name}`);
    assert.ok(inDomain(p.domain, v), `${p.name} = ${JSON.stringify(v)} is outside its domain`);
    asked.push(p.name);
    return v;
  });
  assert.deepEqual(Object.keys(config.params).sort(), asked.sort());
  assert.deepEqual(replay.arch, config.arch);
  assert.deepEqual(replay.training, config.training);
}

/** A fake objective: a fixed pseudo-random value per config. */
function noise(config: TrialConfig): number {
  return Rng.derive(0, configKey(config)).next();
}

interface Run {
  proposed: TrialConfig[];
  finished: FinishedTrial[];
  /** What each ask saw: the finished list's length at the time. */
  seen: number[];
}

/**
 * Drives a strategy like the orchestrator: up to `parallel` trials in flight, finishing in a scrambled order,
 * until the budget is spent or the strategy has nothing left.
 */
function simulate(s: Strategy, budget: number, opts: { parallel?: number; fail?: (i: number) => boolean; objective?: (c: TrialConfig) => number } = {}): Run {
  const { parallel = 1, fail = () => false, objective = noise } = opts;
  const run: Run = { proposed: [], finished: [], seen: [] };
  const inFlight: number[] = [];
  let exhausted = false;
  for (;;) {
    while (!exhausted && run.proposed.length < budget && inFlight.length < parallel) {
      const i = run.proposed.length;
      run.seen.push(run.finished.length);
      const config = s.ask(i, run.finished);
      if (!config) {
        exhausted = true;
        break;
      }
      run.proposed.push(config);
      inFlight.push(i);
    }
    if (!inFlight.length) return run;
    const [i] = inFlight.splice((run.finished.length * 7) % inFlight.length, 1);
    const config = run.proposed[i];
    run.finished.push(fail(i) ? { trial: i, config, status: 'failed' } : { trial: i, config, status: 'completed', value: objective(config) });
  }
}

function examples(): [string, NasSpec][] {
  const dir = path.join(__dirname, '../../examples');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.nas.json'))
    .map((f) => [f, parse(fs.readFileSync(path.join(dir, f), 'utf8')) as NasSpec]);
}

function differing(a: TrialConfig, b: TrialConfig): string[] {
  const keys = new Set([...Object.keys(a.params), ...Object.keys(b.params)]);
  return [...keys].filter((k) => a.params[k] !== b.params[k]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

for (const name of NAMES) {
  describe(`strategy contract: ${name}`, () => {
    it('proposes valid configs that replay from their params alone', () => {
      const run = simulate(make(SMALL, name), 40, { parallel: 3 });
      assert.equal(run.proposed.length, 40);
      for (const c of run.proposed) assertValid(SMALL, c);
      for (const [file, spec] of examples()) {
        if (name === 'grid' && spaceSize(spec).continuous.length) continue;
        const r = simulate(make(spec, name), 15, { parallel: 2 });
        assert.ok(r.proposed.length > 0, file);
        for (const c of r.proposed) assertValid(spec, c);
      }
    });

    it('stays within the budget', () => {
      for (const [budget, parallel] of [[1, 1], [25, 3], [7, 8]]) {
        const run = simulate(make(SMALL, name), budget, { parallel });
        assert.equal(run.proposed.length, budget);
        assert.deepEqual(run.finished.map((t) => t.trial).sort((a, b) => a - b), [...Array(budget).keys()]);
      }
    });

    it('is deterministic under a seed', () => {
      const a = simulate(make(SMALL, name, 5), 30, { parallel: 2 });
      const b = simulate(make(SMALL, name, 5), 30, { parallel: 2 });
      assert.deepEqual(b.proposed, a.proposed);
      const c = simulate(make(FLAT, name === 'grid' ? 'random' : name, 5), 30);
      const d = simulate(make(FLAT, name === 'grid' ? 'random' : name, 6), 30);
      if (name !== 'grid') assert.notDeepEqual(d.proposed.map(configKey), c.proposed.map(configKey));
    });

    it('tolerates failed trials', () => {
      const fail = (i: number) => i % 3 === 1 || (i >= 12 && i < 24);
      const run = simulate(make(SMALL, name), 40, { parallel: 3, fail });
      assert.equal(run.proposed.length, 40);
      for (const c of run.proposed) assertValid(SMALL, c);
      // A run where nothing succeeds still proposes.
      const dead = simulate(make(SMALL, name), 20, { fail: () => true });
      assert.equal(dead.proposed.length, 20);
    });

    it('resumes: a fresh instance given the first k results proposes what the original did', () => {
      for (const spec of [SMALL, FLAT]) {
        if (name === 'grid' && spec === FLAT) continue;
        const seed = 9;
        const original = simulate(make(spec, name, seed), 35, { fail: (i) => i % 5 === 3 });
        for (const k of [0, 4, 10, 11, 20, 34]) {
          const fresh = make(spec, name, seed);
          assert.deepEqual(fresh.ask(k, original.finished.slice(0, k)), original.proposed[k], `k = ${k}`);
        }
        // Continuing from k to the end, one trial at a time, retraces the original.
        const fresh = make(spec, name, seed);
        for (let i = 17; i < 35; i++) assert.deepEqual(fresh.ask(i, original.finished.slice(0, i)), original.proposed[i], `i = ${i}`);
      }
    });
  });
}

describe('grid', () => {
  it('enumerates each configuration of a finite space once, then stops', () => {
    const size = Number(spaceSize(SMALL).configurations);
    assert.equal(size, 320);
    const run = simulate(make(SMALL, 'grid'), size + 10, { parallel: 4 });
    assert.equal(run.proposed.length, size);
    assert.equal(new Set(run.proposed.map(configKey)).size, size);
    const s = make(SMALL, 'grid');
    for (let i = 0; i < size; i++) assert.ok(s.ask(i, []));
    assert.equal(s.ask(size, []), undefined);
    assert.equal(s.ask(size + 5, []), undefined);
  });

  it('answers out-of-order asks like in-order ones', () => {
    const inOrder = simulate(make(SMALL, 'grid'), 50).proposed;
    const s = make(SMALL, 'grid');
    for (const i of [7, 7, 3, 49, 0, 320, 12]) assert.deepEqual(s.ask(i, []), inOrder[i]);
  });

  it('refuses a continuous space when created', () => {
    assert.throws(() => make(FLAT, 'grid'), /continuous/);
  });
});

describe('random', () => {
  it('avoids repeating finished and in-flight configs while the space has others', () => {
    // 24 configurations: 8 independent draws would repeat one with probability ~0.73 per seed.
    const tiny: NasSpec = {
      dataset: { source: 'synthetic' },
      architecture: {
        type: 'sequential',
        layers: [
          { type: 'choice', options: [{ type: 'dense', units: { choice: [8, 16] } }, { type: 'dropout', rate: { choice: [0.1, 0.3] } }] },
          { type: 'dense', units: 4, optional: true },
          { type: 'dense', units: { choice: [1, 2, 3] } },
        ],
      },
    };
    assert.equal(spaceSize(tiny).configurations, 24n);
    for (let seed = 0; seed < 10; seed++) {
      const run = simulate(make(tiny, 'random', seed), 8, { parallel: 4 });
      assert.equal(new Set(run.proposed.map(configKey)).size, 8, `seed ${seed}`);
    }
  });
});

describe('evolution', () => {
  const P = 6;
  const spec = (base: NasSpec) => withSearch(base, { strategy: 'evolution', evolution: { population: P, sampleSize: 3 } });

  it('mutates exactly one decision of a flat config, staying in the domain', () => {
    const rng = new Rng(3);
    for (let k = 0; k < 300; k++) {
      const parent = sampleConfig(FLAT, rng);
      const child = mutate(FLAT, parent, rng);
      assertValid(FLAT, child);
      assert.equal(differing(parent, child).length, 1);
    }
  });

  it('keeps every surviving decision of a conditional config but the mutated one', () => {
    const rng = new Rng(4);
    let grew = 0;
    for (let k = 0; k < 300; k++) {
      const parent = sampleConfig(SMALL, rng);
      const child = mutate(SMALL, parent, rng);
      assertValid(SMALL, child);
      const shared = Object.keys(child.params).filter((p) => p in parent.params);
      assert.equal(shared.filter((p) => child.params[p] !== parent.params[p]).length, 1);
      if (Object.keys(child.params).length > Object.keys(parent.params).length) grew++;
    }
    assert.ok(grew > 0, 'some mutations open new parameters');
  });

  it('breeds children one decision away from a tournament winner of the last P finished', () => {
    const s = createStrategy({ spec: spec(FLAT), seed: 2, direction: 'minimize' }) as EvolutionStrategy;
    const run = simulate(s, 40, { objective: (c) => c.params['training.learningRate'] as number });
    for (let i = P; i < 40; i++) {
      const fin = run.finished.slice(0, i);
      const parent = s.parent(i, fin)!;
      assert.ok(fin.slice(-P).includes(parent));
      assert.equal(differing(parent.config, run.proposed[i]).length, 1);
    }
  });

  it('never picks a failed parent, nor one retired from the population', () => {
    const s = createStrategy({ spec: spec(FLAT), seed: 2, direction: 'maximize' }) as EvolutionStrategy;
    const rng = new Rng(8);
    const trial = (t: number, status: 'completed' | 'failed', value?: number): FinishedTrial => ({ trial: t, config: sampleConfig(FLAT, rng), status, value });
    // An excellent old trial, then a window of P where only trial 9 succeeded.
    const finished = [trial(0, 'completed', 100), ...[1, 2, 3, 4, 5, 6, 7, 8, 10, 11].map((t) => trial(t, 'failed')), trial(9, 'completed', 0)];
    for (let i = 12; i < 40; i++) {
      assert.equal(s.parent(i, finished)?.trial, 9);
      assert.equal(differing(finished.at(-1)!.config, s.ask(i, finished)).length, 1);
    }
    const dead = finished.map((t) => ({ ...t, status: 'failed' as const, value: undefined }));
    assert.equal(s.parent(12, dead), undefined);
    assertValid(FLAT, s.ask(12, dead));
  });

  it('beats random search on a cheap surrogate (median best after 60 trials, 20 seeds)', () => {
    // Separable with a hidden optimum: each decision contributes independently, as good layers often do.
    const target = sampleConfig(FLAT, new Rng(123)).params;
    const surrogate = (c: TrialConfig): number => {
      let v = 0;
      for (const [k, t] of Object.entries(target)) {
        const x = c.params[k];
        if (typeof t === 'number' && typeof x === 'number') v -= k.includes('learningRate') ? Math.abs(Math.log(x / t)) / Math.log(1000) : Math.abs(x - t) / Math.max(1, Math.abs(t));
        else v -= x === t ? 0 : 1;
      }
      return v;
    };
    const best = (name: Name, seed: number) => Math.max(...simulate(make(spec(FLAT), name, seed), 60, { objective: surrogate }).finished.map((t) => t.value!));
    const seeds = [...Array(20).keys()];
    const evo = seeds.map((s) => best('evolution', s));
    const rnd = seeds.map((s) => best('random', s));
    // Both share their first P trials (the same random streams), so seeds pair up. A strategy no better than
    // random would clear the margin (a quarter of the gap seen when this was written) or win 14 of 20 pairs
    // only rarely; together, hardly ever.
    const wins = seeds.filter((s) => evo[s] > rnd[s]).length;
    assert.ok(median(evo) > median(rnd) + 0.5, `median best: evolution ${median(evo).toFixed(3)}, random ${median(rnd).toFixed(3)}`);
    assert.ok(wins >= 14, `evolution won ${wins} of 20 seeds`);
  });
});
