// Pruners and multi-fidelity schedulers: one contract for every pruner (deterministic under a seed, within the
// budget, tolerant of failed trials, and a resumed run decides exactly like one that never stopped), then what
// is particular to median, ASHA and Hyperband. Runs are simulated on synthetic learning curves through the
// same RunState and scheduling helpers as the orchestrator, with a virtual clock, so the file runs in seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialConfig } from '../../src/shared/arch';
import type { RunEvent } from '../../src/shared/events';
import type { NasSpec, Search } from '../../src/shared/spec';
import schema from '../../schemas/nas.schema.json';
import { PRUNER_DEFAULTS, REINFORCE_DEFAULTS, TPE_DEFAULTS, EVOLUTION_DEFAULTS } from '../../src/core/defaults';
import { Rng } from '../../src/core/rng';
import { RunState } from '../../src/core/runstate';
import { createPruner, maxEpochsOf, type Pruner } from '../../src/core/pruners';
import { AshaScheduler } from '../../src/core/pruners/asha';
import { hyperbandScheduler } from '../../src/core/pruners/hyperband';
import { firstSegment, nextPromotion, rungStart, rungTrials, stopsAtRung } from '../../src/core/pruners/schedule';
import { configKey, createStrategy, type Strategy } from '../../src/core/strategies';

const SPEC: NasSpec = {
  dataset: { source: 'synthetic' },
  architecture: {
    type: 'sequential',
    layers: [
      { type: 'dense', units: { int: [4, 64], step: 4 }, activation: { choice: ['relu', 'tanh', 'elu'] } },
      { type: 'dropout', rate: { float: [0, 0.5] }, optional: true },
      { type: 'block', repeat: { int: [1, 2] }, layers: [{ type: 'dense', units: { choice: [8, 16, 32] } }] },
    ],
  },
  training: { learningRate: { float: [1e-4, 1e-1], log: true }, epochs: 9 },
};

type PrunerName = 'none' | 'median' | 'asha' | 'hyperband';
const PRUNERS: PrunerName[] = ['none', 'median', 'asha', 'hyperband'];

function specWith(pruner: PrunerName, search: Search = {}, base: NasSpec = SPEC): NasSpec {
  return {
    ...base,
    search: { strategy: 'random', seed: 1, pruner: { type: pruner, minEpochs: 1, reductionFactor: 3, warmupEpochs: 1, minTrials: 3 }, ...search },
  };
}

/** A pseudo-random number in [0, 1) fixed per config and label. */
function u(config: TrialConfig, label: string): number {
  return Rng.derive(0, `${label}:${configKey(config)}`).next();
}

/** Validation accuracy after epoch e: a per-config ceiling, approached at a per-config speed (curves cross). */
function curve(config: TrialConfig, epoch: number): number {
  const ceiling = 0.5 + 0.45 * u(config, 'ceiling');
  const speed = 0.15 + 0.6 * u(config, 'speed');
  return ceiling * (1 - (1 - speed) ** (epoch + 1));
}

interface Decision {
  kind: 'start' | 'promote';
  trial: number;
  key: string;
  rung?: number;
  epochs?: number;
}

interface Segment {
  trial: number;
  target: number;
  readyAt: number;
}

interface SimOptions {
  budget: number;
  parallel: number;
  /** The trial fails when it reaches this epoch (0-based), if the function says so. */
  fail?: (trial: number, epoch: number) => boolean;
  /** Stop (like a killed process) after this many events; the run can then be resumed from them. */
  stopAfter?: number;
}

/** Drives a strategy and a pruner the way the orchestrator does: queue, then promotions, then new trials. */
class Sim {
  readonly state: RunState;
  readonly events: RunEvent[];
  readonly decisions: Decision[] = [];
  /** For each promotion: its rank at the rung it leaves, and the rung's number of promotion slots then. */
  readonly promotionRanks: { rank: number; slots: number }[] = [];
  readonly strategy: Strategy;
  readonly pruner: Pruner;
  private readonly queue: { trial: number; config: TrialConfig; rung?: number; epochs?: number; fromEpoch?: number }[] = [];
  private readonly workers: (Segment | undefined)[];
  private clock = 0;

