// The test-set evaluation at the end of a run: the kept weights of the ranked trials go to idle workers one at a
// time, each answered by an `evaluation`. A worker that dies takes only its current job with it; the rest go to
// the others (or wait for a resume, which evaluates whatever has no score yet).
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
    const queue = [...jobs];
    const lost: EvalJob[] = [];
    await Promise.all(
      workers.map(async (w) => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          if (w.exited) {
            queue.unshift(job);
            return;
          }
          const r = await new Promise<Evaluation['params'] | undefined>((resolve) => {
            this.waiting.set(w.id, resolve);
            w.send({ method: 'evaluate', params: job });
          });
          if (r) onResult(r);
          else lost.push(job);
        }
      }),
    );
    return [...lost, ...queue];
  }
}
