// The test-set evaluation at the end of a run: the kept weights of the ranked trials go to idle workers one at a
// time, each answered by an `evaluation`. A worker that dies takes only its current job with it; the rest go to
// the others (or wait for a resume, which evaluates whatever has no score yet). So that no worker idles at the end
// while another still scores (5 kept trials on 2 workers, 1 on 4), each job is scored in parts of the test set
// (partsPerJob) spread over the workers, and the parts' scores combined by their samples.
import type { Evaluation, ModelArtifactsMessage } from '../shared/protocol';
import type { WorkerLink } from './transport';

export interface EvalJob {
  trial: number;
  batchSize: number;
  weights: ModelArtifactsMessage;
}

export class TestEvaluations {
  private readonly waiting = new Map<number, (r: Evaluation['params'] | undefined) => void>();
  private readonly readiness = new Map<number, (ok: boolean) => void>();

  /** Call on every `evaluation` message. */
  onEvaluation(w: WorkerLink, r: Evaluation['params']): void {
    this.answer(w, r);
  }

  private answer(w: WorkerLink, r: Evaluation['params'] | undefined): void {
    const f = this.waiting.get(w.id);
    this.waiting.delete(w.id);
    f?.(r);
  }

  /** Call on every `ready` message. */
  onReady(w: WorkerLink): void {
    this.readiness.get(w.id)?.(true);
    this.readiness.delete(w.id);
  }

  /** Call when a worker exits: whatever it was asked is not coming. */
  onExit(w: WorkerLink): void {
    this.answer(w, undefined);
    this.readiness.get(w.id)?.(false);
    this.readiness.delete(w.id);
  }

  /** Resolves true once the worker is ready, false if it exits first. */
  ready(w: WorkerLink): Promise<boolean> {
    if (w.ready) return Promise.resolve(true);
    if (w.exited) return Promise.resolve(false);
    return new Promise((resolve) => this.readiness.set(w.id, resolve));
  }

  /** Evaluates every job on the given workers, reporting each answer as it comes; returns the jobs nobody answered. */
  async run(workers: readonly WorkerLink[], jobs: readonly EvalJob[], onResult: (r: Evaluation['params']) => void): Promise<EvalJob[]> {
    const parts = partsPerJob(jobs.length, workers.length);
    const queue = jobs.flatMap((job, j) => Array.from({ length: parts[j] }, (_, index) => ({ job, index, of: parts[j] })));
    const answers = new Map<EvalJob, Evaluation['params'][]>();
    const lost = new Set<EvalJob>();
    await Promise.all(
      workers.map(async (w) => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (w.exited) {
            queue.unshift(next);
            return;
          }
          const { job, index, of } = next;
          // A job with a lost part is lost whole (a resume scores it again): its other parts are not worth a worker.
          if (lost.has(job)) continue;
          const r = await new Promise<Evaluation['params'] | undefined>((resolve) => {
            this.waiting.set(w.id, resolve);
            w.send({ method: 'evaluate', params: { ...job, ...(of > 1 ? { part: { index, of } } : {}) } });
          });
          if (!r) {
            lost.add(job);
            continue;
          }
          const got = [...(answers.get(job) ?? []), r];
          answers.set(job, got);
          if (got.length === of && !lost.has(job)) onResult(combineParts(got));
        }
      }),
    );
    return jobs.filter((j) => lost.has(j) || (answers.get(j)?.length ?? 0) < parts[jobs.indexOf(j)]);
  }
}

/**
 * How many parts of the test set each job is scored in: workers / gcd(jobs, workers), the fewest equal parts that
 * give every worker the same share (jobs / workers of a job each): 4 jobs on 2 workers stay whole, 5 on 2 are 10
 * halves (2.5 job-lengths a worker instead of 3), 1 on 4 is 4 quarters, 5 on 8 are 40 eighths (0.625 instead of 1).
 * Each part costs one model load on its worker (milliseconds for a NAS trial's network).
 */
export function partsPerJob(jobs: number, workers: number): number[] {
  const w = Math.max(1, workers);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return Array.from({ length: jobs }, () => w / gcd(jobs, w));
}

/** One score from the parts' scores: losses weighted by samples, accuracies as counts of hits. */
export function combineParts(all: readonly Evaluation['params'][]): Evaluation['params'] {
  let parts = all;
  if (parts.length === 1) return parts[0];
  const samples = parts.reduce((s, p) => s + p.samples, 0);
  const failed = parts.find((p) => p.error !== undefined);
  if (failed) return { trial: failed.trial, samples, error: failed.error };
  // A test set smaller than the number of parts leaves some empty: they have no score to weigh.
  parts = parts.filter((p) => p.samples > 0);
  const out: Evaluation['params'] = { trial: all[0].trial, samples };
  if (!parts.length) return out;
  if (parts.every((p) => p.loss !== undefined)) out.loss = parts.reduce((s, p) => s + p.loss! * p.samples, 0) / samples;
  // Accuracy is hits / samples in float32: rounding its product with the part's samples recovers the hits exactly.
  if (parts.every((p) => p.accuracy !== undefined)) out.accuracy = parts.reduce((s, p) => s + Math.round(p.accuracy! * p.samples), 0) / samples;
  return out;
}
