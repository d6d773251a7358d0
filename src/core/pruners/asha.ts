// Asynchronous successive halving (ASHA, Li et al. 2018). Hyperband (hyperband.ts) is several ASHA brackets.
//
// Rungs are on epochs: rung k of bracket b ends after minEpochs * η^(b+k) epochs in all, and the last rung of a
// trial is its full training.epochs. A new trial trains to its first rung and stops there (its weights and
// optimizer state are kept). Whenever a worker is free, the scheduler looks for a promotion, highest rung first:
// a trial stopped at rung k that ranks in the top 1/η of all trials that reached rung k in its bracket
// continues to rung k + 1. Only when nothing can be promoted does a new trial start. Decisions never wait for a
// rung to fill (asynchronous), and they depend only on the recorded epochs, so a resumed run makes the same ones.
// Bracket b starts its rungs at minEpochs * η^b; plain ASHA has the one bracket 0.
import { Rng } from '../rng';
import type { Curve, PruneDecision, Pruner, Promotion, RungTrial, Scheduler } from './pruner';

export class AshaScheduler implements Scheduler {
  constructor(
    readonly minEpochs: number,
    readonly eta: number,
    /** The largest training.epochs of the space (R). */
    readonly maxEpochs: number,
    private readonly seed: number,
    /** Relative number of trials per bracket; a single bracket is plain ASHA. */
    readonly bracketWeights: readonly number[] = [1],
  ) {}

  bracketOf(trial: number): number {
    if (this.bracketWeights.length === 1) return 0;
    const total = this.bracketWeights.reduce((a, b) => a + b, 0);
    let u = Rng.derive(this.seed, `hyperband/${trial}`).next() * total;
    for (let b = 0; b < this.bracketWeights.length; b++) {
      u -= this.bracketWeights[b];
      if (u < 0) return b;
    }
    return this.bracketWeights.length - 1;
  }

  rungs(trial: number, maxEpochs: number): number[] {
    const out: number[] = [];
    let e = this.minEpochs * this.eta ** this.bracketOf(trial);
    while (Math.round(e) < maxEpochs) {
      out.push(Math.round(e));
      e *= this.eta;
    }
    out.push(maxEpochs);
    return out;
  }

  promotion(trials: readonly RungTrial[], fits?: (p: Promotion) => boolean): Promotion | undefined {
    // Per bracket, per rung: who reached it, with their best score up to the end of it.
    const byBracket = new Map<number, RungTrial[]>();
    for (const t of trials) {
      const b = this.bracketOf(t.trial);
      if (!byBracket.has(b)) byBracket.set(b, []);
      byBracket.get(b)!.push(t);
    }
    let best: (Promotion & { score: number }) | undefined;
    for (const members of byBracket.values()) {
      const rungsOf = new Map(members.map((t) => [t.trial, this.rungs(t.trial, t.maxEpochs)]));
      const top = Math.max(...members.map((t) => rungsOf.get(t.trial)!.length));
      for (let k = top - 2; k >= 0; k--) {
        const reached = members
          .filter((t) => {
            const r = rungsOf.get(t.trial)!;
            return k < r.length && t.scores.length >= r[k];
          })
          .map((t) => ({ t, score: bestScore(t.scores, rungsOf.get(t.trial)![k]) }))
          .sort((a, b) => b.score - a.score || a.t.trial - b.t.trial);
        const slots = Math.floor(reached.length / this.eta);
        for (const { t, score } of reached.slice(0, slots)) {
          const r = rungsOf.get(t.trial)!;
          if (t.state !== 'paused' || t.scores.length !== r[k] || k + 1 >= r.length || !(score > -Infinity)) continue;
          // The largest budget first (finishing the most promising work), then the best score, then the lowest trial.
          const candidate = { trial: t.trial, rung: k + 1, epochs: r[k + 1], fromEpoch: r[k], score };
          // One that cannot train an epoch in the time left gives way to the next one that qualifies.
          if (fits && !fits(candidate)) continue;
          if (
            !best ||
            candidate.epochs > best.epochs ||
            (candidate.epochs === best.epochs && (score > best.score || (score === best.score && t.trial < best.trial)))
          )
            best = candidate;
          break;
        }
        // Lower rungs of this bracket promote to smaller budgets: they cannot beat what was found.
        if (best && best.epochs >= members.reduce((m, t) => Math.max(m, rungsOf.get(t.trial)![k] ?? 0), 0)) break;
      }
    }
    if (!best) return undefined;
    const { score: _score, ...promotion } = best;
    return promotion;
  }
}

function bestScore(scores: readonly number[], epochs: number): number {
  let best = -Infinity;
  for (let i = 0; i < epochs && i < scores.length; i++) if (Number.isFinite(scores[i]) && scores[i] > best) best = scores[i];
  return best;
}

/** ASHA (and Hyperband) as pruners: they never stop a trial mid-segment; the scheduler does the work. */
export class AshaPruner implements Pruner {
  readonly alwaysContinues = true;
  constructor(
    readonly name: string,
    readonly scheduler: AshaScheduler,
  ) {}

  decide(_trial: number, _epoch: number, _values: readonly number[], _curves: readonly Curve[]): PruneDecision {
    return { prune: false };
  }
}
