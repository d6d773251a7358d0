// What the median pruner and BOHB (TPE + the hyperband scheduler) decide for hand-made learning curves: which
// trials are stopped or promoted, and just as much which are not. pruners.test.ts checks the contract every
// pruner keeps on simulated runs; here each expectation is worked out by hand from the rule the pruner states,
// so a changed comparison (< vs <=, last vs best value, own bracket vs all) fails a named case.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Curve } from '../../src/core/pruners/pruner';
import type { RungTrial } from '../../src/core/pruners';
import { MedianPruner } from '../../src/core/pruners/median';
import { hyperbandScheduler } from '../../src/core/pruners/hyperband';
import { comparableReports, type FinishedTrial } from '../../src/core/strategies/strategy';

const done = (trial: number, values: number[], status: Curve['status'] = 'completed'): Curve => ({ trial, values, status });

describe('median pruner on crafted curves', () => {
  // Peers' best values by epoch 2 (index 1): 0.6, 0.5, 0.4, so the median is 0.5.
  const peers = [done(1, [0.5, 0.6, 0.7]), done(2, [0.4, 0.5, 0.6]), done(3, [0.3, 0.4, 0.5])];
  const median = new MedianPruner(1, 3);

  it('stops a trial whose best so far is below the median of its peers at that epoch, and says why', () => {
    const d = median.decide(9, 1, [0.1, 0.45], peers, 'maximize');
    assert.equal(d.prune, true);
    assert.equal(d.reason, 'best 0.45 by epoch 2 is worse than the median 0.5 of 3 trials');
  });

  it('keeps a trial at or above the median, judged on its best value so far rather than its last', () => {
    assert.equal(median.decide(9, 1, [0.1, 0.55], peers, 'maximize').prune, false);
    assert.equal(median.decide(9, 1, [0.1, 0.5], peers, 'maximize').prune, false, 'equal to the median is not worse');
    assert.equal(median.decide(9, 1, [0.52, 0.3], peers, 'maximize').prune, false, 'a dip after a good epoch');
  });

  it('never stops a trial during the warm-up epochs, however bad', () => {
    assert.equal(median.decide(9, 0, [0.01], peers, 'maximize').prune, false);
    assert.equal(new MedianPruner(3, 3).decide(9, 2, [0.01, 0.01, 0.01], peers, 'maximize').prune, false);
    assert.equal(new MedianPruner(2, 3).decide(9, 2, [0.01, 0.01, 0.01], peers, 'maximize').prune, true);
  });

  it('counts only peers that reached the epoch, did not fail, and are not the trial itself', () => {
    const mixed = [
      ...peers,
      done(4, [0.9], 'running'), // has not reached epoch 2 yet
      done(5, [0.99, 0.99], 'failed'),
      done(9, [0.95, 0.95], 'running'), // the trial being decided
    ];
    // Still 3 peers with median 0.5: 0.45 is stopped and the reason counts 3 trials.
    const d = median.decide(9, 1, [0.1, 0.45], mixed, 'maximize');
    assert.equal(d.prune, true);
    assert.match(d.reason!, /median 0\.5 of 3 trials/);
  });

  it('waits for minTrials peers at the epoch before it stops anything', () => {
    assert.equal(median.decide(9, 1, [0.0, 0.0], peers.slice(0, 2), 'maximize').prune, false);
    assert.equal(new MedianPruner(1, 2).decide(9, 1, [0.0, 0.0], peers.slice(0, 2), 'maximize').prune, true);
  });

  it("takes each peer's best value up to the epoch, not its value at it nor later ones", () => {
    // Peer bests by epoch 2: 0.9 (a peak then a collapse), 0.2, 0.3 -> median 0.3. Later epochs do not count.
    const spiky = [done(1, [0.9, 0.1, 0.99]), done(2, [0.1, 0.2, 0.99]), done(3, [0.3, 0.1, 0.99])];
    assert.equal(median.decide(9, 1, [0.25, 0.25], spiky, 'maximize').prune, true);
    assert.equal(median.decide(9, 1, [0.3, 0.25], spiky, 'maximize').prune, false);
  });

  it('averages the middle two of an even number of peers, ignoring missing values', () => {
    const four = [...peers, done(4, [0.2, 0.3, 0.9]), done(5, [NaN, NaN, NaN])];
    // Bests 0.6, 0.5, 0.4, 0.3 (trial 5 has none): median (0.4 + 0.5) / 2 = 0.45.
    assert.equal(median.decide(9, 1, [0.44, 0.44], four, 'maximize').prune, true);
    assert.equal(median.decide(9, 1, [0.46, 0.46], four, 'maximize').prune, false);
    assert.match(median.decide(9, 1, [0.44, 0.44], four, 'maximize').reason!, /median 0\.45 of 4 trials/);
  });

  it('minimizes a loss: lower is better, the reason speaks in the loss itself', () => {
    const losses = [done(1, [1.0, 0.6]), done(2, [1.0, 0.8]), done(3, [1.0, 0.7])];
    const d = median.decide(9, 1, [1.0, 0.75], losses, 'minimize');
    assert.equal(d.prune, true);
    assert.equal(d.reason, 'best 0.75 by epoch 2 is worse than the median 0.7 of 3 trials');
    assert.equal(median.decide(9, 1, [1.0, 0.65], losses, 'minimize').prune, false);
  });
});