  constructor(
    readonly spec: NasSpec,
    readonly opts: SimOptions,
    prior: RunEvent[] = [],
  ) {
    this.events = [...prior];
    this.state = RunState.from(prior);
    this.strategy = createStrategy({ spec, seed: spec.search?.seed ?? 0, direction: 'maximize' });
    this.pruner = createPruner(spec);
    this.workers = new Array(opts.parallel).fill(undefined);
    if (!prior.length)
      this.emit({
        type: 'run-started',
        time: 't',
        runId: 'r',
        name: 'sim',
        specHash: 'h',
        specFile: 'f',
        backend: 'sim',
        strategy: this.strategy.name,
        objective: { metric: 'val_accuracy', direction: 'maximize' },
        budget: { trials: opts.budget },
        parallel: opts.parallel,
        resumed: false,
        inputShape: [1],
        outputs: 2,
      });
    // As the orchestrator does on resume: unfinished segments first, promoted ones from their rung.
    for (const t of this.state.unfinished()) {
      if (t.rung === undefined || !this.pruner.scheduler) this.queue.push({ trial: t.trial, config: t.config });
      else if (t.rung === 0) this.queue.push({ trial: t.trial, config: t.config, rung: 0, epochs: t.segmentEpochs });
      else
        this.queue.push({
          trial: t.trial,
          config: t.config,
          rung: t.rung,
          epochs: t.segmentEpochs,
          fromEpoch: rungStart(this.pruner.scheduler, t.trial, t.config, t.rung),
        });
    }
  }

  private emit(e: RunEvent): boolean {
    if (this.opts.stopAfter !== undefined && this.events.length >= this.opts.stopAfter) return false;
    this.events.push(e);
    this.state.apply(e);
    return true;
  }

  /** Runs until the budget is spent (true) or the stop point is reached (false). */
  run(): boolean {
    for (;;) {
      for (let w = 0; w < this.workers.length; w++) if (!this.workers[w] && !this.dispatch(w)) return false;
      const busy = this.workers.map((s, w) => ({ s, w })).filter((x) => x.s);
      if (!busy.length) return true;
      const { s, w } = busy.reduce((a, b) => (b.s!.readyAt < a.s!.readyAt ? b : a));
      if (!this.epoch(w, s!)) return false;
    }
  }

  private dispatch(w: number): boolean {
    const sched = this.pruner.scheduler;
    let next = this.queue.shift();
    let decision: Decision | undefined;
    if (!next && sched) {
      const p = nextPromotion(sched, this.state.trials.values(), 'val_accuracy', 'maximize');
      if (p) next = { trial: p.trial, config: this.state.trials.get(p.trial)!.config, rung: p.rung, epochs: p.epochs, fromEpoch: p.fromEpoch };
      if (p) {
        decision = { kind: 'promote', trial: p.trial, key: configKey(next!.config), rung: p.rung, epochs: p.epochs };
        const b = sched.bracketOf(p.trial);
        const peers = rungTrials(this.state.trials.values(), 'val_accuracy', 'maximize').filter(
          (r) => sched.bracketOf(r.trial) === b && r.scores.length >= p.fromEpoch,
        );
        const at = (r: { scores: readonly number[] }) => Math.max(...r.scores.slice(0, p.fromEpoch).filter(Number.isFinite));
        const mine = at(peers.find((r) => r.trial === p.trial)!);
        this.promotionRanks.push({ rank: peers.filter((r) => at(r) > mine).length, slots: Math.floor(peers.length / sched.eta) });
      }
    }
    if (!next && this.state.nextIndex() < this.opts.budget) {
      const index = this.state.nextIndex();
      const config = this.strategy.ask(index, this.state.order)!;
      const seg = sched ? firstSegment(sched, index, config) : undefined;
      next = { trial: index, config, ...seg };
      decision = { kind: 'start', trial: index, key: configKey(config), ...seg };
    }
    if (!next) return true;
    const prev = this.state.trials.get(next.trial);
    const ok =
      next.fromEpoch !== undefined
        ? this.emit({
            type: 'trial-promoted',
            time: 't',
            trial: next.trial,
            rung: next.rung!,
            fromEpoch: next.fromEpoch,
            epochs: next.epochs!,
            worker: w,
            attempt: prev?.status === 'running' ? prev.attempts + 1 : 1,
          })
        : this.emit({
            type: 'trial-started',
            time: 't',
            trial: next.trial,
            attempt: (prev?.attempts ?? 0) + 1,
            worker: w,
            config: next.config,
            ...(next.rung !== undefined ? { rung: next.rung, epochs: next.epochs } : {}),
          });
    if (!ok) return false;
    if (decision) this.decisions.push(decision);
    const target = next.epochs ?? next.config.training.epochs;
    this.workers[w] = { trial: next.trial, target, readyAt: this.clock + this.cost(next.config) };
    return true;
  }

