// How the end-of-run test scoring spreads the kept trials over the workers (testeval.ts), with links that answer
// when the test says so: every idle worker scores at once (none idles while another has two queued), a worker
// that dies loses only the job it held, and a job nobody could take comes back for the resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluateRequest, ModelArtifactsMessage, ToWorker } from '../../src/shared/protocol';
import type { WorkerLink } from '../../src/engine/transport';
import { TestEvaluations, type EvalJob } from '../../src/engine/testeval';

const weights: ModelArtifactsMessage = { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) };
const job = (trial: number): EvalJob => ({ trial, batchSize: 32, weights });

class Link implements WorkerLink {
  ready = true;
  exited = false;
  readonly asked: number[] = [];
  constructor(readonly id: number) {}
  send(m: ToWorker): void {
    if (m.method === 'evaluate') this.asked.push((m as EvaluateRequest).params.trial);
  }
  kill(): void {}
  close(): void {}
}

/** Lets pending promise callbacks run (the scheduler sends the next job after an answer's await). */
const settle = () => new Promise((r) => setImmediate(r));

test('every idle worker scores at once: with 3 jobs on 2 workers both start before any answer', async () => {
  const t = new TestEvaluations();
  const a = new Link(1);
  const b = new Link(2);
  const scored: number[] = [];
  const done = t.run([a, b], [job(7), job(3), job(9)], (r) => scored.push(r.trial));
  await settle();
  assert.deepEqual([a.asked, b.asked], [[7], [3]], 'each worker holds one job; none waits behind the other');
  // The one that answers first takes the third job.
  t.onEvaluation(b, { trial: 3, samples: 10, accuracy: 0.5, loss: 1 });
  await settle();
  assert.deepEqual([a.asked, b.asked], [[7], [3, 9]]);
  t.onEvaluation(a, { trial: 7, samples: 10, accuracy: 0.5, loss: 1 });
  t.onEvaluation(b, { trial: 9, samples: 10, accuracy: 0.5, loss: 1 });
  assert.deepEqual(await done, []);
  assert.deepEqual(scored.sort(), [3, 7, 9]);
});

test('a worker that dies loses only its current job; the queue goes to the others', async () => {
  const t = new TestEvaluations();
  const a = new Link(1);
  const b = new Link(2);
  const scored: number[] = [];
  const done = t.run([a, b], [job(1), job(2), job(3), job(4)], (r) => scored.push(r.trial));
  await settle();
  a.exited = true;
  t.onExit(a);
  await settle();
  for (const trial of [2, 3, 4]) {
    assert.equal(b.asked[b.asked.length - 1], trial);
    t.onEvaluation(b, { trial, samples: 10, loss: 1 });
    await settle();
  }
  assert.deepEqual(
    (await done).map((j) => j.trial),
    [1],
    'only the dead worker job is lost',
  );
  assert.deepEqual(scored, [2, 3, 4]);
});