describe('BOHB: the hyperband scheduler on crafted rungs', () => {
  // minEpochs 1, η 3, 9 epochs: brackets with rungs [1, 3, 9], [3, 9] and [9]. Trials are spread over brackets
  // by a seeded hash, so the test picks trials of each bracket rather than assuming which they are.
  const s = hyperbandScheduler(1, 3, 9, 4);
  const of = (b: number, n: number) => [...Array(400).keys()].filter((t) => s.bracketOf(t) === b).slice(0, n);
  const [b0, b1, b2] = [of(0, 12), of(1, 6), of(2, 3)];
  const at = (trial: number, scores: number[], state: RungTrial['state'] = 'paused'): RungTrial => ({ trial, maxEpochs: 9, scores, state });

  it('gives each bracket its rungs', () => {
    assert.deepEqual(s.rungs(b0[0], 9), [1, 3, 9]);
    assert.deepEqual(s.rungs(b1[0], 9), [3, 9]);
    assert.deepEqual(s.rungs(b2[0], 9), [9]);
  });

  /** Promotes one at a time (each then runs), as the orchestrator does, until nothing more is promoted. */
  function drain(trials: RungTrial[]): number[] {
    const out: number[] = [];
    for (let p = s.promotion(trials); p; p = s.promotion(trials)) {
      out.push(p.trial);
      const i = trials.findIndex((t) => t.trial === p!.trial);
      trials[i] = { ...trials[i], state: 'running' };
      assert.ok(out.length <= trials.length, 'promotions never end');
    }
    return out;
  }

  it('promotes the top third of nine first-rung trials, best first, and no other', () => {
    const scores = [0.5, 0.9, 0.1, 0.7, 0.3, 0.8, 0.2, 0.6, 0.4];
    const trials = b0.slice(0, 9).map((t, i) => at(t, [scores[i]]));
    assert.deepEqual(drain(trials), [b0[1], b0[5], b0[3]]);
  });

  it('promotes nothing until a rung holds η trials, and ranks on the best score up to the rung', () => {
    assert.deepEqual(drain([at(b0[0], [0.9]), at(b0[1], [0.1])]), []);
    // Rung 1 ends at 3 epochs: trial b0[0] peaked at 0.95 then fell; it still ranks first there.
    const trials = [at(b0[0], [0.2, 0.95, 0.1]), at(b0[1], [0.5, 0.6, 0.7]), at(b0[2], [0.3, 0.4, 0.5])];
    const p = s.promotion(trials);
    assert.deepEqual(p, { trial: b0[0], rung: 2, epochs: 9, fromEpoch: 3 });
  });

  it('judges a trial only against its own bracket', () => {
    // Bracket 1's three trials all score below bracket 0's, yet its best goes on (to 9 epochs, so first). Were
    // the brackets pooled, the six at epoch 1 would give two slots, both to bracket 0's best two.
    const trials = [at(b0[0], [0.9]), at(b0[1], [0.8]), at(b0[2], [0.7]), at(b1[0], [0.1, 0.2, 0.3]), at(b1[1], [0.1, 0.1, 0.1]), at(b1[2], [0.1, 0.2, 0.25])];
    assert.deepEqual(s.promotion(trials), { trial: b1[0], rung: 1, epochs: 9, fromEpoch: 3 });
    assert.deepEqual(drain(trials), [b1[0], b0[0]]);
  });

  it('serves the larger budget first, and never promotes a failed, finished or running trial', () => {
    // Bracket 0: nine reached rung 0 (three slots), and its top three went on to rung 1 (3 epochs), where one
    // slot goes to the best by 3 epochs. That 9-epoch promotion comes first; the six left at rung 0 wait.
    const trials = [
      at(b0[0], [0.8, 0.3, 0.4]),
      at(b0[1], [0.9, 0.6, 0.7]),
      at(b0[2], [0.85, 0.1, 0.1]),
      ...[0.45, 0.05, 0.06, 0.3, 0.2, 0.1].map((v, i) => at(b0[3 + i], [v])),
    ];
    assert.deepEqual(s.promotion(trials), { trial: b0[1], rung: 2, epochs: 9, fromEpoch: 3 });
    assert.deepEqual(drain(trials), [b0[1]]);
    // Three more at rung 0 make a fourth slot: the fourth best there (0.45) goes on, not the fifth (0.3).
    trials.push(at(b0[9], [0.01]), at(b0[10], [0.02]), at(b0[11], [0.03]));
    assert.deepEqual(drain(trials), [b0[3]]);
    // The top trial at rung 0 failed (done): its slot is not handed down to the next one; nor is a running one's.
    const failed = [at(b0[0], [0.9], 'done'), at(b0[1], [0.5]), at(b0[2], [0.4])];
    assert.equal(s.promotion(failed), undefined);
    const running = [at(b0[0], [0.9], 'running'), at(b0[1], [0.5]), at(b0[2], [0.4])];
    assert.equal(s.promotion(running), undefined);
  });

  it('leaves the full-budget bracket alone: its trials train all their epochs at once', () => {
    const trials = b2.map((t, i) => at(t, Array(9).fill(0.1 * (i + 1)), 'done'));
    assert.equal(s.promotion(trials), undefined);
  });
});