  private cost(config: TrialConfig): number {
    return 1 + 2 * u(config, 'cost');
  }

  private epoch(w: number, s: Segment): boolean {
    this.clock = s.readyAt;
    const t = this.state.trials.get(s.trial)!;
    const epoch = t.history.length;
    if (this.opts.fail?.(s.trial, epoch)) {
      this.workers[w] = undefined;
      return this.emit({ type: 'trial-failed', time: 't', trial: s.trial, error: 'diverged', durationMs: 1, retry: false });
    }
    const acc = curve(t.config, epoch);
    if (!this.emit({ type: 'epoch', time: 't', trial: s.trial, epoch, metrics: { loss: 1 - acc, val_loss: 1 - acc, val_accuracy: acc } })) return false;
    const values = t.history.map((m) => m.val_accuracy!);
    const curves = [...this.state.trials.values()].map((c) => ({ trial: c.trial, status: c.status, values: c.history.map((m) => m.val_accuracy!) }));
    const d = this.pruner.decide(s.trial, epoch, values, curves, 'maximize');
    const best = Math.max(...values);
    if (d.prune) {
      this.workers[w] = undefined;
      return this.emit({ type: 'trial-pruned', time: 't', trial: s.trial, epoch, value: best, reason: d.reason!, params: 1, durationMs: 1 });
    }
    if (epoch + 1 < s.target) {
      s.readyAt = this.clock + this.cost(t.config);
      return true;
    }
    this.workers[w] = undefined;
    const sched = this.pruner.scheduler;
    if (sched && stopsAtRung(sched, s.trial, t.config, epoch + 1)) {
      return this.emit({ type: 'trial-pruned', time: 't', trial: s.trial, epoch, value: best, reason: 'rung', params: 1, durationMs: 1, rung: t.rung });
    }
    return this.emit({
      type: 'trial-completed',
      time: 't',
      trial: s.trial,
      value: best,
      bestEpoch: values.indexOf(best),
      metrics: t.history[values.indexOf(best)],
      epochs: epoch + 1,
      params: 1,
      durationMs: 1,
      stopReason: 'epochs',
      ...(t.rung !== undefined ? { rung: t.rung } : {}),
    });
  }

  /** Epochs of every trial, and how each ended. */
  summary(): string[] {
    return [...this.state.trials.values()]
      .sort((a, b) => a.trial - b.trial)
      .map((t) => `${t.trial}:${t.status}:${t.history.length}:${t.rung ?? '-'}:${configKey(t.config)}`);
  }
}

function simulate(spec: NasSpec, opts: SimOptions): Sim {
  const s = new Sim(spec, opts);
  s.run();
  return s;
}

