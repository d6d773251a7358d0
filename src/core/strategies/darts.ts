// DARTS (Liu et al. 2019) as a strategy. The search itself is one supernet training (the engine does it
// before the first trial and hands back alpha through `learnt`); the trials are the derived architectures,
// retrained from scratch: the strongest one first, then the next most probable ones (`search.darts.derive`).
// Like every strategy, the answers depend only on the spec, the seed and what was recorded (here: the alpha
// the journal holds), so a resumed run derives the same architectures.
import type { Assignment, CellOperation, ParamValue, TrialConfig } from '../../shared/arch';
import type { AlphaRow, CellSupernet, SupernetConfig, SupernetSpace } from '../../shared/supernet';
import { dartsDerive } from '../defaults';
import { numericExtremes } from '../params';
import { resolve } from '../space';
import { SCALED_CELL_PARAMS, supernetSpace } from './dartsSpace';
import type { Strategy, StrategyContext } from './strategy';

export class DartsStrategy implements Strategy {
  readonly name = 'darts';
  readonly space: SupernetSpace;
  private alpha?: AlphaRow[];
  private derived: TrialConfig[] = [];

  constructor(private readonly ctx: StrategyContext) {
    this.space = supernetSpace(ctx.spec);
  }

  /** What the worker trains before any trial. */
  supernetConfig(): SupernetConfig {
    // Any architecture does: only the training settings (fixed, the checker made sure) are read.
    const { training } = resolve(this.ctx.spec, (p) => {
      if (SCALED_CELL_PARAMS.has(p.name)) return numericExtremes(p.domain)[0];
      if (p.role !== 'edge' && p.role !== 'option') throw new Error(`internal: darts found the parameter ${p.name}`);
      return (p.domain as { values: ParamValue[] }).values[0];
    });
    const darts = this.ctx.spec.search?.darts ?? {};
    return {
      space: this.space,
      training: { ...training, epochs: darts.epochs ?? training.epochs, batchSize: darts.batchSize ?? training.batchSize },
      ...(darts.alphaLearningRate !== undefined ? { alphaLearningRate: darts.alphaLearningRate } : {}),
    };
  }

  /** Whether the supernet was trained: the trials can be derived. */
  get searched(): boolean {
    return this.alpha !== undefined;
  }

  /** How many architectures are derived and retrained. */
  get derivedCount(): number {
    return this.derived.length;
  }

  /** Only the derived architectures are trials: `search.darts.derive`, whatever `budget.trials` says. */
  plannedTrials(): number {
    return dartsDerive(this.ctx.spec.search);
  }

  /** The supernet's final alpha (softmax weights), from the worker or the journal. */
  learnt(alpha: AlphaRow[]): void {
    this.alpha = alpha;
    this.derived = deriveAssignments(this.space, alpha, this.plannedTrials()).map((a) => configOf(this.ctx, a));
  }

  ask(index: number): TrialConfig | undefined {
    if (!this.alpha) throw new Error('internal: darts was asked for a trial before its supernet was trained');
    return this.derived[index];
  }
}

/** A derived architecture as a trial: retrained at the largest channels and cells the space allows. */
function configOf(ctx: StrategyContext, a: Assignment): TrialConfig {
  const { order: _order, ...config } = resolve(ctx.spec, (p) => {
    if (SCALED_CELL_PARAMS.has(p.name)) return numericExtremes(p.domain)[1];
    const v = a[p.name];
    if (v === undefined) throw new Error(`internal: darts derived no value for ${p.name}`);
    return v;
  });
  return config;
}

/**
 * The `count` most probable architectures under alpha (independent softmax per edge or choice), without
 * `none` on cell edges; then DARTS' rule of two inputs per node where the space can drop an edge (it offers
 * `none`). Different picks can give the same network after that rule: each is returned once.
 */
export function deriveAssignments(space: SupernetSpace, alpha: AlphaRow[], count: number): Assignment[] {
  const rows = alpha.map((r) => {
    const candidates = r.ops.map((op, k) => ({ value: space.kind === 'cell' ? op : k, w: r.weights[k] })).filter((c) => c.value !== 'none');
    return candidates.sort((a, b) => b.w - a.w);
  });
  // Beam search over the rows is exact for the top k of a product of independent factors: a top-k
  // assignment's prefix is always among the top k prefixes. A wider beam leaves room for duplicates.
  const width = count * 4 + 4;
  let beam: { score: number; picks: number[] }[] = [{ score: 0, picks: [] }];
  for (const cands of rows) {
    const next = beam.flatMap((b) => cands.map((c, k) => ({ score: b.score + Math.log(Math.max(c.w, 1e-30)), picks: [...b.picks, k] })));
    // Ties break by the earlier candidate so the order never depends on the sort's stability.
    next.sort((a, b) => b.score - a.score || compare(a.picks, b.picks));
    beam = next.slice(0, width);
  }
  const out: Assignment[] = [];
  const seen = new Set<string>();
  for (const b of beam) {
    const a: Assignment = {};
    alpha.forEach((r, i) => (a[r.name] = rows[i][b.picks[i]].value));
    if (space.kind === 'cell') topTwoInputs(space, alpha, a);
    const key = JSON.stringify(alpha.map((r) => a[r.name]));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
    if (out.length === count) break;
  }
  return out;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Keeps the two strongest inputs of every node (by the weight of the chosen operation); the rest become `none`. */
function topTwoInputs(space: CellSupernet, alpha: AlphaRow[], a: Assignment): void {
  if (!space.operations.includes('none')) return;
  const weight = new Map(alpha.map((r) => [r.name, (op: string) => r.weights[r.ops.indexOf(op)]]));
  for (let to = 2; to < space.nodes; to++) {
    const ins = space.edges.filter((e) => e.to === to);
    if (ins.length <= 2) continue;
    const ranked = [...ins].sort((x, y) => weight.get(y.name)!(a[y.name] as string) - weight.get(x.name)!(a[x.name] as string) || x.from - y.from);
    for (const e of ranked.slice(2)) a[e.name] = 'none' satisfies CellOperation;
  }
}