describe('BOHB: what TPE learns from in a multi-fidelity run', () => {
  const report = (trial: number, budget: number | undefined, value: number): FinishedTrial => ({
    trial,
    config: { architecture: { kind: 'sequential', layers: [] }, training: { epochs: 9 } } as unknown as FinishedTrial['config'],
    status: 'pruned',
    value,
    ...(budget !== undefined ? { budget } : {}),
  });

  it('fits to the largest budget that has enough reports, else the smallest, never mixing budgets', () => {
    const reports = [report(0, 1, 0.5), report(1, 1, 0.6), report(2, 1, 0.4), report(1, 3, 0.7), report(0, 3, 0.65), report(1, 9, 0.8)];
    const trialsAt = (min: number) => comparableReports(reports, min).map((t) => `${t.trial}@${t.budget}`);
    assert.deepEqual(trialsAt(1), ['1@9']);
    assert.deepEqual(trialsAt(2), ['1@3', '0@3']);
    assert.deepEqual(trialsAt(3), ['0@1', '1@1', '2@1']);
    assert.deepEqual(trialsAt(4), ['0@1', '1@1', '2@1'], 'no budget has 4: the smallest, which has the most');
  });

  it('without budgets, learns from each trial once, as of its latest report', () => {
    const reports = [report(0, undefined, 0.5), report(1, undefined, 0.6), report(0, undefined, 0.7)];
    assert.deepEqual(
      comparableReports(reports, 2).map((t) => `${t.trial}:${t.value}`),
      ['1:0.6', '0:0.7'],
    );
  });
});