for (const name of PRUNERS) {
  describe(`pruner contract: ${name}`, () => {
    it('is deterministic under a seed', () => {
      const a = simulate(specWith(name), { budget: 30, parallel: 3 });
      const b = simulate(specWith(name), { budget: 30, parallel: 3 });
      assert.deepEqual(b.events, a.events);
      const c = simulate(specWith(name, { seed: 2 }), { budget: 30, parallel: 3 });
      assert.notDeepEqual(c.summary(), a.summary());
    });

    it('stays within the budget: trials, epochs, and rung boundaries', () => {
      for (const [budget, parallel] of [
        [1, 1],
        [25, 3],
        [40, 2],
      ]) {
        const sim = simulate(specWith(name), { budget, parallel });
        const trials = [...sim.state.trials.values()];
        assert.equal(trials.length, budget);
        assert.ok(trials.every((t) => t.status !== 'running'));
        assert.equal(sim.decisions.filter((d) => d.kind === 'start').length, budget);
        for (const t of trials) {
          assert.ok(t.history.length <= t.config.training.epochs, `trial ${t.trial} trained ${t.history.length} epochs`);
          const sched = sim.pruner.scheduler;
          if (sched && t.status !== 'failed')
            assert.ok(
              sched.rungs(t.trial, t.config.training.epochs).includes(t.history.length),
              `trial ${t.trial} stopped off its rungs at ${t.history.length}`,
            );
          if (t.status === 'pruned' && sched) assert.equal(t.rung, sched.rungs(t.trial, t.config.training.epochs).indexOf(t.history.length));
        }
        const epochs = sim.state.epochsTrained();
        if (name === 'none') assert.equal(epochs, budget * 9);
        else if (budget >= 25) assert.ok(epochs < 0.75 * budget * 9, `${name} trained ${epochs} of ${budget * 9} epochs`);
      }
    });

    it('tolerates failed trials, also in promoted segments, and never promotes them', () => {
      const fail = (trial: number, epoch: number) => trial % 5 === 2 || (trial % 7 === 3 && epoch === 2);
      const sim = simulate(specWith(name), { budget: 40, parallel: 3, fail });
      const trials = [...sim.state.trials.values()];
      assert.equal(trials.length, 40);
      assert.ok(trials.every((t) => t.status !== 'running'));
      for (const t of trials) if (t.trial % 5 === 2) assert.equal(t.status, 'failed');
      const failedAt = new Map(
        trials.filter((t) => t.status === 'failed').map((t) => [t.trial, sim.events.findIndex((e) => e.type === 'trial-failed' && e.trial === t.trial)]),
      );
      sim.events.forEach((e, i) => {
        if (e.type === 'trial-promoted' && failedAt.has(e.trial)) assert.ok(i < failedAt.get(e.trial)!, `failed trial ${e.trial} promoted afterwards`);
      });
      // All fail: the run still ends.
      const dead = simulate(specWith(name), { budget: 10, parallel: 2, fail: () => true });
      assert.equal([...dead.state.trials.values()].filter((t) => t.status === 'failed').length, 10);
    });

    it('resumes: a run stopped at any point and resumed from its journal decides like an uninterrupted one', () => {
      for (const strategy of ['random', 'evolution', 'tpe'] as const) {
        const spec = specWith(name, { strategy, tpe: { startupTrials: 4 }, evolution: { population: 5, sampleSize: 2 } });
        const whole = simulate(spec, { budget: 24, parallel: 1 });
        for (const stopAfter of [5, 37, 80, 121]) {
          if (stopAfter >= whole.events.length) continue;
          const first = new Sim(spec, { budget: 24, parallel: 1, stopAfter });
          assert.equal(first.run(), false);
          const resumed = new Sim(spec, { budget: 24, parallel: 1 }, first.events);
          assert.equal(resumed.run(), true);
          const show = (d: Decision[]) => d.map((x) => `${x.kind} ${x.trial}${x.rung !== undefined ? `@${x.rung}` : ''}`).join(', ');
          assert.equal(show([...first.decisions, ...resumed.decisions]), show(whole.decisions), `${strategy}, stopped after ${stopAfter} events`);
          assert.ok(
            JSON.stringify([...first.decisions, ...resumed.decisions]) === JSON.stringify(whole.decisions),
            `${strategy}, stopped after ${stopAfter} events: configs differ`,
          );
          assert.ok(
            JSON.stringify(resumed.summary()) === JSON.stringify(whole.summary()),
            `${strategy}, stopped after ${stopAfter} events: final states differ`,
          );
        }
      }
    });
  });
}

