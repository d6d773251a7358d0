// Multi-objective ranking: Pareto dominance, fast non-dominated sorting and crowding distance (Deb et al.
// 2002, NSGA-II). Points are vectors in "higher is better" form: negate minimised objectives first (see
// toMaximize). NaN counts as the worst possible value, so a broken measurement never looks good.

/** a dominates b: no worse in every objective and strictly better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let m = 0; m < a.length; m++) {
    const x = clean(a[m]);
    const y = clean(b[m]);
    if (x < y) return false;
    if (x > y) better = true;
  }
  return better;
}

function clean(v: number): number {
  return Number.isNaN(v) ? -Infinity : v;
}

/**
 * Fronts of indices into `points`: front 0 is the non-dominated set, front 1 is non-dominated once front 0 is
 * removed, and so on. Within a front, indices ascend. O(M N^2).
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i], points[j])) {
        dominating[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(points[j], points[i])) {
        dominating[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** The indices of the non-dominated points (front 0). */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  return nonDominatedSort(points)[0] ?? [];
}

/**
 * Crowding distance of each member of one front (aligned with `front`): the sum over objectives of the gap
 * between its two neighbours along that objective, normalised by the front's range there. The extremes of each
 * objective get Infinity, so they are always kept. An objective on which the whole front is equal adds nothing.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const k = front.length;
  const dist = new Array<number>(k).fill(0);
  if (k === 0) return dist;
  if (k <= 2) return dist.fill(Infinity);
  const objectives = points[front[0]].length;
  for (let m = 0; m < objectives; m++) {
    // Sorted by the objective, ties by index, so equal points get a stable order.
    const order = [...Array(k).keys()].sort((a, b) => clean(points[front[a]][m]) - clean(points[front[b]][m]) || front[a] - front[b]);
    const lo = clean(points[front[order[0]]][m]);
    const hi = clean(points[front[order[k - 1]]][m]);
    dist[order[0]] = Infinity;
    dist[order[k - 1]] = Infinity;
    const range = hi - lo;
    if (!(range > 0) || !Number.isFinite(range)) continue;
    for (let r = 1; r < k - 1; r++) {
      const gap = clean(points[front[order[r + 1]]][m]) - clean(points[front[order[r - 1]]][m]);
      dist[order[r]] += gap / range;
    }
  }
  return dist;
}

export interface NsgaRank {
  /** Front number of each point (0 = Pareto-optimal). */
  rank: number[];
  /** Crowding distance of each point within its own front. */
  crowding: number[];
}

/** Front and crowding distance of every point. */
export function nsgaRank(points: readonly (readonly number[])[]): NsgaRank {
  const rank = new Array<number>(points.length).fill(0);
  const crowding = new Array<number>(points.length).fill(0);
  nonDominatedSort(points).forEach((front, f) => {
    const d = crowdingDistance(points, front);
    front.forEach((i, k) => {
      rank[i] = f;
      crowding[i] = d[k];
    });
  });
  return { rank, crowding };
}

/** NSGA-II's crowded comparison: negative when i is better than j (lower front, then larger crowding). */
export function crowdedCompare(r: NsgaRank, i: number, j: number): number {
  if (r.rank[i] !== r.rank[j]) return r.rank[i] - r.rank[j];
  const a = r.crowding[i];
  const b = r.crowding[j];
  if (a === b) return 0;
  return a > b ? -1 : 1;
}

/** Indices of all points, best first by the crowded comparison (ties by index). */
export function nsgaOrder(points: readonly (readonly number[])[]): number[] {
  const r = nsgaRank(points);
  return [...points.keys()].sort((i, j) => crowdedCompare(r, i, j) || i - j);
}

/** Raw objective values to "higher is better" form. */
export function toMaximize(values: readonly number[], directions: readonly ('maximize' | 'minimize')[]): number[] {
  return values.map((v, m) => (directions[m] === 'minimize' ? -v : v));
}