describe('asha', () => {
  it("puts rungs at minEpochs * eta^k, capped by each trial's own epochs", () => {
    const s = new AshaScheduler(1, 3, 27, 0);
    assert.deepEqual(s.rungs(0, 27), [1, 3, 9, 27]);
    assert.deepEqual(s.rungs(5, 10), [1, 3, 9, 10]);
    assert.deepEqual(s.rungs(5, 9), [1, 3, 9]);
    assert.deepEqual(s.rungs(5, 1), [1]);
    assert.deepEqual(new AshaScheduler(2, 2, 16, 0).rungs(0, 16), [2, 4, 8, 16]);
  });

  it('promotes the top 1/eta of a rung, best first, highest rung first, never waiting for a rung to fill', () => {
    const s = new AshaScheduler(1, 3, 9, 0);
    const paused = (trial: number, scores: number[]) => ({ trial, maxEpochs: 9, scores, state: 'paused' as const });
    // Two at rung 0: no slot yet (floor(2 / 3) = 0).
    assert.equal(s.promotion([paused(0, [0.5]), paused(1, [0.7])]), undefined);
    // Three: the best one goes on to 3 epochs.
    assert.deepEqual(s.promotion([paused(0, [0.5]), paused(1, [0.7]), paused(2, [0.6])]), { trial: 1, rung: 1, epochs: 3, fromEpoch: 1 });
    // Once it is running, the slot is taken: the next best waits for more trials.
    const running = { trial: 1, maxEpochs: 9, scores: [0.7], state: 'running' as const };
    assert.equal(s.promotion([paused(0, [0.5]), running, paused(2, [0.6])]), undefined);
    // Six at rung 0 give two slots; a rung-1 trial with three peers at rung 1 is promoted first.
    const six = [paused(0, [0.5]), { ...running, scores: [0.7, 0.75, 0.8] }, paused(2, [0.6]), paused(3, [0.1]), paused(4, [0.2]), paused(5, [0.3])];
    assert.deepEqual(s.promotion(six), { trial: 2, rung: 1, epochs: 3, fromEpoch: 1 });
    const rung1 = [paused(6, [0.9, 0.91, 0.92]), paused(7, [0.8, 0.81, 0.82]), paused(8, [0.2, 0.3, 0.4]), ...six.slice(2)];
    assert.deepEqual(s.promotion(rung1), { trial: 6, rung: 2, epochs: 9, fromEpoch: 3 });
    // A failed or finished trial is never promoted, but still counts in the ranking.
    const done = [{ trial: 0, maxEpochs: 9, scores: [0.99], state: 'done' as const }, paused(1, [0.5]), paused(2, [0.4])];
    assert.equal(s.promotion(done), undefined);
    // The ranking uses the best value up to the rung, not the last.
    assert.deepEqual(
      s.promotion([paused(0, [0.5, 0.9, 0.1]), paused(1, [0.6, 0.6, 0.6]), paused(2, [0.1, 0.1, 0.1]), paused(3, [0.2]), paused(4, [0.3]), paused(5, [0.4])]),
      { trial: 0, rung: 2, epochs: 9, fromEpoch: 3 },
    );
  });

  it('spends far fewer epochs than training everything fully, and keeps the best trials', () => {
    const full = simulate(specWith('none'), { budget: 60, parallel: 2 });
    const asha = simulate(specWith('asha'), { budget: 60, parallel: 2 });
    const best = (s: Sim) => Math.max(...[...s.state.trials.values()].filter((t) => t.status === 'completed').map((t) => t.value!));
    assert.ok(asha.state.epochsTrained() <= 0.5 * full.state.epochsTrained(), `${asha.state.epochsTrained()} vs ${full.state.epochsTrained()} epochs`);
    assert.ok(best(asha) >= best(full) - 0.05, `best ${best(asha)} vs ${best(full)}`);
    // Every promotion was in the top 1/eta of its rung when it was made (all trials in one bracket here, so
    // all that reached the rung's epochs count).
    assert.ok(asha.promotionRanks.length > 0);
    for (const { rank, slots } of asha.promotionRanks) assert.ok(rank < slots, `rank ${rank} with ${slots} slots`);
    const trials = [...asha.state.trials.values()];
    // Promoted trials continue their curves: epochs recorded once each, in order.
    for (const t of trials) assert.equal(t.history.filter(Boolean).length, t.history.length);
    assert.ok(asha.events.some((e) => e.type === 'trial-promoted'));
  });

  it('records where a trial stopped', () => {
    const sim = simulate(specWith('asha'), { budget: 30, parallel: 2 });
    const pruned = sim.events.filter((e) => e.type === 'trial-pruned');
    assert.ok(pruned.length > 0);
    for (const e of pruned) {
      if (e.type !== 'trial-pruned') continue;
      assert.equal(e.rung, [1, 3, 9].indexOf(e.epoch + 1));
    }
  });
});

describe('hyperband', () => {
  it('spreads trials over brackets whose first rungs grow by eta, in the classic proportions', () => {
    const s = hyperbandScheduler(1, 3, 9, 4);
    assert.deepEqual(s.bracketWeights, [9, 5, 3]);
    const counts = [0, 0, 0];
    for (let t = 0; t < 1700; t++) counts[s.bracketOf(t)]++;
    assert.ok(Math.abs(counts[0] / 1700 - 9 / 17) < 0.05 && Math.abs(counts[2] / 1700 - 3 / 17) < 0.05, `${counts}`);
    const firsts = new Set([...Array(40).keys()].map((t) => s.rungs(t, 9)[0]));
    assert.deepEqual(
      [...firsts].sort((a, b) => a - b),
      [1, 3, 9],
    );
    // Brackets are separate: a trial is promoted only against its own bracket.
    const b0 = [...Array(60).keys()].filter((t) => s.bracketOf(t) === 0).slice(0, 3);
    const b1 = [...Array(60).keys()].filter((t) => s.bracketOf(t) === 1).slice(0, 2);
    const trials = [
      ...b0.map((t, k) => ({ trial: t, maxEpochs: 9, scores: [0.1 * (k + 1)], state: 'paused' as const })),
      ...b1.map((t) => ({ trial: t, maxEpochs: 9, scores: [0.9, 0.9, 0.9], state: 'paused' as const })),
    ];
    assert.deepEqual(s.promotion(trials), { trial: b0[2], rung: 1, epochs: 3, fromEpoch: 1 });
  });

  it('with TPE (BOHB) proposes valid configs and finishes within the budget', () => {
    const sim = simulate(specWith('hyperband', { strategy: 'tpe', tpe: { startupTrials: 5 } }), { budget: 40, parallel: 2 });
    assert.equal(sim.state.trials.size, 40);
    assert.ok(sim.state.order.some((t) => t.budget !== undefined && t.budget > 1));
  });
});

describe('median', () => {
  it('prunes only after the warm-up, against the median of other trials at the same epoch', () => {
    const sim = simulate(specWith('median'), { budget: 30, parallel: 1 });
    const pruned = sim.events.filter((e) => e.type === 'trial-pruned');
    assert.ok(pruned.length > 0);
    for (const e of pruned) if (e.type === 'trial-pruned') assert.ok(e.epoch >= 1);
  });
});

describe('pruner settings', () => {
  it('reads epochs from a searched range, and rejects an unknown pruner', () => {
    assert.equal(maxEpochsOf({ ...SPEC, training: { epochs: { int: [2, 12] } } }), 12);
    assert.equal(maxEpochsOf({ ...SPEC, training: { epochs: { choice: [3, 27, 9] } } }), 27);
    assert.throws(() => createPruner({ ...SPEC, search: { pruner: { type: 'nope' as 'none' } } }), /unknown pruner/);
  });

  it('declares the same defaults as the schema', () => {
    type S = { properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }> };
    const search = (schema as unknown as { definitions: { search: S } }).definitions.search.properties;
    for (const [k, v] of Object.entries(PRUNER_DEFAULTS)) assert.deepEqual(search.pruner.properties![k].default, v, `pruner.${k}`);
    for (const [k, v] of Object.entries(TPE_DEFAULTS)) assert.deepEqual(search.tpe.properties![k].default, v, `tpe.${k}`);
    for (const [k, v] of Object.entries(REINFORCE_DEFAULTS)) assert.deepEqual(search.reinforce.properties![k].default, v, `reinforce.${k}`);
    for (const [k, v] of Object.entries(EVOLUTION_DEFAULTS)) assert.deepEqual(search.evolution.properties![k].default, v, `evolution.${k}`);
  });
});
